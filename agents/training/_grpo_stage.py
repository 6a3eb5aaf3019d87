"""The GRPO stage of a run: its callbacks (time budget, metrics file, held-out accuracy,
progress bar, curriculum, checkpoint bookkeeping), TRL's ``GRPOTrainer`` built from them,
training (resumed from the last usable checkpoint), and the final save into ``final/``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._data import RunLayout, build_rewards, reward_weights, train_dataset
from agents.training._distributed import barrier, is_main_process
from agents.training._model import peft_config
from agents.training._run_folder import (
    Run,
    curriculum_snapshot,
    grpo_seconds_at,
    resume_checkpoint,
)

__all__ = ["GrpoResult", "greedy_accuracy", "grpo_stage", "remaining_budget", "save_final"]


@dataclass
class GrpoResult:
    """What the GRPO stage leaves for the evaluation and the summary."""

    trainer: Any
    final_model: Any
    steps: int
    seconds: float
    budget: Any  # the TimeBudgetCallback: GRPO seconds, and whether it stopped GRPO early
    watch: Any  # the SignalWatchCallback: the stalls it raised


def greedy_accuracy(
    model: Any,
    tokenizer: Any,
    tasks: list[Any],
    template: str,
    script: CountdownTrainArguments,
    max_new_tokens: int,
) -> dict[str, float]:
    """Greedy held-out accuracy and format-violation rate of ``model`` on ``tasks``."""
    from agents.training._stage_eval import evaluate_model

    report = evaluate_model(
        model,
        tokenizer,
        tasks,
        template=template,
        max_new_tokens=max_new_tokens,
        batch_size=script.eval_batch_size,
        progress=False,
    )
    return {
        "heldout_accuracy": report.accuracy,
        "heldout_format_violations": report.format_violation_rate,
    }


def remaining_budget(script: CountdownTrainArguments, budget: Any) -> float:
    """GRPO seconds left of the run's time budget (0 when the run has no budget)."""
    if script.time_budget_seconds <= 0:
        return 0.0
    return max(script.time_budget_seconds - budget.already_spent, 0.0)


def save_final(trainer: Any, tokenizer: Any, layout: RunLayout) -> Any:
    """Save the trained model into ``final/`` and return it for the evaluation after GRPO.

    A LoRA run saves its adapter into ``adapter/`` and the base model with the adapter merged
    into ``final/``, so ``countdown eval --policy DIR/final`` (and any from_pretrained) loads it
    without peft. Every process merges its own copy (the evaluation runs on each).
    """
    model = trainer.accelerator.unwrap_model(trainer.model)
    if not hasattr(model, "merge_and_unload"):
        if is_main_process():
            trainer.save_model(str(layout.final))
            tokenizer.save_pretrained(layout.final)
        return trainer.model
    if is_main_process():
        model.save_pretrained(layout.adapter)
        tokenizer.save_pretrained(layout.adapter)
    merged = model.merge_and_unload()
    if is_main_process():
        merged.save_pretrained(layout.final)
        tokenizer.save_pretrained(layout.final)
    return merged


def grpo_stage(
    run: Run,
    model: Any,
    tokenizer: Any,
    train_tasks: list[Any],
    heldout: list[Any],
    reward_funcs: list[Any] | None,
) -> GrpoResult:
    """Train with GRPO (from the last usable checkpoint with ``--resume``) and save ``final/``."""
    from trl import GRPOTrainer

    from agents.training._callbacks import SignalWatchCallback, TimeBudgetCallback

    script, training_args = run.script, run.training_args
    last = resume_checkpoint(run)
    budget = TimeBudgetCallback(
        script.time_budget_seconds, already_spent=grpo_seconds_at(run.layout, last)
    )
    trainers: list[Any] = []  # the held-out measure reads the trainer's model, made below
    callbacks = _callbacks(run, budget, heldout[: script.eval_subset], tokenizer, trainers, last)
    rewards = build_rewards(
        script.rewards if reward_funcs is None else reward_funcs,
        run.template,
        training_args.max_completion_length,
    )
    training_args.reward_weights = reward_weights(training_args.reward_weights, len(rewards) - 1)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=rewards,
        args=training_args,
        train_dataset=_grpo_dataset(run, train_tasks),
        processing_class=tokenizer,
        callbacks=callbacks,
        peft_config=peft_config(run.model_args),
        **_environment(script),
    )
    trainers.append(trainer)
    _replace_trainer_callbacks(trainer, run, budget)
    if last is not None:
        run.log(f"resuming GRPO from {last}")
    trainer.train(resume_from_checkpoint=str(last) if last is not None else None)
    grpo_steps = trainer.state.global_step
    grpo_seconds = budget.spent  # stopped when GRPO ended: the evaluation below is not GRPO
    if is_main_process():
        run.layout.write_progress(
            {
                "grpo_seconds": grpo_seconds,
                "step": grpo_steps,
                "invocations": run.clock.invocations(),
            }
        )
    final_model = save_final(trainer, tokenizer, run.layout)
    barrier()
    watch = next(c for c in callbacks if isinstance(c, SignalWatchCallback))
    return GrpoResult(trainer, final_model, grpo_steps, grpo_seconds, budget, watch)


def _callbacks(
    run: Run,
    budget: Any,
    subset: list[Any],
    tokenizer: Any,
    trainers: list[Any],
    last: Path | None,
) -> list[Any]:
    """Our callbacks for the trainer, in order (the curriculum's before the metrics file)."""
    from agents.training._callbacks import (
        HeldoutAccuracyCallback,
        MetricsFileCallback,
        ProgressCallback,
        SignalWatchCallback,
    )

    script = run.script
    metrics_file = MetricsFileCallback(run.layout.metrics)
    progress = ProgressCallback(remaining_budget(script, budget), run.training_args.max_steps)
    if run.curriculum is not None:
        _resume_curriculum(run, last)
    heldout_cb = HeldoutAccuracyCallback(
        _heldout_measure(run, subset, tokenizer, lambda: trainers[0].model),
        every=script.eval_every_steps,
        report=[lambda step, m: metrics_file.write_row({"step": step, **m}), progress.note],
    )
    callbacks = [budget, metrics_file, heldout_cb, progress, SignalWatchCallback()]
    if run.curriculum is not None:
        # Before the metrics file: it adds the rolling hit rate to each row.
        callbacks.insert(1, _curriculum_callback(run))
    return callbacks


def _heldout_measure(
    run: Run, subset: list[Any], tokenizer: Any, model: Callable[[], Any]
) -> Callable[[], dict[str, float]]:
    """The eval-step measure: greedy accuracy on ``subset`` and on each curriculum level's."""

    def accuracy(tasks: list[Any]) -> dict[str, float]:
        return greedy_accuracy(
            model(), tokenizer, tasks, run.template, run.script, run.max_new_tokens
        )

    def measure() -> dict[str, float]:
        found = accuracy(subset)
        for k, tasks in enumerate(run.level_tasks):
            found[f"heldout_accuracy/level_{k}"] = accuracy(tasks)["heldout_accuracy"]
        return found

    return measure


def _resume_curriculum(run: Run, last: Path | None) -> None:
    """Put the curriculum at ``last``'s level and say how it runs."""
    curriculum, script = run.curriculum, run.script
    curriculum.restore(curriculum_snapshot(run.layout, last))
    config = curriculum.config
    run.log(
        f"curriculum: {len(config.levels)} levels from {config.levels[0]}, raised when the "
        f"sampled hit rate over {config.window} logged steps reaches {config.threshold:g} "
        f"(at least {config.min_steps} steps a level); before/after accuracy is measured on "
        f"the run's own tasks ({script.min_numbers}-{script.max_numbers} numbers), each "
        f"level's on {config.heldout_tasks} held-out tasks at eval steps"
    )
    if last is not None:
        run.log(f"curriculum: resuming at level {curriculum.level}")


def _curriculum_callback(run: Run) -> Any:
    """The curriculum's callback, keeping its level at every checkpoint in progress.json."""
    from agents.training._curriculum_run import CurriculumCallback

    layout = run.layout
    saved_levels: dict[str, Any] = dict(layout.read_progress().get("curriculum_at_step", {}))

    def save_level(step: int, snapshot: dict[str, Any]) -> None:
        saved_levels[str(step)] = snapshot
        layout.write_progress({"curriculum_at_step": saved_levels})

    return CurriculumCallback(run.curriculum, on_raise=run.log, on_save=save_level)


def _grpo_dataset(run: Run, train_tasks: list[Any]) -> Any:
    """The GRPO training set: the curriculum's (its tasks follow the level) or the run's."""
    if run.curriculum is not None:
        from agents.training._curriculum_run import curriculum_dataset

        return curriculum_dataset(run.curriculum, run.template)
    return train_dataset(train_tasks, run.template)


def _environment(script: CountdownTrainArguments) -> dict[str, Any]:
    """``GRPOTrainer``'s ``environment_factory`` for ``environment=tools`` (else nothing)."""
    if script.environment != "tools":
        return {}
    from agents.training._tool_factory import make_environment_factory

    return {
        "environment_factory": make_environment_factory(
            max_attempts=script.max_attempts, attempt_penalty=script.attempt_penalty
        )
    }


def _replace_trainer_callbacks(trainer: Any, run: Run, budget: Any) -> None:
    """Our bar and metrics file replace the trainer's printed log dicts; add the save rules
    and the checkpoint bookkeeping (progress.json)."""
    from transformers.trainer_callback import PrinterCallback
    from transformers.trainer_callback import ProgressCallback as TrainerProgressCallback

    from agents.training._callbacks import (
        CheckpointProgressCallback,
        SaveEveryMinutesCallback,
        StepsFromArgsCallback,
    )

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(TrainerProgressCallback)
    trainer.add_callback(StepsFromArgsCallback())  # a --save_steps given with --resume holds
    trainer.add_callback(SaveEveryMinutesCallback(run.script.save_minutes))
    trainer.add_callback(
        CheckpointProgressCallback(
            lambda row: run.layout.write_progress({**row, "invocations": run.clock.invocations()}),
            budget,
        )
    )
