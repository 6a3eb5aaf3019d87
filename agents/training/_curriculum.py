"""A difficulty curriculum for ``countdown train --curriculum``: levels of generator settings,
raised when the sampled hit rate passes a threshold.

A level is a dict of :class:`~countdown_env.GeneratorConfig` overrides on top of the run's
own generator settings (``min_numbers``, ``max_numbers``, ``max_value``, ...): the number of
numbers, and the solver's ratings through the filters ``min_solutions``, ``max_solutions`` and
``min_ops``. Spellings (:func:`parse_levels`)::

    --curriculum numbers:2,3,4                  three levels: 2, then 3, then 4 numbers
    --curriculum numbers:3,3,3;min_solutions:20,5,1   axes joined by ';' (same length)
    --curriculum '[{min_numbers: 2, max_numbers: 2}, {min_numbers: 3, max_numbers: 3}]'
    --curriculum_file levels.yaml               a YAML/JSON list of such dicts
    curriculum: [...]                           the same list in a recipe

How a curriculum runs during training is in :mod:`agents.training._curriculum_run`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifiers.errors import ConfigError

__all__ = [
    "CurriculumConfig",
    "check_levels",
    "check_run",
    "parse_levels",
    "read_levels_file",
]

_RATED = ("min_solutions", "max_solutions", "min_ops")


@dataclass
class CurriculumConfig:
    """An ordered list of difficulty levels and when to move to the next one."""

    levels: list[dict[str, Any]] = field(
        default_factory=list,
        metadata={"help": "GeneratorConfig overrides of each level, easiest first."},
    )
    threshold: float = field(
        default=0.4,
        metadata={"help": "Raise the level when the rolling sampled hit rate reaches this."},
    )
    window: int = field(default=5, metadata={"help": "Logged GRPO steps in the rolling hit rate."})
    min_steps: int = field(
        default=50, metadata={"help": "Fewest GRPO steps spent at a level before it is raised."}
    )
    heldout_tasks: int = field(
        default=50,
        metadata={"help": "Held-out tasks of each level, measured at every eval step."},
    )

    def __post_init__(self) -> None:
        if not (0.0 <= self.threshold <= 1.0):
            raise ConfigError(f"curriculum_threshold must be in 0..1, got {self.threshold!r}")
        for name in ("window", "min_steps", "heldout_tasks"):
            value = getattr(self, name)
            low = 0 if name == "min_steps" else 1
            if not isinstance(value, int) or value < low:
                raise ConfigError(f"curriculum_{name} must be an integer >= {low}, got {value!r}")
        if len(self.levels) < 2:
            raise ConfigError(f"a curriculum needs at least 2 levels, got {len(self.levels)}")


def _generator_fields() -> set[str]:
    from countdown_env import GeneratorConfig

    return {f.name for f in dataclasses.fields(GeneratorConfig)} - {"rate"}


def _axis_values(name: str, text: str) -> list[dict[str, Any]]:
    """``numbers`` values ``3`` or ``3-4``; any other field an integer or ``none``."""
    out: list[dict[str, Any]] = []
    for item in text.split(","):
        item = item.strip()
        try:
            if name == "numbers":
                low, _, high = item.partition("-")
                out.append({"min_numbers": int(low), "max_numbers": int(high or low)})
            else:
                out.append({name: None if item.lower() == "none" else int(item)})
        except ValueError:
            what = "N or N-M" if name == "numbers" else "an integer or none"
            raise ConfigError(
                f"--curriculum {name}: {item!r} is not {what} (e.g. numbers:2,3,4)"
            ) from None
    return out


def parse_levels(spec: Any) -> list[dict[str, Any]]:
    """The levels of a ``--curriculum`` value (see the module docstring), unchecked.

    >>> parse_levels("numbers:2,3")
    [{'min_numbers': 2, 'max_numbers': 2}, {'min_numbers': 3, 'max_numbers': 3}]
    >>> parse_levels("numbers:3,3;min_solutions:10,1")[0]
    {'min_numbers': 3, 'max_numbers': 3, 'min_solutions': 10}

    Raises:
        ConfigError: the spelling is not one of the accepted ones.
    """
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith(("[", "{")):
            import yaml

            try:
                spec = yaml.safe_load(text)
            except yaml.YAMLError as err:
                raise ConfigError(f"--curriculum is not a readable YAML list: {err}") from None
        else:
            axes = [part for part in text.split(";") if part.strip()]
            columns = []
            for axis in axes:
                name, colon, values = axis.partition(":")
                name = name.strip()
                if not colon or not values.strip():
                    raise ConfigError(
                        f"--curriculum {axis.strip()!r}: expected FIELD:V1,V2,... such as "
                        "numbers:2,3,4 or min_solutions:20,5,1"
                    )
                if name != "numbers" and name not in _generator_fields():
                    raise ConfigError(
                        f"--curriculum: unknown field {name!r}; use numbers, "
                        f"{', '.join(_RATED)} or another generator setting"
                    )
                columns.append(_axis_values(name, values))
            if len({len(c) for c in columns}) > 1:
                raise ConfigError(
                    "--curriculum: every ';'-joined axis needs the same number of levels, got "
                    + ", ".join(str(len(c)) for c in columns)
                )
            rows = zip(*columns, strict=True)
            return [{k: v for level in row for k, v in level.items()} for row in rows]
    if not isinstance(spec, list) or not all(isinstance(level, dict) for level in spec):
        raise ConfigError(
            "--curriculum must be a list of levels, each a mapping of generator "
            "settings (e.g. [{min_numbers: 2, max_numbers: 2}, ...])"
        )
    return [dict(level) for level in spec]


def read_levels_file(path: str) -> list[dict[str, Any]]:
    """The levels in a YAML or JSON file (a list of mappings).

    Raises:
        ConfigError: the file is missing or unreadable, or holds no such list.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--curriculum_file {path}: no such file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"--curriculum_file {path} is not readable YAML: {err}") from None
    if isinstance(data, dict) and "levels" in data:
        data = data["levels"]
    try:
        return parse_levels(data)
    except ConfigError as err:
        raise ConfigError(f"--curriculum_file {path}: {err}") from None


def check_run(script: Any, training_args: Any) -> None:
    """Refuse a curriculum the trainer's settings would break (say it before the model loads).

    Raises:
        ConfigError: dataloader workers are asked for (each would keep its own level).
    """
    if script.curriculum_config() is not None and training_args.dataloader_num_workers:
        raise ConfigError(
            "--curriculum needs --dataloader_num_workers 0 (a worker would keep "
            "its own copy of the level)"
        )


def check_levels(levels: list[dict[str, Any]], base: dict[str, Any]) -> list[Any]:
    """Each level's :class:`GeneratorConfig` (the run's settings ``base`` with its overrides).

    Raises:
        ConfigError: ``curriculum level K: ...`` naming an unknown field or a refused value.
    """
    from countdown_env import GeneratorConfig

    known = _generator_fields()
    configs = []
    for k, level in enumerate(levels):
        unknown = sorted(set(level) - known)
        if unknown:
            raise ConfigError(
                f"curriculum level {k}: unknown setting(s) {', '.join(unknown)}; "
                "use GeneratorConfig fields such as min_numbers, min_solutions"
            )
        try:
            configs.append(GeneratorConfig(**{**base, **level}))
        except ConfigError as err:
            raise ConfigError(f"curriculum level {k} {level}: {err}") from None
    return configs
