"""Exact values as integer (numerator, denominator) pairs: size limits and display.

The checker keeps values as plain ``int`` pairs in lowest terms with a positive denominator
(several times faster than :class:`fractions.Fraction` on the hot path) and builds one
``Fraction`` for the verdict.

Size: the bits of a result are at most the bits of its operands plus one, so a value never
holds more digits than the expression has characters (about 4.33 bits per character at worst).
Below :data:`UNCHECKED_LENGTH` characters no value can reach :data:`MAX_VALUE_BITS`, so the
per-operation size check is skipped; it only runs when a caller raises ``max_length``.
"""

from __future__ import annotations

__all__ = ["MAX_VALUE_BITS", "UNCHECKED_LENGTH", "format_value", "needs_size_check"]

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
