"""Guaranteed-solvable Countdown tasks, reproducible item by item.

Item ``index`` of seed ``seed`` comes from its own random stream, seeded by the
:class:`numpy.random.SeedSequence` of ``(seed, stream, index)``, so any item can be rebuilt alone
with :func:`task_at` and ``generate(n)`` is a prefix of ``generate(n + k)``. By default the target
is the value of a random expression over the numbers, so every task is solvable by construction and
keeps that expression as its ``solution``; ``target_from="range"`` draws the target uniformly and
keeps it only when the exact solver finds a solution. The solver rates tasks only when asked
(``rate=True`` or a difficulty filter), because rating is the costly part.

>>> tasks = generate(3, seed=7)
>>> [t.index for t in tasks]
[0, 1, 2]
>>> task_at(7, 2) == tasks[2]
True
"""

from __future__ import annotations

import functools
import itertools
import random
import sys
from collections.abc import Callable, Iterator
from typing import Any, cast

import numpy as np

from countdown_env._checks import check_count, check_room, check_seed
from countdown_env._config import GeneratorConfig
from countdown_env._presets import TV_LARGE, TV_SMALL
from countdown_env._rating import (
    DEFAULT_RATE_TIMEOUT,
    has_filters,
    in_target_range,
    passes_filters,
    rate_task,
)
from countdown_env._search import format_tree
from countdown_env._solver import solve_tree
from countdown_env._space import task_space_size
from countdown_env._task import Task
from countdown_env.errors import TaskSpaceExhaustedError
from verifiers.arithmetic import combine
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = ["ATTEMPTS_PER_ITEM", "build_task", "generate", "iter_tasks", "task_at"]

ATTEMPTS_PER_ITEM = 2_000
"""Draws one item may take before the configuration is declared (nearly) impossible."""
_MAIN_STREAM = 0


def _item_rng(seed: int, stream: int, index: int) -> random.Random:
    state = np.random.SeedSequence((seed, stream, index)).generate_state(2, np.uint64)
    return random.Random(int(state[0]) << 64 | int(state[1]))


def _draw_nums(cfg: GeneratorConfig, rng: random.Random) -> list[int]:
    rand = rng.random
    n = cfg.min_numbers + int(rand() * (cfg.max_numbers - cfg.min_numbers + 1))
    if cfg.draw == "uniform":
        low, width = cfg.min_value, cfg.max_value - cfg.min_value + 1
        return [low + int(rand() * width) for _ in range(n)]
    large = cfg.large_count if cfg.large_count is not None else int(rand() * (min(4, n) + 1))
    nums = rng.sample(TV_LARGE, large) + rng.sample(TV_SMALL, n - large)
    rng.shuffle(nums)
    return nums


@functools.lru_cache(maxsize=64)
def _operation_rules(operators: str, integer_intermediates: bool) -> Rules:
    """The rules one operation is checked under by :func:`verifiers.arithmetic.combine`, the
    checker's own arithmetic (number use plays no part in one operation); built once, since
    building :class:`Rules` costs about as much as drawing an expression."""
    return Rules(operators=operators, integer_intermediates=integer_intermediates)


def _random_expression(values: list[int], cfg: GeneratorConfig, rng: random.Random):
    """Combine random pairs with random operators until one value is left: ``(value, tree)``.

    The last operation is chosen among those whose result lands in the target range, so most
    draws succeed. Returns ``None`` when no legal operation fits (the caller redraws).
    """
    vals: list[Any] = list(values)
    trees: list[Any] = list(values)
    ops = cfg.operators
    count = len(ops)
    rules = _operation_rules(ops, cfg.integer_intermediates)
    low, high = cfg.min_target or 1, cfg.max_target
    rand = rng.random
    while len(vals) > 1:
        n = len(vals)
        i = int(rand() * n)
        j = int(rand() * (n - 1))
        j += j >= i
        a, b = vals[i], vals[j]
        first = int(rand() * count)
        last = n == 2
        for k in range(count):
            op = ops[(first + k) % count]
            made = combine(op, a, b, rules)
            if made is not None and (
                not last or (type(made) is int and low <= made and (high is None or made <= high))
            ):
                break
            if op in "-/":  # the other order is a different value only for these two
                made = combine(op, b, a, rules)
                if made is not None and (
                    not last
                    or (type(made) is int and low <= made and (high is None or made <= high))
                ):
                    i, j = j, i
                    break
        else:
            return None
        tree = (op, trees[i], trees[j])
        for idx in (i, j) if i > j else (j, i):
            del vals[idx], trees[idx]
        vals.append(made)
        trees.append(tree)
    return vals[0], trees[0]


_SKIPPED = object()
"""An item :func:`_attempt` leaves out because ``keep_target`` refuses its target."""


def _attempt(
    cfg: GeneratorConfig,
    rng: random.Random,
    seed: int,
    index: int,
    rate_timeout: float | None = DEFAULT_RATE_TIMEOUT,
    keep_target: Callable[[int], bool] | None = None,
) -> Task | object | None:
    """One draw: a task, ``None`` (redraw this item) or ``_SKIPPED`` (``keep_target`` refuses
    the item's target; only without difficulty filters, whose misses redraw the item)."""
    nums = _draw_nums(cfg, rng)
    if cfg.target_from == "range":
        target = rng.randint(cfg.min_target or 1, cfg.max_target)  # type: ignore[arg-type]
        tree = solve_tree(nums, target, rules=cfg.rules)
        if tree is None:
            return None
    else:
        used = nums if cfg.exact_use else rng.sample(nums, rng.randint(2, len(nums)))
        made = _random_expression(used, cfg, rng)
        if made is None or not in_target_range(made[0], cfg):
            return None  # a single number used alone, or no operator landed in range
        target, tree = made
    if not cfg.exact_use and target in nums:
        return None  # at-most-once use: a target already among the numbers is no puzzle
    if keep_target is not None and not has_filters(cfg) and not keep_target(target):
        return _SKIPPED  # what keep would refuse, found before the task is built and rated
    task = Task(nums, target, solution=format_tree(tree), seed=seed, index=index)
    if cfg.needs_rating:
        task = rate_task(task, cfg, timeout=rate_timeout)
        if not passes_filters(task, cfg):
            return None
    return task


def build_task(
    cfg: GeneratorConfig,
    seed: int,
    stream: int,
    index: int,
    rate_timeout: float | None = DEFAULT_RATE_TIMEOUT,
    keep_target: Callable[[int], bool] | None = None,
) -> Task | None:
    """Item ``index`` of the stream; ``None`` when ``keep_target`` refuses its target."""
    rng = _item_rng(seed, stream, index)
    for _ in range(ATTEMPTS_PER_ITEM):
        task = _attempt(cfg, rng, seed, index, rate_timeout, keep_target)
        if task is _SKIPPED:
            return None
        if task is not None:
            return task  # type: ignore[return-value]
    raise ConfigError(
        f"no task met the configuration in {ATTEMPTS_PER_ITEM} draws: the target range "
        f"{cfg.min_target}..{cfg.max_target} or the difficulty filters are (almost) never met "
        f"with {cfg.min_numbers}-{cfg.max_numbers} numbers; widen the ranges or relax the filters"
    )


def task_at(seed: int, index: int, config: GeneratorConfig | None = None, **kwargs: Any) -> Task:
    """Item ``index`` of seed ``seed``, built alone (the same task ``generate`` puts there).

    With ``unique=True``, :func:`generate` skips an item that repeats an earlier one, so the
    ``i``-th task of a set has ``task.index >= i``; ``task_at(seed, task.index, config)``
    always rebuilds it.

    >>> task_at(1, 5).index
    5
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    index = check_seed(index, "index")
    return cast(Task, build_task(cfg, check_seed(seed), _MAIN_STREAM, index))


def iter_tasks(
    seed: int,
    config: GeneratorConfig | None = None,
    *,
    stream: int = _MAIN_STREAM,
    keep: Callable[[Task], bool] | None = None,
    keep_target: Callable[[int], bool] | None = None,
    rate_timeout: float | None = DEFAULT_RATE_TIMEOUT,
    **kwargs: Any,
) -> Iterator[Task]:
    """An endless stream of tasks (distinct when ``unique``); ``keep`` filters them.

    ``keep_target`` filters on the target alone, before a task is built and rated (the same
    stream as the equivalent ``keep``, far cheaper when it refuses most targets).
    ``rate_timeout`` limits the rating of each task (see :func:`rate_task`).

    Raises :class:`~countdown_env.errors.TaskSpaceExhaustedError` when many draws in a row bring
    nothing new: the configuration holds no more distinct tasks that ``keep`` accepts.
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    seed = check_seed(seed)
    seen: set[tuple[tuple[int, ...], int]] = set()
    misses = 0
    for index in itertools.count():
        task = build_task(cfg, seed, stream, index, rate_timeout, keep_target)
        if (
            task is not None
            and (not cfg.unique or task.key not in seen)
            and (keep is None or keep(task))
        ):
            if cfg.unique:
                seen.add(task.key)
            misses = 0
            yield task
            continue
        misses += 1
        # Coupon collecting: the last of N equally likely tasks takes about N draws, so a run
        # ten times longer than what was found means the space is spent, not unlucky.
        filtered = keep is not None or keep_target is not None
        if misses > max(2_000, 10 * len(seen)) * (5 if filtered else 1):
            size = task_space_size(cfg)
            raise TaskSpaceExhaustedError(
                _exhausted_message(size, len(seen), index + 1, filtered=filtered),
                size=size,
                found=len(seen),
            )


def _exhausted_message(size: int | None, found: int, draws: int, *, filtered: bool) -> str:
    holds = f"; the whole configuration holds exactly {size} distinct tasks" if size else ""
    kept = " that the filter accepts" if filtered else ""
    return (
        f"the task space is exhausted: {found} distinct tasks{kept} found in {draws} draws and "
        f"the last draws brought nothing new{holds}. Ask for fewer tasks, widen the number or "
        "target ranges, use more numbers, pass unique=False, or list the whole space with "
        "enumerate_tasks()"
    )


def generate(
    n: int,
    *,
    seed: int,
    config: GeneratorConfig | None = None,
    progress: bool = False,
    rate_timeout: float | None = DEFAULT_RATE_TIMEOUT,
    **kwargs: Any,
) -> list[Task]:
    """``n`` guaranteed-solvable tasks; the same seed and configuration give the same tasks.

    Args:
        n: how many tasks.
        seed: non-negative integer; item ``i`` is reproducible alone (:func:`task_at`).
        config: a :class:`GeneratorConfig`; ``**kwargs`` override its fields (or use
            ``preset="tv"``, ``rules=TV_RULES``).
        progress: show a tqdm progress bar on stderr.
        rate_timeout: seconds the rating of one task may take when the configuration rates
            tasks (``None``: no limit); see :func:`rate_task`.

    Raises:
        TaskSpaceExhaustedError: ``unique`` and the configuration has fewer than ``n`` tasks
            (when a bound or the exact count shows it, before any task is drawn, see
            :func:`check_room`).
        ConfigError: a bad option (the message names it and the accepted range), or ``n``
            tasks would not fit in the memory available.

    >>> [(t.nums, t.target) for t in generate(2, seed=0, min_numbers=2, max_numbers=2,
    ...                                        max_value=10)]
    [([10, 9], 1), ([3, 9], 3)]
    """
    n = check_count(n, "n")
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    check_seed(seed)
    check_room(n, cfg)
    stream = iter_tasks(seed, cfg, rate_timeout=rate_timeout)
    if not progress:
        return list(itertools.islice(stream, n))
    from tqdm import tqdm

    return list(tqdm(itertools.islice(stream, n), total=n, file=sys.stderr, unit="task"))
