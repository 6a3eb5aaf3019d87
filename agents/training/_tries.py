"""Random answers with tries in the ``compact-tries`` format, for the format-only warm start.

An answer with tries (:func:`verifiers.extract.extract_tries`) lists equations one a line, each
a chain of exact steps over the task's numbers in some order; the first try marked as a hit
(`` =``) is the answer, else the last line::

    3+7=10*5=50 +
    3+7=10/5=2 -

The warm start shows the model this *shape* only: the chains come from a fixed enumeration
(orders of the numbers, then operators, ``+ - * /`` in that order, skipping a step whose
result is not whole and non-negative), starting at a random chain and taking the next ones, as
many as drawn at random from 1 to ``max_tries``. Nothing chooses them by the target, so they
hit it only by chance. The fixed order is what lets greedy decoding search: the model learns
to write the next chain after the one it wrote, not one at random (a model trained on random
chains repeats its likeliest chain under greedy decoding). Which chain to start from, how far
to search and which try to name is what GRPO learns from the verifier's reward.

Each try ends with a mark that compares its result with the target: `` =`` (the target),
`` +`` (above) or `` -`` (below). The warm start so teaches the model to *check* a try, as it
teaches it to compute one; the tries are never chosen by the target, and a window of them
holds a hit (named by its mark) only when the enumeration happens to pass one. (Marking only
the hits, 7% of tries, taught nothing in 600 steps: hits were marked 7% of the time; marking
every try, 33%, with 88% of all marks right.)

>>> print(random_tries_answer([3, 7, 5], random.Random(4), max_tries=3, target=38))
5+7=12/3=4 -
5*7=35+3=38 =
5*7=35-3=32 -
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from itertools import product

from verifiers.errors import ConfigError
from verifiers.extract import ABOVE_MARK, BELOW_MARK, HIT_MARK

__all__ = ["chains_from", "random_start", "random_tries_answer"]

_OPS = "+-*/"


def _step(a: int, op: str, b: int) -> int | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b if a >= b else None
    if op == "*":
        return a * b
    return a // b if b and a % b == 0 else None


def _mark(value: int, target: int) -> str:
    return HIT_MARK if value == target else (ABOVE_MARK if value > target else BELOW_MARK)


def _chain(nums: Sequence[int], order: Sequence[int], ops: Sequence[str]) -> str | None:
    """``nums`` in ``order`` joined by ``ops`` as a chain line, or ``None`` when a step fails."""
    value = nums[order[0]]
    line = str(value)
    for op, index in zip(ops, order[1:], strict=True):
        b = nums[index]
        step = _step(value, op, b)
        if step is None:
            return None
        value = step
        line += f"{op}{b}={value}"
    return line


def _next_order(order: list[int]) -> list[int]:
    """The next permutation in lexicographic order, wrapping to the first."""
    i = len(order) - 2
    while i >= 0 and order[i] >= order[i + 1]:
        i -= 1
    if i < 0:
        return sorted(order)
    j = len(order) - 1
    while order[j] <= order[i]:
        j -= 1
    order[i], order[j] = order[j], order[i]
    order[i + 1 :] = reversed(order[i + 1 :])
    return order


def chains_from(nums: Sequence[int], order: Sequence[int], first_ops: int = 0) -> Iterator[str]:
    """Every legal chain over ``nums`` in the fixed enumeration, from ``order`` and the
    ``first_ops``-th operator tuple on, wrapping around; each chain once (repeated numbers
    make some orders spell the same chains, written the first time only).

    >>> list(chains_from([6, 3], [1, 0]))
    ['3+6=9', '3*6=18', '6+3=9', '6-3=3', '6*3=18', '6/3=2']
    """
    if len(nums) < 2:
        raise ConfigError("a chain needs at least two numbers")
    op_tuples = list(product(_OPS, repeat=len(nums) - 1))
    current = list(order)
    seen = set()  # repeated numbers give the same chain from two orders
    for round_ in range(math.factorial(len(nums)) + 1):
        start = first_ops if round_ == 0 else 0
        stop = len(op_tuples) if round_ < math.factorial(len(nums)) else first_ops
        for ops in op_tuples[start:stop]:
            line = _chain(nums, current, ops)
            if line is not None and line not in seen:
                seen.add(line)
                yield line
        current = _next_order(current)


def random_start(nums: Sequence[int], rng: random.Random) -> tuple[list[int], int]:
    """A random place in the fixed enumeration: an order of the numbers and the index of an
    operator tuple, the ``order`` and ``first_ops`` of :func:`chains_from`."""
    order = list(range(len(nums)))
    rng.shuffle(order)
    return order, rng.randrange(len(_OPS) ** (len(nums) - 1))


def random_tries_answer(
    nums: Sequence[int], rng: random.Random, *, max_tries: int = 6, target: int | None = None
) -> str:
    """A random answer with tries over ``nums`` (see the module docstring); with ``target``,
    each try ends with its mark: `` =`` (the target), `` +`` (above it) or `` -`` (below)."""
    if max_tries < 1:
        raise ConfigError(f"max_tries must be >= 1, got {max_tries!r}")
    order, first_ops = random_start(nums, rng)
    count = rng.randint(1, max_tries)
    lines = []
    for line in chains_from(nums, order, first_ops):
        lines.append(line if target is None else line + _mark(int(line.rpartition("=")[2]), target))
        if len(lines) == count:
            break
    return "\n".join(lines)
