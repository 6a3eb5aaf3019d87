"""The checks made before any task is drawn: seeds, counts, and room for the tasks asked for.

:func:`check_room` refuses, before any work, a number of distinct tasks the configuration
cannot hold (from an upper bound of the task space or its exact count) or that would not fit
in the memory available now.
"""

from __future__ import annotations

import functools
import operator
import os
from dataclasses import replace
from typing import Any

import numpy as np

from countdown_env._config import GeneratorConfig
from countdown_env._presets import TV_LARGE, TV_SMALL
from countdown_env._space import enumerate_tasks, space_count
from countdown_env.errors import TaskSpaceExhaustedError, shown
from verifiers.errors import ConfigError

__all__ = ["BYTES_PER_TASK", "check_count", "check_room", "check_seed"]

_QUICK_COUNT_MULTISETS = 2_000
"""Most number multisets (of at most 3 numbers) counted before generating: under a second."""


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


@functools.lru_cache(maxsize=64)
def _quick_space_size(cfg: GeneratorConfig) -> int | None:
    """The exact task count when it is cheap to get (small uniform draws of at most 3 numbers,
    no difficulty filter), else ``None``."""
    filtered = any(v is not None for v in (cfg.min_solutions, cfg.max_solutions, cfg.min_ops))
    if (
        cfg.draw != "uniform"
        or cfg.max_numbers > 3
        or filtered
        or space_count(cfg) > _QUICK_COUNT_MULTISETS
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
        if asked > space_count(cfg):
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
        return space_count(cfg) * targets
    # TV draw: each large card at most once, each small value at most twice.
    counts = [1] * len(TV_LARGE) + [2] * (len(TV_SMALL) // 2)
    ways = [1]  # ways[k]: distinct multisets of k cards
    for copies in counts:
        ways = [
            sum(ways[k - c] for c in range(copies + 1) if 0 <= k - c < len(ways))
            for k in range(len(ways) + copies)
        ]
    multisets = sum(ways[k] for k in range(cfg.min_numbers, cfg.max_numbers + 1) if k < len(ways))
    return multisets * targets
