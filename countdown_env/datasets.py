"""Tasks in and out: Hugging Face datasets, JSONL, parquet and TinyZero's parquet layout.

Writing never loses data: each file is written to a temporary sibling and renamed into place in one
step, and an existing output is replaced only with ``overwrite=True`` (else
:class:`~countdown_env.errors.OutputExistsError`). ``datasets`` and ``pyarrow`` are imported only
inside the functions that need them; without them the error says
``pip install 'countdown-rl[train]'``.

>>> import os, tempfile
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from countdown_env.errors import (
    NotADatasetError,
    NotUTF8Error,
    OutputError,
    OutputExistsError,
    TaskError,
    TaskFileError,
)
from countdown_env.files import atomic_file
from countdown_env.prompts import PromptTemplate, get_template
from countdown_env.solver import solve_tree
from countdown_env.task import Task
from verifiers.check import verify_equation
from verifiers.errors import ConfigError, DependencyError
from verifiers.rules import Rules

__all__ = [
    "FORMATS",
    "UNSOLVABLE_POLICIES",
    "check_output",
    "output_format",
    "read_tasks",
    "save_hf_dataset",
    "task_from_row",
    "to_hf_dataset",
    "to_records",
    "write_jsonl",
    "write_parquet",
    "write_tasks",
    "write_tinyzero_parquet",
]

UNSOLVABLE_POLICIES = ("keep", "drop", "raise")
FORMATS = ("hf", "jsonl", "parquet", "tinyzero")
"""What :func:`write_tasks` writes: ``hf`` is a folder, the others one file each."""
_DATASET_FILES = ("dataset_info.json", "state.json", "dataset_dict.json")
"""Files ``save_to_disk`` writes; a folder with none of them is not a saved dataset."""
_INSTALL = "pip install 'countdown-rl[train]'"


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DependencyError(f"{module} is needed for this; install it with {_INSTALL}") from None


def _tasks(tasks: Iterable[Task]) -> Iterator[Task]:
    """The tasks one by one; anything that is not an iterable of :class:`Task` is a TaskError."""
    if isinstance(tasks, (str, bytes, Mapping, Task)) or not hasattr(tasks, "__iter__"):
        raise TaskError(f"tasks must be an iterable of Task objects, got {type(tasks).__name__}")
    for task in tasks:
        if not isinstance(task, Task):
            raise TaskError(f"expected Task objects, got {type(task).__name__}")
        yield task


def to_records(
    tasks: Iterable[Task], *, template: str | PromptTemplate | None = None
) -> list[dict[str, Any]]:
    """Plain dicts, one per task (``Task.to_dict``), with ``prompt`` first when given a template.

    >>> to_records([Task([1, 2], 3)], template="compact")[0]["prompt"]
    '1 2>3:'
    """
    tmpl = None if template is None else get_template(template)
    records = []
    for task in _tasks(tasks):
        row = task.to_dict()
        if tmpl is not None:
            row = {"prompt": tmpl.format(task.nums, task.target), **row}
        records.append(row)
    return records


def to_hf_dataset(
    tasks: Iterable[Task],
    *,
    template: str | PromptTemplate = "tinyzero",
    include_solution: bool = True,
    include_metadata: bool = True,
):
    """A ``datasets.Dataset`` with columns ``prompt``, ``nums``, ``target`` (+ extras).

    ``prompt`` is a string for text templates (``tinyzero``, ``compact``) and a list of chat
    messages for chat templates (``chat``), as TRL's GRPOTrainer expects. The columns ``nums`` and
    ``target`` reach reward functions as keyword arguments. ``include_solution`` adds
    ``solution``; ``include_metadata`` adds ``id``, ``n_solutions``, ``min_ops``,
    ``search_nodes``, ``seed`` and ``index``.

    >>> ds = to_hf_dataset([Task([3, 7, 25], 46)], template="compact")
    >>> ds.column_names[:3], ds[0]["prompt"]
    (['prompt', 'nums', 'target'], '3 7 25>46:')
    """
    datasets = _require("datasets")
    tmpl = get_template(template)
    columns: dict[str, list[Any]] = {"prompt": [], "nums": [], "target": []}
    extra = (["solution"] if include_solution else []) + (
        ["id", "n_solutions", "min_ops", "search_nodes", "seed", "index"]
        if include_metadata
        else []
    )
    for name in extra:
        columns[name] = []
    for row in to_records(tasks):
        columns["prompt"].append(tmpl.format(row["nums"], row["target"]))
        for name in columns:
            if name != "prompt":
                columns[name].append(row[name])
    # Spelled out so that empty datasets and all-None columns (unrated tasks) still get types.
    value = datasets.Value
    prompt = (
        datasets.List({"role": value("string"), "content": value("string")})
        if tmpl.chat
        else value("string")
    )
    types = {"prompt": prompt, "nums": datasets.List(value("int64")), "target": value("int64")}
    types.update({n: value("string" if n in ("solution", "id") else "int64") for n in extra})
    return datasets.Dataset.from_dict(columns, features=datasets.Features(types))


# ----- writing ----------------------------------------------------------------------------------
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


# ----- reading ----------------------------------------------------------------------------------
def task_from_row(row: Mapping[str, Any]) -> Task:
    """A task from a dataset row: our own layout, ``Countdown-Tasks-3to4`` (``target``, ``nums``)
    or TinyZero's (``reward_model.ground_truth.{target, numbers}``).

    >>> task_from_row({"reward_model": {"ground_truth": {"target": 8, "numbers": [5, 3]}}}).nums
    [5, 3]
    """
    if not isinstance(row, Mapping):
        raise TaskError(f"a task row must be a mapping, got {type(row).__name__}")
    if "target" not in row:
        truth = (row.get("reward_model") or {}).get("ground_truth")
        if isinstance(truth, Mapping):
            return Task.from_dict(truth)
    return Task.from_dict(row)


def _rows(path: Path) -> Iterator[Mapping[str, Any]]:
    if path.is_dir():
        yield from _dataset_rows(path)
        return
    if path.suffix.lower() == ".parquet":
        pa = _require("pyarrow")
        try:
            table = _require("pyarrow.parquet").read_table(path)
        except pa.ArrowInvalid as err:
            raise TaskFileError(f"{path} is not a readable parquet file ({err})") from None
        yield from table.to_pylist()
        return
    with open(path, encoding="utf-8") as lines:
        try:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as err:
                    raise TaskError(f"{path}:{number}: not a JSON object ({err.msg})") from None
        except UnicodeDecodeError as err:
            raise NotUTF8Error(
                f"{path} is not UTF-8 text; give a JSONL file (UTF-8), "
                "a parquet file or a folder saved with save_to_disk",
                err,
            ) from None


def _dataset_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    names = {entry.name for entry in path.iterdir()}
    if not names & set(_DATASET_FILES):
        raise NotADatasetError(
            f"{path} is a folder but not a dataset saved with save_to_disk (none of "
            f"{', '.join(_DATASET_FILES)} in it)"
        )
    dataset = _require("datasets").load_from_disk(str(path))
    if "dataset_dict.json" in names:
        splits = ", ".join(sorted(dataset))
        raise TaskFileError(
            f"{path} holds several splits ({splits}); read one of them, e.g. {path / 'train'}"
        )
    yield from dataset


def read_tasks(
    path: str | os.PathLike[str],
    *,
    unsolvable: str = "keep",
    rules: Rules | None = None,
    limit: int | None = None,
) -> list[Task]:
    """Read tasks from JSONL, parquet, or a folder saved by ``save_to_disk``.

    Rows may be in our layout, ``Countdown-Tasks-3to4``'s or TinyZero's (see
    :func:`task_from_row`); a malformed row raises :class:`~countdown_env.errors.TaskError`
    naming it. A file or folder that cannot be read as tasks (a folder that is not a saved
    dataset, a JSONL file that is not UTF-8, a broken parquet file) raises
    :class:`~countdown_env.errors.TaskFileError` naming the path. A row's reference
    ``solution``, when present, must verify under ``rules``.

    Args:
        unsolvable: ``"keep"`` (default: no solver run, fast for large files), ``"drop"``
            (silently skip tasks the exact solver proves unsolvable under ``rules``) or
            ``"raise"``. Solving takes about a millisecond for 3-4 numbers.
        rules: the rules for checking (default ``DEFAULT_RULES``).
        limit: read at most this many tasks.
    """
    if unsolvable not in UNSOLVABLE_POLICIES:
        raise ConfigError(
            f"unsolvable must be one of {list(UNSOLVABLE_POLICIES)}, got {unsolvable!r}"
        )
    source = Path(path)
    if not source.exists():
        raise ConfigError(f"{source} does not exist")
    rules = Rules.from_kwargs(rules)
    tasks: list[Task] = []
    for number, row in enumerate(_rows(source), 1):
        if limit is not None and len(tasks) >= limit:
            break
        try:
            task = task_from_row(row)
        except TaskError as err:
            raise TaskError(f"{source} row {number}: {err}") from None
        if task.solution is not None:
            verdict = verify_equation(task.solution, task.nums, task.target, rules=rules)
            if not verdict.correct:
                raise TaskError(
                    f"{source} row {number}: the solution {task.solution!r} does not verify "
                    f"({verdict.reason}); read with the rules the tasks were made with"
                )
        elif unsolvable != "keep" and solve_tree(task.nums, task.target, rules=rules) is None:
            if unsolvable == "raise":
                raise TaskError(
                    f"{source} row {number}: {task.nums} -> {task.target} is unsolvable"
                )
            continue
        tasks.append(task)
    return tasks
