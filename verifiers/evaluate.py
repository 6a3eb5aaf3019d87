"""Exact evaluation: of answer text, and of a :class:`~verifiers.grammar.Parsed` postfix program.

Values are plain ``int`` (numerator, denominator) pairs in lowest terms with a positive
denominator while computing (see :mod:`verifiers.values`); the result is a
:class:`fractions.Fraction`, so ``1/3*3`` is exactly 1 and nothing is compared within a
tolerance.

>>> evaluate("6 / (1 - 3/4)")
Fraction(24, 1)
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

from verifiers.errors import ExpressionError
from verifiers.grammar import Parsed, run_unchecked
from verifiers.rules import DEFAULT_RULES, Rules
from verifiers.values import MAX_VALUE_BITS, format_value, show_repr
from verifiers.verdict import Status

__all__ = ["evaluate", "evaluate_postfix"]


def evaluate_postfix(
    postfix: list[int | str] | tuple[int | str, ...], *, integer_intermediates: bool = False
) -> tuple[int, int]:
    """Evaluate a postfix program exactly; returns ``(numerator, denominator)`` in lowest terms.

    Args:
        postfix: items as produced by :func:`verifiers.grammar.parse` (``int`` literals and
            the operators ``"+" "-" "*" "/" "neg"``).
        integer_intermediates: every operation's result must be a positive integer.

    Raises:
        ExpressionError: ``division_by_zero``, ``bad_intermediate``, ``too_long`` (a value past
            :data:`~verifiers.values.MAX_VALUE_BITS`) or ``malformed`` (not a valid program).

    >>> evaluate_postfix([1, 3, "/", 3, "*"])
    (1, 1)
    """
    stack: list[tuple[int, int]] = []
    for item in postfix:
        if type(item) is int:
            stack.append((item, 1))
            continue
        if len(stack) < (1 if item == "neg" else 2) or item not in ("+", "-", "*", "/", "neg"):
            raise ExpressionError(
                Status.MALFORMED, f"not a valid postfix program at {show_repr(item)}"
            )
        bn, bd = stack.pop()
        if item == "neg":
            n, d = -bn, bd
            an, ad = 0, 1
        else:
            an, ad = stack.pop()
            if item == "+":
                n, d = an * bd + bn * ad, ad * bd
            elif item == "-":
                n, d = an * bd - bn * ad, ad * bd
            elif item == "*":
                n, d = an * bn, ad * bd
            elif bn == 0:
                raise ExpressionError(
                    Status.DIVISION_BY_ZERO, f"division by zero ({format_value(an, ad)} / 0)"
                )
            else:
                n, d = an * bd, ad * bn
            if d < 0:
                n, d = -n, -d
            g = gcd(n, d)
            n, d = n // g, d // g
        if n.bit_length() > MAX_VALUE_BITS or d.bit_length() > MAX_VALUE_BITS:
            raise ExpressionError(
                Status.TOO_LONG,
                f"an intermediate value exceeds {MAX_VALUE_BITS} bits (about 3,000 digits)",
            )
        if integer_intermediates and (d != 1 or n <= 0):
            raise ExpressionError(
                Status.BAD_INTERMEDIATE,
                f"the intermediate result {format_value(an, ad)} {item} {format_value(bn, bd)} "
                f"= {format_value(n, d)} is not a positive integer (integer_intermediates=True)",
            )
        stack.append((n, d))
    if len(stack) != 1:
        raise ExpressionError(Status.MALFORMED, "not a valid postfix program (operands left)")
    return stack[0]


def evaluate(expression: str | Parsed, rules: Rules = DEFAULT_RULES) -> Fraction:
    """The exact value of an expression (text or :class:`~verifiers.grammar.Parsed`).

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
    if isinstance(expression, Parsed):
        n, d = evaluate_postfix(
            expression.postfix, integer_intermediates=rules.integer_intermediates
        )
        return Fraction(n, d)
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a str or Parsed, got {type(expression).__name__}")
    if len(expression) > rules.max_length:
        raise ExpressionError(
            Status.TOO_LONG,
            f"the expression has {len(expression)} characters, more than the limit of "
            f"{rules.max_length} (max_length)",
        )
    n, d, _used, _claimed, failure = run_unchecked(expression, rules)
    if failure is not None:
        raise ExpressionError(*failure)
    return Fraction(n, d)
