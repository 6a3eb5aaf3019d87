"""Rating a task with the exact solver, and the difficulty filters that read the rating.

:func:`rate_task` fills in ``n_solutions``, ``min_ops`` and ``search_nodes``; it is the costly
part of generating, so the generator rates only when asked (``rate=True`` or a filter).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, TypeGuard

from countdown_env._config import GeneratorConfig
from countdown_env._search import format_tree
from countdown_env._solver import count_solutions, solve_tree
from countdown_env._stepwise import dfs_nodes
from countdown_env._task import Task
from countdown_env.errors import SolverTimeoutError, shown
from verifiers.errors import ConfigError

__all__ = [
    "DEFAULT_RATE_TIMEOUT",
    "has_filters",
    "in_target_range",
    "passes_filters",
    "rate_task",
]

DEFAULT_RATE_TIMEOUT = 10.0
"""Seconds the rating of one task may take (``rate_timeout``): milliseconds for 3-6 numbers."""


def in_target_range(value: object, cfg: GeneratorConfig) -> TypeGuard[int]:
    return (
        type(value) is int
        and value >= (cfg.min_target or 1)
        and (cfg.max_target is None or value <= cfg.max_target)
    )


def rate_task(
    task: Task,
    config: GeneratorConfig | None = None,
    *,
    timeout: float | None = DEFAULT_RATE_TIMEOUT,
    **kwargs: Any,
) -> Task:
    """The task with ``n_solutions``, ``min_ops`` and ``search_nodes`` filled in (config rules).

    Args:
        timeout: seconds the rating may take (``None``: no limit). Counting every solution
            takes milliseconds for 3-6 numbers and can take minutes for 7 or 8.

    Raises:
        SolverTimeoutError: the rating took longer than ``timeout``; the message says what to
            change.

    >>> rate_task(Task([1, 2, 3], 6)).n_solutions
    3
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
    ):
        raise ConfigError(f"rate_timeout must be seconds > 0 or None, got {shown(timeout)}")
    rules = cfg.rules
    deadline = None if timeout is None else time.monotonic() + timeout

    def left() -> float | None:
        return None if deadline is None else max(deadline - time.monotonic(), 1e-6)

    try:
        tree = solve_tree(task.nums, task.target, rules=rules, timeout=left())
        if tree is None:
            return replace(task, n_solutions=0, min_ops=None, search_nodes=None)
        n_solutions = count_solutions(task.nums, task.target, rules=rules, timeout=left())
        nodes = dfs_nodes(tuple(sorted(task.nums)), task.target, rules, deadline=deadline)
    except SolverTimeoutError:
        raise SolverTimeoutError(
            f"rating the task {shown(task.nums)} -> {shown(task.target)} took more than "
            f"rate_timeout={timeout:g} s (counting every solution of 7 or 8 numbers can take "
            "minutes); raise rate_timeout (--rate-timeout, 0: no limit), use fewer numbers, or "
            "drop the rating (rate and the solution/ops filters)"
        ) from None
    min_ops = len(task.nums) - 1 if rules.exact_use else _ops(tree)
    return replace(
        task,
        n_solutions=n_solutions,
        min_ops=min_ops,
        search_nodes=nodes,
        solution=task.solution if task.solution is not None else format_tree(tree),
    )


def _ops(tree: Any) -> int:
    return 0 if type(tree) is int else 1 + _ops(tree[1]) + _ops(tree[2])


def has_filters(cfg: GeneratorConfig) -> bool:
    return any(v is not None for v in (cfg.min_solutions, cfg.max_solutions, cfg.min_ops))


def passes_filters(task: Task, cfg: GeneratorConfig) -> bool:
    if cfg.min_solutions is not None and (task.n_solutions or 0) < cfg.min_solutions:
        return False
    if cfg.max_solutions is not None and (task.n_solutions or 0) > cfg.max_solutions:
        return False
    return cfg.min_ops is None or (task.min_ops or 0) >= cfg.min_ops
