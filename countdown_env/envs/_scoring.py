"""Checked numbers for the environments: finite rewards, and one score from a reward function."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from countdown_env._task import Task
from countdown_env.errors import shown
from verifiers.errors import ConfigError

__all__ = ["call_reward", "finite"]


def finite(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {shown(value)}")
    return float(value)


def call_reward(
    reward_fn: Callable[..., Sequence[float | None]],
    completion: str,
    task: Task,
    prompt: Any,
) -> float:
    """One score from a TRL-style batch reward function (``None`` counts as 0.0)."""
    scores = reward_fn([completion], nums=[list(task.nums)], target=[task.target], prompts=[prompt])
    if not isinstance(scores, Sequence) or len(scores) != 1:
        raise ConfigError(
            f"reward_fn must return a list with one score per completion, got {shown(scores)}"
        )
    score = scores[0]
    if score is None:
        return 0.0
    return finite("the score reward_fn returned", score)
