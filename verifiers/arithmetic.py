"""The arithmetic of one :class:`~verifiers.rules.Rules` object, in one place.

Every part of the project that computes with Countdown numbers uses this module: the checker's
general path (:mod:`verifiers._grammar`, :mod:`verifiers._evaluate`), the solver's search, the
task generator and the step game. So "what does ``a op b`` make, and do the rules allow it?"
has one answer. (The checker's fast path, :mod:`verifiers._fastpath`, keeps its own inlined loop
for speed; ``tests/verifiers/test_fastpath.py`` holds it to the general path, hence to this
module.)

Values are exact: a :data:`Value` is an ``int`` when whole, else a
:class:`fractions.Fraction` (never a ``Fraction`` with denominator 1, so equal values hash and
compare equal in the solver's tables).

The rules' checks on one operation, in the order the checker applies them:

* a division by zero is refused (:data:`~verifiers._verdict.Status.DIVISION_BY_ZERO`);
* a result past :data:`~verifiers._values.MAX_VALUE_BITS` is refused
  (:data:`~verifiers._verdict.Status.TOO_LONG`; only checked where values can get that big);
* with ``integer_intermediates`` (the TV game) every result must be a positive integer
  (:data:`~verifiers._verdict.Status.BAD_INTERMEDIATE`).

:func:`combine` answers with a value or ``None`` (no allocation, for the solver's and the
generator's loops); :func:`refusal` words why, exactly as a :class:`~verifiers._verdict.Verdict`
says it.

>>> from verifiers.rules import TV_RULES
>>> combine("/", 7, 2)
Fraction(7, 2)
>>> combine("/", 7, 2, TV_RULES) is None
True
>>> refusal("/", 7, 2, TV_RULES).reason
'the intermediate result 7 / 2 = 7/2 is not a positive integer (integer_intermediates=True)'
>>> moves(6, 3, TV_RULES)
[(9, '+', True), (18, '*', True), (3, '-', True), (2, '/', True)]
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from verifiers._values import MAX_VALUE_BITS, format_value
from verifiers._verdict import Status
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = [
    "TOO_BIG_REASON",
    "Refusal",
    "Value",
    "bad_intermediate",
    "calculate",
    "combine",
    "divide",
    "division_by_zero",
    "exact",
    "fits_rules",
    "forbidden_operator",
    "moves",
    "negate",
    "refusal",
    "show_value",
    "too_big",
]

Value = int | Fraction
"""An exact value: ``int`` when whole, else a ``Fraction`` (denominator > 1)."""

TOO_BIG_REASON = f"an intermediate value exceeds {MAX_VALUE_BITS} bits (about 3,000 digits)"
"""The checker's reason for a value past :data:`~verifiers._values.MAX_VALUE_BITS`."""


class Refusal(NamedTuple):
    """Why the rules refuse an operation: a verdict status and the verdict's reason sentence."""

    status: Status
    reason: str


def exact(value: Value) -> Value:
    """``value`` with a whole ``Fraction`` turned into an ``int``.

    >>> exact(Fraction(6, 3)), exact(Fraction(1, 2))
    (2, Fraction(1, 2))
    """
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def divide(a: Value, b: Value) -> Value:
    """``a / b`` exactly (``b != 0``): an ``int`` when it divides, else a ``Fraction``.

    >>> divide(12, 4), divide(3, 4)
    (3, Fraction(3, 4))
    """
    if type(a) is int and type(b) is int:  # the solver's commonest case, without a call
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    return calculate("/", a, b)


def calculate(op: str, a: Value, b: Value) -> Value:
    """``a op b`` exactly, whatever the rules; ``op`` is one of ``+ - * /``.

    A fraction operand is computed on its integer numerator and denominator and one
    ``Fraction`` is built for a result that is not whole (two to four times faster than
    ``Fraction``'s own operators, which matters to the checker's general path).

    Raises:
        ZeroDivisionError: ``op`` is ``/`` and ``b`` is zero.

    >>> calculate("-", 3, 5), calculate("*", Fraction(1, 3), 3)
    (-2, 1)
    """
    if type(a) is int and type(b) is int:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    an, ad = (a, 1) if type(a) is int else (a.numerator, a.denominator)
    bn, bd = (b, 1) if type(b) is int else (b.numerator, b.denominator)
    if op == "+":
        n, d = an * bd + bn * ad, ad * bd
    elif op == "-":
        n, d = an * bd - bn * ad, ad * bd
    elif op == "*":
        n, d = an * bn, ad * bd
    else:
        n, d = an * bd, ad * bn
    q, r = divmod(n, d)  # ZeroDivisionError for a zero divisor, as Fraction raises
    return q if r == 0 else Fraction(n, d)


def fits_rules(value: Value, rules: Rules) -> bool:
    """Whether ``value`` may be an intermediate result under ``rules`` (a positive integer
    under ``integer_intermediates``; anything otherwise)."""
    return not rules.integer_intermediates or (type(value) is int and value > 0)


def too_big(value: Value) -> bool:
    """Whether a part of ``value`` is longer than :data:`~verifiers._values.MAX_VALUE_BITS`."""
    if type(value) is int:
        return value.bit_length() > MAX_VALUE_BITS
    return max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_VALUE_BITS


def combine(op: str, a: Value, b: Value, rules: Rules = DEFAULT_RULES) -> Value | None:
    """``a op b`` when ``rules`` allow the operation, else ``None``.

    Refused: an operator the rules do not allow, a division by zero, and under
    ``integer_intermediates`` a result that is not a positive integer. (The value-size limit
    is the checker's concern, see :func:`too_big`: one operation on task-sized numbers never
    reaches it.)

    >>> from verifiers.rules import TV_RULES
    >>> combine("-", 3, 5), combine("-", 3, 5, TV_RULES)
    (-2, None)
    """
    if op not in rules.operators or (op == "/" and not b):
        return None
    value = calculate(op, a, b)
    if rules.integer_intermediates and (type(value) is not int or value <= 0):
        return None
    return value


def show_value(value: Value) -> str:
    """A value as the checker's sentences show it: ``'7/2'``, ``'-3'``, long ones shortened."""
    if type(value) is int:
        return format_value(value)
    return format_value(value.numerator, value.denominator)


def refusal(op: str, a: Value, b: Value, rules: Rules = DEFAULT_RULES) -> Refusal | None:
    """Why ``rules`` refuse ``a op b`` (worded as the checker's verdicts), or ``None``.

    The checks are :func:`combine`'s plus the value-size limit; an operator outside
    ``rules.operators`` is :data:`~verifiers._verdict.Status.FORBIDDEN`.

    >>> refusal("/", 5, 0)
    Refusal(status=<Status.DIVISION_BY_ZERO: 'division_by_zero'>, reason='division by zero (5 / 0)')
    >>> refusal("+", 2, 3) is None
    True
    """
    if op not in rules.operators:
        return forbidden_operator(op, rules)
    if op == "/" and not b:
        return division_by_zero(a)
    value = calculate(op, a, b)
    if too_big(value):
        return Refusal(Status.TOO_LONG, TOO_BIG_REASON)
    if not fits_rules(value, rules):
        return bad_intermediate(op, a, b, value)
    return None


def negate(value: Value, rules: Rules = DEFAULT_RULES) -> tuple[Value, Refusal | None]:
    """``-value`` (unary minus) and the rules' refusal of it, if any.

    Under ``integer_intermediates`` a negation is always refused: ``-x`` is positive only for a
    negative ``x``, which that rule never lets through.

    >>> from verifiers.rules import TV_RULES
    >>> negate(5)
    (-5, None)
    >>> negate(5, TV_RULES)[1].reason
    'the negation -(5) is not a positive integer (integer_intermediates=True)'
    """
    if rules.integer_intermediates:
        return -value, Refusal(
            Status.BAD_INTERMEDIATE,
            f"the negation -({show_value(value)}) is not a positive integer "
            "(integer_intermediates=True)",
        )
    return -value, None


def forbidden_operator(op: str, rules: Rules) -> Refusal:
    """The checker's refusal of an operator outside ``rules.operators``."""
    return Refusal(
        Status.FORBIDDEN,
        f"{_OPERATOR_NAMES[op]} ({op}) is not allowed by these rules "
        f"(operators={rules.operators!r})",
    )


def division_by_zero(a: Value) -> Refusal:
    """The checker's refusal of ``a / 0``."""
    return Refusal(Status.DIVISION_BY_ZERO, f"division by zero ({show_value(a)} / 0)")


def bad_intermediate(op: str, a: Value, b: Value, value: Value) -> Refusal:
    """The checker's refusal of ``a op b = value`` under ``integer_intermediates``."""
    return Refusal(
        Status.BAD_INTERMEDIATE,
        f"the intermediate result {show_value(a)} {op} {show_value(b)} = "
        f"{show_value(value)} is not a positive integer (integer_intermediates=True)",
    )


def moves(a: Value, b: Value, rules: Rules = DEFAULT_RULES) -> list[tuple[Value, str, bool]]:
    """Every operation on the pair ``a``, ``b`` (in either order) that ``rules`` allow.

    Returns ``(value, op, a_first)`` triples; ``a_first`` says whether ``a`` is the left
    operand. ``+`` and ``*`` come once (``a`` first); ``-`` and ``/`` in both orders, except
    that under ``integer_intermediates`` a swap that gives an equal result (``a == b``) is
    left out. Order: ``+``, ``*``, ``-``, ``/``.

    >>> moves(2, 4, Rules(operators="-/"))
    [(-2, '-', True), (2, '-', False), (Fraction(1, 2), '/', True), (2, '/', False)]
    """
    out: list[tuple[Value, str, bool]] = []
    for op in "+*-/":
        value = combine(op, a, b, rules)
        if value is not None:
            out.append((value, op, True))
        if op in "-/" and not (rules.integer_intermediates and a == b):
            value = combine(op, b, a, rules)
            if value is not None:
                out.append((value, op, False))
    return out


_OPERATOR_NAMES = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division"}
