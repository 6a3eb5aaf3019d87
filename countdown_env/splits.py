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

from countdown_env.config import GeneratorConfig
from countdown_env.errors import TaskSpaceExhaustedError, shown
from countdown_env.generator import _check_count, _check_seed, check_room, iter_tasks
from countdown_env.task import Task
from verifiers.errors import ConfigError

__all__ = ["HOLDOUTS", "is_held_out", "make_splits", "split"]

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
    text = f"{seed}|{holdout}|{_holdout_key(task, holdout)}"
    digest = hashlib.blake2b(text.encode("ascii"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


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
    **kwargs: Any,
) -> tuple[list[Task], list[Task]]:
    """Generate ``(train, test)`` with no leakage of held-out tasks into training.

    Args:
        n_train, n_test: how many tasks each side gets.
        seed: as in :func:`~countdown_env.generator.generate`; both sides are reproducible.
        holdout: ``"task"``, ``"target"`` or ``"nums"`` (see the module docstring).
        holdout_fraction: share of targets / number multisets / tasks reserved for the test side.
            ``None`` (default): for ``"task"`` the test set is simply the first ``n_test``
            distinct tasks of its own stream and training excludes exactly those; for
            ``"target"`` and ``"nums"`` it means 0.1.
        config, **kwargs: the generator configuration (as for ``generate``).

    Raises:
        TaskSpaceExhaustedError: one side cannot get enough distinct tasks (raise the fraction,
            ask for fewer, or widen the configuration); when the configuration is small enough
            to count, a request for more than it holds is refused before any task is drawn.

    >>> train, test = make_splits(50, 10, seed=3, min_numbers=2, max_numbers=2, max_value=20)
    >>> {t.key for t in train} & {t.key for t in test}
    set()
    """
    _check(holdout, holdout_fraction)
    n_train, n_test = _check_count(n_train, "n_train"), _check_count(n_test, "n_test")
    seed = _check_seed(seed)
    cfg = GeneratorConfig.from_kwargs(config, **kwargs)
    check_room(n_train + n_test, cfg)  # both sides together never share a task
    if holdout == "task" and holdout_fraction is None:
        test = _take(iter_tasks(seed, cfg, stream=_TEST_STREAM), n_test)
        held = {t.key for t in test}
        train = _take(
            iter_tasks(seed, cfg, stream=_TRAIN_STREAM, keep=lambda t: t.key not in held), n_train
        )
        return train, test
    fraction = _DEFAULT_FRACTION if holdout_fraction is None else holdout_fraction
    if (fraction == 0 and n_test) or (fraction == 1 and n_train):
        raise ConfigError(
            f"holdout_fraction={fraction} leaves no room for the "
            f"{'test' if fraction == 0 else 'training'} side; use a value strictly inside 0..1"
        )

    def in_test(task: Task) -> bool:
        return is_held_out(task, holdout=holdout, fraction=fraction, seed=seed)

    try:
        test = _take(iter_tasks(seed, cfg, stream=_TEST_STREAM, keep=in_test), n_test)
        train = _take(
            iter_tasks(seed, cfg, stream=_TRAIN_STREAM, keep=lambda t: not in_test(t)), n_train
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


def _take(stream: Iterable[Task], n: int) -> list[Task]:
    out: list[Task] = []
    if n == 0:
        return out
    for task in stream:
        out.append(task)
        if len(out) == n:
            break
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
    seed = _check_seed(seed)
    train: list[Task] = []
    test: list[Task] = []
    for task in tasks:
        held = is_held_out(task, holdout=holdout, fraction=holdout_fraction, seed=seed)
        (test if held else train).append(task)
    return train, test
