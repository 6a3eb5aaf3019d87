"""The generator's configuration: :class:`GeneratorConfig` (its presets are in ``_presets``).

One dataclass is the Python API, the ``countdown generate`` flags and a YAML recipe section: every
field carries ``metadata={"help": ...}`` and is checked in ``__post_init__``, which raises
:class:`~countdown_env.errors.GeneratorOptionError` (a :class:`~verifiers.errors.ConfigError`)
naming the field and the accepted range, or the other field that sets the bound; its
``describe(name)`` words the same message with the ``countdown`` flags. The flags are made from
the fields: the metadata also holds the flag's wording (``flag_help``, ``{default}`` for the
value the command starts from, written by ``show``), a spelling other than the field's name
(``flag``), the accepted values (``choices``), for an optional integer what ``none`` means
(``none``), and for a ``bool`` what holds without the flag (``unset_help``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from countdown_env._presets import PRESETS, TV_LARGE, TV_SMALL
from countdown_env.errors import GeneratorOptionError, shown
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = [
    "DRAWS",
    "MAX_NUMBERS",
    "MAX_VALUE",
    "PRESETS",
    "TARGET_FROM",
    "TV_LARGE",
    "TV_SMALL",
    "GeneratorConfig",
]

MAX_NUMBERS = 8
"""Most numbers in one task (the exact solver's limit)."""
MAX_VALUE = 10**6
"""Largest number the uniform draw may produce (keeps prompts short and arithmetic cheap)."""
DRAWS = ("uniform", "tv")
TARGET_FROM = ("expression", "range")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """``repr(value)`` (cut short, see :func:`~countdown_env.errors.shown`) made safe to put in a
    :class:`GeneratorOptionError` template."""
    return shown(value).replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class GeneratorConfig:
    """What tasks :func:`~countdown_env._generator.generate` makes.

    >>> GeneratorConfig(min_numbers=2, max_numbers=2, max_value=50).max_value
    50
    >>> GeneratorConfig(min_numbers=1)
    Traceback (most recent call last):
    ...
    countdown_env.errors.GeneratorOptionError: min_numbers must be an integer in 2..8, got 1
    >>> GeneratorConfig.from_kwargs(preset="tv").rules.exact_use
    False
    """

    min_numbers: int = field(
        default=3,
        metadata={
            "help": "Fewest numbers in a task (2-8).",
            "flag_help": "fewest numbers in a task (2-8; default {default})",
        },
    )
    max_numbers: int = field(
        default=4,
        metadata={
            "help": "Most numbers in a task (min_numbers-8).",
            "flag_help": "most numbers in a task (--min-numbers to 8; default {default})",
        },
    )
    draw: str = field(
        default="uniform",
        metadata={
            "help": "How numbers are drawn: 'uniform' (each from min_value..max_value, repeats "
            "allowed) or 'tv' (large from 25/50/75/100, small from 1-10 with two of each).",
            "flag_help": "how numbers are drawn: uniform (each from --min-value..--max-value, "
            "repeats allowed) or tv (large from 25/50/75/100, small from 1-10 with two of each; "
            "default {default})",
            "choices": DRAWS,
        },
    )
    min_value: int = field(
        default=1,
        metadata={
            "help": "Smallest number of the uniform draw (>= 1).",
            "flag_help": "smallest number of the uniform draw (default {default})",
        },
    )
    max_value: int = field(
        default=100,
        metadata={
            "help": f"Largest number of the uniform draw (min_value..{MAX_VALUE}).",
            "flag_help": f"largest number of the uniform draw (up to {MAX_VALUE}; "
            "default {default})",
        },
    )
    large_count: int | None = field(
        default=None,
        metadata={
            "help": "TV draw only: how many large numbers (0-4, at most min_numbers); "
            "None draws 0-4 at random for each task.",
            "flag_help": "TV draw: how many of 25/50/75/100 (0-4, at most --min-numbers; "
            "default random)",
        },
    )
    min_target: int | None = field(
        default=1,
        metadata={
            "help": "Smallest target (>= 1); None means 1.",
            "flag_help": "smallest target (default {default})",
        },
    )
    max_target: int | None = field(
        default=100,
        metadata={
            "help": "Largest target (>= min_target); None means any reachable value.",
            "flag_help": "largest target (default {default}; 'none': any reachable value)",
            "none": "any reachable value",
        },
    )
    target_from: str = field(
        default="expression",
        metadata={
            "help": "'expression': the target is the value of a random expression over the "
            "numbers (fast, solvable by construction); 'range': uniform in min_target..max_target "
            "and kept only when the solver finds a solution (the TV way; slower).",
            "flag_help": "target from a random expression (fast) or uniform in the range, kept "
            "if solvable (slower; default {default})",
            "choices": TARGET_FROM,
        },
    )
    operators: str = field(
        default="+-*/",
        metadata={
            "help": "Allowed operators, a subset of '+-*/'.",
            "flag_help": "allowed operators, a subset of '+-*/' (default {default}); a set "
            "starting with '-' needs '=': --operators=-* (or write it '*-')",
            "show": lambda operators: "".join(sorted(operators, key="+-*/".index)),
        },
    )
    exact_use: bool = field(
        default=True,
        metadata={
            "help": "Each number used exactly once (True) or at most once (False).",
            "flag": "--at-most-once",
            "flag_help": "each number used at most once",
            "unset_help": "exactly once",
        },
    )
    integer_intermediates: bool = field(
        default=False,
        metadata={
            "help": "Every intermediate result must be a positive integer (TV rules).",
            "flag_help": "every intermediate result must be a positive integer (TV rules)",
        },
    )
    min_solutions: int | None = field(
        default=None,
        metadata={
            "help": "Keep tasks with at least this many distinct solutions (rates tasks).",
            "flag_help": "keep tasks with at least this many solutions (rates tasks)",
        },
    )
    max_solutions: int | None = field(
        default=None,
        metadata={
            "help": "Keep tasks with at most this many distinct solutions (rates tasks).",
            "flag_help": "keep tasks with at most this many solutions (rates tasks)",
        },
    )
    min_ops: int | None = field(
        default=None,
        metadata={
            "help": "Keep tasks whose shortest solution needs at least this many operations.",
            "flag_help": "keep tasks whose shortest solution needs at least this many "
            "operations (rates tasks)",
        },
    )
    rate: bool = field(
        default=False,
        metadata={
            "help": "Fill n_solutions, min_ops and search_nodes for every task (slower).",
            "flag_help": "fill n_solutions, min_ops and search_nodes for every task (for the "
            "difficulty breakdown of countdown eval; slower)",
        },
    )
    unique: bool = field(
        default=True,
        metadata={
            "help": "No two tasks of one set share numbers and target.",
            "flag": "--allow-duplicates",
            "flag_help": "allow the same task twice in one set",
        },
    )

    def __post_init__(self) -> None:
        self._check_int("min_numbers", 2, MAX_NUMBERS)
        self._check_int("max_numbers", self.min_numbers, MAX_NUMBERS, low_from="min_numbers")
        self._check_choice("draw", DRAWS)
        self._check_int("min_value", 1, MAX_VALUE)
        self._check_int("max_value", self.min_value, MAX_VALUE, low_from="min_value")
        if self.large_count is not None:
            if self.draw != "tv":
                raise GeneratorOptionError(
                    "{0} applies only to {1}='tv'; leave it None",
                    ("large_count", "draw"),
                    flag_template="{0} applies only to {1} tv",
                )
            few = self.min_numbers < len(TV_LARGE)
            self._check_int(
                "large_count",
                0,
                min(len(TV_LARGE), self.min_numbers),
                high_from="min_numbers" if few else None,
            )
        self._check_int("min_target", 1, None, optional=True)
        self._check_int(
            "max_target", self.min_target or 1, None, optional=True, low_from="min_target"
        )
        self._check_choice("target_from", TARGET_FROM)
        if self.target_from == "range" and self.max_target is None:
            raise GeneratorOptionError(
                "{0}='range' needs {1} (a finite range to draw from)",
                ("target_from", "max_target"),
                flag_template="{0} range needs a finite {1} (a range to draw from)",
            )
        for name in ("exact_use", "integer_intermediates", "rate", "unique"):
            if not isinstance(getattr(self, name), bool):
                raise GeneratorOptionError(
                    f"{{0}} must be True or False, got {_shown(getattr(self, name))}", (name,)
                )
        operators = self.operators
        if not isinstance(operators, str) or not operators or not set(operators) <= set("+-*/"):
            raise GeneratorOptionError(
                f"{{0}} must be a non-empty subset of '+-*/', got {_shown(operators)}",
                ("operators",),
            )
        rules = Rules(
            exact_use=self.exact_use,
            operators=self.operators,
            integer_intermediates=self.integer_intermediates,
        )
        object.__setattr__(self, "operators", rules.operators)
        self._check_int("min_solutions", 1, None, optional=True)
        self._check_int(
            "max_solutions",
            self.min_solutions or 1,
            None,
            optional=True,
            low_from="min_solutions" if self.min_solutions is not None else None,
        )
        self._check_int("min_ops", 0, self.max_numbers - 1, optional=True)

    def _check_int(
        self,
        name: str,
        low: int,
        high: int | None,
        *,
        optional: bool = False,
        low_from: str | None = None,
        high_from: str | None = None,
    ) -> None:
        """Refuse a non-integer or out-of-range field; a bound set by another field is named."""
        value = getattr(self, name)
        if value is None and optional:
            return
        shown = _shown(value)
        if _is_int(value) and value < low and low_from is not None:
            raise GeneratorOptionError(
                f"{{0}} must be >= {{1}} ({low}), got {shown}", (name, low_from)
            )
        if _is_int(value) and high is not None and value > high and high_from is not None:
            raise GeneratorOptionError(
                f"{{0}} must be <= {{1}} ({high}), got {shown}", (name, high_from)
            )
        if not _is_int(value) or value < low or (high is not None and value > high):
            accepted = f"in {low}..{high}" if high is not None else f">= {low}"
            raise GeneratorOptionError(f"{{0}} must be an integer {accepted}, got {shown}", (name,))

    def _check_choice(self, name: str, choices: tuple[str, ...]) -> None:
        value = getattr(self, name)
        if value not in choices:
            raise GeneratorOptionError(
                f"{{0}} must be one of {_shown(list(choices))}, got {_shown(value)}", (name,)
            )

    @property
    def rules(self) -> Rules:
        """The :class:`~verifiers.rules.Rules` the tasks are solvable under."""
        return Rules(
            exact_use=self.exact_use,
            operators=self.operators,
            integer_intermediates=self.integer_intermediates,
        )

    @property
    def needs_rating(self) -> bool:
        """Whether tasks must be rated by the solver (``rate`` or a difficulty filter is set)."""
        return self.rate or any(
            v is not None for v in (self.min_solutions, self.max_solutions, self.min_ops)
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for metadata and YAML recipes)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_kwargs(
        cls,
        config: GeneratorConfig | Mapping[str, Any] | None = None,
        *,
        preset: str | None = None,
        rules: Rules | None = None,
        **overrides: Any,
    ) -> GeneratorConfig:
        """Build a config from a base (a config, a mapping or a preset name) plus field overrides.

        ``rules`` copies ``exact_use``, ``operators`` and ``integer_intermediates`` from a
        :class:`~verifiers.rules.Rules`. Unknown names raise :class:`ConfigError` listing the
        accepted ones, so a typo is never silently ignored.

        >>> GeneratorConfig.from_kwargs(preset="two-numbers", max_value=20).max_value
        20
        >>> GeneratorConfig.from_kwargs(max_nums=3)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        verifiers.errors.ConfigError: unknown generator option(s) ['max_nums']; accepted: ...
        """
        base: dict[str, Any] = {}
        if preset is not None:
            if preset not in PRESETS:
                raise ConfigError(f"preset must be one of {sorted(PRESETS)}, got {shown(preset)}")
            base.update(PRESETS[preset])
        if isinstance(config, GeneratorConfig):
            base.update(config.to_dict())
        elif isinstance(config, Mapping):
            base.update(config)
        elif config is not None:
            raise ConfigError(f"config must be a GeneratorConfig or a mapping, got {shown(config)}")
        if rules is not None:
            if not isinstance(rules, Rules):
                raise ConfigError(f"rules must be a Rules instance, got {type(rules).__name__}")
            base.update(
                exact_use=rules.exact_use,
                operators=rules.operators,
                integer_intermediates=rules.integer_intermediates,
            )
        base.update(overrides)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(base) - known)
        if unknown:
            raise ConfigError(f"unknown generator option(s) {unknown}; accepted: {sorted(known)}")
        if not base and config is None:
            return _DEFAULT
        return cls(**base)


_DEFAULT = GeneratorConfig()
