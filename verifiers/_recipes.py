"""The checker's verdict values and sentences, and its multiset number check.

:func:`fraction` turns the checker's ``(numerator, denominator)`` into the verdict's
``Fraction``; :func:`numbers_problem` and the sentence builders word the verdict's ``reason``;
:func:`fits` is the multiset test "each number used at most once".

>>> print(numbers_problem([3, 3], (3, 7), exact_use=True))
the answer uses 3 2 times but it is given 1 time(s); leaves out 7 (each of [3, 7] must be used \
exactly once)
>>> fits([7, 3], (3, 7, 7)), fits([7, 7, 7], (3, 7, 7))
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from verifiers._values import format_value, show_int

__all__ = [
    "equals_target",
    "false_claim",
    "fits",
    "fraction",
    "misses_target",
    "numbers_problem",
    "wrong_claim",
]

# Fractions are immutable, so the integer ones verdicts keep returning (targets, mostly) are
# built once; the bound keeps a stream of distinct values from growing it.
_INTEGER_FRACTIONS: dict[int, Fraction] = {}


def fraction(n: int, d: int) -> Fraction:
    """``n / d`` (in lowest terms, ``d > 0``) as a ``Fraction``; whole ones come from a memo."""
    if d != 1:
        return Fraction(n, d)
    value = _INTEGER_FRACTIONS.get(n)
    if value is None:
        value = Fraction(n)
        if len(_INTEGER_FRACTIONS) < 4_096:
            _INTEGER_FRACTIONS[n] = value
    return value


def _count(values: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def fits(used: list[int], nums: tuple[int, ...]) -> bool:
    """Whether ``used`` is a sub-multiset of ``nums`` (each number used at most once)."""
    left = _count(nums)
    for value in used:
        have = left.get(value, 0)
        if not have:
            return False
        left[value] = have - 1
    return True


def numbers_problem(used: list[int], nums: tuple[int, ...], exact_use: bool) -> str | None:
    """``None`` when ``used`` honours the rules (as multisets), else one sentence saying why."""
    given, taken = _count(nums), _count(used)
    problems = []
    for value in sorted(taken):
        have = given.get(value, 0)
        if taken[value] > have:
            problems.append(
                f"uses {show_int(value)}, which is not among the numbers"
                if not have
                else f"uses {show_int(value)} {taken[value]} times but it is given {have} time(s)"
            )
    if exact_use:
        missing = [
            show_int(value)
            for value in sorted(given)
            for _ in range(given[value] - taken.get(value, 0))
        ]
        if missing:
            problems.append(f"leaves out {', '.join(missing)}")
    if not problems:
        return None
    rule = "exactly once" if exact_use else "at most once"
    shown = ", ".join(map(show_int, nums))
    return f"the answer {'; '.join(problems)} (each of [{shown}] must be used {rule})"


# The verdicts' reason sentences.
_EQUALS_TARGET: dict[int, str] = {}


def equals_target(target: int) -> str:
    """The reason of a correct verdict; kept per target (a bounded memo, as for fractions)."""
    sentence = _EQUALS_TARGET.get(target)
    if sentence is None:
        sentence = f"the expression equals {show_int(target)}"
        if len(_EQUALS_TARGET) < 4_096:
            _EQUALS_TARGET[target] = sentence
    return sentence


def misses_target(n: int, d: int, target: int) -> str:
    return f"the expression equals {format_value(n, d)}, not the target {show_int(target)}"


def wrong_claim(claimed: int, target: int) -> str:
    return f"the answer claims {show_int(claimed)} but the target is {show_int(target)}"


def false_claim(n: int, d: int, claimed: int) -> str:
    return f"the left side equals {format_value(n, d)}, not the claimed {show_int(claimed)}"
