"""Random worked answers in the ``compact-steps`` format, for the format-only warm start.

A worked answer (:func:`verifiers.extract.extract_steps`) solves the task one operation a
line: two numbers at hand and their exact result (``3*7=21``), then the task that is left in
the compact prompt's own spelling (``21 5>26:``), until two numbers are left, which are
answered with an expression::

    3*7=21
    21 5>26:21+5

The warm start shows the model this *shape* only. Each step's two numbers and operation are
drawn at random and so is the final expression, without looking at the target (which is only
copied into the task-left lines), so the equation hits the target only by chance, as the bare
format's random equations do. Each step's arithmetic is exact (only whole, non-negative
results are drawn), as the extractor demands. Which steps lead to the target is what GRPO
learns from the verifier's reward.

>>> print(random_steps_answer([3, 7, 5], 26, random.Random(4)))
3*5=15
15 7>26:7/15
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from agents.policies import random_expression

__all__ = ["random_steps_answer", "step_choices"]


def step_choices(nums: Sequence[int]) -> list[tuple[int, int, str, int]]:
    """Every step ``(i, j, op, r)``: ``nums[i] op nums[j] = r`` with ``r`` whole and >= 0.

    >>> step_choices([6, 3])
    [(0, 1, '+', 9), (0, 1, '-', 3), (0, 1, '*', 18), (0, 1, '/', 2), (1, 0, '+', 9), \
(1, 0, '*', 18)]
    """
    choices = []
    for i, a in enumerate(nums):
        for j, b in enumerate(nums):
            if i == j:
                continue
            choices.append((i, j, "+", a + b))
            if a >= b:
                choices.append((i, j, "-", a - b))
            choices.append((i, j, "*", a * b))
            if b and a % b == 0:
                choices.append((i, j, "/", a // b))
    return choices


def random_steps_answer(nums: Sequence[int], target: int, rng: random.Random) -> str:
    """A random worked answer over ``nums`` for ``target`` (see the module docstring).

    Two numbers or fewer are answered with a bare random expression, one line. The result of
    a step takes the place of its first number in the task-left line.
    """
    left = list(nums)
    lines: list[str] = []
    head = ""
    while len(left) > 2:
        i, j, op, r = rng.choice(step_choices(left))
        lines.append(f"{head}{left[i]}{op}{left[j]}={r}")
        left[i] = r
        del left[j]
        head = " ".join(map(str, left)) + f">{target}:"
    lines.append(head + random_expression(left, rng))
    return "\n".join(lines)
