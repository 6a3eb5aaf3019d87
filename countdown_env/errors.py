"""Errors raised on purpose by :mod:`countdown_env`, all under ``verifiers.errors.CountdownError``.

A caller can catch ``CountdownError`` (or the built-in base each one also derives from, such as
``ValueError``) without catching the project's own bugs.
"""

from __future__ import annotations

from verifiers.errors import ConfigError, CountdownError

__all__ = [
    "InvalidActionError",
    "OutputError",
    "OutputExistsError",
    "TaskError",
    "TaskSpaceExhaustedError",
]


class TaskError(ConfigError):
    """A task is malformed (``nums`` not a list of non-negative integers, ``target`` not an int),
    or cannot be used where it was given (for example unsolvable under an environment's rules)."""


class TaskSpaceExhaustedError(ConfigError):
    """More distinct tasks were asked for than the generator configuration can produce."""


class InvalidActionError(CountdownError, ValueError, TypeError):
    """An environment action is not a ``str`` (bad strings are scored, not raised; see each env)."""


class OutputExistsError(CountdownError, FileExistsError):
    """An output path already exists and overwriting was not asked for."""


class OutputError(CountdownError, OSError):
    """An output file cannot be written where it was asked for (missing or read-only folder,
    a directory in the way); the message names the path asked for."""
