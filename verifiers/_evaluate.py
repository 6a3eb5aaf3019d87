"""Exact evaluation: of answer text, and of a :class:`~verifiers._grammar.Parsed` postfix program.

The arithmetic and its checks are :mod:`verifiers.arithmetic`'s, shared with the grammar, the
solver, the generator and the step game; the result is a :class:`fractions.Fraction`, so
``1/3*3`` is exactly 1 and nothing is compared within a tolerance.

>>> evaluate("6 / (1 - 3/4)")
Fraction(24, 1)
"""

from __future__ import annotations

from fractions import Fraction
from typing import cast

from verifiers._grammar import Parsed, check_length, run_unchecked
from verifiers._values import show_repr
from verifiers._verdict import Status
from verifiers.arithmetic import Value, calculate, negate, refusal
from verifiers.errors import ExpressionError
from verifiers.rules import DEFAULT_RULES, TV_RULES, Rules

__all__ = ["evaluate", "evaluate_postfix"]


def evaluate_postfix(
    postfix: list[int | str] | tuple[int | str, ...], *, integer_intermediates: bool = False
) -> tuple[int, int]:
    """Evaluate a postfix program exactly; returns ``(numerator, denominator)`` in lowest terms.

    Args:
        postfix: items as produced by :func:`verifiers._grammar.parse` (``int`` literals and
            the operators ``"+" "-" "*" "/" "neg"``).
        integer_intermediates: every operation's result must be a positive integer.

    Raises:
        ExpressionError: ``division_by_zero``, ``bad_intermediate``, ``too_long`` (a value past
            :data:`~verifiers._values.MAX_VALUE_BITS`) or ``malformed`` (not a valid program).

    >>> evaluate_postfix([1, 3, "/", 3, "*"])
    (1, 1)
    """
    rules = TV_RULES if integer_intermediates else DEFAULT_RULES
    stack: list[Value] = []
    for item in postfix:
        if type(item) is int:
            stack.append(item)
            continue
        if len(stack) < (1 if item == "neg" else 2) or item not in ("+", "-", "*", "/", "neg"):
            raise ExpressionError(
                Status.MALFORMED, f"not a valid postfix program at {show_repr(item)}"
            )
        b = stack.pop()
        if item == "neg":
            value, refused = negate(b, rules)
        else:
            a = stack.pop()
            refused = refusal(item, a, b, rules)
            value = 0 if refused is not None else calculate(item, a, b)
        if refused is not None:
            raise ExpressionError(*refused)
        stack.append(value)
    if len(stack) != 1:
        raise ExpressionError(Status.MALFORMED, "not a valid postfix program (operands left)")
    value = stack[0]
    if type(value) is int:
        return value, 1
    return value.numerator, value.denominator


def evaluate(expression: str | Parsed, rules: Rules = DEFAULT_RULES) -> Fraction:
    """The exact value of an expression (text or :class:`~verifiers._grammar.Parsed`).

    Number use is not checked (see :func:`verifiers.verify_equation`);
    ``rules.integer_intermediates`` is honoured. A trailing ``= N`` is ignored here.

    Raises:
        TypeError: ``expression`` is neither ``str`` nor ``Parsed``.
        ExpressionError: the expression is refused or cannot be evaluated.

    >>> evaluate("1/3*3")
    Fraction(1, 1)
    >>> evaluate("7/0")
    Traceback (most recent call last):
    ...
    verifiers.errors.ExpressionError: division by zero (7 / 0)
    """
    n: int | None  # None after a division by zero, which is then the failure
    if isinstance(expression, Parsed):
        n, d = evaluate_postfix(
            expression.postfix, integer_intermediates=rules.integer_intermediates
        )
        return Fraction(n, d)
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a str or Parsed, got {type(expression).__name__}")
    check_length(expression, rules)
    n, d, _used, _claimed, failure = run_unchecked(expression, rules)
    if failure is not None:
        raise ExpressionError(*failure)
    return Fraction(cast(int, n), d)
