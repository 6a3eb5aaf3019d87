"""Where a rollout of the tool environment gets its task: the row, or a keyed draw.

:meth:`agents.training.CountdownToolEnv.reset` reads the task from the row TRL passes
(``nums``/``target``), or draws it with ``task_at(task_seed, index, generator)``, the index from
a ``task_index`` column or from a count of resets shared by one factory's environments (the
class docstring of :class:`~agents.training.CountdownToolEnv` says when each is right).
"""

from __future__ import annotations

import functools
import numbers
import os
from collections.abc import Mapping
from typing import Any

from agents.training._tool_config import ToolEnvConfig
from countdown_env import GeneratorConfig, Task, task_at
from verifiers.errors import ConfigError

__all__ = ["ResetCount", "task_for_row"]


def task_for_row(
    row: Mapping[str, Any], config: ToolEnvConfig, draws: ResetCount | None
) -> tuple[Task | dict[str, Any], int | None]:
    """The rollout's task and, when the environment drew it, its ``task_at`` index.

    Args:
        row: the row TRL passed to ``reset``.
        config: the environment's settings (``task_seed``, ``generator``, ``num_generations``).
        draws: the count shared by the environments of one factory (``None`` outside one).

    Returns:
        ``(task, None)`` for the row's own ``nums``/``target`` (a dict for
        :class:`~countdown_env._task.Task`), ``(task, index)`` for a drawn task.

    Raises:
        ConfigError: the row is inconsistent, or the environment cannot draw a task for it
            (see :meth:`agents.training.CountdownToolEnv.reset`).

    >>> from agents.training._tool_config import ToolEnvConfig
    >>> task_for_row({"nums": [3, 5], "target": 8}, ToolEnvConfig(), None)
    ({'nums': [3, 5], 'target': 8}, None)
    >>> task, index = task_for_row({"task_index": 4}, ToolEnvConfig(task_seed=0), None)
    >>> index, task.index
    (4, 4)
    >>> task_for_row({"nums": [3, 5]}, ToolEnvConfig(), None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    verifiers.errors.ConfigError: the row has 'nums' but no 'target' (columns ['nums']); ...
    """
    columns = sorted(row)
    given = [name for name in ("nums", "numbers", "target") if name in row]
    if "task_index" in row:
        if given:
            raise ConfigError(
                "a row gives its task either as nums and target or as task_index, not both; "
                f"got columns {columns}"
            )
        index = _check_task_index(row["task_index"])
        return _drawn(config, index, columns), index
    if given:
        return _row_task(row, columns), None
    seed, count = config.task_seed, config.num_generations
    if seed is None:
        raise ConfigError(
            "CountdownToolEnv.reset needs the dataset columns 'nums' and 'target' (or "
            f"'task_index'), got columns {columns}; to let the environment draw its own "
            "tasks, pass make_environment_factory(task_seed=..., num_generations=...)"
        )
    if count is None:
        raise ConfigError(
            f"the row has no task (columns {columns}) and num_generations is not set: give "
            "rows a 'task_index' column, or set num_generations to GRPOConfig.num_generations "
            "so every member of a group gets the same task"
        )
    if draws is None:
        raise ConfigError(
            "drawing tasks by counting resets needs environments that share one count: pass "
            "make_environment_factory(task_seed=..., num_generations=...) as "
            "environment_factory, not the CountdownToolEnv class or a partial of it"
        )
    world = os.environ.get("WORLD_SIZE", "1").strip()
    if world.isdigit() and int(world) > 1:
        raise ConfigError(
            f"drawing tasks by counting resets is only right in one process (WORLD_SIZE="
            f"{world}): each process counts its own resets, so a group split across processes "
            "would mix tasks; give the rows a 'task_index' column instead, e.g. "
            "Dataset.from_dict({'task_index': range(n)})"
        )
    index = draws.take() // count
    return _drawn(config, index, columns), index


def _drawn(config: ToolEnvConfig, index: int, columns: list[str]) -> Task:
    """Task ``index`` of the environment's seed and generator."""
    seed = config.task_seed
    if seed is None:
        raise ConfigError(
            f"the row has a 'task_index' (columns {columns}) but the environment has no "
            "task_seed to draw it with; pass make_environment_factory(task_seed=...)"
        )
    generator = config.generator
    if not isinstance(generator, GeneratorConfig):  # ToolEnvConfig settles it when seeded
        raise ConfigError(f"generator must be a GeneratorConfig, got {generator!r}")
    return _task_at(seed, index, generator)


def _check_task_index(value: Any) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    raise ConfigError(f"task_index must be an integer >= 0, got {value!r}")


def _row_task(row: Mapping[str, Any], columns: list[str]) -> dict[str, Any]:
    """The task a row states with ``nums`` (or ``numbers``) and ``target``, checked for sense."""
    if "nums" in row and "numbers" in row and _as_list(row["nums"]) != _as_list(row["numbers"]):
        raise ConfigError(
            f"the row's nums {row['nums']!r} and numbers {row['numbers']!r} differ; keep one column"
        )
    name = "nums" if "nums" in row else "numbers"
    if name not in row or "target" not in row:
        have, missing = (name, "target") if name in row else ("target", "nums")
        raise ConfigError(
            f"the row has '{have}' but no '{missing}' (columns {columns}); a task needs both"
        )
    for column in (name, "target"):
        if row[column] is None:
            raise ConfigError(f"the row's '{column}' is null (columns {columns})")
    task: dict[str, Any] = {"nums": row[name], "target": row["target"]}
    if isinstance(row.get("solution"), str):
        task["solution"] = row["solution"]
    return task


def _as_list(value: Any) -> Any:
    """A list of a numbers column (a list, tuple or numpy array); anything else as is."""
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        return value


@functools.lru_cache(maxsize=256)
def _task_at(seed: int, index: int, generator: GeneratorConfig) -> Task:
    """``task_at``, remembered: the members of a group ask for the same task one after another."""
    return task_at(seed, index, generator)


class ResetCount:
    """How many task-less resets the environments of one factory have drawn tasks for.

    :class:`~agents.training.CountdownToolEnvFactory` gives one to every environment it makes,
    so the ``k``-th reset among them all plays group ``k // num_generations``.
    """

    def __init__(self) -> None:
        self.draws = 0

    def take(self) -> int:
        """The number of this draw (0, 1, 2, ...)."""
        taken = self.draws
        self.draws += 1
        return taken
