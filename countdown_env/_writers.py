"""Writing tasks: JSONL, parquet, TinyZero's parquet layout and saved Hugging Face datasets.

Writing never loses data: each file is written to a temporary sibling and renamed into place in
one step (:mod:`countdown_env.files`), and an existing output is replaced only with
``overwrite=True`` (else :class:`~countdown_env.errors.OutputExistsError`). A folder that is not
a saved dataset is never replaced, even then.

>>> import os, tempfile
>>> from countdown_env._datasets import read_tasks
>>> path = os.path.join(tempfile.mkdtemp(), "tasks.jsonl")
>>> write_jsonl([Task([3, 7, 25], 46, solution="25+3*7")], path)
1
>>> read_tasks(path)[0].target
46
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from countdown_env._datasets import (
    DATASET_FILES,
    FORMATS,
    as_tasks,
    require_module,
    to_hf_dataset,
    to_records,
)
from countdown_env._prompts import PromptTemplate, get_template
from countdown_env._task import Task
from countdown_env.errors import OutputError, OutputExistsError
from countdown_env.files import atomic_file, exists_message, output_target, staging_folder
from verifiers.errors import ConfigError

__all__ = [
    "check_output",
    "output_format",
    "save_hf_dataset",
    "write_jsonl",
    "write_parquet",
    "write_tasks",
    "write_tinyzero_parquet",
]


def _claim(path: str | os.PathLike[str], overwrite: bool, *, folder: bool = False) -> Path:
    """``path`` as a writable output (a file, or with ``folder`` a dataset folder), else raise.

    A symbolic link is followed; what exists is kept unless ``overwrite``, and only a regular
    file or a saved dataset is ever replaced (:mod:`countdown_env.files`).
    """
    target = Path(path)
    if target.name in ("", ".", ".."):
        what = "a new folder for the dataset" if folder else "a file, not a folder"
        raise OutputError(f"cannot write to {os.fspath(path)!r}: name {what}")
    resolved = Path(os.path.realpath(target)) if folder else output_target(target)
    if os.path.lexists(resolved):
        if not overwrite:
            raise OutputExistsError(exists_message(target))
        if folder:
            _check_replaceable(resolved, target)
    if not resolved.parent.exists():
        raise ConfigError(f"the folder of {target} does not exist")
    if not resolved.parent.is_dir():
        raise OutputError(f"cannot write {target}: {target.parent} is not a folder")
    return target


def _check_replaceable(resolved: Path, shown: Path) -> None:
    """Replacing a folder deletes it: allow that only for a saved dataset or an empty folder."""
    mode = os.lstat(resolved).st_mode
    if not stat.S_ISDIR(mode):
        what = "a file" if stat.S_ISREG(mode) else "not a folder"
        raise OutputError(
            f"will not replace {shown} with a dataset folder: it is {what}; remove it yourself "
            "or choose another folder"
        )
    names = {entry.name for entry in resolved.iterdir()}
    if names and not names & set(DATASET_FILES):
        raise OutputError(
            f"will not replace {shown}: it is not a saved dataset (none of "
            f"{', '.join(DATASET_FILES)} in it), and replacing it would delete its "
            f"{len(names)} entr{'y' if len(names) == 1 else 'ies'}; remove it yourself or choose "
            "another folder"
        )


def output_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The format :func:`write_tasks` uses: ``format`` when given, else from the extension.

    >>> output_format("tasks.parquet"), output_format("out", "hf")
    ('parquet', 'hf')
    """
    if format is None:
        format = {".jsonl": "jsonl", ".parquet": "parquet"}.get(Path(path).suffix.lower())
        if format is None:
            raise ConfigError(
                f"cannot tell the format of {path!s} from its extension; use .jsonl or .parquet, "
                "or pass format='hf' (a folder) or format='tinyzero'"
            )
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {list(FORMATS)}, got {format!r}")
    return format


def check_output(
    path: str | os.PathLike[str], *, format: str | None = None, overwrite: bool = False
) -> str:
    """Raise now what :func:`write_tasks` would raise for this output, before any work is done.

    Checks the format, that the name is a file (or, for ``hf``, a folder) name, that the
    output does not exist unless ``overwrite`` (and then that it may be replaced: never a
    folder in the way of a file, never a folder that is not a saved dataset), and that its
    folder exists. Nothing is written; a write may still fail later (a read-only folder).
    Returns the format.
    """
    chosen = output_format(path, format)
    _claim(path, overwrite, folder=chosen == "hf")
    return chosen


def write_jsonl(
    tasks: Iterable[Task],
    path: str | os.PathLike[str],
    *,
    template: str | PromptTemplate | None = None,
    overwrite: bool = False,
) -> int:
    """Write one JSON object per line (``Task.to_dict``, plus ``prompt`` with a template).

    Returns how many tasks were written.
    """
    target = _claim(path, overwrite)
    records = to_records(tasks, template=template)
    with atomic_file(target, overwrite=overwrite) as tmp, open(tmp, "w", encoding="utf-8") as out:
        for row in records:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(records)


def _write_table(records: list[dict[str, Any]], target: Path, overwrite: bool) -> None:
    pa = require_module("pyarrow")
    pq = require_module("pyarrow.parquet")
    table = pa.Table.from_pylist(records)
    with atomic_file(target, overwrite=overwrite) as tmp:
        pq.write_table(table, tmp)


def write_parquet(
    tasks: Iterable[Task],
    path: str | os.PathLike[str],
    *,
    template: str | PromptTemplate | None = None,
    overwrite: bool = False,
) -> int:
    """Write a parquet file with the same columns as :func:`write_jsonl`; returns the row count."""
    target = _claim(path, overwrite)
    records = to_records(tasks, template=template)
    _write_table(records, target, overwrite)
    return len(records)


def write_tinyzero_parquet(
    tasks: Iterable[Task],
    path: str | os.PathLike[str],
    *,
    split: str = "train",
    template: str | PromptTemplate = "tinyzero",
    data_source: str = "countdown",
    overwrite: bool = False,
) -> int:
    """Write parquet in TinyZero's (verl's) layout, ready for its training scripts.

    Each row: ``data_source``, ``prompt`` (``[{"role": "user", "content": text}]``), ``ability``
    ``"math"``, ``reward_model`` ``{"style": "rule", "ground_truth": {"target", "numbers"}}`` and
    ``extra_info`` ``{"split", "index"}``, as ``examples/data_preprocess/countdown.py`` writes it.
    """
    target = _claim(path, overwrite)
    tmpl = get_template(template)
    records = []
    for index, task in enumerate(as_tasks(tasks)):
        records.append(
            {
                "data_source": data_source,
                "prompt": [{"role": "user", "content": tmpl.text_for(task.nums, task.target)}],
                "ability": "math",
                "reward_model": {
                    "style": "rule",
                    "ground_truth": {"target": task.target, "numbers": list(task.nums)},
                },
                "extra_info": {"split": split, "index": index},
            }
        )
    _write_table(records, target, overwrite)
    return len(records)


def save_hf_dataset(
    tasks: Iterable[Task],
    directory: str | os.PathLike[str],
    *,
    template: str | PromptTemplate = "tinyzero",
    overwrite: bool = False,
) -> int:
    """``to_hf_dataset(...).save_to_disk(directory)``, built in a temporary sibling and renamed.

    With ``overwrite=True`` an existing folder is replaced only when it is a saved dataset (or
    empty); any other folder, or a file, is refused with :class:`OutputError`, since replacing
    it would delete what it holds. A symbolic link to a dataset is followed: the dataset it
    points to is replaced and the link stays. A failed write raises :class:`OutputError`
    naming ``directory``, leaves an existing dataset as it was and removes the temporary folder.
    """
    shown = _claim(directory, overwrite, folder=True)
    target = Path(os.path.realpath(shown))
    datasets_module = require_module("datasets")
    dataset = to_hf_dataset(tasks, template=template)
    quiet = not datasets_module.are_progress_bars_disabled()
    with staging_folder(target) as tmp:
        try:
            if quiet:
                datasets_module.disable_progress_bars()
            dataset.save_to_disk(str(tmp / "data"))
            if not overwrite:
                _rename_new_folder(tmp / "data", target, shown)
            else:
                if os.path.lexists(target):
                    os.replace(target, tmp / "old")  # deleted with tmp once the new one is in
                os.replace(tmp / "data", target)
        except OSError as err:
            if isinstance(err, OutputExistsError):
                raise
            raise _cannot_write(shown, err) from None
        finally:
            if quiet:
                datasets_module.enable_progress_bars()
            if (tmp / "old").exists() and not target.exists():
                os.replace(tmp / "old", target)  # the new one did not land: put the old one back
    return len(dataset)


def _rename_new_folder(source: Path, target: Path, shown: Path) -> None:
    """Rename ``source`` to ``target``, which must not exist (or be an empty folder) by then."""
    if os.path.lexists(target) and not (target.is_dir() and not any(target.iterdir())):
        raise OutputExistsError(exists_message(shown))
    try:
        os.rename(source, target)  # fails on a file, and on a folder that is not empty
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as err:
        raise OutputExistsError(exists_message(shown)) from err
    except OSError as err:
        if err.errno != errno.ENOTEMPTY:
            raise
        raise OutputExistsError(exists_message(shown)) from err


def _cannot_write(target: Path, err: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {err.strerror or err}")


def write_tasks(
    tasks: Sequence[Task],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    template: str | PromptTemplate | None = None,
    overwrite: bool = False,
    split: str = "train",
) -> int:
    """Write ``tasks`` as ``jsonl``, ``parquet``, ``tinyzero`` (parquet) or ``hf`` (a folder).

    ``format=None`` picks by extension: ``.jsonl`` / ``.parquet`` (see :func:`output_format`).
    ``split`` is what TinyZero's layout records in ``extra_info.split`` (``"test"`` for a
    held-out set); the other formats do not record it.
    """
    format = output_format(path, format)
    if format == "jsonl":
        return write_jsonl(tasks, path, template=template, overwrite=overwrite)
    if format == "parquet":
        return write_parquet(tasks, path, template=template, overwrite=overwrite)
    if format == "tinyzero":
        return write_tinyzero_parquet(
            tasks, path, split=split, template=template or "tinyzero", overwrite=overwrite
        )
    return save_hf_dataset(tasks, path, template=template or "tinyzero", overwrite=overwrite)
