"""GRPO training on Countdown with TRL: the pipeline behind ``countdown train``.

One run lives in one directory::

    DIR/config.json          every resolved argument (ours, GRPOConfig, ModelConfig)
    DIR/tasks/train.jsonl    training tasks;  DIR/tasks/heldout.jsonl  never trained on
    DIR/tasks/curriculum/    with --curriculum: level-K.jsonl, each level's held-out tasks
    DIR/warmstart/           the model after the format-only warm start (embedded model only)
    DIR/eval_before/         evaluation report, samples and plots before GRPO
    DIR/checkpoints/         TRL checkpoints (``--resume`` continues from the last one)
    DIR/metrics.jsonl        one row per logging step (reward, lengths, format violations, ...)
    DIR/final/               the trained model and tokenizer (LoRA merged in, with --use_peft)
    DIR/adapter/             with --use_peft: the LoRA adapter alone (PEFT's adapter files)
    DIR/eval_after/          evaluation after GRPO
    DIR/plots/               curves over training steps
    DIR/progress.json        GRPO step and seconds at the last checkpoint, seconds per invocation
    DIR/summary.json         accuracy_before, accuracy_after, heldout_tasks, wall_seconds, plots,
                             grpo_steps, grpo_seconds, warmstart, stopped_by, warnings, ...

Each stage writes its result before the next starts and is skipped when its result exists, so
a killed run resumes where it stopped (``--resume``) and the processes of an ``accelerate launch``
share the stages the main process ran first.

The stages live in their own modules: :mod:`~agents.training._run_folder` (this folder's
bookkeeping), :mod:`~agents.training._run_start` (tasks, model, config.json),
:mod:`~agents.training._warmstart_stage`, :mod:`~agents.training._grpo_stage` and
:mod:`~agents.training._summary`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._data import RunLayout, reward_weights
from agents.training._distributed import barrier, is_main_process
from agents.training._model import peft_config, resolve_template
from agents.training._run_folder import (
    Run,
    RunClock,
    check_output_dir,
    finished_run,
    record_reward_names,
    removed_on_error,
)
from agents.training._run_start import start_run

__all__ = ["run_training"]


def run_training(
    script: CountdownTrainArguments,
    training_args: Any,
    model_args: Any,
    *,
    argv: list[str] | None = None,
    machine: dict[str, Any] | None = None,
    reward_funcs: list[Any] | None = None,
) -> dict[str, Any]:
    """Run every stage of one training run and return the summary written to summary.json.

    ``argv`` (the resolved command line) is kept in config.json so ``--resume`` can replay it;
    ``machine`` (the CPU settings ``countdown train`` chose: precision, threads) goes there too.
    ``reward_funcs`` replaces ``script.rewards``: TRL reward callables (each logged under its
    ``__name__``) and/or ``--rewards`` items (:mod:`agents.training._rewards`); a resumed run must
    be given the same ones. ``model_args.use_peft`` trains a LoRA adapter (TRL's
    ``get_peft_config``); ``final/`` then holds the merged model and ``adapter/`` the adapter.

    Raises:
        ConfigError: a reward or LoRA setting is unusable (before the model loads).
    """
    from transformers.utils import logging as transformers_logging

    from agents.training._rewards import reward_name

    started = time.monotonic()
    _check_settings(script, training_args, model_args, reward_funcs)
    # Reading the device sets up accelerate's distributed state, so under `accelerate launch`
    # the process group exists before the first barrier below (not only once the trainer does).
    _ = training_args.device
    transformers_logging.disable_progress_bar()  # per-save "Writing model shards" bars
    layout = RunLayout(Path(training_args.output_dir))
    finished = _already_finished(layout, script, training_args.max_steps)
    if finished is not None:
        return finished
    existed = layout.root.exists()
    if is_main_process():
        check_output_dir(layout, script.resume)  # a new run: no folder, or an empty one
        layout.make()
    earlier = layout.read_progress().get("invocations", []) if script.resume else []
    clock = RunClock(started, [float(s) for s in earlier])
    with removed_on_error(layout.root, is_main_process() and not script.resume, existed):
        model, tokenizer, embedded, train_tasks, heldout = start_run(
            layout, script, training_args, model_args, argv, dict(machine or {})
        )
    if reward_funcs is not None and is_main_process():
        record_reward_names(layout, [reward_name(f) if callable(f) else f for f in reward_funcs])
    run = Run(
        layout,
        script,
        training_args,
        model_args,
        clock,
        template=resolve_template(script.template, tokenizer, embedded),
        max_new_tokens=script.eval_max_new_tokens or training_args.max_completion_length or 256,
    )
    # Saved with every checkpoint and the final model, so `countdown eval --policy DIR` (and
    # any TransformersPolicy) prompts the trained model as it was trained.
    model.config.countdown_template = run.template
    return _run_stages(run, model, tokenizer, embedded, train_tasks, heldout, reward_funcs)


def _already_finished(
    layout: RunLayout, script: CountdownTrainArguments, max_steps: int
) -> dict[str, Any] | None:
    """The summary of a resumed run with nothing left to do (said on stdout), else ``None``."""
    finished = finished_run(layout, script, max_steps)
    if finished is not None and is_main_process():
        print(
            f"countdown train: {layout.root} already finished (GRPO step "
            f"{finished.get('grpo_steps')}); nothing to do. Pass a larger --max_steps or "
            "--time_budget_seconds with --resume to train on."
        )
    return finished


def _check_settings(
    script: CountdownTrainArguments,
    training_args: Any,
    model_args: Any,
    reward_funcs: list[Any] | None,
) -> None:
    """Refuse unusable rewards, reward weights, LoRA or curriculum settings before any work."""
    from agents.training._curriculum import check_run
    from agents.training._rewards import check_rewards

    if reward_funcs is not None:
        check_rewards(reward_funcs)
    # --reward_weights must line up with the rewards: said now, not after the first evaluation.
    reward_weights(
        training_args.reward_weights, len(script.rewards if reward_funcs is None else reward_funcs)
    )
    peft_config(model_args)  # a LoRA problem is said before the model loads
    check_run(script, training_args)


def _run_stages(
    run: Run,
    model: Any,
    tokenizer: Any,
    embedded: bool,
    train_tasks: list[Any],
    heldout: list[Any],
    reward_funcs: list[Any] | None,
) -> dict[str, Any]:
    """Warm start, evaluate, GRPO, evaluate again, plots and summary (each stage skipped when
    its result exists)."""
    from agents.training._grpo_stage import grpo_stage
    from agents.training._summary import write_summary
    from agents.training._warmstart_stage import warm_start_stage

    script, layout = run.script, run.layout
    model_name = "embedded-tiny" if embedded else str(run.model_args.model_name_or_path)
    run.log(
        f"countdown train: {len(train_tasks)} training tasks, {len(heldout)} held-out, "
        f"template {run.template!r}, model {model_name}"
    )
    if script.curriculum_config() is not None:
        from agents.training._curriculum_run import build_state

        run.curriculum, run.level_tasks = build_state(
            script, layout.tasks, heldout, main=is_main_process()
        )
    warm_info: dict[str, Any] = {}
    if embedded and script.warmstart_seconds > 0:
        model, tokenizer, warm_info = warm_start_stage(run, model, tokenizer, train_tasks)

    run.record_invocations()
    before = _evaluate(run, model, tokenizer, heldout, layout.eval_before)
    run.log(f"held-out accuracy before GRPO: {before['accuracy']:.3f} on {before['n']} tasks")
    run.record_invocations()
    grpo = grpo_stage(run, model, tokenizer, train_tasks, heldout, reward_funcs)
    after = _evaluate(run, grpo.final_model, tokenizer, heldout, layout.eval_after, overwrite=True)
    summary: dict[str, Any] = {}
    if is_main_process():
        summary = write_summary(
            run,
            grpo,
            before,
            after,
            tokenizer=tokenizer,
            heldout=heldout,
            warm_info=warm_info,
            model_name=model_name,
            embedded=embedded,
        )
    barrier()
    return summary


def _evaluate(
    run: Run,
    model: Any,
    tokenizer: Any,
    heldout: list[Any],
    folder: Path,
    overwrite: bool = False,
) -> dict[str, Any]:
    """The held-out evaluation before or after GRPO (its report reused unless ``overwrite``)."""
    from agents.training._stage_eval import evaluate_stage

    return evaluate_stage(
        model,
        tokenizer,
        heldout,
        run.template,
        folder,
        max_new_tokens=run.max_new_tokens,
        batch_size=run.script.eval_batch_size,
        main=is_main_process(),
        overwrite=overwrite,
    )
