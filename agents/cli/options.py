"""Command-line flags made from a dataclass's fields, as TRL's ``HfArgumentParser`` does.

One dataclass (e.g. :class:`countdown_env.GeneratorConfig`) is the single source of an option:
its name, type, help and accepted values. :func:`add_dataclass_arguments` turns every field into
a flag; the field's ``metadata`` may say more:

``help``
    What the field means (the Python wording; used when there is no ``flag_help``).
``flag_help``
    The flag's own wording; ``{default}`` is replaced by the value the command starts from.
``flag``
    A spelling other than ``--`` + the name with ``-`` (``exact_use`` -> ``--at-most-once``).
``choices``
    The accepted values: a tuple, or a callable that returns them (a registry, read again at
    every parse and every ``--help``).
``none``
    For an ``int | None`` field: what ``none`` means; the flag then takes ``N`` or ``none``.
``unset_help``
    For a ``bool`` field: what holds without the flag, shown as ``(default: ...)`` where the
    flag is not already in effect.
``show``
    A callable that writes the field's value for ``{default}`` (default ``str``; None is
    ``none``).

Every flag defaults to "not given" (``None``; ``none``-taking flags are absent from the
namespace), so that a preset's values survive and only what the user typed overrides them
(:func:`given_fields`). A ``bool`` field's flag stores the opposite of the field's default.

Prompt templates come from :mod:`countdown_env._prompts`'s registry at run time
(:func:`add_template_argument`): a template registered in the process before parsing is
accepted, and ``--template package.module:NAME`` imports a :class:`PromptTemplate` (or a module
that registers templates on import) from the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import typing
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "Choices",
    "add_dataclass_arguments",
    "add_template_argument",
    "field_flag",
    "given_fields",
    "int_or_none",
    "seconds_or_none",
    "template_argument",
]


class Choices:
    """The accepted values of a flag, read from a registry each time argparse asks.

    >>> names = ["a"]
    >>> choices = Choices(lambda: names)
    >>> names.append("b")
    >>> "b" in choices, list(choices)
    (True, ['a', 'b'])
    """

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        self._names = names

    def __contains__(self, value: object) -> bool:
        return value in list(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names()))

    def __repr__(self) -> str:
        return f"Choices({list(self)!r})"


def int_or_none(text: str) -> int | None:
    """argparse type of an ``int | None`` field: an integer, or ``none``/``any`` for ``None``."""
    if text.lower() in ("none", "any"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'none', got {text!r}") from None


def seconds_or_none(text: str) -> float | None:
    """argparse type of a time limit: seconds >= 0, where ``0`` or ``none`` means no limit.

    >>> seconds_or_none("2.5"), seconds_or_none("0"), seconds_or_none("none")
    (2.5, None, None)
    """
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds (0 or 'none': no limit), got {text[:40]!r}"
        )
    return value or None


def field_flag(field: dataclasses.Field[Any]) -> str:
    """The flag of a dataclass field: ``metadata["flag"]``, else ``--`` + the name with ``-``."""
    return field.metadata.get("flag") or "--" + field.name.replace("_", "-")


def _choices(field: dataclasses.Field[Any]) -> Choices | tuple[str, ...] | None:
    choices = field.metadata.get("choices")
    if callable(choices):
        return Choices(choices)
    return None if choices is None else tuple(choices)


def _base_type(hint: Any) -> Any:
    """``int`` of ``int | None``; the hint itself otherwise."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if len(args) == 1 else hint


def _shown(value: Any, field: dataclasses.Field[Any]) -> str:
    if value is None:
        return "none"
    return str(field.metadata.get("show", str)(value))


def add_dataclass_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    cls: type,
    *,
    defaults: Any = None,
    defaults_label: str = "the default",
) -> None:
    """Add one flag per field of dataclass ``cls`` to ``parser`` (or an argument group).

    ``defaults`` (an instance of ``cls``; default ``cls()``) gives the values the help text shows
    where the metadata's ``flag_help`` says ``{default}``; a ``bool`` flag whose value is already
    the one in ``defaults`` says so, naming ``defaults_label``.
    """
    hints = typing.get_type_hints(cls)
    shown_from = cls() if defaults is None else defaults
    for field in dataclasses.fields(cls):
        meta = field.metadata
        kind = _base_type(hints[field.name])
        default = getattr(shown_from, field.name)
        text = meta.get("flag_help") or meta.get("help") or ""
        text = text.replace("{default}", _shown(default, field)).replace("%", "%%")
        options: dict[str, Any] = {"dest": field.name, "help": text}
        if kind is bool:
            const = not field.default
            options.update(action="store_const", const=const)
            if default == const:
                options["help"] = f"{text} (already so in {defaults_label})"
            elif "unset_help" in meta:
                options["help"] = f"{text} (default: {meta['unset_help']})"
        else:
            choices = _choices(field)
            if choices is not None:
                options["choices"] = choices
            elif "none" in meta:
                options.update(type=int_or_none, metavar="N|none", default=argparse.SUPPRESS)
            elif kind in (int, float):
                options.update(type=kind, metavar=meta.get("metavar", "N"))
            elif "metavar" in meta:
                options["metavar"] = meta["metavar"]
        parser.add_argument(field_flag(field), **options)


def given_fields(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The fields of ``cls`` the user set on the command line (unset flags are left out).

    A ``none``-taking flag given as ``none`` is kept: an explicit ``None`` is a value.
    """
    given = {}
    for field in dataclasses.fields(cls):
        value = getattr(args, field.name, None)
        if value is not None or ("none" in field.metadata and field.name in vars(args)):
            given[field.name] = value
    return given


def template_argument(text: str) -> str:
    """argparse type of ``--template``: a registered name, or ``module:NAME`` to import one
    (:func:`countdown_env.import_template`); a plain name is left to ``choices`` to check."""
    if ":" not in text:
        return text
    from countdown_env import import_template
    from verifiers.errors import ConfigError

    try:
        return import_template(text)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_template_argument(group: Any, help: str) -> None:
    """``--template``, its choices read from the template registry when parsing."""
    from countdown_env import template_names

    group.add_argument(
        "--template",
        type=template_argument,
        choices=Choices(template_names),
        metavar="TEMPLATE",
        help=f"{help}; one of %(choices)s, or module:NAME to import a PromptTemplate",
    )
