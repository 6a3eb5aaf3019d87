"""TRL's ``GRPOConfig`` with the checks TRL leaves out, run before TRL's own ``__post_init__``.

Without them ``--num_generations 0`` ends in a ``ZeroDivisionError`` traceback inside TRL, and a
negative learning rate or a zero temperature only fails (or silently misbehaves) once training
has started. Each check names the flag to change. This module imports trl: import it lazily.
"""

from __future__ import annotations

import math
import os
from typing import Any

from trl import GRPOConfig

from verifiers.errors import ConfigError

__all__ = ["CountdownGRPOConfig", "grpo_problems"]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def grpo_problems(args: Any, processes: int = 1) -> list[str]:
    """What is wrong with these GRPO settings (an empty list when nothing is), one message per
    problem, each naming its flag. ``processes`` is the number of training processes.

    Long on purpose: a flat table of independent checks, one per GRPO argument, read best in one
    place rather than spread over helpers.

    >>> from types import SimpleNamespace as S
    >>> ok = dict(num_generations=8, per_device_train_batch_size=64, learning_rate=3e-4)
    >>> grpo_problems(S(**ok))
    []
    >>> grpo_problems(S(**{**ok, "num_generations": 0}))[0][:31]
    '--num_generations must be >= 2 '
    """
    problems: list[str] = []

    def need(name: str, ok: bool, rule: str) -> None:
        if not ok:
            problems.append(f"--{name} must be {rule}, got {getattr(args, name)!r}")

    def get(name: str) -> Any:
        return getattr(args, name, None)

    generations = get("num_generations")
    need(
        "num_generations",
        generations is None or generations >= 2,
        ">= 2 (GRPO compares the completions of one prompt with each other)",
    )
    for name in (
        "per_device_train_batch_size",
        "per_device_eval_batch_size",
        "gradient_accumulation_steps",
        "num_iterations",
    ):
        if get(name) is not None:
            need(name, get(name) >= 1, ">= 1")
    for name in (
        "num_generations_eval",
        "steps_per_generation",
        "generation_batch_size",
        "max_completion_length",
        "max_tool_calling_iterations",
    ):
        if get(name) is not None:
            need(name, get(name) >= 1, ">= 1")
    rate = _number(get("learning_rate"))
    if rate is not None:
        need("learning_rate", rate > 0 and math.isfinite(rate), "a finite number > 0")
    temperature = _number(get("temperature"))
    if temperature is not None:
        need("temperature", temperature > 0 and math.isfinite(temperature), "> 0")
    top_p = _number(get("top_p"))
    if top_p is not None:
        need("top_p", 0 < top_p <= 1, "in (0, 1]")
    for name in ("beta", "epsilon", "warmup_steps", "weight_decay"):
        value = _number(get(name))
        if value is not None:
            need(name, value >= 0 and math.isfinite(value), ">= 0")
    max_steps = get("max_steps")
    if max_steps is not None:
        need(
            "max_steps",
            max_steps == -1 or max_steps >= 1,
            ">= 1, or -1 to train for --num_train_epochs",
        )
    epochs = _number(get("num_train_epochs"))
    if epochs is not None and (max_steps is None or max_steps <= 0):
        need("num_train_epochs", epochs > 0, "> 0")
    for name in ("logging_steps", "save_steps", "eval_steps"):
        value = _number(get(name))
        if value is not None:
            need(name, value > 0 and math.isfinite(value), "> 0 (a count, or a run fraction)")
    if problems or not generations:
        return problems
    # TRL needs every generation batch to hold whole groups of num_generations completions.
    per_device = get("per_device_train_batch_size")
    batch, label = get("generation_batch_size"), "--generation_batch_size"
    if batch is None and per_device is not None:
        steps = get("steps_per_generation") or get("gradient_accumulation_steps") or 1
        batch = per_device * processes * steps
        label = f"--per_device_train_batch_size ({per_device})"
        if processes > 1:
            label += f" x {processes} processes"
        if steps > 1:
            label += f" x {steps} steps per generation"
    if batch is not None and batch % generations:
        problems.append(
            f"{label} = {batch} completions per generation batch must be a multiple of "
            f"--num_generations ({generations})"
        )
    return problems


class CountdownGRPOConfig(GRPOConfig):
    """``trl.GRPOConfig``, refusing values TRL would crash on or silently misuse.

    Raises:
        ConfigError: the first problem :func:`grpo_problems` finds (the flag and the rule).
    """

    def __post_init__(self) -> None:
        processes = max(1, int(os.environ.get("WORLD_SIZE", "1") or 1))
        problems = grpo_problems(self, processes)
        if problems:
            raise ConfigError(problems[0])
        super().__post_init__()
