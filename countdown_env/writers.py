"""Writing tasks: JSONL, parquet, TinyZero's parquet layout and saved Hugging Face datasets.

Writing never loses data: each file is written to a temporary sibling and renamed into place in
one step (:mod:`countdown_env.files`), and an existing output is replaced only with
``overwrite=True`` (else :class:`~countdown_env.errors.OutputExistsError`). A folder that is not
a saved dataset is never replaced, even then.

>>> import os, tempfile
>>> from countdown_env.datasets import read_tasks
>>> path = os.path.join(tempfile.mkdtemp(), "tasks.jsonl")
>>> write_jsonl([Task([3, 7, 25], 46, solution="25+3*7")], path)
1
>>> read_tasks(path)[0].target
46
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from countdown_env.datasets import (
    _DATASET_FILES,
    FORMATS,
    _require,
    _tasks,
    to_hf_dataset,
    to_records,
)
from countdown_env.errors import OutputError, OutputExistsError
from countdown_env.files import atomic_file
from countdown_env.prompts import PromptTemplate, get_template
from countdown_env.task import Task
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
    """``path`` as a writable output (a file, or with ``folder`` a dataset folder), else raise."""
    target = Path(path)
    if target.name in ("", ".", ".."):
        what = "a new folder for the dataset" if folder else "a file, not a folder"
        raise OutputError(f"cannot write to {os.fspath(path)!r}: name {what}")
    if target.exists():
        if not overwrite:
            raise OutputExistsError(f"{target} exists; pass overwrite=True (--force) to replace it")
        if folder:
            _check_replaceable(target)
        elif target.is_dir():
            raise OutputError(f"cannot write {target}: a folder of that name is in the way")
    if not target.parent.exists():
        raise ConfigError(f"the folder of {target} does not exist")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: {target.parent} is not a folder")
    return target


def _check_replaceable(target: Path) -> None:
    """Replacing ``target`` deletes it: allow that only for a saved dataset or an empty folder."""
    if not target.is_dir():
        raise OutputError(
            f"will not replace {target} with a dataset folder: it is a file; remove it yourself "
            "or choose another folder"
        )
    names = {entry.name for entry in target.iterdir()}
    if names and not names & set(_DATASET_FILES):
        raise OutputError(
            f"will not replace {target}: it is not a saved dataset (none of "
            f"{', '.join(_DATASET_FILES)} in it), and replacing it would delete its "
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
    with atomic_file(target) as tmp, open(tmp, "w", encoding="utf-8") as out:
        for row in records:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(records)


def _write_table(records: list[dict[str, Any]], target: Path) -> None:
    pa = _require("pyarrow")
    pq = _require("pyarrow.parquet")
    table = pa.Table.from_pylist(records)
    with atomic_file(target) as tmp:
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
    _write_table(records, target)
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
    for index, task in enumerate(_tasks(tasks)):
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
    _write_table(records, target)
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
    it would delete what it holds. A failed write raises :class:`OutputError` naming
    ``directory``, leaves an existing dataset as it was and removes the temporary folder.
    """
    target = _claim(directory, overwrite, folder=True)
    datasets_module = _require("datasets")
    dataset = to_hf_dataset(tasks, template=template)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as err:
        raise _cannot_write(target, err) from None
    quiet = not datasets_module.are_progress_bars_disabled()
    try:
        if quiet:
            datasets_module.disable_progress_bars()
        dataset.save_to_disk(str(tmp / "data"))
        if target.exists():
            os.replace(target, tmp / "old")  # deleted with tmp once the new one is in place
        os.replace(tmp / "data", target)
    except OSError as err:
        raise _cannot_write(target, err) from None
    finally:
        if quiet:
            datasets_module.enable_progress_bars()
        if (tmp / "old").exists() and not target.exists():
            os.replace(tmp / "old", target)  # the new one did not land: put the old one back
        shutil.rmtree(tmp, ignore_errors=True)
    return len(dataset)


def _cannot_write(target: Path, err: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {err.strerror or err}")


def write_tasks(
    tasks: Sequence[Task],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    template: str | PromptTemplate | None = None,
    overwrite: bool = False,
) -> int:
    """Write ``tasks`` as ``jsonl``, ``parquet``, ``tinyzero`` (parquet) or ``hf`` (a folder).

    ``format=None`` picks by extension: ``.jsonl`` / ``.parquet`` (see :func:`output_format`).
    """
    format = output_format(path, format)
    if format == "jsonl":
        return write_jsonl(tasks, path, template=template, overwrite=overwrite)
    if format == "parquet":
        return write_parquet(tasks, path, template=template, overwrite=overwrite)
    if format == "tinyzero":
        return write_tinyzero_parquet(
            tasks, path, template=template or "tinyzero", overwrite=overwrite
        )
    return save_hf_dataset(tasks, path, template=template or "tinyzero", overwrite=overwrite)
