"""Reimplemented baseline checkers, for timing comparisons only (never for rewards).

Written from the published behaviour of each project (see shared/docs/anchors.md), not copied.
They keep the baselines' defects on purpose, because those are what the comparison is about:
``eval`` on model text, float tolerance, only the last line searched.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "reasoning_gym_score",
    "sympy_available",
    "tinyzero_check_equation",
    "tinyzero_compute_score",
]

_ANSWER = re.compile(r"<answer>(.*?)</answer>")
_ALLOWED = re.compile(r"^[\d+\-*/().\s]+$")
_NUMBER = re.compile(r"\d+")


def _tinyzero_numbers_ok(equation: str, nums: list[int]) -> bool:
    return sorted(int(n) for n in _NUMBER.findall(equation)) == sorted(nums)


def _tinyzero_evaluate(equation: str) -> float:
    if not _ALLOWED.match(equation):
        raise ValueError("characters outside the allow-list")
    return eval(equation, {"__builtins__": None}, {})  # the baseline's own method


def tinyzero_check_equation(equation: str, nums: list[int], target: int) -> bool:
    """TinyZero's bare-expression path: sorted ``\\d+`` check, allow-list regex, ``eval``,
    ``abs(result - target) < 1e-5``; any exception means "wrong"."""
    try:
        if not _tinyzero_numbers_ok(equation, nums):
            return False
        return abs(_tinyzero_evaluate(equation) - target) < 1e-5
    except Exception:  # the baseline swallows everything, including its own bugs
        return False


def tinyzero_compute_score(
    completion: str, nums: list[int], target: int, format_score: float = 0.1, score: float = 1.0
) -> float:
    """TinyZero's reward: only the LAST LINE is searched for ``<answer>`` (its defect), then
    0 / ``format_score`` / ``score``."""
    last_line = completion.split("\n")[-1]
    matches = list(_ANSWER.finditer(last_line))
    if not matches:
        return 0.0
    equation = matches[-1].group(1).strip()
    return score if tinyzero_check_equation(equation, nums, target) else format_score


def sympy_available() -> bool:
    try:
        import sympy  # noqa: F401
    except ImportError:
        return False
    return True


def reasoning_gym_score(answer: str | None, nums: list[int], target: int) -> float:
    """reasoning-gym's countdown scorer: numbers checked as a multiset of ``\\d+`` matches,
    then ``sympy.parse_expr`` (which calls ``eval``) and a relative float tolerance; missing
    0.01, wrong 0.05, correct 1.0, any exception 0.01."""
    from sympy.parsing.sympy_parser import parse_expr

    if answer is None:
        return 0.01
    try:
        if sorted(int(n) for n in _NUMBER.findall(answer)) != sorted(nums):
            return 0.05
        value = float(parse_expr(answer))
        return 1.0 if math.isclose(value, target, rel_tol=1e-5) else 0.05
    except Exception:  # as the baseline does: every exception becomes the low reward
        return 0.01
