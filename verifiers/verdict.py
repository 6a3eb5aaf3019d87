"""The outcome of checking one answer: :class:`Verdict` and its :class:`Status`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verifiers.values import exact_text

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


@dataclass(frozen=True)
class Verdict:
    """The immutable result of checking one answer.

    Attributes:
        correct: ``True`` only for :attr:`Status.CORRECT`.
        status: why it is right or wrong.
        value: the exact value when the expression could be evaluated, else ``None``.
        expression: the expression that was checked (after extraction), or ``None``.
        reason: one human sentence saying what happened.

    A frozen dataclass (``dataclasses.fields``, ``replace`` and ``asdict`` work; equality,
    hashing, ``repr`` and pickling go by the five fields). ``value`` and ``reason`` are
    properties over private slots: the checker stores them as a recipe (``(build, *args)``) that
    runs once, on first access, because building a ``Fraction`` and a sentence for every answer
    cost about as much as checking it, and most callers (rewards) only read ``correct``.

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
        past CPython's 4,300-digit limit is abbreviated, see :func:`~verifiers.values.exact_text`).

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


_VALUE_SLOT = Verdict.__dict__["_value"]
_REASON_SLOT = Verdict.__dict__["_reason"]


def _given(item: object) -> object:
    """The recipe for a tuple passed to the public constructor: return it unchanged."""
    return item


def _lazy_property(slot: Any, doc: str) -> property:
    """A read-only field over ``slot``, which holds the field's object or a pending recipe.

    A recipe is a ``tuple`` ``(build, *args)``; the first read calls ``build(*args)`` and keeps
    the result in the slot (a cache; the verdict's meaning never changes). The setter is only
    reached from the dataclass ``__init__`` (``object.__setattr__``); it wraps a tuple so that
    it is kept as given, never taken for a recipe.
    """
    get, put = slot.__get__, slot.__set__

    def read(self: Verdict) -> Any:
        item = get(self)
        if type(item) is tuple:
            item = item[0](*item[1:])
            if type(item) is not tuple:
                put(self, item)
        return item

    def write(self: Verdict, item: object) -> None:
        put(self, (_given, item) if type(item) is tuple else item)

    return property(read, write, doc=doc)


# Installed after @dataclass so the dataclass still sees (and its __init__, __eq__, __hash__,
# __repr__ use) the five public fields.
Verdict.value = _lazy_property(  # type: ignore[misc, assignment]
    _VALUE_SLOT, "The exact value when the expression could be evaluated, else ``None``."
)
Verdict.reason = _lazy_property(  # type: ignore[misc, assignment]
    _REASON_SLOT, "One human sentence saying what happened."
)


class _Blank:
    """A mutable twin of :class:`Verdict`'s slot layout, used only inside :func:`_fast_verdict`.

    Filling plain slots is a single bytecode each, where filling the frozen class's slots needs
    a descriptor call each; the finished object then becomes a ``Verdict`` by ``__class__``
    assignment, which Python allows between classes with the same slots. Nothing else ever
    sees a ``_Blank``.
    """

    __slots__ = Verdict.__slots__
    correct: bool
    status: Status
    _value: object
    expression: str | None
    _reason: object


def _fast_verdict(
    correct: bool,
    status: Status,
    value: Fraction | tuple[Any, ...] | None,
    expression: str | None,
    reason: str | tuple[Any, ...],
) -> Verdict:
    """Build a :class:`Verdict` without its ``__init__``, for the checker's hot path.

    ``value`` and ``reason`` may be recipes ``(build, *args)``, built on first access (for
    example ``(Fraction, 7, 2)``). Same result as ``Verdict(...)`` in a fifth of the time: the
    frozen dataclass ``__init__`` goes through ``object.__setattr__`` and the properties once
    per field. Only for callers that pass the right types (the package's own checker).

    >>> _fast_verdict(False, Status.WRONG_VALUE, (Fraction, 7, 2), "7/2", "not 3").value
    Fraction(7, 2)
    """
    verdict = _new(_Blank)
    verdict.correct = correct
    verdict.status = status
    verdict._value = value
    verdict.expression = expression
    verdict._reason = reason
    verdict.__class__ = Verdict  # type: ignore[assignment]
    return verdict  # type: ignore[return-value]


_new = object.__new__
