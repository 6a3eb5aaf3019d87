"""One run's folder and its bookkeeping: config.json and summary.json writing, the refusal to
write over an earlier run, the wall clock over invocations, the "already finished" check and
the resume checkpoint choice (progress.json), and :class:`Run`, what every stage reads.

The folder's layout is described in :mod:`agents.training._pipeline`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._data import RunLayout
from agents.training._distributed import is_main_process
from countdown_env.files import write_text_atomic
from verifiers.errors import ConfigError, CountdownError

__all__ = [
    "Run",
    "RunClock",
    "check_output_dir",
    "checkpoint_step",
    "curriculum_snapshot",
    "finished_run",
    "grpo_seconds_at",
    "record_reward_names",
    "removed_on_error",
    "resume_checkpoint",
    "warn",
    "write_json",
]


def _json_ready(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON (anything else as its ``str``), atomically."""
    write_text_atomic(path, json.dumps(_json_ready(data), indent=2) + "\n")


def warn(text: str) -> None:
    """One warning line on stderr (main process only)."""
    if is_main_process():
        print(f"countdown train: warning: {text}", file=sys.stderr, flush=True)


def check_output_dir(layout: RunLayout, resume: bool) -> None:
    """Refuse to write over an earlier run unless asked to continue it."""
    if resume:
        if not layout.config.is_file():
            raise ConfigError(f"--resume: {layout.root} holds no run to continue (no config.json)")
        return
    if layout.root.exists() and not layout.root.is_dir():
        raise ConfigError(f"--output-dir {layout.root} exists and is not a directory")
    if layout.root.exists() and any(layout.root.iterdir()):
        raise ConfigError(
            f"output directory {layout.root} is not empty: pass --resume to continue that run, "
            "or choose a new --output_dir (nothing was overwritten)"
        )


class RunClock:
    """Wall time of a run over all its invocations (a killed and resumed run has several).

    Each invocation's seconds are kept in progress.json at every stage and checkpoint, so the
    time of an invocation that was killed counts up to its last record.
    """

    def __init__(self, started: float, earlier: list[float]) -> None:
        self.started = started
        self.earlier = earlier

    def invocations(self) -> list[float]:
        """Seconds of each invocation, this one (so far) last."""
        return [*self.earlier, time.monotonic() - self.started]

    def total(self) -> float:
        return sum(self.invocations())


@dataclass
class Run:
    """What every stage after the start reads: the run's folder, arguments and clock, the
    prompt template, the evaluation's token budget and, with ``--curriculum``, its state and
    each level's held-out tasks."""

    layout: RunLayout
    script: CountdownTrainArguments
    training_args: Any
    model_args: Any
    clock: RunClock
    template: str
    max_new_tokens: int
    curriculum: Any = None
    level_tasks: list[list[Any]] = field(default_factory=list)

    def log(self, *args: Any, **kwargs: Any) -> None:
        """``print`` on the main process; nothing on the others."""
        if is_main_process():
            print(*args, **kwargs)

    def record_invocations(self) -> None:
        """Keep this invocation's seconds so far in progress.json (main process only)."""
        if is_main_process():
            self.layout.write_progress({"invocations": self.clock.invocations()})


def finished_run(
    layout: RunLayout, script: CountdownTrainArguments, max_steps: int
) -> dict[str, Any] | None:
    """With ``--resume``, the summary of a run that has nothing left to do, else ``None``.

    A run is finished when it wrote its summary and GRPO reached ``max_steps`` or spent its
    time budget (a larger value given now means "train on"). Without this check the trainer
    would take one more step on every resume and overwrite the final model.
    """
    if not script.resume or not layout.summary.is_file():
        return None
    progress = layout.read_progress()
    steps_done = max_steps > 0 and progress.get("step", 0) >= max_steps
    budget = script.time_budget_seconds
    time_done = budget > 0 and progress.get("grpo_seconds", 0.0) >= budget
    if not (steps_done or time_done):
        return None
    summary: dict[str, Any] = json.loads(layout.summary.read_text(encoding="utf-8"))
    return summary


@contextlib.contextmanager
def removed_on_error(folder: Path, enabled: bool, keep_folder: bool) -> Iterator[None]:
    """Undo a new run's folder if the body fails with a user error.

    A run that could not start (a bad tasks file, an unloadable model) must not leave files
    that make the corrected command refuse the folder as "not empty". Only a new run's folder
    is cleaned (it was absent or empty before); ``keep_folder`` keeps the emptied folder itself.
    """
    try:
        yield
    except CountdownError:
        if enabled:
            if keep_folder:
                for child in folder.iterdir():
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            else:
                shutil.rmtree(folder, ignore_errors=True)
        raise


def record_reward_names(layout: RunLayout, names: list[str]) -> None:
    """Put the Python ``reward_funcs`` into config.json (``countdown.rewards``) by name."""
    if not layout.config.is_file():
        return
    config = json.loads(layout.config.read_text(encoding="utf-8"))
    config.setdefault("countdown", {})["rewards"] = names
    write_json(layout.config, config)


def checkpoint_step(checkpoint: Path | None) -> int:
    """The GRPO step of a ``checkpoint-N`` folder (0 without one)."""
    return int(checkpoint.name.rsplit("-", 1)[1]) if checkpoint is not None else 0


def _shared_path(path: Path | None) -> Path | None:
    """The main process's checkpoint choice on every process (it may rename a broken one)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return path
    box = [str(path) if path is not None else None]
    dist.broadcast_object_list(box, src=0)
    return Path(box[0]) if box[0] is not None else None


def resume_checkpoint(run: Run) -> Path | None:
    """With ``--resume``, the last usable checkpoint (the same on every process), else ``None``.

    Metrics rows logged after that checkpoint are dropped: GRPO logs them again.
    """
    last = None
    if run.script.resume and is_main_process():
        last = run.layout.usable_checkpoint(warn=warn)
        dropped = run.layout.trim_metrics(checkpoint_step(last))
        if dropped:
            run.log(
                f"dropped {dropped} metrics row(s) logged after "
                f"{last.name if last else 'the start of GRPO'}; they are logged again"
            )
    return _shared_path(last)


def grpo_seconds_at(layout: RunLayout, checkpoint: Path | None) -> float:
    """GRPO seconds spent up to ``checkpoint`` (0 without one): a resumed run keeps its budget."""
    if checkpoint is None:
        return 0.0
    progress = layout.read_progress()
    at_step = progress.get("grpo_seconds_at_step", {}).get(str(checkpoint_step(checkpoint)))
    return float(at_step if at_step is not None else progress.get("grpo_seconds", 0.0))


def curriculum_snapshot(layout: RunLayout, checkpoint: Path | None) -> dict[str, Any] | None:
    """The curriculum's level and history at ``checkpoint`` (``None``: start at level 0)."""
    if checkpoint is None:
        return None
    saved = layout.read_progress().get("curriculum_at_step", {})
    snapshot: dict[str, Any] | None = saved.get(str(checkpoint_step(checkpoint)))
    return snapshot
