"""The one rules object shared by the checker, the solver, the generator and the environments.

Because all four read the same frozen :class:`Rules`, they can never disagree about what a legal
Countdown answer is.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from verifiers._values import show_int
from verifiers.errors import RulesError

__all__ = ["DEFAULT_RULES", "OPERATORS", "TV_RULES", "Rules"]

OPERATORS: frozenset[str] = frozenset("+-*/")
"""The binary operators Countdown knows. A rules object may allow a subset."""


@dataclass(frozen=True)
class Rules:
    """What counts as a legal Countdown answer, and the limits that keep checking cheap.

    The defaults are TinyZero's game: every number used exactly once, ``+ - * /`` with
    parentheses, exact rational arithmetic. ``TV_RULES`` is the television game: numbers used at
    most once and every intermediate result a positive integer.

    >>> Rules().exact_use
    True
    >>> Rules(operators="+*").operators
    '*+'
    >>> Rules(max_length=0)
    Traceback (most recent call last):
    ...
    verifiers.errors.RulesError: max_length must be an integer >= 1, got 0
    """

    exact_use: bool = field(
        default=True,
        metadata={"help": "Every number must be used exactly once (True) or at most once (False)."},
    )
    operators: str = field(
        default="+-*/",
        metadata={"help": "Allowed binary operators, a subset of '+-*/' (order is irrelevant)."},
    )
    integer_intermediates: bool = field(
        default=False,
        metadata={"help": "Every intermediate result must be a positive integer (TV-game rules)."},
    )
    allow_unary_minus: bool = field(
        default=False,
        metadata={"help": "Accept a leading minus on a number or parenthesised group."},
    )
    max_length: int = field(
        default=1_000,
        metadata={"help": "Longest accepted expression, in characters, checked before parsing."},
    )
    max_depth: int = field(default=64, metadata={"help": "Deepest accepted parenthesis nesting."})
    max_digits: int = field(
        default=12,
        metadata={
            "help": "Most digits accepted in one number literal that the task does not give "
            "(a number in nums, or the target after '=', is accepted at any length)."
        },
    )

    def __post_init__(self) -> None:
        ops = self.operators
        if not isinstance(ops, str) or not ops or not set(ops) <= OPERATORS:
            raise RulesError(f"operators must be a non-empty subset of '+-*/', got {ops!r}")
        object.__setattr__(self, "operators", "".join(sorted(set(ops))))
        for name in ("exact_use", "integer_intermediates", "allow_unary_minus"):
            if not isinstance(getattr(self, name), bool):
                raise RulesError(f"{name} must be a bool, got {getattr(self, name)!r}")
        for name in ("max_length", "max_depth", "max_digits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                shown = show_int(value) if isinstance(value, int) else repr(value)
                raise RulesError(f"{name} must be an integer >= 1, got {shown}")
            if type(value) is not int:
                # An exact int: rules are part of the verdict cache's key, and an int
                # subclass could hash or compare unlike the number it stands for.
                object.__setattr__(self, name, operator.index(value))

    @classmethod
    def from_kwargs(cls, rules: Rules | None = None, **overrides: Any) -> Rules:
        """Build rules from an optional base object plus field overrides.

        Unknown names raise :class:`RulesError` listing the accepted ones, so a typo such as
        ``exact_uses=False`` is never silently ignored.

        >>> Rules.from_kwargs(exact_use=False).exact_use
        False
        """
        base = DEFAULT_RULES if rules is None else rules
        if not isinstance(base, Rules):
            raise RulesError(f"rules must be a Rules instance, got {type(base).__name__}")
        if not overrides:
            return base
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise RulesError(f"unknown rule(s) {unknown}; accepted: {sorted(known)}")
        return replace(base, **overrides)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for configs, reports and dataset metadata)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rules:
        """Inverse of :meth:`to_dict`."""
        return cls.from_kwargs(**dict(data))


DEFAULT_RULES = Rules()
"""TinyZero-compatible rules: exact use, ``+ - * /``, rationals allowed in between."""

TV_RULES = Rules(exact_use=False, integer_intermediates=True)
"""The television game's rules: at most once, every intermediate a positive integer."""
