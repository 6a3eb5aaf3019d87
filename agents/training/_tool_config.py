"""Settings and records of the tool environment (:mod:`agents.training._tool_env`).

Kept apart from the environment so a recipe or a script can build and validate a
:class:`ToolEnvConfig` without importing gymnasium or the environment itself (a config that
draws its own tasks, ``task_seed`` set, checks its generator and template with
:mod:`countdown_env`, which does import gymnasium).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verifiers.errors import ConfigError
from verifiers.rules import Rules

if TYPE_CHECKING:
    from countdown_env import GeneratorConfig

__all__ = ["DEFAULT_INSTRUCTIONS", "ToolCheck", "ToolEnvConfig"]

DEFAULT_INSTRUCTIONS = (
    "\n\nYou may check a candidate equation with the check_answer tool before answering "
    "({max_attempts} checks). Then give your final answer in <answer> </answer> tags."
)
"""Text :meth:`CountdownToolEnv.reset` appends to the prompt; ``{max_attempts}`` is filled in."""


@dataclass(frozen=True)
class ToolEnvConfig:
    """Settings of :class:`CountdownToolEnv` (all have defaults; see the field help)."""

    max_attempts: int = field(
        default=3, metadata={"help": "Answers check_answer will check per rollout (>= 1)."}
    )
    attempt_penalty: float = field(
        default=0.0,
        metadata={"help": "Subtracted from the return for each wrong check (the env's rule)."},
    )
    rules: Rules | None = field(
        default=None, metadata={"help": "Game rules (None: verifiers.DEFAULT_RULES)."}
    )
    reward: Callable[..., list] | None = field(
        default=None,
        metadata={
            "help": "TRL-style reward scoring each checked expression (a bare expression, so use "
            "e.g. get_correctness_reward('bare'), with the same rules); None: 1.0 correct, 0.0 "
            "wrong. Must pickle for the factory to pickle."
        },
    )
    check_solvable: bool = field(
        default=False,
        metadata={
            "help": "Raise TaskError on a row whose task is unsolvable. Off by default: one bad "
            "row in a long run should cost a zero-signal group, not the run."
        },
    )
    max_expression_length: int = field(
        default=1024,
        metadata={"help": "Longer tool arguments are refused (and use up an attempt)."},
    )
    instructions: str | None = field(
        default=DEFAULT_INSTRUCTIONS,
        metadata={
            "help": "Appended to the prompt by reset ({max_attempts} filled in); None: nothing."
        },
    )

    task_seed: int | None = field(
        default=None,
        metadata={
            "help": "Let the environment draw its own tasks, task_at(task_seed, index, "
            "generator), for rows without nums/target (a task_index column, or no train_dataset "
            "at all); None: every row must carry nums and target."
        },
    )
    generator: GeneratorConfig | Mapping[str, Any] | None = field(
        default=None,
        metadata={
            "help": "What tasks are drawn (a GeneratorConfig or its fields, e.g. {'preset': "
            "'tv'}); None: GeneratorConfig(). Needs task_seed."
        },
    )
    template: str | None = field(
        default=None,
        metadata={
            "help": "Registered prompt template whose text states a drawn task (reset returns "
            "it before the instructions); None: 'chat'. Needs task_seed."
        },
    )
    num_generations: int | None = field(
        default=None,
        metadata={
            "help": "Without a task_index column: rollouts per task, equal to "
            "GRPOConfig.num_generations; the k-th reset plays task k // num_generations. "
            "Needs task_seed; one training process only."
        },
    )

    def __post_init__(self) -> None:
        for name, value, low in (
            ("max_attempts", self.max_attempts, 1),
            ("max_expression_length", self.max_expression_length, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")
        penalty = self.attempt_penalty
        if (
            isinstance(penalty, bool)
            or not isinstance(penalty, (int, float))
            or not (math.isfinite(penalty) and penalty >= 0)
        ):
            raise ConfigError(f"attempt_penalty must be a finite number >= 0, got {penalty!r}")
        if isinstance(self.rules, Mapping):
            object.__setattr__(self, "rules", Rules.from_dict(self.rules))
        elif self.rules is not None and not isinstance(self.rules, Rules):
            raise ConfigError(f"rules must be a Rules, a mapping or None, got {self.rules!r}")
        if self.reward is not None and not callable(self.reward):
            raise ConfigError(
                f"reward must be a TRL-style reward function or None, got {self.reward!r}"
            )
        if not isinstance(self.check_solvable, bool):
            raise ConfigError(f"check_solvable must be a bool, got {self.check_solvable!r}")
        if self.instructions is not None:
            if not isinstance(self.instructions, str):
                raise ConfigError(f"instructions must be a str or None, got {self.instructions!r}")
            try:
                self.instructions.format(max_attempts=self.max_attempts)
            except (KeyError, IndexError, ValueError) as err:
                raise ConfigError(
                    f"instructions may only use the field {{max_attempts}} (write {{{{ }}}} for "
                    f"literal braces): {err!r}"
                ) from err
        self._check_task_drawing()

    def _check_task_drawing(self) -> None:
        """Validate the fields of self-drawn tasks; settle ``generator`` and ``rules``."""
        if self.task_seed is None:
            given = [
                name
                for name in ("generator", "template", "num_generations")
                if getattr(self, name) is not None
            ]
            if given:
                raise ConfigError(
                    f"{', '.join(given)} only apply to tasks the environment draws itself; "
                    "set task_seed too"
                )
            return
        seed = self.task_seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"task_seed must be an integer >= 0 or None, got {seed!r}")
        count = self.num_generations
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise ConfigError(f"num_generations must be an integer >= 1 or None, got {count!r}")
        from countdown_env import GeneratorConfig, get_template

        generator = self.generator
        if generator is None:
            generator = GeneratorConfig()
        elif isinstance(generator, Mapping):
            generator = GeneratorConfig.from_kwargs(None, **dict(generator))
        elif not isinstance(generator, GeneratorConfig):
            raise ConfigError(
                f"generator must be a GeneratorConfig, a mapping of its fields or None, got "
                f"{generator!r}"
            )
        object.__setattr__(self, "generator", generator)
        if self.rules is None:
            object.__setattr__(self, "rules", generator.rules)
        else:
            game = ("exact_use", "operators", "integer_intermediates")
            differ = [
                name for name in game if getattr(self.rules, name) != getattr(generator.rules, name)
            ]
            if differ:
                raise ConfigError(
                    f"rules and generator disagree on {differ}: the drawn tasks would be checked "
                    "under other rules than they were made for; leave rules None to use the "
                    "generator's"
                )
        if self.template is not None and not isinstance(self.template, str):
            raise ConfigError(f"template must be a template name or None, got {self.template!r}")
        get_template(self.template or "chat")


@dataclass(frozen=True)
class ToolCheck:
    """One ``check_answer`` call: what the model sent and what the environment answered."""

    expression: str = field(metadata={"help": "The argument as checked (non-str as JSON text)."})
    feedback: str = field(metadata={"help": "The text returned to the model."})
    correct: bool = field(metadata={"help": "Whether the expression solved the task."})
    status: str = field(metadata={"help": "The verdict status (verifiers.Status value)."})
    reward: float = field(metadata={"help": "The environment's reward for this step."})
