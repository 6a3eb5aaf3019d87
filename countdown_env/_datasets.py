"""Tasks as data: plain records, Hugging Face datasets, and reading JSONL, parquet and datasets.

Writing them is :mod:`countdown_env._writers`. ``datasets`` and ``pyarrow`` are imported only
inside the functions that need them; without them the error says
``pip install 'countdown-rl[train]'``.

>>> to_records([Task([3, 7, 25], 46, solution="25+3*7")])[0]["solution"]
'25+3*7'
"""

from __future__ import annotations

import itertools
import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from countdown_env._prompts import PromptTemplate, get_template
from countdown_env._solver import accepted_solution
from countdown_env._task import Task
from countdown_env.errors import (
    NotADatasetError,
    NotUTF8Error,
    TaskError,
    TaskFileError,
    shown,
)
from verifiers import verify_equation
from verifiers.errors import ConfigError, DependencyError
from verifiers.rules import Rules

__all__ = [
    "FORMATS",
    "UNSOLVABLE_POLICIES",
    "read_tasks",
    "task_from_row",
    "to_hf_dataset",
    "to_records",
]

UNSOLVABLE_POLICIES = ("keep", "drop", "raise")
FORMATS = ("hf", "jsonl", "parquet", "tinyzero")
"""What :func:`write_tasks` writes: ``hf`` is a folder, the others one file each."""
DATASET_FILES = ("dataset_info.json", "state.json", "dataset_dict.json")
"""Files ``save_to_disk`` writes; a folder with none of them is not a saved dataset."""
_INSTALL = "pip install 'countdown-rl[train]'"


def require_module(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DependencyError(f"{module} is needed for this; install it with {_INSTALL}") from None


def as_tasks(tasks: Iterable[Task]) -> Iterator[Task]:
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
    for task in as_tasks(tasks):
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
    datasets = require_module("datasets")
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


def task_from_row(row: Mapping[str, Any]) -> Task:
    """A task from a dataset row: our own layout, ``Countdown-Tasks-3to4`` (``target``, ``nums``)
    or TinyZero's (``reward_model.ground_truth.{target, numbers}``).

    >>> task_from_row({"reward_model": {"ground_truth": {"target": 8, "numbers": [5, 3]}}}).nums
    [5, 3]
    """
    if not isinstance(row, Mapping):
        raise TaskError(f"a task row must be a mapping, got {type(row).__name__}")
    if "target" not in row and "reward_model" in row:
        model = row["reward_model"]
        truth = model.get("ground_truth") if isinstance(model, Mapping) else None
        if not isinstance(truth, Mapping):
            raise TaskError(
                "reward_model must be a mapping with a 'ground_truth' mapping holding 'target' "
                f"and 'numbers' (TinyZero's layout), got {shown(model)}"
            )
        return Task.from_dict(truth)
    return Task.from_dict(row)


MAX_TASK_FILE_BYTES = 1 << 30
"""Largest task file (JSONL or parquet) :func:`read_tasks` reads: 1 GiB, millions of tasks."""
MAX_TASK_LINE_CHARS = 1 << 20
"""Longest JSONL line :func:`read_tasks` reads (a task row is usually under 300 characters)."""


def _check_file(path: Path) -> None:
    """Refuse what is not a regular file of a readable size (a device, a FIFO, a socket...)."""
    try:
        info = path.stat()
    except OSError as err:
        raise TaskFileError(f"{path} cannot be read ({err.strerror or err})") from None
    if not stat.S_ISREG(info.st_mode):
        raise TaskFileError(
            f"{path} is not a regular file (a device, pipe or socket); give a JSONL or "
            "parquet file, or a folder saved with save_to_disk"
        )
    if info.st_size > MAX_TASK_FILE_BYTES:
        raise TaskFileError(
            f"{path} has {info.st_size} bytes, more than the {MAX_TASK_FILE_BYTES} a task file "
            "may have; split it into smaller files"
        )


def _rows(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, row)`` for every row: ``where`` is ``"line N"`` (JSONL) or ``"row N"``."""
    if path.is_dir():
        for number, row in enumerate(_dataset_rows(path), 1):
            yield f"row {number}", row
        return
    _check_file(path)
    if path.suffix.lower() == ".parquet":
        pa = require_module("pyarrow")
        try:
            table = require_module("pyarrow.parquet").read_table(path)
        except (pa.ArrowException, OSError) as err:
            raise TaskFileError(f"{path} is not a readable parquet file ({err})") from None
        for number, row in enumerate(table.to_pylist(), 1):
            yield f"row {number}", row
        return
    yield from _jsonl_rows(path)


def _jsonl_rows(path: Path) -> Iterator[tuple[str, Any]]:
    read = 0
    with open(path, encoding="utf-8") as lines:
        try:
            for number in itertools.count(1):
                line = lines.readline(MAX_TASK_LINE_CHARS + 1)
                if not line:
                    return
                read += len(line)
                if len(line) > MAX_TASK_LINE_CHARS:
                    raise TaskError(
                        f"{path} line {number} is longer than {MAX_TASK_LINE_CHARS} characters; "
                        "a task row is one short JSON object"
                    )
                if read > MAX_TASK_FILE_BYTES:
                    raise TaskFileError(
                        f"{path} holds more than {MAX_TASK_FILE_BYTES} characters (it grew while "
                        "being read?); give a smaller file"
                    )
                if line.strip():
                    yield f"line {number}", _json_row(path, number, line)
        except UnicodeDecodeError as err:
            raise NotUTF8Error(
                f"{path} is not UTF-8 text; give a JSONL file (UTF-8), "
                "a parquet file or a folder saved with save_to_disk",
                err,
            ) from None


def _json_row(path: Path, number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise TaskError(f"{path} line {number}: not a JSON object ({err.msg})") from None
    except RecursionError:
        raise TaskError(f"{path} line {number}: the JSON is nested too deeply") from None
    except ValueError as err:  # a number too long for int() (more than 4,300 digits)
        raise TaskError(f"{path} line {number}: unreadable JSON ({err})") from None


def _dataset_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    names = {entry.name for entry in path.iterdir()}
    if not names & set(DATASET_FILES):
        raise NotADatasetError(
            f"{path} is a folder but not a dataset saved with save_to_disk (none of "
            f"{', '.join(DATASET_FILES)} in it)"
        )
    dataset = require_module("datasets").load_from_disk(str(path))
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
    naming the file and its line (JSONL) or row. A file or folder that cannot be read as tasks
    (a folder that is not a saved dataset, a JSONL file that is not UTF-8, a broken parquet
    file, a device or pipe, a file over :data:`MAX_TASK_FILE_BYTES` or a line over
    :data:`MAX_TASK_LINE_CHARS`) raises :class:`~countdown_env.errors.TaskFileError` or a
    ``TaskError`` naming the path. A row's reference
    ``solution``, when present, must verify under ``rules``.

    Args:
        unsolvable: ``"keep"`` (default: no solver run, fast for large files), ``"drop"``
            (silently skip tasks without a solution the verifier accepts under ``rules``, see
            :func:`~countdown_env._solver.accepted_solution`) or ``"raise"``. Solving takes
            about a millisecond for 3-4 numbers.
        rules: the rules for checking (default ``DEFAULT_RULES``).
        limit: read at most this many tasks.
    """
    if unsolvable not in UNSOLVABLE_POLICIES:
        raise ConfigError(
            f"unsolvable must be one of {list(UNSOLVABLE_POLICIES)}, got {shown(unsolvable)}"
        )
    source = Path(path)
    if not source.exists():
        raise ConfigError(f"{source} does not exist")
    rules = Rules.from_kwargs(rules)
    tasks: list[Task] = []
    for where, row in _rows(source):
        if limit is not None and len(tasks) >= limit:
            break
        try:
            task = task_from_row(row)
        except TaskError as err:
            raise TaskError(f"{source} {where}: {err}") from None
        except RecursionError:
            raise TaskError(f"{source} {where}: the row is nested too deeply") from None
        if task.solution is not None:
            verdict = verify_equation(task.solution, task.nums, task.target, rules=rules)
            if not verdict.correct:
                raise TaskError(
                    f"{source} {where}: the solution {shown(task.solution)} does not verify "
                    f"({verdict.reason}); read with the rules the tasks were made with"
                )
        elif unsolvable != "keep":
            try:
                solution, why = accepted_solution(task.nums, task.target, rules=rules)
            except TaskError as err:
                raise TaskError(f"{source} {where}: {err}") from None
            if solution is None:
                if unsolvable == "raise":
                    raise TaskError(
                        f"{source} {where}: {shown(task.nums)} -> {shown(task.target)} {why}"
                    )
                continue
        tasks.append(task)
    return tasks
