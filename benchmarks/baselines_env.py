"""Baselines for ``bench_env.py``: a plain depth-first Countdown search like Stream-of-Search's.

Stream-of-Search searches the way a person does: pick two numbers, apply an operator
(non-negative subtraction and exact division only), put the result back, recurse; the first path
that reaches the target wins. There is no memo of states already seen and no pruning, so equal
sub-problems reached by different paths are searched again. Its task generator draws random
numbers and a random target and keeps the task only when this search solves it.

Reimplemented here from that description (not copied) under the same rules as the solver being
measured, so the comparison is about the search strategy alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from countdown_env._search import canonical_text

__all__ = ["Timeout", "dfs_all", "dfs_solve", "generate_and_filter"]


class Timeout(Exception):
    """The time budget ran out before the search finished."""


def _moves(a: int, b: int) -> Iterator[tuple[str, bool, int]]:
    """``(op, a_first, value)`` for each operation on ``a`` and ``b`` with a positive integer
    result (the TV rules the benchmark uses for both searches)."""
    yield "+", True, a + b
    yield "*", True, a * b
    if a != b:
        yield ("-", True, a - b) if a > b else ("-", False, b - a)
    if b and a % b == 0:
        yield "/", True, a // b
    elif a and b % a == 0:
        yield "/", False, b // a


def _children(items: list[tuple[int, object]]) -> Iterator[list[tuple[int, object]]]:
    """Every state one operation away: two numbers replaced by their result."""
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            (a, ta), (b, tb) = items[i], items[j]
            rest = items[:i] + items[i + 1 : j] + items[j + 1 :]
            for op, a_first, value in _moves(a, b):
                yield [*rest, (value, (op, ta, tb) if a_first else (op, tb, ta))]


def dfs_solve(
    nums: list[int], target: int, *, exact_use: bool = False, deadline: float | None = None
) -> object | None:
    """The first expression tree the plain search finds, or ``None``; raises :class:`Timeout`."""

    def walk(items: list[tuple[int, object]]) -> object | None:
        if deadline is not None and time.perf_counter() > deadline:
            raise Timeout
        for value, tree in items:
            if value == target and (not exact_use or len(items) == 1):
                return tree
        for child in _children(items):
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk([(n, n) for n in nums])


def dfs_all(
    nums: list[int], target: int, *, exact_use: bool = False, deadline: float | None = None
) -> set[str]:
    """Every solution's canonical form, from walking the whole tree; raises :class:`Timeout`."""
    found: set[str] = set()

    def walk(items: list[tuple[int, object]]) -> None:
        if deadline is not None and time.perf_counter() > deadline:
            raise Timeout
        for value, tree in items:
            if value == target and (not exact_use or len(items) == 1):
                found.add(canonical_text(tree))
        for child in _children(items):
            walk(child)

    walk([(n, n) for n in nums])
    return found


def generate_and_filter(
    n: int, seed: int, *, count: int = 4, max_value: int = 100, max_target: int = 100
) -> list[tuple[list[int], int]]:
    """Stream-of-Search's recipe: random numbers and target, kept when the plain search solves
    it with every number used (non-negative subtraction, exact division)."""
    rng = random.Random(seed)
    tasks: list[tuple[list[int], int]] = []
    while len(tasks) < n:
        nums = [rng.randint(1, max_value) for _ in range(count)]
        target = rng.randint(1, max_target)
        if dfs_solve(nums, target, exact_use=True) is not None:
            tasks.append((nums, target))
    return tasks
