"""The outcome of checking one answer: :class:`Verdict` and its :class:`Status`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Status", "Verdict"]


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


@dataclass(frozen=True, slots=True)
class Verdict:
    """The immutable result of checking one answer.

    Attributes:
        correct: ``True`` only for :attr:`Status.CORRECT`.
        status: why it is right or wrong.
        value: the exact value when the expression could be evaluated, else ``None``.
        expression: the expression that was checked (after extraction), or ``None``.
        reason: one human sentence saying what happened.

    >>> v = Verdict(False, Status.NO_ANSWER, None, None, "No <answer> block was found.")
    >>> v.correct, str(v.status)
    (False, 'no_answer')
    """

    correct: bool
    status: Status
    value: Fraction | None
    expression: str | None
    reason: str

    def __bool__(self) -> bool:
        return self.correct

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; ``value`` becomes a string such as ``'7/2'`` or ``None``."""
        return {
            "correct": self.correct,
            "status": self.status.value,
            "value": None if self.value is None else str(self.value),
            "expression": self.expression,
            "reason": self.reason,
        }


_SETTERS = tuple(
    Verdict.__dict__[name].__set__
    for name in ("correct", "status", "value", "expression", "reason")
)


def _fast_verdict(
    correct: bool, status: Status, value: Fraction | None, expression: str | None, reason: str
) -> Verdict:
    """Build a :class:`Verdict` through its slot descriptors, for the checker's hot path.

    Same result as ``Verdict(...)`` in half the time: the frozen dataclass ``__init__`` goes
    through ``object.__setattr__`` once per field, and the checker builds one verdict per call.
    Only for callers that pass the right types (the package's own checker).
    """
    verdict = object.__new__(Verdict)
    set_correct, set_status, set_value, set_expression, set_reason = _SETTERS
    set_correct(verdict, correct)
    set_status(verdict, status)
    set_value(verdict, value)
    set_expression(verdict, expression)
    set_reason(verdict, reason)
    return verdict
