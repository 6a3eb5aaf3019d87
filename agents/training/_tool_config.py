"""Settings and records of the tool environment (:mod:`agents.training._tool_env`).

Kept apart from the environment so a recipe or a script can build and validate a
:class:`ToolEnvConfig` without importing gymnasium or the environment itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from verifiers.errors import ConfigError
from verifiers.rules import Rules

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


@dataclass(frozen=True)
class ToolCheck:
    """One ``check_answer`` call: what the model sent and what the environment answered."""

    expression: str = field(metadata={"help": "The argument as checked (non-str as JSON text)."})
    feedback: str = field(metadata={"help": "The text returned to the model."})
    correct: bool = field(metadata={"help": "Whether the expression solved the task."})
    status: str = field(metadata={"help": "The verdict status (verifiers.Status value)."})
    reward: float = field(metadata={"help": "The environment's reward for this step."})
