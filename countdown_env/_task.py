"""One Countdown task: the numbers, the target, a reference solution and difficulty figures."""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from countdown_env.errors import TaskError, digit_count, shown

__all__ = ["MAX_TASK_DIGITS", "Task", "task_id", "task_key"]

MAX_TASK_DIGITS = 4_300
"""Most decimal digits of a number in a task (CPython's default limit for ``str(int)``), so
that every task can be shown, hashed into an id and written as JSON."""
_TOO_BIG = 10**MAX_TASK_DIGITS


def as_int(value: Any, what: str) -> int:
    if type(value) is not int:
        # numpy integers come back from parquet/HF columns; bools and floats are refused on
        # purpose.
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TaskError(f"{what} must be an integer, got {shown(value)}")
        value = int(value)
    if -_TOO_BIG < value < _TOO_BIG:
        return value
    raise TaskError(
        f"{what} has {digit_count(value)} digits, more than the {MAX_TASK_DIGITS} a task may use"
    )


def task_key(nums: Sequence[int], target: int) -> tuple[tuple[int, ...], int]:
    """The identity of a task for de-duplication: the multiset of numbers and the target.

    Two tasks that differ only in the order of ``nums`` are the same puzzle.

    >>> task_key([7, 3, 7], 17)
    ((3, 7, 7), 17)
    """
    return tuple(sorted(nums)), target


def task_id(nums: Sequence[int], target: int) -> str:
    """A stable 16-hex-digit id derived from :func:`task_key` (equal ids mean duplicate tasks).

    >>> task_id([3, 7, 25], 46) == task_id([25, 7, 3], 46)
    True
    >>> len(task_id([3, 7, 25], 46))
    16
    """
    ordered, goal = task_key(nums, target)
    text = " ".join(map(str, ordered)) + f">{goal}"
    return hashlib.blake2b(text.encode("ascii"), digest_size=8).hexdigest()


def whole_number(value: Any) -> Any:
    """A whole float (``46.0``) as an ``int``; every other value unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Task:
    """A Countdown task: reach ``target`` from ``nums`` with ``+ - * /`` and parentheses.

    Attributes:
        nums: the numbers, in the order shown to the player. Repeated values are separate numbers.
        target: the value to reach.
        solution: a reference expression that verifies under the rules it was made with (or
            ``None``).
        n_solutions: distinct solutions up to commutativity and associativity (``None``: not rated).
        min_ops: fewest operations any solution needs (``None``: not rated). With exact use this is
            always ``len(nums) - 1``; with at-most-once use it can be smaller.
        search_nodes: states a plain depth-first search expanded before finding the first solution,
            a difficulty figure in the spirit of Stream-of-Search (``None``: not rated).
        seed, index: where the generator made it; ``task_at(seed, index, config)`` rebuilds it.
        id: stable id from the content (:func:`task_id`) unless one is given (e.g. from a dataset).

    >>> t = Task([3, 7, 25], 46, solution="25+3*7")
    >>> t.key, t.id == task_id([25, 3, 7], 46)
    (((3, 7, 25), 46), True)
    >>> Task.from_dict(t.to_dict()) == t
    True
    >>> Task([3, "7"], 10)
    Traceback (most recent call last):
    ...
    countdown_env.errors.TaskError: nums[1] must be an integer, got '7'
    """

    nums: list[int]
    target: int
    solution: str | None = None
    n_solutions: int | None = None
    min_ops: int | None = None
    search_nodes: int | None = None
    seed: int | None = None
    index: int | None = None
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if type(self.nums) is not list and (
            isinstance(self.nums, (str, bytes, Mapping)) or not isinstance(self.nums, Iterable)
        ):
            raise TaskError(f"nums must be a list of integers, got {shown(self.nums)}")
        nums = [as_int(v, f"nums[{i}]") for i, v in enumerate(self.nums)]
        if not nums:
            raise TaskError("nums must hold at least one number, got []")
        if min(nums) < 0:
            raise TaskError(f"nums must be non-negative integers, got {shown(nums)}")
        object.__setattr__(self, "nums", nums)
        object.__setattr__(self, "target", as_int(self.target, "target"))
        if self.solution is not None and not isinstance(self.solution, str):
            raise TaskError(f"solution must be a str or None, got {shown(self.solution)}")
        for name in ("n_solutions", "min_ops", "search_nodes", "seed", "index"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_int(value, name))
        if not isinstance(self.id, str):
            raise TaskError(f"id must be a str, got {shown(self.id)}")
        if not self.id:
            object.__setattr__(self, "id", task_id(nums, self.target))

    def __hash__(self) -> int:
        return hash((tuple(self.nums), self.target, self.solution))

    @property
    def key(self) -> tuple[tuple[int, ...], int]:
        """``(sorted nums, target)``: equal keys mean the same puzzle (see :func:`task_key`)."""
        return task_key(self.nums, self.target)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every field (``None`` where not known), ``id`` first."""
        data: dict[str, Any] = {"id": self.id}
        for f in fields(self):
            if f.name != "id":
                value = getattr(self, f.name)
                data[f.name] = list(value) if f.name == "nums" else value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        """Build a task from a mapping with ``nums`` (or ``numbers``) and ``target``.

        Other known fields are read when present; unknown keys (``prompt``, ...) are ignored.
        Whole floats (``46.0``, as a pandas or parquet round trip may give) are read as integers;
        any other value is left for the task's own checks.

        >>> Task.from_dict({"numbers": [1, 2], "target": 3, "prompt": "..."}).nums
        [1, 2]
        """
        if not isinstance(data, Mapping):
            raise TaskError(f"a task must be a mapping, got {type(data).__name__}")
        nums = data.get("nums", data.get("numbers"))
        if nums is None or "target" not in data:
            keys = shown(sorted(map(str, data)), limit=200)
            raise TaskError(f"a task needs 'nums' and 'target', got keys {keys}")
        known = {f.name for f in fields(cls)} - {"nums", "target"}
        extra = {k: data[k] for k in known if data.get(k) is not None}
        if isinstance(nums, Iterable) and not isinstance(nums, (str, bytes, Mapping)):
            nums = [whole_number(v) for v in nums]
        return cls(nums=nums, target=whole_number(data["target"]), **extra)
