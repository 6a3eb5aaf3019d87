"""All-or-nothing file writes, shared by every writer in the project.

A file is written to a temporary name in its own folder and renamed into place, so a reader
never sees half a file and a crash mid-write leaves the old file whole. The new file gets the
permissions a plain ``open(path, "w")`` would give (``0o666`` less the umask), not the
owner-only mode of :func:`tempfile.mkstemp`. A write that the file system refuses (a missing or
read-only folder, a directory in the way) raises :class:`OutputError` naming the path asked
for, never the temporary one.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic(folder / "a.txt", "hello")
>>> (folder / "a.txt").read_text()
'hello'
>>> write_text_atomic(folder / "missing" / "b.txt", "x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
countdown_env.errors.OutputError: cannot write .../missing/b.txt: No such file or directory
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from countdown_env.errors import OutputError

__all__ = ["atomic_file", "write_text_atomic"]


def _file_mode() -> int:
    """``0o666`` less the process umask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _refused(target: Path, err: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {err.strerror or err}")


@contextlib.contextmanager
def atomic_file(target: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path next to ``target``; on a clean exit it replaces ``target``.

    Whatever the body raises, the temporary file is removed and ``target`` is left as it was.

    Raises:
        OutputError: the temporary file cannot be created, or the rename fails (for example a
            directory of that name exists).
    """
    target = Path(target)
    if target.name in ("", ".", ".."):
        raise OutputError(f"cannot write {target}: it names a folder, not a file")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise _refused(target, err) from None
    os.close(fd)
    try:
        yield tmp
        try:
            os.chmod(tmp, _file_mode())
            os.replace(tmp, target)
        except OSError as err:
            raise _refused(target, err) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` all or nothing (see :func:`atomic_file`)."""
    with atomic_file(target) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
