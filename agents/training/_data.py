"""The data side of a training run: its directory layout, its tasks, its dataset and rewards."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.training._args import CountdownTrainArguments
from countdown_env.files import write_text_atomic
from verifiers.errors import ConfigError

__all__ = [
    "RunLayout",
    "build_rewards",
    "choose_holdout_fraction",
    "load_or_make_tasks",
    "reward_weights",
    "train_dataset",
]


@dataclass(frozen=True)
class RunLayout:
    """Paths of one run directory (see :mod:`agents.training._pipeline` for what each holds)."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.json"

    @property
    def tasks(self) -> Path:
        return self.root / "tasks"

    @property
    def warmstart(self) -> Path:
        return self.root / "warmstart"

    @property
    def warmstart_done(self) -> Path:
        return self.root / "warmstart" / "warmstart.json"

    @property
    def eval_before(self) -> Path:
        return self.root / "eval_before"

    @property
    def eval_after(self) -> Path:
        return self.root / "eval_after"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def final(self) -> Path:
        return self.root / "final"

    @property
    def adapter(self) -> Path:
        return self.root / "adapter"

    @property
    def plots(self) -> Path:
        return self.root / "plots"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def progress(self) -> Path:
        return self.root / "progress.json"

    def make(self) -> None:
        """Create the directories a run writes into.

        Raises:
            ConfigError: a folder cannot be created (a file in the way, a read-only place).
        """
        for folder in (self.root, self.tasks, self.checkpoints, self.plots):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ConfigError(f"cannot create {folder}: {err.strerror or err}") from None

    def checkpoints_newest_first(self) -> list[Path]:
        """The ``checkpoint-N`` folders, highest step first."""
        found = []
        for path in self.checkpoints.glob("checkpoint-*"):
            match = re.fullmatch(r"checkpoint-(\d+)", path.name)
            if match and path.is_dir():
                found.append((int(match.group(1)), path))
        return [path for _, path in sorted(found, reverse=True)]

    def last_checkpoint(self) -> Path | None:
        """The newest complete ``checkpoint-N`` folder, or ``None``."""
        for path in self.checkpoints_newest_first():
            if (path / "trainer_state.json").is_file():
                return path
        return None

    def usable_checkpoint(self, warn: Callable[[str], None]) -> Path | None:
        """The newest checkpoint whose files are whole (:func:`checkpoint_problem`), or
        ``None`` when there is no checkpoint at all.

        A damaged newer checkpoint (a kill in the middle of a save, a full disk) is renamed
        ``broken-checkpoint-N`` so the trainer neither resumes from it nor saves into it, and
        ``warn`` is told which one was skipped and why.

        Raises:
            ConfigError: there are checkpoints, and none of them is whole.
        """
        skipped: dict[Path, str] = {}
        for path in self.checkpoints_newest_first():
            problem = checkpoint_problem(path)
            if problem is not None:
                skipped[path] = problem
                continue
            for broken, why in skipped.items():
                target = broken.with_name("broken-" + broken.name)
                if target.exists():
                    shutil.rmtree(target)
                broken.rename(target)
                warn(
                    f"checkpoint {broken.name} is damaged ({why}); resuming from {path.name} "
                    f"instead (the damaged one is kept as {target.name})"
                )
            return path
        if skipped:
            details = "; ".join(f"{p.name}: {why}" for p, why in skipped.items())
            raise ConfigError(
                f"--resume: no usable checkpoint in {self.checkpoints} ({details}); remove "
                "that folder to restart GRPO from the warm-started model"
            )
        return None

    def trim_metrics(self, step: int) -> int:
        """Drop the rows of ``metrics.jsonl`` logged after ``step`` (a resumed run logs those
        steps again); returns how many were dropped."""
        if not self.metrics.is_file():
            return 0
        kept, dropped = [], 0
        for line in self.metrics.read_text(encoding="utf-8").splitlines():
            try:
                row_step = json.loads(line).get("step", 0)
            except (json.JSONDecodeError, AttributeError):
                dropped += 1  # a row cut off by the kill
                continue
            if isinstance(row_step, (int, float)) and row_step > step:
                dropped += 1
            else:
                kept.append(line)
        if dropped:
            write_text_atomic(self.metrics, "".join(line + "\n" for line in kept))
        return dropped

    def read_progress(self) -> dict[str, Any]:
        if not self.progress.is_file():
            return {}
        return json.loads(self.progress.read_text(encoding="utf-8"))

    def write_progress(self, progress: dict[str, Any]) -> None:
        """Update the keys of ``progress.json`` given (the others are kept)."""
        write_text_atomic(self.progress, json.dumps({**self.read_progress(), **progress}))


def checkpoint_problem(folder: Path) -> str | None:
    """Why a checkpoint folder cannot be resumed from (a missing or unreadable trainer state,
    a truncated safetensors or torch file), or ``None`` when its files are whole."""
    import zipfile

    state = folder / "trainer_state.json"
    try:
        json.loads(state.read_text(encoding="utf-8"))["global_step"]
    except FileNotFoundError:
        return "no trainer_state.json"
    except (OSError, ValueError, KeyError, TypeError):
        return "trainer_state.json is unreadable"
    for path in sorted(folder.iterdir()):
        if path.suffix == ".safetensors":
            from safetensors import SafetensorError, safe_open

            try:
                with safe_open(str(path), "pt") as handle:
                    handle.keys()
            except (SafetensorError, OSError) as err:
                return f"{path.name}: {err}"
        elif path.suffix in (".pt", ".pth", ".bin") and not zipfile.is_zipfile(path):
            return f"{path.name} is truncated or not a torch file"
    return None


def choose_holdout_fraction(script: CountdownTrainArguments) -> str | None:
    """Split a small task space by a hash, so held-out and training tasks look alike.

    With ``holdout=task`` and no fraction, the held-out tasks are the first distinct tasks the
    generator draws: its most frequent ones. When training asks for much of a small space it
    gets what is left, the rare ones, and the two sides differ (3 numbers from 1..10, 2,400 +
    500 of 3,130 tasks: ``a+b-c`` solves 31% of the held-out tasks and 12% of the training
    tasks). So when :func:`countdown_env.skewed_split` says so, this sets
    ``script.holdout_fraction`` to :func:`countdown_env.fair_holdout_fraction`; when no fair
    fraction fits, the default split stays, with a warning.

    Returns:
        The line to print about the choice, or ``None`` when nothing was chosen.
    """
    import countdown_env

    if script.tasks_file or script.holdout != "task" or script.holdout_fraction is not None:
        return None
    config = script.generator_config()
    train, test = script.train_tasks, script.heldout_tasks
    fraction = countdown_env.fair_holdout_fraction(
        train, test, seed=script.task_seed, config=config
    )
    if fraction is not None:
        script.holdout_fraction = fraction
        return (
            f"countdown train: held-out tasks split off by a hash, holdout_fraction {fraction} "
            f"({train + test:,} tasks asked for fill much of a small space: the first distinct "
            "tasks drawn would be the frequent ones; --holdout_fraction overrides)"
        )
    if countdown_env.skewed_split(train, test, config):
        return (
            f"countdown train: warning: {train + test:,} tasks asked for fill nearly all of "
            "a small space; the held-out tasks are the generator's most frequent ones and "
            "training gets the rest, so the two sides differ. Ask for fewer tasks, or set "
            "--holdout_fraction."
        )
    return None


def load_or_make_tasks(
    script: CountdownTrainArguments, layout: RunLayout, *, main: bool = True
) -> tuple[list[Any], list[Any]]:
    """The run's (train, held-out) tasks: read back when the run already wrote them, else made.

    Made from ``--tasks_file`` (held-out tasks split off it, disjoint) or from the generator
    (:meth:`CountdownTrainArguments.generator_config`, every GeneratorConfig option) with a
    split that keeps held-out tasks out of training. Only the main process writes them.
    """
    import countdown_env

    train_path, heldout_path = layout.tasks / "train.jsonl", layout.tasks / "heldout.jsonl"
    if train_path.is_file() and heldout_path.is_file():
        return countdown_env.read_tasks(train_path), countdown_env.read_tasks(heldout_path)
    if not main:
        raise ConfigError(f"the main process did not write {train_path}")
    if script.tasks_file:
        tasks = countdown_env.read_tasks(script.tasks_file)
        if len(tasks) <= script.heldout_tasks:
            raise ConfigError(
                f"{script.tasks_file} has {len(tasks)} tasks; need more than heldout_tasks="
                f"{script.heldout_tasks}"
            )
        # A slightly larger share than needed, so the held-out side has enough tasks; every
        # task on that side stays out of training, used for evaluation or not.
        share = script.holdout_fraction or min(0.5, 1.2 * script.heldout_tasks / len(tasks))
        train, heldout = countdown_env.split(
            tasks, holdout=script.holdout, holdout_fraction=share, seed=script.task_seed
        )
        if len(heldout) < script.heldout_tasks:
            raise ConfigError(
                f"{script.tasks_file}: only {len(heldout)} held-out tasks for heldout_tasks="
                f"{script.heldout_tasks}; ask for fewer"
            )
        heldout = heldout[: script.heldout_tasks]
        train = train[: script.train_tasks]
    else:
        train, heldout = countdown_env.make_splits(
            script.train_tasks,
            script.heldout_tasks,
            seed=script.task_seed,
            holdout=script.holdout,
            holdout_fraction=script.holdout_fraction,
            config=script.generator_config(),
        )
    countdown_env.write_jsonl(train, train_path, overwrite=True)
    countdown_env.write_jsonl(heldout, heldout_path, overwrite=True)
    return list(train), list(heldout)


def train_dataset(tasks: list[Any], template: str) -> Any:
    """The GRPO dataset (columns ``prompt``, ``nums``, ``target``) in the chosen template."""
    import countdown_env

    return countdown_env.to_hf_dataset(tasks, template=template)


def build_rewards(
    names: list[Any], template: str, max_completion_length: int | None = None
) -> list[Any]:
    """The reward functions for ``--rewards`` (see :mod:`agents.training._rewards`), in the
    template's answer format, then the zero-weight training diagnostics."""
    from agents.training._rewards import build_rewards as build
    from agents.training._stage_eval import TrainingDiagnostics
    from countdown_env import get_template

    extractor = get_template(template).extractor
    return [*build(names, extractor, max_completion_length), TrainingDiagnostics(template)]


def reward_weights(user_weights: list[float] | None, n_rewards: int) -> list[float]:
    """Weights for :func:`build_rewards`' list: the user's (or 1.0 each), then 0 for diagnostics."""
    if user_weights is None:
        return [1.0] * n_rewards + [0.0]
    if len(user_weights) == n_rewards + 1:
        return list(user_weights)
    if len(user_weights) != n_rewards:
        raise ConfigError(
            f"--reward_weights has {len(user_weights)} values for {n_rewards} rewards "
            f"({n_rewards} expected)"
        )
    return [*user_weights, 0.0]
