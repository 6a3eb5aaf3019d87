"""All-or-nothing file writes, shared by every writer in the project.

Task sets, reports, plots and a training run's files are all written here, so five rules hold
for every one of them:

- **All or nothing.** A file is written to a hidden temporary sibling,
  ``.NAME.tmp-PID-RANDOM`` (same folder, so the last step is one rename), and put in place only
  once complete: a reader never sees half a file, and a crash mid-write leaves the old file
  whole. The new file gets the permissions a plain ``open(path, "w")`` would give (``0o666``
  less the umask), not the owner-only mode of :func:`tempfile.mkstemp`.
- **Only a regular file is ever replaced.** The output may be absent or a regular file. A
  symbolic link is followed: the file it points to is written and the link stays. Anything else
  (a folder, a device such as ``/dev/null``, a named pipe, a socket) is refused with
  :class:`OutputError`, overwrite or not, since renaming a file over it would destroy it.
- **No silent overwrite.** With ``overwrite=False`` the finished file takes its name with
  ``link(2)``, which fails when the name exists. Of two writers racing for one new name, one
  wins and the other gets :class:`OutputExistsError`; a check followed by a rename would let
  both "win", the second silently replacing the first.
- **Leftovers are cleaned up.** A writer killed outright (``kill -9``, the OOM killer) leaves
  its temporary behind. The next write to the same name removes that name's temporaries whose
  PID no longer runs on this machine and that belong to this user. Nothing else is touched:
  only names of exactly that pattern, only files and folders, never what a link points to.
  (In a folder shared between machines, another machine's live temporary may look dead here;
  that writer then fails with a clear error. A finished file is never removed.)
- **Errors name the user's path.** An ``OSError`` while writing (disk full, file-size limit,
  a missing or read-only folder) becomes :class:`OutputError` naming the path asked for, never
  the temporary one, with the system's reason; the temporary is removed.

:func:`staging_folder` and :func:`place` apply the same rules to a group of files put in place
together (an evaluation report) or to a whole folder (a saved dataset).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic(folder / "a.txt", "hello")
>>> (folder / "a.txt").read_text()
'hello'
>>> write_text_atomic(folder / "a.txt", "again", overwrite=False)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
countdown_env.errors.OutputExistsError: .../a.txt exists; pass overwrite=True (--force) to ...
>>> write_text_atomic(folder / "missing" / "b.txt", "x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
countdown_env.errors.OutputError: cannot write .../missing/b.txt: No such file or directory
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from countdown_env.errors import OutputError, OutputExistsError
from verifiers.errors import CountdownError

__all__ = [
    "atomic_file",
    "exists_message",
    "output_target",
    "place",
    "remove_stale_temps",
    "staging_folder",
    "write_text_atomic",
]

_NAME_KEPT = 100
"""Characters of the output's name kept in its temporaries' names (file names max 255 bytes)."""
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


def _file_mode() -> int:
    """``0o666`` less the process umask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _refused(shown: str | os.PathLike[str], err: OSError) -> OutputError:
    return OutputError(f"cannot write {os.fspath(shown)}: {err.strerror or err}")


def exists_message(path: str | os.PathLike[str]) -> str:
    """The one wording of "this output exists" (:class:`OutputExistsError`'s message)."""
    return f"{os.fspath(path)} exists; pass overwrite=True (--force) to replace it"


def _kind(mode: int) -> str | None:
    """What a ``stat`` mode describes in words, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "an unusual kind of file")


def _check_kind(resolved: Path, shown: str | os.PathLike[str]) -> None:
    """Raise :class:`OutputError` unless ``resolved`` is absent or a regular file."""
    try:
        mode = os.lstat(resolved).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the folder is what fails, later
        return
    except OSError as err:
        raise _refused(shown, err) from None
    kind = _kind(mode)
    if kind == "a folder":
        raise OutputError(f"cannot write {os.fspath(shown)}: a folder of that name is in the way")
    if kind is not None:
        link = f" (a link to {resolved})" if os.path.islink(shown) else ""
        raise OutputError(
            f"will not write {os.fspath(shown)}{link}: it is {kind}, not a regular "
            "file; give the path of a file to write"
        )


def output_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` puts in place: ``path``, or where its symbolic link points.

    Raises:
        OutputError: ``path`` names a folder (``""``, ``.``, ``..`` or an existing one), a
            device, a named pipe or a socket, or a link that cannot be followed (a loop).

    >>> output_target("/dev/null")
    Traceback (most recent call last):
    ...
    countdown_env.errors.OutputError: will not write /dev/null: it is a character device, not \
a regular file; give the path of a file to write
    """
    shown = Path(path)
    if shown.name in ("", ".", ".."):
        raise OutputError(f"cannot write {shown}: it names a folder, not a file")
    try:
        resolved = Path(os.path.realpath(shown, strict=True))
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet (or a link to nothing)
        resolved = Path(os.path.realpath(shown))
    except OSError as err:
        raise _refused(shown, err) from None
    _check_kind(resolved, shown)
    return resolved


def _temp_prefix(name: str) -> str:
    return f".{name[:_NAME_KEPT]}.tmp-"


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (a zombie counts until it is reaped)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # someone else's process; or not a pid at all
        return True
    return True


def remove_stale_temps(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries of ``target`` that killed writers left behind; returns them.

    Only entries beside ``target`` named ``.NAME.tmp-PID-RANDOM`` as this module names them,
    whose PID no longer runs here and which this user owns, are removed: files, and folders
    with what they hold (a link is never followed). Errors are ignored: cleaning is a courtesy.
    """
    target = Path(target)
    prefix = _temp_prefix(target.name)
    pattern = re.compile(re.escape(prefix) + r"([1-9][0-9]{0,9})-[a-z0-9_]{8}")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name) if entry.name.startswith(prefix) else None
        if match is None or _running(int(match[1])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if info.st_uid != os.getuid():
                continue
            if stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
            elif stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path)
            else:
                continue
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _new_temp(resolved: Path, shown: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """A new temporary beside ``resolved``, after its dead writers' leftovers are removed."""
    remove_stale_temps(resolved)
    prefix = f"{_temp_prefix(resolved.name)}{os.getpid()}-"
    try:
        if folder:
            return Path(tempfile.mkdtemp(prefix=prefix, dir=resolved.parent))
        fd, name = tempfile.mkstemp(prefix=prefix, dir=resolved.parent)
    except OSError as err:
        raise _refused(shown, err) from None
    os.close(fd)
    return Path(name)


def _link_exclusively(tmp: Path, resolved: Path, shown: str | os.PathLike[str]) -> None:
    """Give ``tmp`` the name ``resolved`` only if no file has that name (one atomic step)."""
    try:
        os.link(tmp, resolved)
        return
    except FileExistsError:
        raise OutputExistsError(exists_message(shown)) from None
    except OSError as err:
        if err.errno not in _NO_HARD_LINKS:
            raise
    # No hard links on this file system: claim the name with an empty file, then rename.
    try:
        os.close(os.open(resolved, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise OutputExistsError(exists_message(shown)) from None
    os.replace(tmp, resolved)


def place(
    tmp: str | os.PathLike[str], target: str | os.PathLike[str], *, overwrite: bool = True
) -> Path:
    """Put the finished file ``tmp`` in place as ``target`` (see the module rules); returns
    where it landed (``target``, or where its link points).

    Raises:
        OutputExistsError: ``overwrite`` is false and ``target`` exists (checked atomically).
        OutputError: ``target`` is not a regular file, or the rename fails.
    """
    resolved = output_target(target)
    try:
        os.chmod(tmp, _file_mode())
        if overwrite:
            os.replace(tmp, resolved)
        else:
            _link_exclusively(Path(tmp), resolved, target)
    except CountdownError:
        raise
    except OSError as err:
        raise _refused(target, err) from None
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # after a link: the old name of the now placed file
    return resolved


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[str]:
    """Yield a temporary path next to ``target``; on a clean exit it becomes ``target``.

    Whatever the body raises, the temporary file is removed and ``target`` is left as it was;
    an ``OSError`` from the body (disk full, file too large) becomes :class:`OutputError`
    naming ``target``.

    Raises:
        OutputExistsError: ``overwrite`` is false and ``target`` exists, now or when the file
            is put in place.
        OutputError: ``target`` is not a regular file (see :func:`output_target`), or the
            temporary file cannot be written or renamed.
    """
    resolved = output_target(target)
    if not overwrite and os.path.lexists(resolved):
        raise OutputExistsError(exists_message(target))
    tmp = _new_temp(resolved, target)
    try:
        try:
            yield str(tmp)
        except CountdownError:
            raise
        except OSError as err:
            raise _refused(target, err) from None
        place(tmp, target, overwrite=overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def staging_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a new empty hidden folder beside ``target``, removed on exit with what is left.

    Build several files (or a folder) in it, then move them into place with :func:`place` or
    ``os.replace``. An ``OSError`` from the body becomes :class:`OutputError` naming ``target``.
    """
    target = Path(target)
    if target.name in ("", ".", ".."):
        raise OutputError(f"cannot write {target}: name a folder or file, not {target.name!r}")
    tmp = _new_temp(target, target, folder=True)
    try:
        yield tmp
    except CountdownError:
        raise
    except OSError as err:
        raise _refused(target, err) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_text_atomic(target: str | os.PathLike[str], text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``target`` all or nothing (see :func:`atomic_file`)."""
    with atomic_file(target, overwrite=overwrite) as tmp, open(tmp, "w", encoding="utf-8") as out:
        out.write(text)
