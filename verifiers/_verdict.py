"""The outcome of checking one answer: :class:`Verdict` and its :class:`Status`."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass
from fractions import Fraction
from operator import attrgetter
from typing import Any

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


@dataclass(init=False, repr=False, eq=True, unsafe_hash=True)
class Verdict:
    """The immutable result of checking one answer.

    Attributes:
        correct: ``True`` only for :attr:`Status.CORRECT`.
        status: why it is right or wrong.
        value: the exact value when the expression could be evaluated, else ``None``.
        expression: the expression that was checked (after extraction), or ``None``.
        reason: one human sentence saying what happened.

    A dataclass whose fields are read-only: assigning or deleting one raises
    :class:`dataclasses.FrozenInstanceError`, as on a frozen dataclass, and there is no room for
    other attributes. ``dataclasses.fields``, ``replace`` and ``asdict`` work; equality, hashing,
    ``repr`` and pickling go by the five fields. ``value`` and ``reason`` may be given as
    :class:`Later` (built on first read).

    >>> v = Verdict(False, Status.NO_ANSWER, None, None, "No <answer> block was found.")
    >>> v.correct, str(v.status)
    (False, 'no_answer')
    """

    # Each field is kept in a private slot and read through a property without a setter (see
    # the end of this module). Why not @dataclass(frozen=True): its __setattr__ makes every
    # store in __init__ a descriptor call, which more than doubles the cost of the one verdict
    # the checker builds per answer (0.43 against 0.18 us, benchmarks/bench_verifiers.py).
    __slots__ = ("_correct", "_expression", "_reason", "_status", "_value")

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
        self._correct = correct
        self._status = status
        self._value = value
        self._expression = expression
        self._reason = reason

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


def _read_value(self: Verdict) -> Fraction | None:
    item = self._value
    if isinstance(item, Later):
        item = self._value = item()
    return item


def _read_reason(self: Verdict) -> str:
    item = self._reason
    if isinstance(item, Later):
        item = self._reason = item()
    return item


def _read_only(name: str, getter: Callable[[Verdict], Any], doc: str) -> property:
    def refuse(self: Verdict, *value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    return property(getter, refuse, refuse, doc)


# Installed after @dataclass, so that the dataclass sees five plain fields (no defaults) and its
# __eq__, __hash__ and fields() go through these properties.
Verdict.correct = _read_only(  # type: ignore[assignment]
    "correct", attrgetter("_correct"), "``True`` only for :attr:`Status.CORRECT`."
)
Verdict.status = _read_only(  # type: ignore[assignment]
    "status", attrgetter("_status"), "Why the answer is right or wrong."
)
Verdict.value = _read_only(  # type: ignore[assignment]
    "value", _read_value, "The exact value when the expression could be evaluated, else ``None``."
)
Verdict.expression = _read_only(  # type: ignore[assignment]
    "expression", attrgetter("_expression"), "The expression that was checked, or ``None``."
)
Verdict.reason = _read_only(  # type: ignore[assignment]
    "reason", _read_reason, "One human sentence saying what happened."
)
