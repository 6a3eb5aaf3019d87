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

from countdown_env.errors import OutputExistsError, TaskError
from countdown_env.files import atomic_file
from countdown_env.prompts import PromptTemplate, get_template
from countdown_env.solver import solve_tree
from countdown_env.task import Task
from verifiers.check import verify_equation
from verifiers.errors import ConfigError, DependencyError
from verifiers.rules import Rules

__all__ = [
    "UNSOLVABLE_POLICIES",
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
_INSTALL = "pip install 'countdown-rl[train]'"


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DependencyError(f"{module} is needed for this; install it with {_INSTALL}") from None


def to_records(
    tasks: Iterable[Task], *, template: str | PromptTemplate | None = None
) -> list[dict[str, Any]]:
    """Plain dicts, one per task (``Task.to_dict``), with ``prompt`` first when given a template.

    >>> to_records([Task([1, 2], 3)], template="compact")[0]["prompt"]
    '1 2>3:'
    """
    tmpl = None if template is None else get_template(template)
    records = []
    for task in tasks:
        if not isinstance(task, Task):
            raise TaskError(f"expected Task objects, got {type(task).__name__}")
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
def _claim(path: str | os.PathLike[str], overwrite: bool) -> Path:
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target} exists; pass overwrite=True (--force) to replace it")
    if not target.parent.exists():
        raise ConfigError(f"the folder of {target} does not exist")
    return target


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
    for index, task in enumerate(tasks):
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
    """``to_hf_dataset(...).save_to_disk(directory)``, built in a temporary sibling and renamed."""
    target = _claim(directory, overwrite)
    datasets_module = _require("datasets")
    dataset = to_hf_dataset(tasks, template=template)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old = target.with_name(f".{target.name}.old")
    quiet = not datasets_module.are_progress_bars_disabled()
    try:
        if quiet:
            datasets_module.disable_progress_bars()
        dataset.save_to_disk(str(tmp / "data"))
        if target.exists():
            os.replace(target, old)
        os.replace(tmp / "data", target)
    finally:
        if quiet:
            datasets_module.enable_progress_bars()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return len(dataset)


def write_tasks(
    tasks: Sequence[Task],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    template: str | PromptTemplate | None = None,
    overwrite: bool = False,
) -> int:
    """Write ``tasks`` as ``jsonl``, ``parquet``, ``tinyzero`` (parquet) or ``hf`` (a folder).

    ``format=None`` picks by extension: ``.jsonl`` / ``.parquet``.
    """
    if format is None:
        suffix = Path(path).suffix.lower()
        format = {".jsonl": "jsonl", ".parquet": "parquet"}.get(suffix)
        if format is None:
            raise ConfigError(
                f"cannot tell the format of {path!s} from its extension; use .jsonl or .parquet, "
                "or pass format='hf' (a folder) or format='tinyzero'"
            )
    if format == "jsonl":
        return write_jsonl(tasks, path, template=template, overwrite=overwrite)
    if format == "parquet":
        return write_parquet(tasks, path, template=template, overwrite=overwrite)
    if format == "tinyzero":
        return write_tinyzero_parquet(
            tasks, path, template=template or "tinyzero", overwrite=overwrite
        )
    if format == "hf":
        return save_hf_dataset(tasks, path, template=template or "tinyzero", overwrite=overwrite)
    raise ConfigError(
        f"format must be one of ['hf', 'jsonl', 'parquet', 'tinyzero'], got {format!r}"
    )


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
        yield from _require("datasets").load_from_disk(str(path))
        return
    if path.suffix.lower() == ".parquet":
        table = _require("pyarrow.parquet").read_table(path)
        yield from table.to_pylist()
        return
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                raise TaskError(f"{path}:{number}: not a JSON object ({err.msg})") from None


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
    naming it. A row's reference ``solution``, when present, must verify under ``rules``.

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
