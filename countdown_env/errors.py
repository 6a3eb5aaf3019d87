"""Errors raised on purpose by :mod:`countdown_env`, all under ``verifiers.errors.CountdownError``.

A caller can catch ``CountdownError`` (or the built-in base each one also derives from, such as
``ValueError``) without catching the project's own bugs.
"""

from __future__ import annotations

from collections.abc import Callable

from verifiers.errors import ConfigError, CountdownError

__all__ = [
    "GeneratorOptionError",
    "InvalidActionError",
    "NotADatasetError",
    "NotUTF8Error",
    "OutputError",
    "OutputExistsError",
    "SolvabilityTimeoutError",
    "SolverTimeoutError",
    "TaskError",
    "TaskFileError",
    "TaskSpaceExhaustedError",
]


class TaskError(ConfigError):
    """A task is malformed (``nums`` not a list of non-negative integers, ``target`` not an int),
    or cannot be used where it was given (for example unsolvable under an environment's rules)."""


class SolvabilityTimeoutError(TaskError, TimeoutError):
    """Checking that a task is solvable took longer than the time allowed (an environment's
    ``solvable_timeout``); the message says how to raise the limit or skip the check."""


class TaskFileError(TaskError):
    """A file or folder given as tasks cannot be read as tasks; the message names it."""


class NotADatasetError(TaskFileError, FileNotFoundError):
    """A folder read as tasks is not a dataset saved with ``save_to_disk``.

    Also a ``FileNotFoundError``, which is what ``datasets`` raised for it before.
    """


class NotUTF8Error(TaskFileError, UnicodeDecodeError):
    """A JSONL task file is not UTF-8 text.

    Also a ``UnicodeDecodeError`` (with the decoder's details), which is what was raised for it
    before; ``str(err)`` is the readable message naming the file and line.
    """

    def __init__(self, message: str, cause: UnicodeDecodeError) -> None:
        UnicodeDecodeError.__init__(
            self, cause.encoding, cause.object, cause.start, cause.end, cause.reason
        )
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, UnicodeDecodeError(*self.args)))


class TaskSpaceExhaustedError(ConfigError):
    """More distinct tasks were asked for than the generator configuration can produce.

    Attributes (``None`` when not known): ``asked``, how many distinct tasks were asked for;
    ``size``, how many the configuration holds; ``found``, how many the generator found before
    it gave up; ``bound``, at most how many it can hold (number sets times targets) when
    ``size`` is too costly to count. A command-line tool can word its own message from them.
    """

    def __init__(
        self,
        message: str,
        *,
        asked: int | None = None,
        size: int | None = None,
        found: int | None = None,
        bound: int | None = None,
    ) -> None:
        super().__init__(message)
        self.asked, self.size, self.found, self.bound = asked, size, found, bound


class GeneratorOptionError(ConfigError):
    """A generator option (a :class:`~countdown_env._config.GeneratorConfig` field) is refused.

    ``str(err)`` names the Python fields (``max_solutions must be >= min_solutions (10), got
    2``); :meth:`describe` names them another way, e.g. as the ``countdown`` command-line flags.
    """

    def __init__(
        self, template: str, fields: tuple[str, ...] = (), flag_template: str | None = None
    ) -> None:
        self.template, self.fields, self.flag_template = template, tuple(fields), flag_template
        super().__init__(self.describe())

    def describe(self, name: Callable[[str], str] | None = None) -> str:
        """The message with each field spelled ``name(field)`` (default: the field itself).

        ``template`` holds ``{0}``, ``{1}``... where the fields go; with ``name`` given, the
        ``flag_template`` wording (when there is one) is used instead.
        """
        if not self.fields:
            return self.template
        if name is None:
            return self.template.format(*self.fields)
        return (self.flag_template or self.template).format(*map(name, self.fields))


class SolverTimeoutError(CountdownError, TimeoutError):
    """The exact solver ran out of the time it was given (``timeout=`` of the solver functions)."""


class InvalidActionError(CountdownError, ValueError, TypeError):
    """An environment action is not a ``str`` (bad strings are scored, not raised; see each env)."""


class OutputExistsError(CountdownError, FileExistsError):
    """An output path already exists and overwriting was not asked for."""


class OutputError(CountdownError, OSError):
    """An output file cannot be written where it was asked for (missing or read-only folder,
    a directory in the way); the message names the path asked for."""


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for error messages; never raises.

    Integers too long for ``repr`` (CPython refuses more than 4,300 digits) and structures
    nested too deeply are described instead of shown.

    >>> shown(10**5000)
    'an integer of 5001 digits'
    >>> shown("x" * 100, limit=10)
    "'xxxxxx..."
    """
    if type(value) is int and value.bit_length() > 3_000:
        return f"an integer of {digit_count(value)} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError, MemoryError):
        return f"a {type(value).__name__} too large or too deeply nested to show"
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."


def digit_count(value: int) -> int:
    """Decimal digits of ``abs(value)`` without converting it to text (exact)."""
    magnitude = abs(value)
    digits = max(1, int(magnitude.bit_length() * 0.30102999566398120))
    while digits > 1 and 10 ** (digits - 1) > magnitude:
        digits -= 1
    while 10**digits <= magnitude:
        digits += 1
    return digits
