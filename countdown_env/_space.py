"""The whole task space of a small configuration: enumerating it and counting it.

:func:`enumerate_tasks` lists every distinct task a uniform-draw configuration can produce;
:func:`task_space_size` counts them when that is cheap enough.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from math import comb
from typing import Any

from countdown_env._config import GeneratorConfig
from countdown_env._rating import in_target_range, passes_filters, rate_task
from countdown_env._search import Search, format_tree, submultisets
from countdown_env._task import Task
from verifiers.errors import ConfigError

__all__ = ["ENUMERATION_LIMIT", "enumerate_tasks", "space_count", "task_space_size"]

ENUMERATION_LIMIT = 200_000
"""Most number multisets :func:`enumerate_tasks` walks through."""


def _multisets(cfg: GeneratorConfig) -> Iterator[tuple[int, ...]]:
    values = range(cfg.min_value, cfg.max_value + 1)
    for size in range(cfg.min_numbers, cfg.max_numbers + 1):
        yield from itertools.combinations_with_replacement(values, size)


def space_count(cfg: GeneratorConfig) -> int:
    width = cfg.max_value - cfg.min_value + 1
    return sum(comb(width + k - 1, k) for k in range(cfg.min_numbers, cfg.max_numbers + 1))


def enumerate_tasks(config: GeneratorConfig | None = None, **kwargs: Any) -> list[Task]:
    """Every distinct task of a small uniform-draw configuration, in sorted order.

    Targets are those the generator can produce: values of expressions over all numbers (exact
    use) or over two or more of them but not one of the numbers themselves (at-most-once), within
    the target range. Difficulty filters apply.
    Useful for tiny task spaces (2 numbers from 1-50 hold a few thousand tasks): train on all
    of them except a held-out set.

    >>> len(enumerate_tasks(min_numbers=2, max_numbers=2, max_value=3, max_target=None))
    16
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    if cfg.draw != "uniform":
        raise ConfigError("enumerate_tasks supports draw='uniform' only")
    if space_count(cfg) > ENUMERATION_LIMIT:
        raise ConfigError(
            f"the configuration has {space_count(cfg)} number multisets, more than "
            f"ENUMERATION_LIMIT={ENUMERATION_LIMIT}; narrow min_value..max_value or the count"
        )
    rules = cfg.rules
    tasks = []
    for key in _multisets(cfg):
        search = Search(rules)
        subsets = (key,) if rules.exact_use else [s for s in submultisets(key) if len(s) >= 2]
        first: dict[int, Any] = {}
        for subset in subsets:
            for value, tree in search.values(subset).items():
                if value not in first and in_target_range(value, cfg):
                    first[value] = tree
        if not rules.exact_use:
            for value in key:
                first.pop(value, None)  # already among the numbers: no puzzle
        for target in sorted(first):
            task = Task(list(key), target, solution=format_tree(first[target]))
            if cfg.needs_rating:
                task = rate_task(task, cfg, timeout=None)
                if not passes_filters(task, cfg):
                    continue
            tasks.append(task)
    return tasks


def task_space_size(config: GeneratorConfig | None = None, **kwargs: Any) -> int | None:
    """How many distinct tasks the configuration holds, or ``None`` when too large to count.

    >>> task_space_size(min_numbers=2, max_numbers=2, max_value=3, max_target=None)
    16
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    if cfg.draw != "uniform" or space_count(cfg) > ENUMERATION_LIMIT // 10:
        return None
    return len(enumerate_tasks(cfg))
