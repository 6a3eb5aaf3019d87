"""Trainer callbacks of ``countdown train``: a wall-clock budget, a metrics file, periodic
held-out accuracy, a progress bar in place of the trainer's printed log dicts, and a watch that
says when GRPO is getting no signal.

The budget's stop decision is taken on the main process and shared with the others, so a
multi-process (``accelerate launch``) run stops every rank at the same step instead of hanging.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

__all__ = [
    "CheckpointProgressCallback",
    "HeldoutAccuracyCallback",
    "MetricsFileCallback",
    "ProgressCallback",
    "SaveEveryMinutesCallback",
    "SignalWatchCallback",
    "StepsFromArgsCallback",
    "TimeBudgetCallback",
]


def _sync_flag(flag: bool) -> bool:
    """The main process's value of ``flag`` on every process (a no-op without distribution)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return flag
    box = [flag]
    dist.broadcast_object_list(box, src=0)
    return bool(box[0])


class TimeBudgetCallback(TrainerCallback):
    """Stop training once ``seconds`` of wall time have been spent in GRPO (across resumes).

    ``already_spent`` is the time a previous, interrupted invocation of the same run used; the
    run directory records it at every checkpoint so a resumed run keeps the original budget.
    """

    def __init__(self, seconds: float, already_spent: float = 0.0) -> None:
        self.seconds = seconds
        self.already_spent = already_spent
        self.stopped_early: tuple[int, int] | None = None
        """``(steps done, steps planned)`` when the budget ended training before max_steps."""
        self._start = math.nan
        self._end = math.nan

    @property
    def spent(self) -> float:
        """GRPO wall seconds so far, this invocation and earlier ones (the clock stops when
        training ends, so the final evaluation does not count)."""
        if math.isnan(self._start):
            return self.already_spent
        end = time.monotonic() if math.isnan(self._end) else self._end
        return self.already_spent + end - self._start

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._start = time.monotonic()
        self._end = math.nan

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.seconds > 0 and _sync_flag(self.spent >= self.seconds):
            control.should_training_stop = True
            control.should_save = True
            if state.max_steps > 0 and state.global_step < state.max_steps:
                self.stopped_early = (state.global_step, state.max_steps)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._end = time.monotonic()


class SaveEveryMinutesCallback(TrainerCallback):
    """Save a checkpoint whenever ``minutes`` of wall time passed since the last save (or the
    start), besides the trainer's ``save_steps``: a run killed before its first ``save_steps``
    checkpoint would otherwise lose every GRPO step. ``minutes <= 0`` turns it off."""

    def __init__(self, minutes: float) -> None:
        self.seconds = minutes * 60.0
        self._last = math.nan

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last = time.monotonic()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.seconds <= 0 or math.isnan(self._last):
            return
        if _sync_flag(time.monotonic() - self._last >= self.seconds):
            control.should_save = True

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last = time.monotonic()


class StepsFromArgsCallback(TrainerCallback):
    """Take ``logging_steps``/``save_steps``/``eval_steps`` from this invocation's arguments.

    On resume the trainer reloads them from the checkpoint's ``trainer_state.json``, so a
    ``--save_steps`` given with ``--resume`` would be ignored.
    """

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        state.compute_steps(args, state.max_steps)


class MetricsFileCallback(TrainerCallback):
    """Append every log row (step, reward, lengths, custom metrics) to a JSONL file.

    The file is appended line by line and flushed, so a killed run keeps every row it logged.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write_row(self, row: dict[str, Any]) -> None:
        """Append one row (main process only)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        row: dict[str, Any] = {"step": state.global_step}
        for key, value in logs.items():
            number = _as_float(value)
            row[key] = value if number is None else number
        self.write_row(row)


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class HeldoutAccuracyCallback(TrainerCallback):
    """Every ``every`` steps, measure held-out accuracy with ``measure()`` and report it.

    ``measure`` runs on the main process only (a greedy evaluation of a fixed subset of the
    held-out tasks). Its result goes to each ``report(step, metrics)`` listener (the metrics
    file, the progress bar), not through ``trainer.log``: that log runs collectives in a
    multi-process run, which the other processes would not join here.
    """

    def __init__(
        self,
        measure: Callable[[], dict[str, float]],
        every: int,
        report: list[Callable[[int, dict[str, float]], None]] | None = None,
    ) -> None:
        self.measure = measure
        self.every = every
        self.report = list(report or [])
        self.latest: dict[str, float] = {}

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.every <= 0 or state.global_step % self.every:
            return
        if state.is_world_process_zero:
            self.latest = self.measure()
            for listener in self.report:
                listener(state.global_step, dict(self.latest))


class ProgressCallback(TrainerCallback):
    """One tqdm bar on stderr: time (or steps) against the budget, latest reward and accuracy."""

    def __init__(self, budget_seconds: float, max_steps: int) -> None:
        self.budget_seconds = budget_seconds
        self.max_steps = max_steps
        self.bar: Any = None
        self._start = 0.0
        self._postfix: dict[str, str] = {}

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        from tqdm.auto import tqdm

        self._start = time.monotonic()
        if self.budget_seconds > 0:
            self.bar = tqdm(total=round(self.budget_seconds), desc="GRPO", unit="s", leave=True)
        else:
            self.bar = tqdm(
                total=self.max_steps,
                initial=state.global_step,
                desc="GRPO",
                unit="step",
                leave=True,
            )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is None:
            return
        if self.budget_seconds > 0:
            elapsed = min(round(time.monotonic() - self._start), self.bar.total)
            self.bar.update(elapsed - self.bar.n)
        else:
            self.bar.update(1)
        self.bar.set_postfix({"step": state.global_step, **self._postfix}, refresh=False)

    def note(self, step: int, metrics: dict[str, float]) -> None:
        """Show metrics measured outside the trainer's log (held-out accuracy)."""
        self.on_log(None, None, None, logs=metrics)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if self.bar is None or not logs:
            return
        for key, label in (("reward", "reward"), ("heldout_accuracy", "heldout")):
            if key in logs and _as_float(logs[key]) is not None:
                self._postfix[label] = f"{float(logs[key]):.3f}"

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class CheckpointProgressCallback(TrainerCallback):
    """At every checkpoint, record the GRPO seconds spent so a resumed run keeps its budget."""

    def __init__(self, write: Callable[[dict[str, Any]], None], budget: TimeBudgetCallback) -> None:
        self.write = write
        self.budget = budget
        self.seconds_at: dict[str, float] = {}

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            spent = self.budget.spent
            self.seconds_at[str(state.global_step)] = spent
            self.write(
                {
                    "grpo_seconds": spent,
                    "step": state.global_step,
                    "grpo_seconds_at_step": dict(self.seconds_at),
                }
            )


# (metric TRL logs, test on its value, message) for each stall the watch reports.
_STALLS: tuple[tuple[str, Callable[[float], bool], str], ...] = (
    (
        "frac_reward_zero_std",
        lambda value: value >= 1.0,
        "every GRPO group had equal rewards in the last {patience} logged steps, so the "
        "advantages are all zero and the model is not learning (trl#3857). The model may "
        "never hit the reward (warm start it, use easier tasks, or more num_generations), or "
        "always hit it (harder tasks).",
    ),
    (
        "tools/call_frequency",
        lambda value: value <= 0.0,
        "the model called no tool in the last {patience} logged steps, so the tool "
        "environment's reward is 0 for every rollout. Small chat models often cannot write "
        "the tool-call format yet: warm start on tool-call transcripts or use a model that "
        "calls tools.",
    ),
    (
        "completions/clipped_ratio",
        lambda value: value >= 0.5,
        "at least half of the completions hit max_completion_length in the last {patience} "
        "logged steps; a cut-off completion has no final answer and scores 0 (trl#5697). "
        "Raise max_completion_length (mask_truncated_completions keeps cut-off completions out "
        "of the loss, but they still earn nothing).",
    ),
)


class SignalWatchCallback(TrainerCallback):
    """Say once, on stderr and in :attr:`raised`, when GRPO is stalled on something fixable.

    Watched in TRL's logged metrics, each for ``patience`` consecutive logged steps: every
    group with equal rewards (``frac_reward_zero_std`` = 1, no gradient signal), no tool call
    at all (``tools/call_frequency`` = 0, multi-turn runs), and most completions truncated
    (``completions/clipped_ratio`` >= 0.5). Metrics a run does not log are never reported.
    Training goes on either way: a stall early in a run can resolve itself. Messages go to
    ``stream`` (default: ``sys.stderr`` at the time of writing).

    >>> import io
    >>> watch = SignalWatchCallback(patience=2, stream=io.StringIO())
    >>> for _ in range(3):
    ...     watch.record({"frac_reward_zero_std": 1.0, "tools/call_frequency": 0.5})
    >>> [name for name, _ in watch.raised]
    ['frac_reward_zero_std']
    """

    def __init__(self, patience: int = 5, stream: Any = None) -> None:
        self.patience = patience
        self.stream = stream
        self.raised: list[tuple[str, str]] = []
        self._streak = {name: 0 for name, _, _ in _STALLS}

    def record(self, logs: dict[str, Any]) -> None:
        """Update the streaks from one log row; report a stall the first time it is reached."""
        for name, stalled, message in _STALLS:
            value = _as_float(logs.get(name))
            if value is None or math.isnan(value):
                continue
            self._streak[name] = self._streak[name] + 1 if stalled(value) else 0
            if self._streak[name] == self.patience and name not in dict(self.raised):
                text = message.format(patience=self.patience)
                self.raised.append((name, text))
                print(
                    f"\ncountdown train: warning: {text}",
                    file=self.stream or sys.stderr,
                    flush=True,
                )

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if state.is_world_process_zero and logs:
            self.record(logs)
