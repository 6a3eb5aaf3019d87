"""Near misses: whole inputs (completion, ``nums``, ``target``) that a checker missing one rule
gets wrong, built from any source of choices.

:func:`near_miss` sets one trap of :data:`NEAR_MISS_KINDS` per input: a subset, a repeat or a
foreign number with the target set to the expression's value, several ``<answer>`` blocks whose
first and last differ, unary signs, ``= N`` claims, fractions near a whole number. Its choices
come from a :class:`Choices` object, so fuzzer bytes (``python -m verifiers.fuzz``), Hypothesis
draws (:func:`verifiers.strategies.near_misses`) or a seeded RNG steer it. Values are computed by
the project's checker, never by ``eval``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple, Protocol

from verifiers._check import verify_equation
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = ["NEAR_MISS_KINDS", "Choices", "NearMiss", "near_miss"]


class Choices(Protocol):
    """Where :func:`near_miss` takes its choices from: fuzzer bytes, Hypothesis draws, a RNG."""

    def integer(self, low: int, high: int) -> int:
        """A whole number in ``low..high``, both included."""
        ...


class NearMiss(NamedTuple):
    """One input built by :func:`near_miss`; the built-in checker gives its true verdict."""

    kind: str
    """Which trap it sets, one of :data:`NEAR_MISS_KINDS`."""
    completion: str
    """The model output to check (``<answer>`` blocks, sometimes some thinking first)."""
    nums: tuple[int, ...]
    """The task's numbers."""
    target: int
    """The task's target."""


NEAR_MISS_KINDS: dict[str, str] = {
    "exact": "uses every number once; the target is its value, or one off",
    "subset": "leaves numbers out; the target is its value",
    "repeat": "uses a number more often than nums holds it; the target is its value",
    "foreign": "uses a number not in nums (glued digits too); the target is its value",
    "unary": "a sign before a number or group; the target is its value with the sign read",
    "fraction": "divides to a non-integer (or within 1e-5 of one); the target is rounded",
    "claim": "ends in '= N', right or wrong; the target is the value or the claim",
    "blocks": "several <answer> blocks; the first and the last differ in correctness",
}
"""The kinds of :class:`NearMiss`, each with the mistake in a checker it is built to catch."""

# The project's own reading of an expression, signs included, is the reference value.
_SIGNED = Rules(allow_unary_minus=True)
# Accepted spellings of each operator (ASCII the likeliest).
_SPELLINGS = {
    "*": ("*", "*", "×", "·", "⋅", "\\times ", "\\cdot "),
    "/": ("/", "/", "÷", "\\div "),
    "-": ("-", "-", "−"),
    "+": ("+",),
}
# Unusual spaces: no-break and thin (whitespace to str.isspace) and zero-width (not).
_SPACES = (" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2009", "\u200b")
_PREFIXES = (
    "",
    "<think>\n</think>\n",
    "<think>Let me try 1 + 2 first.</think>\n",
    "<think>I could write <answer>0</answer> but no.</think>\n",
)
_BETWEEN = ("\n", "\nWait, that is wrong. Let me fix it.\n", " or ", "</think>\n")


def _pick(choose: Choices, options: Sequence[Any]) -> Any:
    return options[choose.integer(0, len(options) - 1)]


def _shuffled(choose: Choices, items: Sequence[int]) -> list[int]:
    shuffled = list(items)
    for i in range(len(shuffled) - 1, 0, -1):
        j = choose.integer(0, i)
        shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
    return shuffled


def _tree(choose: Choices, numbers: Sequence[int], ops: str, signed: bool) -> str:
    """A random ASCII expression over ``numbers`` in order; ``signed`` puts a sign on one leaf."""
    nodes = [(str(n), 3) for n in numbers]
    if signed:
        at = choose.integer(0, len(nodes) - 1)
        sign = _pick(choose, "--+")
        spelled = f"{sign}{nodes[at][0]}"
        nodes[at] = (f"({spelled})" if choose.integer(0, 1) else spelled, 3)
    while len(nodes) > 1:
        i = choose.integer(0, len(nodes) - 2)
        (left, left_rank), (right, right_rank) = nodes[i], nodes.pop(i + 1)
        op = _pick(choose, ops)
        rank = 1 if op in "+-" else 2
        if left_rank < rank or choose.integer(0, 9) == 0:
            left = f"({left})"
        if right_rank < rank or (right_rank == rank and op in "-/") or choose.integer(0, 9) == 0:
            right = f"({right})"
        nodes[i] = (f"{left}{op}{right}", rank)
        if signed and choose.integer(0, 7) == 0:
            nodes[i] = (f"-({nodes[i][0]})", 3)
    return nodes[0][0]


def _value(text: str, numbers: Sequence[int]) -> Fraction | None:
    """The exact value of ``text`` as the project's checker reads it (never ``eval``)."""
    return verify_equation(text, list(numbers), 0, rules=_SIGNED, cache=False).value


def _whole(
    choose: Choices, numbers: Sequence[int], ops: str, signed: bool = False
) -> tuple[str, Fraction | None]:
    """An expression over ``numbers`` (shuffled) and its value (``None`` after a division by
    zero); a fraction is rebuilt once with ``+ - *`` only, so the value is mostly whole."""
    order = _shuffled(choose, numbers)
    text = _tree(choose, order, ops, signed)
    value = _value(text, order)
    integer_ops = ops.replace("/", "")
    if value is not None and value.denominator != 1 and integer_ops:
        text = _tree(choose, order, integer_ops, signed)
        value = _value(text, order)
    return text, value


def _spell(choose: Choices, text: str) -> str:
    """``text`` with, half the time, other operator glyphs and whitespace between tokens."""
    if choose.integer(0, 1):
        return text
    out = []
    for i, char in enumerate(text):
        out.append(_pick(choose, _SPELLINGS[char]) if char in _SPELLINGS else char)
        # Never inside a number: "2 3" would be two numbers.
        if not (char.isdigit() and text[i + 1 : i + 2].isdigit()) and choose.integer(0, 5) == 0:
            out.append(_pick(choose, _SPACES))
    return "".join(out)


def _misused(choose: Choices, nums: Sequence[int], kind: str) -> list[int]:
    """The numbers an expression of ``kind`` (subset, repeat or foreign) uses instead of nums."""
    pool = _shuffled(choose, nums)
    if kind == "subset" and len(pool) > 1:
        return pool[: choose.integer(1, len(pool) - 1)]
    if kind in ("subset", "repeat"):
        other = [i for i, n in enumerate(pool) if n != pool[0]]
        if other and choose.integer(0, 1):  # same count: one number twice, another left out
            return [pool[0], *pool[: other[-1]], *pool[other[-1] + 1 :]]
        return [*pool, pool[0]]
    if len(pool) > 1 and pool[0] != 0 and choose.integer(0, 1):
        glued = int(f"{pool[0]}{pool[1]}")  # "2 5" read as 25
        if glued not in pool:
            return [glued, *pool[2:]]
    foreign = _pick(choose, (pool[0] + 1, abs(pool[0] - 1), pool[0] * 10 + choose.integer(0, 9)))
    while foreign in pool:
        foreign += 1
    return [foreign, *pool[1:]]


def _target(value: Fraction | None, fallback: int) -> int:
    return fallback if value is None or value.denominator != 1 else value.numerator


def _fraction(choose: Choices, nums: list[int], ops: str) -> tuple[str, list[int], int]:
    """A division that does not come out whole; returns the text, new nums and a rounded target."""
    if set("+*/") <= set(ops) and choose.integer(0, 1):
        whole, below = choose.integer(0, 100), [choose.integer(50, 100) for _ in range(3)]
        text = f"{whole}+1/({below[0]}*{below[1]}*{below[2]})"  # within 1e-5 of `whole`
        return text, [whole, 1, *below], whole
    order = _shuffled(choose, nums)
    text = _tree(choose, order, ops + "///", False)  # mostly divisions
    value = _value(text, order)
    if value is None:
        return text, nums, choose.integer(-100, 100)
    rounded = _pick(choose, (math.floor, math.ceil, round))
    return text, nums, int(rounded(value))


def _claimed(choose: Choices, text: str, value: Fraction | None) -> tuple[str, int]:
    """``text = N`` with a right or wrong ``N``, and a target that is the value or the claim."""
    target = _target(value, choose.integer(-100, 100))
    wrong = target + _pick(choose, (-10, -1, 1, 2, 7))
    variant = choose.integer(0, 3)
    if variant == 0:
        return f"{text} = {target}", target
    if variant == 1:
        return f"{text} = {wrong}", target
    if variant == 2:
        return f"{text}={wrong}", wrong
    return f"{text}={target}", wrong


def _blocks(choose: Choices, nums: list[int], ops: str) -> tuple[str, int]:
    """Answer blocks where the first and the last differ in correctness; returns text, target."""
    good, value = _whole(choose, nums, ops)
    target = _target(value, choose.integer(-100, 100))
    trap = _pick(choose, ("subset", "repeat", "foreign", "unary", "malformed", "other"))
    if trap in ("subset", "repeat", "foreign"):
        bad, _ = _whole(choose, _misused(choose, nums, trap), ops)
    elif trap == "unary":
        bad, _ = _whole(choose, nums, ops, signed=True)
    elif trap == "malformed":
        bad = _pick(choose, (f"{good}+", f"({good}", f"{good} = ", ""))
    else:
        bad, other = _whole(choose, nums, ops)
        target = target if other != value else target + 1  # then both are wrong: still a test
    blocks = [good, bad] if choose.integer(0, 1) else [bad, good]
    text = "".join(
        f"<answer>{_spell(choose, block)}</answer>{_pick(choose, _BETWEEN)}" for block in blocks
    )
    if choose.integer(0, 3) == 0:
        text += f"<answer>{bad}"  # a cut-off block never counts
    return text, target


def near_miss(choose: Choices, *, rules: Rules = DEFAULT_RULES) -> NearMiss:
    """Build one input that a checker missing a rule gets wrong (see :data:`NEAR_MISS_KINDS`).

    Every choice comes from ``choose`` (so fuzzer bytes or Hypothesis draws steer it); values
    are computed by the project's checker, never by ``eval``. Expressions use the operators of
    ``rules``; the kinds are built for :data:`~verifiers.rules.DEFAULT_RULES` but stay valid
    inputs under any rules (the checker's verdict is the truth).

    >>> import random
    >>> class Seeded(random.Random):
    ...     def integer(self, low, high):
    ...         return self.randint(low, high)
    >>> case = near_miss(Seeded(4))
    >>> case.kind in NEAR_MISS_KINDS and case.completion.count("<answer>") >= 1
    True
    """
    kind = _pick(choose, tuple(NEAR_MISS_KINDS))
    nums = [choose.integer(0, 100) for _ in range(choose.integer(1, 6))]
    if len(nums) > 1 and choose.integer(0, 3) == 0:
        nums[-1] = nums[0]  # repeated values are separate numbers
    if choose.integer(0, 7) == 0:
        nums[0] = 0  # divisions by zero, "0*" shortcuts
    ops = rules.operators
    if kind == "blocks":
        body, target = _blocks(choose, nums, ops)
    else:
        if kind in ("subset", "repeat", "foreign"):
            text, value = _whole(choose, _misused(choose, nums, kind), ops)
            target = _target(value, choose.integer(-100, 100))
        elif kind == "fraction" and "/" in ops:
            text, nums, target = _fraction(choose, nums, ops)
        elif kind == "claim":
            text, value = _whole(choose, nums, ops)
            text, target = _claimed(choose, text, value)
        else:
            text, value = _whole(choose, nums, ops, signed=kind == "unary")
            target = _target(value, choose.integer(-100, 100))
            if kind == "exact" and choose.integer(0, 3) == 0:
                target += _pick(choose, (-1, 1))
        body = f"<answer>{_spell(choose, text)}</answer>"
    return NearMiss(kind, _pick(choose, _PREFIXES) + body, tuple(nums), target)
