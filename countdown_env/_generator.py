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
import operator
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from math import comb
from typing import Any, TypeGuard, cast

import numpy as np

from countdown_env._config import TV_LARGE, GeneratorConfig
from countdown_env._search import Search, format_tree, submultisets
from countdown_env._solver import count_solutions, solve_tree
from countdown_env._stepwise import dfs_nodes
from countdown_env._task import Task
from countdown_env.errors import SolverTimeoutError, TaskSpaceExhaustedError, shown
from verifiers.arithmetic import combine
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = [
    "ATTEMPTS_PER_ITEM",
    "BYTES_PER_TASK",
    "DEFAULT_RATE_TIMEOUT",
    "ENUMERATION_LIMIT",
    "check_room",
    "enumerate_tasks",
    "generate",
    "iter_tasks",
    "rate_task",
    "task_at",
    "task_space_size",
]

DEFAULT_RATE_TIMEOUT = 10.0
"""Seconds the rating of one task may take (``rate_timeout``): milliseconds for 3-6 numbers."""
ATTEMPTS_PER_ITEM = 2_000
"""Draws one item may take before the configuration is declared (nearly) impossible."""
ENUMERATION_LIMIT = 200_000
"""Most number multisets :func:`enumerate_tasks` walks through."""
_QUICK_COUNT_MULTISETS = 2_000
"""Most number multisets (of at most 3 numbers) counted before generating: under a second."""
_TV_SMALL = tuple(v for v in range(1, 11) for _ in range(2))
_MAIN_STREAM = 0


def _item_rng(seed: int, stream: int, index: int) -> random.Random:
    state = np.random.SeedSequence((seed, stream, index)).generate_state(2, np.uint64)
    return random.Random(int(state[0]) << 64 | int(state[1]))


def check_seed(seed: Any, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"{name} must be a non-negative integer, got {shown(seed)}")
    return int(seed)


def check_count(value: Any, name: str) -> int:
    """A task count as a plain ``int``; numpy integers are fine, bools and floats are not."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise ConfigError(f"{name} must be a non-negative integer, got {shown(value)}")
    count = operator.index(value)
    if count < 0:
        raise ConfigError(f"{name} must be a non-negative integer, got {shown(value)}")
    return count


def _draw_nums(cfg: GeneratorConfig, rng: random.Random) -> list[int]:
    rand = rng.random
    n = cfg.min_numbers + int(rand() * (cfg.max_numbers - cfg.min_numbers + 1))
    if cfg.draw == "uniform":
        low, width = cfg.min_value, cfg.max_value - cfg.min_value + 1
        return [low + int(rand() * width) for _ in range(n)]
    large = cfg.large_count if cfg.large_count is not None else int(rand() * (min(4, n) + 1))
    nums = rng.sample(TV_LARGE, large) + rng.sample(_TV_SMALL, n - large)
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


def _in_range(value: object, cfg: GeneratorConfig) -> TypeGuard[int]:
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


_SKIPPED = object()
"""An item :func:`_attempt` leaves out because ``keep_target`` refuses its target."""


def _has_filters(cfg: GeneratorConfig) -> bool:
    return any(v is not None for v in (cfg.min_solutions, cfg.max_solutions, cfg.min_ops))


def _passes_filters(task: Task, cfg: GeneratorConfig) -> bool:
    if cfg.min_solutions is not None and (task.n_solutions or 0) < cfg.min_solutions:
        return False
    if cfg.max_solutions is not None and (task.n_solutions or 0) > cfg.max_solutions:
        return False
    return cfg.min_ops is None or (task.min_ops or 0) >= cfg.min_ops


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
        if made is None or not _in_range(made[0], cfg):
            return None  # a single number used alone, or no operator landed in range
        target, tree = made
    if not cfg.exact_use and target in nums:
        return None  # at-most-once use: a target already among the numbers is no puzzle
    if keep_target is not None and not _has_filters(cfg) and not keep_target(target):
        return _SKIPPED  # what keep would refuse, found before the task is built and rated
    task = Task(nums, target, solution=format_tree(tree), seed=seed, index=index)
    if cfg.needs_rating:
        task = rate_task(task, cfg, timeout=rate_timeout)
        if not _passes_filters(task, cfg):
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


@functools.lru_cache(maxsize=64)
def _quick_space_size(cfg: GeneratorConfig) -> int | None:
    """The exact task count when it is cheap to get (small uniform draws of at most 3 numbers,
    no difficulty filter), else ``None``."""
    filtered = any(v is not None for v in (cfg.min_solutions, cfg.max_solutions, cfg.min_ops))
    if (
        cfg.draw != "uniform"
        or cfg.max_numbers > 3
        or filtered
        or _space_count(cfg) > _QUICK_COUNT_MULTISETS
    ):
        return None
    return len(enumerate_tasks(replace(cfg, rate=False)))


def check_room(asked: int, config: GeneratorConfig | None = None, **kwargs: Any) -> None:
    """Raise before any work when ``asked`` tasks cannot exist or cannot fit in memory.

    For ``unique`` configurations, ``asked`` is compared with an upper bound of the task space
    (number multisets times targets in range, when the target range is finite) and, for small
    uniform draws of at most 3 numbers, with the exact count. For every configuration, the
    tasks must fit in the memory available now (about :data:`BYTES_PER_TASK` each).
    Otherwise the generator finds out while drawing (:func:`iter_tasks`).

    Raises:
        TaskSpaceExhaustedError: with ``asked`` and ``size`` (exact) or ``bound`` set.
        ConfigError: the tasks would not fit in memory.

    >>> check_room(5000, preset="two-numbers")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    countdown_env.errors.TaskSpaceExhaustedError: 5000 distinct tasks were asked for, but ...
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    asked = check_count(asked, "asked")
    if cfg.unique:
        bound = _space_bound(cfg)
        if bound is not None and asked > bound:
            targets = cfg.max_target - (cfg.min_target or 1) + 1  # type: ignore[operator]
            raise TaskSpaceExhaustedError(
                f"{asked} distinct tasks were asked for, but the configuration holds at most "
                f"{bound} ({bound // targets} number sets times {targets} targets). Ask for "
                "fewer tasks, widen the number or target ranges, use more numbers, or pass "
                "unique=False",
                asked=asked,
                bound=bound,
            )
        if asked > _space_count(cfg):
            size = _quick_space_size(cfg)
            if size is not None and asked > size:
                raise TaskSpaceExhaustedError(
                    f"{asked} distinct tasks were asked for, but the configuration holds only "
                    f"{size}. Ask for fewer tasks, widen the number or target ranges, use more "
                    "numbers, or pass unique=False",
                    asked=asked,
                    size=size,
                )
    _check_memory(asked)


BYTES_PER_TASK = 1_000
"""Memory one generated task takes until it is written (the object and its output record),
rounded up from a measurement on 3-4 number tasks; :func:`check_room` uses it."""


def _check_memory(asked: int) -> None:
    available = _available_memory()
    if available is not None and asked * BYTES_PER_TASK > available:
        raise ConfigError(
            f"{asked} tasks would need about {_gigabytes(asked * BYTES_PER_TASK)} of memory "
            f"(about {BYTES_PER_TASK} bytes each until written), more than the "
            f"{_gigabytes(available)} available; ask for at most {available // BYTES_PER_TASK} "
            "at a time"
        )


def _gigabytes(size: int) -> str:
    return f"{size / 1e9:.3g} GB"


def _available_memory() -> int | None:
    """Bytes of memory available now (``MemAvailable`` on Linux), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _space_bound(cfg: GeneratorConfig) -> int | None:
    """At most how many distinct tasks the configuration holds (number multisets times targets
    in range), or ``None`` when the target range is open."""
    if cfg.max_target is None:
        return None
    targets = cfg.max_target - (cfg.min_target or 1) + 1
    if cfg.draw == "uniform":
        return _space_count(cfg) * targets
    # TV draw: each large card at most once, each small value at most twice.
    counts = [1] * len(TV_LARGE) + [2] * (len(_TV_SMALL) // 2)
    ways = [1]  # ways[k]: distinct multisets of k cards
    for copies in counts:
        ways = [
            sum(ways[k - c] for c in range(copies + 1) if 0 <= k - c < len(ways))
            for k in range(len(ways) + copies)
        ]
    multisets = sum(ways[k] for k in range(cfg.min_numbers, cfg.max_numbers + 1) if k < len(ways))
    return multisets * targets


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


def _multisets(cfg: GeneratorConfig) -> Iterator[tuple[int, ...]]:
    values = range(cfg.min_value, cfg.max_value + 1)
    for size in range(cfg.min_numbers, cfg.max_numbers + 1):
        yield from itertools.combinations_with_replacement(values, size)


def _space_count(cfg: GeneratorConfig) -> int:
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
    if _space_count(cfg) > ENUMERATION_LIMIT:
        raise ConfigError(
            f"the configuration has {_space_count(cfg)} number multisets, more than "
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
                if value not in first and _in_range(value, cfg):
                    first[value] = tree
        if not rules.exact_use:
            for value in key:
                first.pop(value, None)  # already among the numbers: no puzzle
        for target in sorted(first):
            task = Task(list(key), target, solution=format_tree(first[target]))
            if cfg.needs_rating:
                task = rate_task(task, cfg, timeout=None)
                if not _passes_filters(task, cfg):
                    continue
            tasks.append(task)
    return tasks


def task_space_size(config: GeneratorConfig | None = None, **kwargs: Any) -> int | None:
    """How many distinct tasks the configuration holds, or ``None`` when too large to count.

    >>> task_space_size(min_numbers=2, max_numbers=2, max_value=3, max_target=None)
    16
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    if cfg.draw != "uniform" or _space_count(cfg) > ENUMERATION_LIMIT // 10:
        return None
    return len(enumerate_tasks(cfg))
