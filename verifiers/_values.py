"""Exact values: size limits and display.

The arithmetic itself is :mod:`verifiers.arithmetic`'s. The checker's fast path keeps values as
plain ``int`` (numerator, denominator) pairs (several times faster than
:class:`fractions.Fraction`) and gives the verdict one ``Fraction``.

Size: the bits of a result are at most the bits of its operands plus one, so a value never
holds more digits than the expression has characters (about 4.33 bits per character at worst).
Below :data:`UNCHECKED_LENGTH` characters no value can reach :data:`MAX_VALUE_BITS`, so the
per-operation size check is skipped; it only runs when a caller raises ``max_length``.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

__all__ = [
    "MAX_VALUE_BITS",
    "UNCHECKED_LENGTH",
    "exact_text",
    "format_value",
    "needs_size_check",
    "show_int",
    "show_repr",
]

MAX_VALUE_BITS = 10_000
"""Largest numerator or denominator (in bits, about 3,000 digits) an intermediate may reach.

A longer value makes the answer ``too_long``. It keeps the work per answer linear in its length
even with a raised ``max_length``, and keeps values printable under CPython's 4,300-digit
int-to-str limit."""

UNCHECKED_LENGTH = 2_000
"""Expressions up to this many characters cannot reach :data:`MAX_VALUE_BITS`."""


def needs_size_check(expression: str) -> bool:
    """Whether an expression is long enough that its values could reach :data:`MAX_VALUE_BITS`.

    >>> needs_size_check("25 * 4")
    False
    """
    return len(expression) > UNCHECKED_LENGTH


def format_value(numerator: int, denominator: int = 1, limit: int = 40) -> str:
    """A value for a human sentence: ``'7/2'``, ``'-3'``; long ones shortened to ``limit`` chars.

    >>> format_value(7, 2)
    '7/2'
    """
    if numerator.bit_length() > 4 * limit or denominator.bit_length() > 4 * limit:
        digits = round((numerator.bit_length() + denominator.bit_length()) * 0.30103)
        return f"a number of about {digits} digits"
    text = str(numerator) if denominator == 1 else f"{numerator}/{denominator}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


_HUGE_BITS = 1_000_000
"""Beyond this many bits even the leading digits cost too much to compute for a message."""


def _digit_count(number: int) -> int:
    """Decimal digits of ``number > 0``, without ``str`` (which CPython limits to 4,300)."""
    digits = int((number.bit_length() - 1) * math.log10(2)) + 1
    while number >= 10**digits:
        digits += 1
    return digits


def show_int(number: int, limit: int = 60) -> str:
    """An integer for a message: in full up to ``limit`` digits, else ``'1000...000 (5001
    digits)'``. Never raises, whatever the size (``str`` refuses over 4,300 digits).

    >>> show_int(-42), show_int(10**5000)
    ('-42', '1000...000 (5001 digits)')
    """
    size = abs(number)
    if size.bit_length() <= 3 * limit:  # at most 0.91 * limit digits: str() is safe
        return str(number)
    sign = "-" if number < 0 else ""
    if size.bit_length() > _HUGE_BITS:
        return f"{sign}a number of about {round(size.bit_length() * math.log10(2))} digits"
    digits = _digit_count(size)
    if digits <= limit:
        return str(number)
    head, tail = size // 10 ** (digits - 4), size % 1000
    return f"{sign}{head}...{tail:03d} ({digits} digits)"


def exact_text(value: Fraction | int) -> str:
    """``str(value)`` (``'7/2'``), or :func:`show_int`'s short form for a part beyond CPython's
    int-to-str limit, where ``str`` would raise ``ValueError``.

    >>> exact_text(Fraction(7, 2)), exact_text(Fraction(10**5000, 3))
    ('7/2', '1000...000 (5001 digits)/3')
    """
    try:
        return str(value)
    except ValueError:
        value = Fraction(value)
        top, bottom = value.numerator, value.denominator
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
        text = show_int(top, limit)
        return text if bottom == 1 else f"{text}/{show_int(bottom, limit)}"


def show_repr(item: object, limit: int = 60) -> str:
    """``repr(item)`` for an error message, at most ``limit`` characters plus a note; ints
    through :func:`show_int`. Never raises ``ValueError`` on a huge number inside ``item``.

    >>> show_repr(10**5000), show_repr("x" * 100, limit=10)
    ('1000...000 (5001 digits)', "'xxxxxxxx... (102 characters)")
    """
    if type(item) is int:
        return show_int(item, limit)
    try:
        text = repr(item)
    except ValueError:  # CPython's int-to-str limit, inside a container or a Fraction
        return f"a {type(item).__name__} too large to print"
    return text if len(text) <= limit else f"{text[: limit - 1]}... ({len(text)} characters)"
