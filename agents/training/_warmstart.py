"""Format-only warm start for a model that cannot yet write an equation.

A randomly initialised model emits noise, so its GRPO reward is always 0 and nothing is learned.
The warm start teaches only the *answer format*: each training text is the prompt of a real task
followed by an independent random well-formed equation over the same numbers (each used once),
never a solution. The model learns to write legal expressions over the numbers it is shown, but
nothing links what it writes to the target: any gain in hitting targets comes from RL with the
verifier's reward. :func:`format_only_texts` exposes the texts so a test can check exactly that.

For the ``compact-steps`` template (answer format ``steps``) the texts are random worked
answers (:mod:`agents.training._steps`): random exact steps over the prompt's numbers and a
random final expression, the target only copied into the task-left lines. For
``compact-tries`` (answer format ``tries``) they are runs of consecutive chains from a fixed
enumeration, from a random start and of random length, a try that happens to hit the target
marked as such (:mod:`agents.training._tries`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agents.policies._base import random_expression
from agents.training._steps import random_steps_answer
from agents.training._tries import random_tries_answer
from verifiers.errors import ConfigError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "LR_SCHEDULES",
    "WarmStartConfig",
    "check_lr_schedule",
    "format_only_texts",
    "warm_start",
]


@dataclass(frozen=True)
class WarmStartConfig:
    """Settings of the format-only warm start (a plain supervised loop, no TRL)."""

    seconds: float = field(default=120.0, metadata={"help": "Wall-clock budget; 0 skips it."})
    max_steps: int = field(default=100_000, metadata={"help": "Upper bound on optimiser steps."})
    batch_size: int = field(default=128, metadata={"help": "Texts per optimiser step."})
    learning_rate: float = field(default=3e-3, metadata={"help": "AdamW learning rate."})
    lr_schedule: str = field(
        default="constant",
        metadata={
            "help": "'constant', or 'linear': decay to 0 by the end of the budget (the larger "
            "of the steps done / max_steps and the time used / seconds)."
        },
    )
    seed: int = field(default=0, metadata={"help": "Seed of the random equations and batches."})
    max_tries: int = field(
        default=6,
        metadata={"help": "Answers with tries list 1 to this many chains (format 'tries')."},
    )
    bf16: bool = field(
        default=False,
        metadata={
            "help": "bf16 autocast; off by default on CPU, where it was measured slower than "
            "float32 for these small models even with native bf16 (agents.cli.train)."
        },
    )

    def __post_init__(self) -> None:
        if not (self.seconds >= 0 and math.isfinite(self.seconds)):
            raise ConfigError(f"seconds must be a finite number >= 0, got {self.seconds!r}")
        if self.max_steps < 0:
            raise ConfigError(f"max_steps must be >= 0, got {self.max_steps!r}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {self.batch_size!r}")
        if not (self.learning_rate > 0):
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if self.max_tries < 1:
            raise ConfigError(f"max_tries must be >= 1, got {self.max_tries!r}")
        check_lr_schedule(self.lr_schedule)


LR_SCHEDULES = ("constant", "linear")
"""Learning-rate schedules of the warm start."""


def check_lr_schedule(schedule: str, name: str = "lr_schedule") -> None:
    """Raise :class:`ConfigError` naming ``name`` unless ``schedule`` is in :data:`LR_SCHEDULES`."""
    if schedule not in LR_SCHEDULES:
        raise ConfigError(f"{name} must be one of {list(LR_SCHEDULES)}, got {schedule!r}")


def _learning_rate(cfg: WarmStartConfig, steps: int, elapsed: float) -> float:
    """The learning rate of the next step: constant, or linearly down to 0 at the budget's end
    (steps or seconds, whichever is nearer to running out)."""
    if cfg.lr_schedule == "constant":
        return cfg.learning_rate
    progress = steps / cfg.max_steps if cfg.max_steps else 1.0
    if cfg.seconds > 0:
        progress = max(progress, elapsed / cfg.seconds)
    return cfg.learning_rate * max(0.0, 1.0 - progress)


WARM_START_FORMATS = ("bare", "steps", "tries")
"""Answer formats the warm start can teach: bare equations, ``compact-steps`` worked answers
and ``compact-tries`` answers with tries."""


def format_only_texts(
    prompts: Sequence[str],
    nums: Sequence[Sequence[int]],
    rng: random.Random,
    *,
    targets: Sequence[int] | None = None,
    answer_format: str = "bare",
    max_tries: int = 6,
) -> list[tuple[str, str]]:
    """(prompt, completion) pairs: each prompt with a random answer over its own numbers.

    ``answer_format`` ``"bare"``: a random equation; ``"steps"``: a random worked answer,
    whose task-left lines name the target (so ``targets`` are needed); ``"tries"``: 1 to
    ``max_tries`` consecutive chains of a fixed enumeration, from a random start.
    """
    if answer_format == "bare":
        return [(p, random_expression(n, rng)) for p, n in zip(prompts, nums, strict=True)]
    if answer_format == "tries":
        marks = [None] * len(prompts) if targets is None else targets
        return [
            (p, random_tries_answer(n, rng, max_tries=max_tries, target=t))
            for p, n, t in zip(prompts, nums, marks, strict=True)
        ]
    if answer_format != "steps":
        raise ConfigError(
            f"the warm start writes answers in {list(WARM_START_FORMATS)}, not {answer_format!r}"
        )
    if targets is None:
        raise ConfigError("worked answers (answer format 'steps') need the tasks' targets")
    rows = zip(prompts, nums, targets, strict=True)
    return [(p, random_steps_answer(n, t, rng)) for p, n, t in rows]


def _batch_tensors(
    tokenizer: PreTrainedTokenizerBase, pairs: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    import torch

    rows = []
    for prompt, completion in pairs:
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
        rows.append((prompt_ids, [*completion_ids, tokenizer.eos_token_id]))
    width = max(len(p) + len(c) for p, c in rows)
    input_ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (prompt_ids, completion_ids) in enumerate(rows):
        ids = prompt_ids + completion_ids
        input_ids[i, : len(ids)] = torch.tensor(ids)
        attention[i, : len(ids)] = 1
        # Loss on the completion only: the model is never taught to predict prompts.
        labels[i, len(prompt_ids) : len(ids)] = torch.tensor(completion_ids)
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def warm_start(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    nums: Sequence[Sequence[int]],
    config: WarmStartConfig | None = None,
    *,
    targets: Sequence[int] | None = None,
    answer_format: str = "bare",
    on_step: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Train ``model`` in place on format-only texts until the time or step budget ends.

    ``targets`` and ``answer_format`` are passed to :func:`format_only_texts`.

    Returns ``{"steps", "seconds", "final_loss"}``; ``"stopped_by": "time"`` is added when
    the time budget ended it before ``max_steps``. ``on_step(step, loss)`` is called after each
    optimiser step (a progress bar hooks in there). The model runs where it is, in float32, or
    under CPU bf16 autocast with ``config.bf16``.
    """
    import torch

    cfg = config or WarmStartConfig()
    if len(prompts) != len(nums) or not prompts:
        raise ConfigError("warm_start needs the same non-zero number of prompts and nums")
    first = None if targets is None else [targets[0]]
    # A bad answer format, or worked answers without targets, fail before any training.
    format_only_texts(
        [prompts[0]], [nums[0]], random.Random(0), targets=first, answer_format=answer_format
    )
    rng = random.Random(cfg.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    model.train()
    start = time.monotonic()
    steps, loss_value = 0, float("nan")
    while steps < cfg.max_steps and time.monotonic() - start < cfg.seconds:
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(cfg, steps, time.monotonic() - start)
        picks = [rng.randrange(len(prompts)) for _ in range(cfg.batch_size)]
        pairs = format_only_texts(
            [prompts[i] for i in picks],
            [nums[i] for i in picks],
            rng,
            targets=None if targets is None else [targets[i] for i in picks],
            answer_format=answer_format,
            max_tries=cfg.max_tries,
        )
        batch = _batch_tensors(tokenizer, pairs)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            loss = model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        steps += 1
        loss_value = float(loss.item())
        if on_step is not None:
            on_step(steps, loss_value)
    model.eval()
    info: dict[str, Any] = {
        "steps": steps,
        "seconds": time.monotonic() - start,
        "final_loss": loss_value,
    }
    if steps < cfg.max_steps:
        info["stopped_by"] = "time"
    return info
