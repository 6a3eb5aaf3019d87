"""The outcome of checking one answer: :class:`Verdict` and its :class:`Status`."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from fractions import Fraction

from verifiers._values import exact_text

__all__ = ["Later", "Status", "Verdict"]


class Status(str, enum.Enum):
    """Why an answer is right or wrong. The value is the stable name used in reports and JSON.

    >>> Status.WRONG_VALUE.value
    'wrong_value'
    """

    CORRECT = "correct"
    """The expression is legal, uses the numbers as the rules demand, and equals the target."""
    NO_ANSWER = "no_answer"
    """No answer could be found in the completion (e.g. no ``<answer>`` block)."""
    MALFORMED = "malformed"
    """The answer is not a well-formed expression (unbalanced parentheses, dangling operator)."""
    FORBIDDEN = "forbidden"
    """A token or operator outside the rules: ``**``, ``//``, names, decimals, unary minus."""
    WRONG_NUMBERS = "wrong_numbers"
    """A number not in ``nums``, a number used too often, or (with ``exact_use``) one left out."""
    WRONG_VALUE = "wrong_value"
    """Legal and well-formed, but the value is not the target."""
    DIVISION_BY_ZERO = "division_by_zero"
    """Some division had a zero divisor."""
    TOO_LONG = "too_long"
    """The answer exceeds a limit (length, nesting depth, digits per number)."""
    BAD_INTERMEDIATE = "bad_intermediate"
    """With ``integer_intermediates``: some intermediate result is not a positive integer."""

    def __str__(self) -> str:
        return self.value


class Later(functools.partial):
    """A verdict field computed when first read: ``Later(build, *args)`` stands for
    ``build(*args)`` (a :func:`functools.partial`, marked for :class:`Verdict`).

    The checker passes a verdict's ``value`` and ``reason`` this way, because building a
    ``Fraction`` and a sentence costs about as much as checking a short answer, and a reward
    reads only ``correct``. Reading the field builds it once and keeps the result.

    >>> Verdict(False, Status.WRONG_VALUE, Later(Fraction, 7, 2), "7/2", "not 3").value
    Fraction(7, 2)
    """

    __slots__ = ()


@dataclass(frozen=True, init=False)
class Verdict:
    """The immutable result of checking one answer.

    Attributes:
        correct: ``True`` only for :attr:`Status.CORRECT`.
        status: why it is right or wrong.
        value: the exact value when the expression could be evaluated, else ``None``.
        expression: the expression that was checked (after extraction), or ``None``.
        reason: one human sentence saying what happened.

    A frozen dataclass with ``__slots__``: ``dataclasses.fields``, ``replace`` and ``asdict``
    work; equality, hashing, ``repr`` and pickling go by the five fields. ``value`` and
    ``reason`` may be given as :class:`Later` (built on first read).

    >>> v = Verdict(False, Status.NO_ANSWER, None, None, "No <answer> block was found.")
    >>> v.correct, str(v.status)
    (False, 'no_answer')
    """

    __slots__ = ("_reason", "_value", "correct", "expression", "status")

    correct: bool
    status: Status
    value: Fraction | None
    expression: str | None
    reason: str

    def __init__(
        self,
        correct: bool,
        status: Status,
        value: Fraction | Later | None,
        expression: str | None,
        reason: str | Later,
    ) -> None:
        # The slots are filled through their own descriptors: the frozen __setattr__ refuses
        # assignment, and object.__setattr__ per field (the dataclass way) costs about twice
        # as much for the one verdict the checker builds per answer.
        _set_correct(self, correct)
        _set_status(self, status)
        _set_value(self, value)
        _set_expression(self, expression)
        _set_reason(self, reason)

    def __bool__(self) -> bool:
        return self.correct

    def __reduce__(self) -> tuple[object, ...]:
        # Slots plus a frozen __setattr__ defeat pickle's default; rebuild through __init__.
        return (Verdict, (self.correct, self.status, self.value, self.expression, self.reason))

    def __repr__(self) -> str:
        # The dataclass's own repr, except that a value past CPython's 4,300-digit int-to-str
        # limit is shown abbreviated instead of raising ValueError.
        value = self.value
        try:
            shown = repr(value)
        except ValueError:
            shown = f"Fraction({exact_text(value)})"  # type: ignore[arg-type]
        return (
            f"Verdict(correct={self.correct!r}, status={self.status!r}, value={shown}, "
            f"expression={self.expression!r}, reason={self.reason!r})"
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; ``value`` becomes a string such as ``'7/2'`` or ``None`` (a part
        past CPython's 4,300-digit limit is abbreviated, see :func:`~verifiers._values.exact_text`).

        >>> Verdict(False, Status.WRONG_VALUE, Fraction(7, 2), "7/2", "not 3").to_dict()["value"]
        '7/2'
        """
        value = self.value
        return {
            "correct": self.correct,
            "status": self.status.value,
            "value": None if value is None else exact_text(value),
            "expression": self.expression,
            "reason": self.reason,
        }


_set_correct = Verdict.__dict__["correct"].__set__
_set_status = Verdict.__dict__["status"].__set__
_set_expression = Verdict.__dict__["expression"].__set__
_get_value, _set_value = Verdict.__dict__["_value"].__get__, Verdict.__dict__["_value"].__set__
_get_reason, _set_reason = Verdict.__dict__["_reason"].__get__, Verdict.__dict__["_reason"].__set__


def _read_value(self: Verdict) -> Fraction | None:
    item = _get_value(self)
    if type(item) is Later:
        item = item()
        _set_value(self, item)
    return item


def _read_reason(self: Verdict) -> str:
    item = _get_reason(self)
    if type(item) is Later:
        item = item()
        _set_reason(self, item)
    return item


# Installed after @dataclass, so that the dataclass sees two plain fields (no defaults) and its
# __eq__, __hash__ and fields() go through these properties.
Verdict.value = property(  # type: ignore[assignment]
    _read_value, doc="The exact value when the expression could be evaluated, else ``None``."
)
Verdict.reason = property(  # type: ignore[assignment]
    _read_reason, doc="One human sentence saying what happened."
)
