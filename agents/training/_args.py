"""Arguments of ``countdown train``: the Countdown-specific script arguments and recipe lookup.

``countdown train`` parses three dataclasses with TRL's own :class:`trl.TrlParser`: the
:class:`CountdownTrainArguments` below, TRL's ``GRPOConfig`` and TRL's ``ModelConfig``. A recipe is
a YAML file of values for any of the three (``--recipe cpu-tiny`` names one shipped in
``agents/training/recipes/``, ``--config FILE`` takes any file); flags on the command line
override it.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.training._rewards import OUR_REWARDS
from countdown_env import GeneratorConfig
from countdown_env.errors import GeneratorOptionError
from verifiers.errors import ConfigError

__all__ = [
    "DEFAULT_RECIPE",
    "GENERATOR_FIELDS",
    "REWARDS",
    "CountdownTrainArguments",
    "available_recipes",
    "recipe_path",
]

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"
DEFAULT_RECIPE = "cpu-tiny-3"
"""The recipe used when ``countdown train`` is given neither a recipe, a config nor a model."""

REWARDS = OUR_REWARDS
"""Our reward names accepted by ``--rewards``; TRL's shaping and a user's ``MODULE:FUNCTION``
are accepted too (see :mod:`agents.training._rewards`)."""


def available_recipes() -> list[str]:
    """Names of the recipes shipped with the package."""
    return sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))


def recipe_path(name: str) -> Path:
    """The YAML file of a shipped recipe, or a :class:`ConfigError` listing the known names."""
    path = RECIPES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"unknown recipe {name!r}; available: {', '.join(available_recipes())}")
    return path


GENERATOR_FIELDS = tuple(f.name for f in dataclasses.fields(GeneratorConfig))
"""The :class:`~countdown_env.GeneratorConfig` fields ``countdown train`` takes as options."""


def _generator_arguments() -> Any:
    """A dataclass with one field per :class:`~countdown_env.GeneratorConfig` field: same name,
    type, default and help, so a generator option is declared and checked in one place.

    The defaults are GeneratorConfig's, TinyZero's Countdown (3-4 numbers from 1..100, targets
    1..100), what a model run without a recipe trains on; the cpu-tiny-3 recipe (the default with
    no model) sets 3 numbers from 1..10, cpu-tiny 2 numbers from 1..50. Only the ``help`` of
    the metadata is kept: the rest describes the ``countdown generate`` flags, which TRL's
    parser would not understand.
    """
    hints = typing.get_type_hints(GeneratorConfig)
    return dataclasses.make_dataclass(
        "GeneratorArguments",
        [
            (f.name, hints[f.name], field(default=f.default, metadata={"help": f.metadata["help"]}))
            for f in dataclasses.fields(GeneratorConfig)
        ],
    )


def _train_flag(name: str) -> str:
    """The ``countdown train`` flag of a field (TRL's parser spells it ``--`` + the name)."""
    return f"--{name}"


def _registered_template(text: str) -> str:
    """The registered name of ``--template`` (:func:`countdown_env.import_template`: a
    registered name, or ``module:NAME``), or a ConfigError naming the flag."""
    from countdown_env import import_template

    try:
        return import_template(text)
    except ConfigError as err:
        raise ConfigError(f"--template: {err}") from None


@dataclass
class CountdownTrainArguments(_generator_arguments()):  # type: ignore[misc]
    """What to train on, how to warm start, and how to measure; the GRPO knobs are GRPOConfig's.

    The generator options (``min_numbers``, ``draw``, ``operators``, ``exact_use``, ...; see
    :data:`GENERATOR_FIELDS`) are :class:`~countdown_env.GeneratorConfig`'s fields, with its
    defaults and its checks (:meth:`generator_config`).
    """

    template: str | None = field(
        default=None,
        metadata={
            "help": "Prompt template: compact (embedded model), tinyzero (base models), chat, "
            "any registered template, or module:NAME to import a PromptTemplate (with "
            "accelerate launch only module:NAME reaches the worker processes). Default: "
            "compact for the embedded model, chat when the tokenizer has a chat template, "
            "else tinyzero."
        },
    )
    rewards: list[str] = field(
        default_factory=lambda: ["correctness"],
        metadata={
            "help": f"Rewards to sum: {', '.join(REWARDS)}, TRL's overlong and repetition "
            "shaping, MODULE:FUNCTION (any TRL reward function, or a Verifier) or "
            "verifier:MODULE:NAME; parameters as NAME:key=value,key=value. Weights come from "
            "--reward_weights (GRPOConfig), one per reward."
        },
    )
    tasks_file: str | None = field(
        default=None,
        metadata={
            "help": "Train on tasks from a JSONL/parquet file (e.g. the Countdown-Tasks-3to4 "
            "layout) instead of the generator. Held-out tasks are split off it."
        },
    )
    train_tasks: int = field(default=20_000, metadata={"help": "Training tasks to generate."})
    heldout_tasks: int = field(
        default=500, metadata={"help": "Held-out tasks, never trained on, for before/after."}
    )
    holdout: str = field(
        default="task",
        metadata={"help": "What the held-out split keeps apart: task, target or nums."},
    )
    holdout_fraction: float | None = field(
        default=None,
        metadata={
            "help": "Share of tasks (or targets, number sets) reserved for the held-out side, "
            "by a hash. Unset with holdout=task: the held-out tasks are the first distinct "
            "tasks the generator draws (its most frequent ones), a fair sample of a large "
            "space; when train_tasks + heldout_tasks pass a quarter of a small space, the run "
            "sets heldout / (train + heldout) and says so. Target/nums holdouts default to 0.1."
        },
    )
    task_seed: int = field(default=1234, metadata={"help": "Seed of the task generator."})
    warmstart_seconds: float = field(
        default=0.0,
        metadata={
            "help": "Format-only warm start before GRPO, in seconds (random equations over the "
            "prompt's numbers, never solutions); 0 skips it."
        },
    )
    warmstart_steps: int = field(
        default=0,
        metadata={
            "help": "Stop the warm start after this many optimiser steps (0: only the time "
            "limit). A step count makes the warm-started model the same on any machine."
        },
    )
    warmstart_learning_rate: float = field(
        default=3e-3, metadata={"help": "AdamW learning rate of the warm start."}
    )
    warmstart_lr_schedule: str = field(
        default="constant",
        metadata={
            "help": "Learning-rate schedule of the warm start: constant, or linear (down to 0 "
            "at the end of warmstart_steps, or of warmstart_seconds when that comes first)."
        },
    )
    warmstart_max_tries: int = field(
        default=6,
        metadata={
            "help": "compact-tries template: the warm start's answers list 1 to this many "
            "chains (drawn uniformly), so the model learns to try up to this many equations."
        },
    )
    embedded_width: int = field(
        default=128,
        metadata={
            "help": "Residual width of the embedded model (built in code when no model is "
            "given): 4 attention heads, MLPs 4x as wide; a multiple of 4. 128 with 4 layers "
            "is about 1M parameters."
        },
    )
    embedded_layers: int = field(
        default=4, metadata={"help": "Transformer blocks of the embedded model."}
    )
    time_budget_seconds: float = field(
        default=0.0,
        metadata={"help": "Stop GRPO after this much wall time (0: run to max_steps)."},
    )
    eval_every_steps: int = field(
        default=100,
        metadata={
            "help": "Held-out accuracy on a subset every N GRPO steps (0: only before/after)."
        },
    )
    eval_subset: int = field(
        default=200, metadata={"help": "Held-out tasks used by the periodic evaluation."}
    )
    eval_batch_size: int = field(default=256, metadata={"help": "Prompts per generate call."})
    eval_max_new_tokens: int | None = field(
        default=None,
        metadata={"help": "Generation length in evaluation (default: max_completion_length)."},
    )
    environment: str = field(
        default="single",
        metadata={
            "help": "single: one completion per task; tools: multi-turn through TRL's "
            "environment_factory with a check_answer tool (agents.training._tool_env)."
        },
    )
    max_attempts: int = field(
        default=3, metadata={"help": "tools: check_answer calls checked per rollout."}
    )
    attempt_penalty: float = field(
        default=0.0, metadata={"help": "tools: subtracted from the env reward per wrong check."}
    )
    tool_chat_template: str | None = field(
        default=None,
        metadata={
            "help": "tools: give the tokenizer this TRL tool-calling chat template (e.g. "
            "qwen2_5) when its own has no tool support."
        },
    )
    save_minutes: float = field(
        default=5.0,
        metadata={
            "help": "Also save a GRPO checkpoint every N minutes of wall time (0: only every "
            "--save_steps), so a run killed before its first --save_steps keeps its steps."
        },
    )
    threads: str = field(
        default="auto",
        metadata={
            "help": "torch threads: a count, or auto (OMP_NUM_THREADS when set, else the "
            "usable cores, at most 8; see agents.policies._devices.auto_threads)."
        },
    )
    expected_grpo_step_seconds: float = field(
        default=0.0,
        metadata={
            "help": "Seconds a GRPO step takes on the machine the recipe was measured on (0: "
            "unknown); a time cap that cuts GRPO short reports the slowdown against it."
        },
    )
    expected_warmstart_step_seconds: float = field(
        default=0.0,
        metadata={"help": "The same for a warm-start step (0: unknown)."},
    )
    curriculum: str | None = field(
        default=None,
        metadata={
            "help": "Train through difficulty levels, easiest first, raised when the rolling "
            "sampled hit rate passes --curriculum_threshold: numbers:2,3,4 (2, then 3, then 4 "
            "numbers), FIELD:V1,V2 for a generator setting (min_solutions:20,5,1, min_ops, "
            "...), axes joined by ';', or a YAML list of GeneratorConfig overrides (a recipe's "
            "curriculum: [...]). Each level overrides the run's generator settings."
        },
    )
    curriculum_file: str | None = field(
        default=None,
        metadata={"help": "A YAML/JSON file with the curriculum's list of levels."},
    )
    curriculum_threshold: float = field(
        default=0.4,
        metadata={"help": "Raise the level when the rolling sampled hit rate reaches this."},
    )
    curriculum_window: int = field(
        default=5, metadata={"help": "Logged GRPO steps in the rolling hit rate."}
    )
    curriculum_min_steps: int = field(
        default=50,
        metadata={"help": "Fewest GRPO steps at a level before it can be raised."},
    )
    curriculum_heldout_tasks: int = field(
        default=50,
        metadata={
            "help": "Held-out tasks of each level (never trained on), measured at "
            "every eval step as heldout_accuracy/level_K."
        },
    )
    resume: bool = field(
        default=False,
        metadata={"help": "Continue the run in --output_dir from its last checkpoint."},
    )

    def __post_init__(self) -> None:
        if isinstance(self.rewards, str):
            self.rewards = [self.rewards]
        from agents.training._rewards import check_rewards

        check_rewards(self.rewards)  # imports a user's reward module now, before a model loads
        if self.template is not None:
            self.template = _registered_template(str(self.template))
        self.generator_config()  # a refused generator option is one line naming its flag
        self.embedded_config()
        if self.environment not in ("single", "tools"):
            raise ConfigError(f"environment must be single or tools, got {self.environment!r}")
        if self.environment == "tools" and self.template not in (None, "chat"):
            raise ConfigError("environment=tools needs chat prompts: set template to chat")
        if self.max_attempts < 1 or not (self.attempt_penalty >= 0):
            raise ConfigError("max_attempts must be >= 1 and attempt_penalty >= 0")
        if self.holdout not in ("task", "target", "nums"):
            raise ConfigError(f"holdout must be task, target or nums, got {self.holdout!r}")
        fraction = self.holdout_fraction
        if fraction is not None and (
            isinstance(fraction, bool)
            or not isinstance(fraction, (int, float))
            or not 0 < fraction < 1
        ):
            raise ConfigError(
                f"holdout_fraction must be a number strictly between 0 and 1, got {fraction!r}"
            )
        for name in ("train_tasks", "heldout_tasks"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in (
            "warmstart_seconds",
            "time_budget_seconds",
            "save_minutes",
            "expected_grpo_step_seconds",
            "expected_warmstart_step_seconds",
        ):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.warmstart_steps < 0:
            raise ConfigError(f"warmstart_steps must be >= 0, got {self.warmstart_steps}")
        if self.warmstart_max_tries < 1:
            raise ConfigError(f"warmstart_max_tries must be >= 1, got {self.warmstart_max_tries}")
        from agents.training._warmstart import check_lr_schedule

        check_lr_schedule(self.warmstart_lr_schedule, "warmstart_lr_schedule")
        if self.eval_every_steps < 0 or self.eval_subset < 1 or self.eval_batch_size < 1:
            raise ConfigError("eval_every_steps must be >= 0, eval_subset and eval_batch_size >= 1")
        from agents.policies._devices import parse_threads

        parse_threads(str(self.threads))
        self.curriculum_config()  # a bad curriculum is one line before the model loads

    def embedded_config(self) -> Any:
        """The :class:`~agents.policies._tiny.TinyModelConfig` of ``--embedded_width`` and
        ``--embedded_layers``.

        Raises:
            ConfigError: a width that is not a positive multiple of 4, or layers below 1.
        """
        from agents.policies._tiny import TinyModelConfig

        width, layers = self.embedded_width, self.embedded_layers
        if not isinstance(width, int) or width < 4 or width % 4:
            raise ConfigError(f"embedded_width must be a multiple of 4, >= 4; got {width!r}")
        if not isinstance(layers, int) or layers < 1:
            raise ConfigError(f"embedded_layers must be an integer >= 1, got {layers!r}")
        return TinyModelConfig(
            hidden_size=width, num_layers=layers, num_heads=4, intermediate_size=4 * width
        )

    def generator_settings(self) -> dict[str, Any]:
        """The run's generator settings (what a curriculum level overrides): every
        :class:`~countdown_env.GeneratorConfig` field, as checked by :meth:`generator_config`."""
        return self.generator_config().to_dict()

    def generator_config(self) -> GeneratorConfig:
        """The :class:`~countdown_env.GeneratorConfig` the generator options describe.

        Raises:
            ConfigError: GeneratorConfig refuses a value; the message names the flag.
        """
        try:
            return GeneratorConfig(**{name: getattr(self, name) for name in GENERATOR_FIELDS})
        except GeneratorOptionError as err:
            raise ConfigError(err.describe(_train_flag)) from None

    def curriculum_config(self) -> Any:
        """The checked :class:`~agents.training._curriculum.CurriculumConfig`, or ``None``
        without ``--curriculum``/``--curriculum_file``.

        Raises:
            ConfigError: the levels or their settings are refused (one line, naming them).
        """
        if self.curriculum is None and self.curriculum_file is None:
            return None
        from agents.training._curriculum import (
            CurriculumConfig,
            check_levels,
            parse_levels,
            read_levels_file,
        )

        if self.curriculum is not None and self.curriculum_file is not None:
            raise ConfigError("give either --curriculum or --curriculum_file, not both")
        if self.tasks_file:
            raise ConfigError(
                "--curriculum draws its tasks from the generator; it cannot be "
                "combined with --tasks_file"
            )
        levels = (
            parse_levels(self.curriculum)
            if self.curriculum is not None
            else read_levels_file(str(self.curriculum_file))
        )
        config = CurriculumConfig(
            levels=levels,
            threshold=self.curriculum_threshold,
            window=self.curriculum_window,
            min_steps=self.curriculum_min_steps,
            heldout_tasks=self.curriculum_heldout_tasks,
        )
        check_levels(levels, self.generator_settings())
        return config
