"""A difficulty curriculum during ``countdown train --curriculum``: the current level, the
training set whose tasks follow it, each level's held-out tasks and the callback that raises
the level (the levels themselves are spelled and checked in :mod:`agents.training._curriculum`).

How it runs:

* The GRPO training set is a ``datasets.Dataset`` of ``train_tasks`` indices with a transform
  (:func:`curriculum_dataset`): index ``i`` reads as task ``task_at(task_seed, i)`` of the
  *current* level's configuration, the same task on every process and every run. Tasks of
  any held-out set (the run's, and each level's own) are skipped (``i + train_tasks``, ...).
* TRL's ``RepeatSampler`` repeats each index ``num_generations`` times inside one generation
  batch, and the dataloader reads a generation batch in one call of the transform, so the
  level is read once per batch: a group never mixes tasks or levels, with any gradient
  accumulation (the level only moves between optimizer steps).
* :class:`CurriculumCallback` keeps the last ``window`` logged ``correct_rate`` values (the
  sampled exact-hit rate, logged by the diagnostics reward whatever the rewards are) of the
  current level's batches; after ``min_steps`` steps at a level, a mean >= ``threshold``
  raises the level. With several processes the main process decides and broadcasts it at
  the end of a step, which every process runs at the same global step, so every rank reads
  the next batch at the same level. The batch after a raise was already read (accelerate's
  dataloader reads one batch ahead), so the new level reaches the trainer one step later.
  Dataloader workers would hold their own copy of the level, so a curriculum needs
  ``dataloader_num_workers`` 0.
* ``curriculum/level`` (the level of the trained batch) and ``curriculum/hit_rate`` go to
  metrics.jsonl; at eval steps ``heldout_accuracy/level_K`` (greedy, ``heldout_tasks`` tasks
  of each level, never trained on); summary.json gets the level history; progress.json keeps
  the level at every checkpoint, so ``--resume`` continues at the level it had there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from agents.training._curriculum import CurriculumConfig, check_levels
from verifiers.errors import ConfigError

__all__ = [
    "CurriculumCallback",
    "CurriculumState",
    "build_state",
    "curriculum_dataset",
    "level_heldout",
]


class CurriculumState:
    """The current level, its history, and the tasks of every level (shared by the dataset,
    the callback and the per-level evaluation)."""

    def __init__(
        self,
        config: CurriculumConfig,
        generators: Sequence[Any],
        *,
        seed: int,
        size: int,
        excluded: Callable[[Any], bool],
        level: int = 0,
        history: list[dict[str, Any]] | None = None,
    ) -> None:
        self.config = config
        self.generators = list(generators)
        self.seed = seed
        self.size = size
        self.excluded = excluded
        self.level = level
        self.history = list(history or [{"step": 0, "level": level, "hit_rate": None}])
        self._tasks: dict[tuple[int, int], Any] = {}

    @property
    def last_level(self) -> int:
        return len(self.generators) - 1

    def task(self, level: int, index: int) -> Any:
        """Training task ``index`` of ``level``: never a held-out task, the same everywhere."""
        from countdown_env import task_at

        key = (level, index)
        if key not in self._tasks:
            for attempt in range(1_000):
                task = task_at(self.seed, index + attempt * self.size, self.generators[level])
                if not self.excluded(task):
                    break
            else:
                raise ConfigError(
                    f"curriculum level {level}: every task drawn is held out; "
                    "widen the level or hold out fewer tasks"
                )
            self._tasks[key] = task
        return self._tasks[key]

    def restore(self, snapshot: dict[str, Any] | None) -> None:
        """Continue at a checkpoint's level and history (``None``: stay at level 0)."""
        if snapshot:
            self.level = int(snapshot["level"])
            self.history = list(snapshot["history"])

    def warmstart_tasks(self, per_level: int) -> list[Any]:
        """``per_level`` tasks of each level's shape without the rating filters (cheap to draw),
        never held out: the format-only warm start sees every level's prompts."""
        from countdown_env import task_at

        out = []
        for generator in self.generators:
            shape = dataclasses.replace(
                generator, min_solutions=None, max_solutions=None, min_ops=None
            )
            drawn = (task_at(self.seed, index, shape) for index in range(per_level))
            out += [task for task in drawn if not self.excluded(task)]
        return out

    def raise_level(self, step: int, hit_rate: float) -> None:
        self.level += 1
        self.history.append({"step": step, "level": self.level, "hit_rate": hit_rate})

    def snapshot(self) -> dict[str, Any]:
        return {"level": self.level, "history": list(self.history)}


def curriculum_dataset(state: CurriculumState, template: str) -> Any:
    """The GRPO training set: ``state.size`` rows whose task follows ``state.level``.

    Columns ``prompt``, ``nums``, ``target`` (as :func:`countdown_env.to_hf_dataset`) and
    ``level``. The level is read once per read of the dataset (one generation batch).
    """
    import datasets

    from countdown_env import get_template

    tmpl = get_template(template)

    def rows(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        level = state.level  # once: every row of this batch has the same level
        tasks = [state.task(level, int(i)) for i in batch["index"]]
        return {
            "prompt": [tmpl.format(t.nums, t.target) for t in tasks],
            "nums": [list(t.nums) for t in tasks],
            "target": [t.target for t in tasks],
            "level": [level] * len(tasks),
        }

    dataset = datasets.Dataset.from_dict({"index": list(range(state.size))})
    dataset.set_transform(rows)
    return dataset


def level_heldout(
    script: Any, generators: Sequence[Any], folder: Path, *, main: bool
) -> list[list[Any]]:
    """Each level's held-out tasks (``heldout_tasks`` of them, the run's holdout rule), made
    by the main process into ``folder/level-K.jsonl`` and read back by the others."""
    import countdown_env

    config = script.curriculum_config()
    out = []
    for k, generator in enumerate(generators):
        path = folder / f"level-{k}.jsonl"
        if not path.is_file():
            if not main:
                raise ConfigError(f"the main process did not write {path}")
            _, heldout = countdown_env.make_splits(
                0,
                config.heldout_tasks,
                seed=script.task_seed,
                holdout=script.holdout,
                holdout_fraction=script.holdout_fraction,
                config=generator,
            )
            folder.mkdir(parents=True, exist_ok=True)
            countdown_env.write_jsonl(heldout, path, overwrite=True)
        out.append(countdown_env.read_tasks(path))
    return out


def _as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _broadcast(value: Any) -> Any:
    """The main process's ``value`` on every process (itself without distribution)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


class CurriculumCallback(TrainerCallback):
    """Raise :class:`CurriculumState`'s level when the rolling hit rate passes the threshold.

    Put it before the metrics file in the callback list: it adds ``curriculum/hit_rate`` (the
    rolling mean it decides on) to each log row.
    """

    def __init__(
        self,
        state: CurriculumState,
        on_raise: Callable[[str], None] | None = None,
        on_save: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> None:
        self.state = state
        self.on_raise = on_raise
        self.on_save_level = on_save
        self.rates: list[float] = []
        self.level_since = 0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.level_since = int(self.state.history[-1]["step"])

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not logs:
            return
        level = _as_float(logs.get("curriculum/level"))
        rate = _as_float(logs.get("correct_rate"))
        # Only rows of batches read at the current level count (a raise takes a batch or two
        # to reach the trainer: the dataloader reads ahead).
        if level is None or rate is None or level != self.state.level:
            return
        self.rates = [*self.rates, rate][-self.state.config.window :]
        logs["curriculum/hit_rate"] = sum(self.rates) / len(self.rates)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.on_save_level is not None and state.is_world_process_zero:
            self.on_save_level(state.global_step, self.state.snapshot())

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        config = self.state.config
        ready = (
            self.state.level < self.state.last_level
            and state.global_step - self.level_since >= config.min_steps
            and len(self.rates) >= config.window
            and sum(self.rates) / len(self.rates) >= config.threshold
        )
        hit_rate = sum(self.rates) / len(self.rates) if ready else None
        hit_rate = _broadcast(hit_rate)  # the main process decides for every rank
        if hit_rate is None:
            return
        self.state.raise_level(state.global_step, round(hit_rate, 4))
        self.level_since = state.global_step
        self.rates = []
        if self.on_raise is not None:
            level = self.state.level
            self.on_raise(
                f"curriculum: level {level} {self.state.config.levels[level]} from "
                f"step {state.global_step} (hit rate {hit_rate:.3f})"
            )


def build_state(
    script: Any,
    tasks_folder: Path,
    run_heldout: Sequence[Any],
    *,
    main: bool,
) -> tuple[CurriculumState, list[list[Any]]]:
    """The run's :class:`CurriculumState` (at level 0; :meth:`CurriculumState.restore` puts a
    resumed run at its checkpoint's level) and each level's held-out tasks. Training skips
    every held-out task: the run's, every level's, and with a ``target``/``nums`` holdout
    every task of a held-out target or number multiset (the run's split rule).

    Raises:
        ConfigError: a level's generator cannot make its held-out tasks.
    """
    from countdown_env import is_held_out

    config = script.curriculum_config()
    generators = check_levels(config.levels, script.generator_settings())
    heldout = level_heldout(script, generators, tasks_folder / "curriculum", main=main)
    keys = {t.key for t in run_heldout} | {t.key for tasks in heldout for t in tasks}
    holdout, seed, fraction = script.holdout, script.task_seed, script.holdout_fraction
    if fraction is None and holdout != "task":
        fraction = 0.1  # make_splits' share for a target/nums holdout without a fraction

    def excluded(task: Any) -> bool:
        if task.key in keys:
            return True
        return fraction is not None and is_held_out(
            task, holdout=holdout, fraction=fraction, seed=seed
        )

    state = CurriculumState(
        config, generators, seed=script.task_seed, size=script.train_tasks, excluded=excluded
    )
    return state, heldout
