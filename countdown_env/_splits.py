"""Train/test splits that keep test tasks out of training.

Three ways to hold out, chosen with ``holdout``:

- ``"task"``: no (nums, target) pair of the test set appears in training (numbers compared as a
  multiset, so a reordering is the same task).
- ``"target"``: a share of all target values is reserved for testing; training never sees a task
  whose target is one of them (as Stream-of-Search holds out 10% of targets).
- ``"nums"``: a share of all number multisets is reserved for testing.

Membership in the reserved share is a hash of (seed, holdout kind, key), so it does not depend on
how many tasks are drawn: generating more training tasks later with the same seed and fraction
still never touches the test side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from countdown_env._checks import check_count, check_room, check_seed
from countdown_env._config import GeneratorConfig
from countdown_env._generator import iter_tasks
from countdown_env._rating import DEFAULT_RATE_TIMEOUT
from countdown_env._space import enumerate_tasks, task_space_size
from countdown_env._task import Task
from countdown_env.errors import TaskSpaceExhaustedError, shown
from verifiers.errors import ConfigError

__all__ = [
    "HOLDOUTS",
    "fair_holdout_fraction",
    "is_held_out",
    "make_splits",
    "skewed_split",
    "split",
]

HOLDOUTS = ("task", "target", "nums")
_TRAIN_STREAM, _TEST_STREAM = 1, 2
_DEFAULT_FRACTION = 0.1


def _holdout_key(task: Task, holdout: str) -> str:
    nums, target = task.key
    if holdout == "target":
        return str(target)
    if holdout == "nums":
        return " ".join(map(str, nums))
    return " ".join(map(str, nums)) + f">{target}"


def is_held_out(task: Task, *, holdout: str = "task", fraction: float = 0.1, seed: int = 0) -> bool:
    """Whether ``task`` falls in the reserved test share (a deterministic hash, no state).

    >>> t = Task([3, 7, 25], 46)
    >>> is_held_out(t, holdout="target", fraction=1.0), is_held_out(t, fraction=0.0)
    (True, False)
    """
    _check(holdout, fraction)
    return _held(seed, holdout, _holdout_key(task, holdout), fraction)


def _held(seed: int, holdout: str, key: str, fraction: float) -> bool:
    text = f"{seed}|{holdout}|{key}"
    digest = hashlib.blake2b(text.encode("ascii"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


def _skewed_size(n_train: int, n_test: int, cfg: GeneratorConfig) -> int | None:
    """The size of the task space when the default split of this request is skewed, else
    ``None`` (see :func:`skewed_split`)."""
    size = task_space_size(cfg)
    return size if size is not None and (n_train + n_test) * 4 > size else None


def skewed_split(
    n_train: int, n_test: int, config: GeneratorConfig | None = None, **kwargs: Any
) -> bool:
    """Whether the default task split (no fraction) of ``n_train + n_test`` tasks is skewed.

    The default test set is the first distinct tasks the generator draws, its most frequent
    ones; that is a fair sample only while the space is much larger than the request. Past a
    quarter of a countable space (:func:`~countdown_env.task_space_size`) training gets the
    rare rest, and the two sides differ.

    >>> skewed_split(2400, 500, min_numbers=3, max_numbers=3, max_value=10, max_target=None)
    True
    >>> skewed_split(2400, 500)  # TinyZero's space of 3-4 numbers is far larger
    False
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    return _skewed_size(n_train, n_test, cfg) is not None


def fair_holdout_fraction(
    n_train: int, n_test: int, *, seed: int, config: GeneratorConfig | None = None, **kwargs: Any
) -> float | None:
    """A ``holdout_fraction`` whose hash split of a small space keeps both sides alike.

    ``n_test / (n_train + n_test)``: each side then takes the same share of its part of the
    space, so both lean towards the frequent tasks alike. ``None`` when the default split is
    fair already (:func:`skewed_split` is false), or when either side of the hash holds fewer
    than 1.1 times the tasks it must give (counted exactly), so the split could run short: ask
    for fewer tasks then.

    >>> fair_holdout_fraction(2000, 500, seed=1234, min_numbers=3, max_numbers=3, max_value=10,
    ...                       max_target=None)
    0.2
    """
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    size = _skewed_size(n_train, n_test, cfg)
    if size is None:
        return None
    fraction = round(n_test / (n_train + n_test), 4)
    held = sum(is_held_out(task, fraction=fraction, seed=seed) for task in enumerate_tasks(cfg))
    if held < 1.1 * n_test or size - held < 1.1 * n_train:
        return None
    return fraction


def _check(holdout: str, fraction: float | None) -> None:
    if holdout not in HOLDOUTS:
        raise ConfigError(f"holdout must be one of {list(HOLDOUTS)}, got {shown(holdout)}")
    if fraction is not None and (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 <= fraction <= 1
    ):
        raise ConfigError(
            f"holdout_fraction must be a number in 0..1 or None, got {shown(fraction)}"
        )


def make_splits(
    n_train: int,
    n_test: int,
    *,
    seed: int,
    holdout: str = "task",
    holdout_fraction: float | None = None,
    config: GeneratorConfig | None = None,
    progress: bool = False,
    rate_timeout: float | None = DEFAULT_RATE_TIMEOUT,
    **kwargs: Any,
) -> tuple[list[Task], list[Task]]:
    """Generate ``(train, test)`` with no leakage of held-out tasks into training.

    Args:
        n_train, n_test: how many tasks each side gets.
        seed: as in :func:`~countdown_env._generator.generate`; both sides are reproducible.
        holdout: ``"task"``, ``"target"`` or ``"nums"`` (see the module docstring).
        holdout_fraction: share of targets / number multisets / tasks reserved for the test side.
            ``None`` (default): for ``"task"`` the test set is simply the first ``n_test``
            distinct tasks of its own stream and training excludes exactly those; for
            ``"target"`` and ``"nums"`` it means 0.1. The first distinct tasks drawn are the
            generator's most frequent ones: when ``n_train + n_test`` approaches the size of
            the task space (:func:`~countdown_env.task_space_size`), training gets the rare
            rest and the two sides differ; give a fraction there
            (:func:`fair_holdout_fraction`).
        config, **kwargs: the generator configuration (as for ``generate``).
        progress: show a tqdm progress bar for each side on stderr. With a small
            ``holdout_fraction`` the test side keeps few of the tasks it draws (with 1 of 100
            targets held out, about one in a hundred), so it can take a while.
        rate_timeout: seconds the rating of one task may take (see ``generate``).

    Raises:
        TaskSpaceExhaustedError: one side cannot get enough distinct tasks (raise the fraction,
            ask for fewer, or widen the configuration); when the configuration is small enough
            to count, a request for more than it holds is refused before any task is drawn.

    >>> train, test = make_splits(50, 10, seed=3, min_numbers=2, max_numbers=2, max_value=20)
    >>> {t.key for t in train} & {t.key for t in test}
    set()
    """
    _check(holdout, holdout_fraction)
    n_train, n_test = check_count(n_train, "n_train"), check_count(n_test, "n_test")
    seed = check_seed(seed)
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    check_room(n_train + n_test, cfg)  # both sides together never share a task
    if holdout == "task" and holdout_fraction is None:
        return _exact_holdout(n_train, n_test, seed, cfg, progress, rate_timeout)
    fraction = _DEFAULT_FRACTION if holdout_fraction is None else holdout_fraction
    if (fraction == 0 and n_test) or (fraction == 1 and n_train):
        raise ConfigError(
            f"holdout_fraction={fraction} leaves no room for the "
            f"{'test' if fraction == 0 else 'training'} side; use a value strictly inside 0..1"
        )
    return _fraction_holdout(n_train, n_test, seed, cfg, holdout, fraction, progress, rate_timeout)


def _exact_holdout(
    n_train: int,
    n_test: int,
    seed: int,
    cfg: GeneratorConfig,
    progress: bool,
    rate_timeout: float | None,
) -> tuple[list[Task], list[Task]]:
    """``holdout="task"`` without a fraction: the test set is the first ``n_test`` distinct
    tasks of its stream, and training excludes exactly those."""
    test = _take(
        iter_tasks(seed, cfg, stream=_TEST_STREAM, rate_timeout=rate_timeout),
        n_test,
        "test set" if progress else None,
    )
    held = {t.key for t in test}
    train = _take(
        iter_tasks(
            seed,
            cfg,
            stream=_TRAIN_STREAM,
            keep=lambda t: t.key not in held,
            rate_timeout=rate_timeout,
        ),
        n_train,
        "training set" if progress else None,
    )
    return train, test


def _fraction_holdout(
    n_train: int,
    n_test: int,
    seed: int,
    cfg: GeneratorConfig,
    holdout: str,
    fraction: float,
    progress: bool,
    rate_timeout: float | None,
) -> tuple[list[Task], list[Task]]:
    """A holdout by ``fraction`` of the tasks, targets or number multisets (``holdout``): each
    side keeps only the tasks on its side of the hash."""

    def in_test(task: Task) -> bool:
        return is_held_out(task, holdout=holdout, fraction=fraction, seed=seed)

    # A target holdout depends on the target alone: the generator refuses the other targets
    # before it builds (and rates) a task, instead of drawing whole tasks to throw away.
    target_test = target_train = None
    if holdout == "target":

        def target_test(target: int) -> bool:
            return _held(seed, "target", str(target), fraction)

        def target_train(target: int) -> bool:
            return not _held(seed, "target", str(target), fraction)

    _check_targets_held(holdout, fraction, seed, cfg, n_train, n_test)
    try:
        test = _take(
            iter_tasks(
                seed,
                cfg,
                stream=_TEST_STREAM,
                keep=in_test,
                keep_target=target_test,
                rate_timeout=rate_timeout,
            ),
            n_test,
            "test set" if progress else None,
        )
        train = _take(
            iter_tasks(
                seed,
                cfg,
                stream=_TRAIN_STREAM,
                keep=lambda t: not in_test(t),
                keep_target=target_train,
                rate_timeout=rate_timeout,
            ),
            n_train,
            "training set" if progress else None,
        )
    except TaskSpaceExhaustedError as err:
        raise TaskSpaceExhaustedError(
            f"make_splits(holdout={holdout!r}, holdout_fraction={fraction}): {err}; for the test "
            "side raise holdout_fraction, for the training side lower it",
            asked=err.asked,
            size=err.size,
            found=err.found,
        ) from None
    return train, test


def _check_targets_held(
    holdout: str, fraction: float, seed: int, cfg: GeneratorConfig, n_train: int, n_test: int
) -> None:
    """With a finite target range, refuse at once a ``"target"`` holdout that reserves none of
    the targets (or all of them): drawing would only find out after thousands of draws."""
    if holdout != "target" or cfg.max_target is None:
        return
    low = cfg.min_target or 1
    if cfg.max_target - low + 1 > 100_000:
        return
    held = sum(
        is_held_out(Task([1], target), holdout="target", fraction=fraction, seed=seed)
        for target in range(low, cfg.max_target + 1)
    )
    count = cfg.max_target - low + 1
    if (held == 0 and n_test) or (held == count and n_train):
        side = "test" if held == 0 else "training"
        raise ConfigError(
            f"holdout_fraction={fraction} with seed {seed} reserves {held} of the {count} "
            f"targets {low}..{cfg.max_target} for the test set, leaving the {side} side "
            "nothing; raise holdout_fraction for the test side (lower it for training) or "
            "widen the target range"
        )


def _take(stream: Iterable[Task], n: int, label: str | None = None) -> list[Task]:
    """The first ``n`` tasks of ``stream``; with ``label``, a tqdm progress bar on stderr."""
    out: list[Task] = []
    if n == 0:
        return out
    bar = None
    if label is not None:
        import sys

        from tqdm import tqdm

        bar = tqdm(total=n, desc=label, unit="task", file=sys.stderr)
    try:
        for task in stream:
            out.append(task)
            if bar is not None:
                bar.update()
            if len(out) == n:
                break
    finally:
        if bar is not None:
            bar.close()
    return out


def split(
    tasks: Iterable[Task],
    *,
    holdout: str = "task",
    holdout_fraction: float = 0.1,
    seed: int = 0,
) -> tuple[list[Task], list[Task]]:
    """Split existing tasks (e.g. read from a dataset) into ``(train, test)`` without leakage.

    Each task goes to the test side when :func:`is_held_out`; copies of one task (same numbers
    as a multiset and same target) always land on the same side. Order is kept.

    >>> tasks = [Task([1, 2], t) for t in range(1, 30)]
    >>> train, test = split(tasks, holdout="target", holdout_fraction=0.2, seed=1)
    >>> len(train) + len(test), {t.target for t in train} & {t.target for t in test}
    (29, set())
    """
    _check(holdout, holdout_fraction)
    seed = check_seed(seed)
    train: list[Task] = []
    test: list[Task] = []
    for task in tasks:
        held = is_held_out(task, holdout=holdout, fraction=holdout_fraction, seed=seed)
        (test if held else train).append(task)
    return train, test
