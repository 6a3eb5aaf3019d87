"""The project's error hierarchy.

Every error the project raises on purpose derives from :class:`CountdownError`, so a caller can
catch the project's errors without catching its own bugs. ``countdown_env`` and ``agents`` derive
their errors from these classes; ``verifiers`` imports nothing of theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verifiers._verdict import Status

__all__ = [
    "ConfigError",
    "CountdownError",
    "DependencyError",
    "ExpressionError",
    "RulesError",
]


class CountdownError(Exception):
    """Base class of every error raised on purpose by countdown-rl."""


class ConfigError(CountdownError, ValueError):
    """A configuration value is out of range; the message names the field and what is accepted."""


class RulesError(ConfigError):
    """A :class:`~verifiers.rules.Rules` field has a value the checker cannot honour."""


class DependencyError(CountdownError, ImportError):
    """An optional dependency is missing; the message gives the ``pip install`` that fixes it."""


class ExpressionError(CountdownError, ValueError):
    """An answer expression was refused; ``status`` says which rule, the message says why.

    Raised by :func:`verifiers._grammar.parse` and :func:`verifiers._evaluate.evaluate`, the
    building blocks under the checker. :func:`verifiers.verify` never raises it: it turns the
    refusal into a :class:`~verifiers._verdict.Verdict` with the same status and reason.
    """

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.status, self.reason))
