"""Training: GRPO with TRL on Countdown, from a recipe, with a format-only warm start.

:func:`run_training` is what ``countdown train`` runs: it reads Countdown's arguments
(:class:`CountdownTrainArguments`), TRL's ``GRPOConfig`` (our checked subclass
:class:`CountdownGRPOConfig`) and ``ModelConfig``, makes the tasks, warm-starts and trains,
evaluates held-out tasks before and after, and writes the run folder. The tool environment
(:class:`CountdownToolEnv`) plugs into TRL's ``environment_factory`` for multi-turn training.
:class:`ProgressReward` is a TRL reward for worked answers that asks the solver whether each
step kept the task solvable (``--rewards progress``).

Names load on first use: importing this package does not import torch or trl.

>>> from agents.training import available_recipes
>>> "cpu-tiny" in available_recipes()
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents._lazy import lazy_face

_PUBLIC = {
    "run_training": "._pipeline",
    "DEFAULT_RECIPE": "._args",
    "CountdownTrainArguments": "._args",
    "available_recipes": "._args",
    "recipe_path": "._args",
    "CountdownGRPOConfig": "._grpo_config",
    "WarmStartConfig": "._warmstart",
    "warm_start": "._warmstart",
    "CountdownToolEnv": "._tool_env",
    "CountdownToolEnvFactory": "._tool_factory",
    "ToolCheck": "._tool_env",
    "ToolEnvConfig": "._tool_env",
    "make_environment_factory": "._tool_factory",
    "prepare_tool_tokenizer": "._tool_env",
    "ProgressReward": "._progress",
}

__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = lazy_face(__name__, _PUBLIC)

if TYPE_CHECKING:
    from agents.training._args import (
        DEFAULT_RECIPE,
        CountdownTrainArguments,
        available_recipes,
        recipe_path,
    )
    from agents.training._grpo_config import CountdownGRPOConfig
    from agents.training._pipeline import run_training
    from agents.training._progress import ProgressReward
    from agents.training._tool_env import (
        CountdownToolEnv,
        ToolCheck,
        ToolEnvConfig,
        prepare_tool_tokenizer,
    )
    from agents.training._tool_factory import CountdownToolEnvFactory, make_environment_factory
    from agents.training._warmstart import WarmStartConfig, warm_start
