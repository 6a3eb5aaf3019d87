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
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._data import (
    RunLayout,
    build_rewards,
    load_or_make_tasks,
    reward_weights,
    train_dataset,
)
from agents.training._distributed import barrier, is_main_process
from agents.training._model import (
    load_model_and_tokenizer,
    peft_config,
    prepare_tool_tokenizer,
    resolve_template,
)
from countdown_env.files import write_text_atomic
from verifiers.errors import ConfigError, CountdownError

__all__ = ["run_training"]


def _json_ready(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def _write_json(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(_json_ready(data), indent=2) + "\n")


def _check_output_dir(layout: RunLayout, resume: bool) -> None:
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


def _greedy_accuracy(
    model: Any,
    tokenizer: Any,
    tasks: list[Any],
    template: str,
    script: CountdownTrainArguments,
    max_new_tokens: int,
) -> dict[str, float]:
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

    from agents.training._rewards import check_rewards, reward_name

    started = time.monotonic()
    if reward_funcs is not None:
        check_rewards(reward_funcs)
    # --reward_weights must line up with the rewards: said now, not after the first evaluation.
    reward_weights(
        training_args.reward_weights, len(script.rewards if reward_funcs is None else reward_funcs)
    )
    peft_config(model_args)  # a LoRA problem is said before the model loads
    from agents.training._curriculum import check_run

    check_run(script, training_args)
    # Reading the device sets up accelerate's distributed state, so under `accelerate launch`
    # the process group exists before the first barrier below (not only once the trainer does).
    _ = training_args.device
    transformers_logging.disable_progress_bar()  # per-save "Writing model shards" bars
    layout = RunLayout(Path(training_args.output_dir))
    finished = _finished_run(layout, script, training_args.max_steps)
    if finished is not None:
        if is_main_process():
            print(
                f"countdown train: {layout.root} already finished (GRPO step "
                f"{finished.get('grpo_steps')}); nothing to do. Pass a larger --max_steps or "
                "--time_budget_seconds with --resume to train on."
            )
        return finished
    existed = layout.root.exists()
    if is_main_process():
        _check_output_dir(layout, script.resume)  # a new run: no folder, or an empty one
        layout.make()
    earlier = layout.read_progress().get("invocations", []) if script.resume else []
    clock = _Clock(started, [float(s) for s in earlier])
    with _removed_on_error(layout.root, is_main_process() and not script.resume, existed):
        model, tokenizer, embedded, train_tasks, heldout = _start(
            layout, script, training_args, model_args, argv, dict(machine or {})
        )
    if reward_funcs is not None and is_main_process():
        _record_reward_names(layout, [reward_name(f) if callable(f) else f for f in reward_funcs])
    return _run_stages(
        layout,
        script,
        training_args,
        model_args,
        clock,
        model,
        tokenizer,
        embedded,
        train_tasks,
        heldout,
        reward_funcs,
    )


def _record_reward_names(layout: RunLayout, names: list[str]) -> None:
    """Put the Python ``reward_funcs`` into config.json (``countdown.rewards``) by name."""
    if not layout.config.is_file():
        return
    config = json.loads(layout.config.read_text(encoding="utf-8"))
    config.setdefault("countdown", {})["rewards"] = names
    _write_json(layout.config, config)


def _save_final(trainer: Any, tokenizer: Any, layout: RunLayout) -> Any:
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


class _Clock:
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


def _finished_run(
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
def _removed_on_error(folder: Path, enabled: bool, keep_folder: bool) -> Iterator[None]:
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


def _start(
    layout: RunLayout,
    script: CountdownTrainArguments,
    training_args: Any,
    model_args: Any,
    argv: list[str] | None,
    machine: dict[str, Any],
) -> tuple[Any, Any, bool, list[Any], list[Any]]:
    """Make or read back the tasks, load the model, choose its CPU settings, write config.json:
    every check that can refuse the run happens here, before any training."""
    grpo_settings = training_args.to_dict()  # before output_dir moves to the checkpoints
    training_args.output_dir = str(layout.checkpoints)
    # The main process makes (or reads back) the tasks; the others read what it wrote.
    if is_main_process():
        train_tasks, heldout = load_or_make_tasks(script, layout, main=True)
    barrier()
    if not is_main_process():
        train_tasks, heldout = load_or_make_tasks(script, layout, main=False)
    if script.curriculum_config() is not None:
        from agents.training._curriculum import level_heldout

        # Each level's held-out tasks, made now: a level the generator cannot fill is said
        # before the model loads.
        if is_main_process():
            level_heldout(script, _level_generators(script), layout.tasks / "curriculum", main=True)
        barrier()
    model, tokenizer, embedded = load_model_and_tokenizer(
        model_args, layout, float32=bool(machine.get("cpu_run"))
    )
    if script.environment == "tools":
        if embedded:
            raise ConfigError("environment=tools needs a chat model, not the embedded one")
        script.template = "chat"
        if script.tool_chat_template:
            tokenizer = prepare_tool_tokenizer(tokenizer, script.tool_chat_template)
        if training_args.max_tool_calling_iterations is None:
            # An unbounded tool loop ran out of memory in TRL (trl#4751).
            training_args.max_tool_calling_iterations = script.max_attempts
    machine.update(_checkpointing_for_cpu(model, training_args, machine))
    grpo_settings.update(
        gradient_checkpointing=training_args.gradient_checkpointing,
        activation_checkpointing=getattr(training_args, "activation_checkpointing", None),
    )
    if is_main_process() and not script.resume:
        _write_json(
            layout.config,
            {
                "argv": list(argv or []),
                "countdown": asdict(script),
                "grpo": grpo_settings,
                "model": asdict(model_args),
                "machine": machine,
            },
        )
    barrier()
    return model, tokenizer, embedded, train_tasks, heldout


def _level_generators(script: CountdownTrainArguments) -> list[Any]:
    from agents.training._curriculum import check_levels

    return check_levels(script.curriculum_config().levels, script.generator_settings())


def _curriculum_snapshot(layout: RunLayout, checkpoint: Path | None) -> dict[str, Any] | None:
    """The curriculum's level and history at ``checkpoint`` (``None``: start at level 0)."""
    if checkpoint is None:
        return None
    saved = layout.read_progress().get("curriculum_at_step", {})
    snapshot: dict[str, Any] | None = saved.get(str(_checkpoint_step(checkpoint)))
    return snapshot


def _checkpointing_for_cpu(
    model: Any, training_args: Any, machine: dict[str, Any]
) -> dict[str, Any]:
    """Turn activation checkpointing off for a small model on CPU unless the user chose it.

    Checkpointing saves memory by running every forward pass twice; a CPU machine has the
    memory for models below
    :data:`agents.policies._devices.GRADIENT_CHECKPOINTING_MIN_PARAMS` and only
    pays the time. Says the choice on stderr; returns it for config.json.
    """
    import sys

    from agents.policies._devices import GRADIENT_CHECKPOINTING_MIN_PARAMS

    params = sum(p.numel() for p in model.parameters())
    chosen: dict[str, Any] = {
        "model_parameters": params,
        "model_dtype": str(next(model.parameters()).dtype).removeprefix("torch."),
    }
    if not machine.get("cpu_run") or machine.get("checkpointing_chosen"):
        chosen["gradient_checkpointing"] = bool(training_args.gradient_checkpointing)
        return chosen
    on = params >= GRADIENT_CHECKPOINTING_MIN_PARAMS
    training_args.gradient_checkpointing = on
    if hasattr(training_args, "activation_checkpointing"):
        training_args.activation_checkpointing = on
    chosen["gradient_checkpointing"] = on
    if is_main_process():
        print(
            f"countdown train: gradient checkpointing {'on' if on else 'off'} ({params:,} "
            f"parameters on CPU; --gradient_checkpointing true/false overrides)",
            file=sys.stderr,
        )
    return chosen


def _run_stages(
    layout: RunLayout,
    script: CountdownTrainArguments,
    training_args: Any,
    model_args: Any,
    clock: _Clock,
    model: Any,
    tokenizer: Any,
    embedded: bool,
    train_tasks: list[Any],
    heldout: list[Any],
    reward_funcs: list[Any] | None = None,
) -> dict[str, Any]:
    """Warm start, evaluate, GRPO, evaluate again, plots and summary (each stage skipped when
    its result exists)."""
    from transformers.trainer_callback import PrinterCallback
    from transformers.trainer_callback import ProgressCallback as TrainerProgressCallback
    from trl import GRPOTrainer

    from agents.training._callbacks import (
        CheckpointProgressCallback,
        HeldoutAccuracyCallback,
        MetricsFileCallback,
        ProgressCallback,
        SaveEveryMinutesCallback,
        SignalWatchCallback,
        StepsFromArgsCallback,
        TimeBudgetCallback,
    )
    from agents.training._stage_eval import evaluate_stage
    from agents.training._warmstart import WarmStartConfig, warm_start

    log = print if is_main_process() else (lambda *a, **k: None)
    template = resolve_template(script.template, tokenizer, embedded)
    max_new = script.eval_max_new_tokens or training_args.max_completion_length or 256
    model_name = "embedded-tiny" if embedded else str(model_args.model_name_or_path)
    log(
        f"countdown train: {len(train_tasks)} training tasks, {len(heldout)} held-out, "
        f"template {template!r}, model {model_name}"
    )

    curriculum = None
    level_tasks: list[list[Any]] = []
    if script.curriculum_config() is not None:
        from agents.training._curriculum import build_state

        curriculum, level_tasks = build_state(script, layout.tasks, heldout, main=is_main_process())

    warm_info: dict[str, Any] = {}
    if embedded and script.warmstart_seconds > 0:
        if layout.warmstart_done.is_file():
            warm_info = json.loads(layout.warmstart_done.read_text())
            model, tokenizer, _ = load_model_and_tokenizer(
                model_args, layout, path=layout.warmstart, float32=True
            )
        elif is_main_process():
            from tqdm.auto import tqdm

            warm_tasks = list(train_tasks)
            if curriculum is not None:  # the prompts of every level, not only the run's
                warm_tasks += curriculum.warmstart_tasks(min(len(train_tasks), 1000))
            warm_data = train_dataset(warm_tasks, template)
            by_steps = script.warmstart_steps > 0
            total = script.warmstart_steps if by_steps else round(script.warmstart_seconds)
            bar = tqdm(
                total=total,
                desc="warm start (format only)",
                unit="step" if by_steps else "s",
            )
            t0 = time.monotonic()

            def tick(step: int, loss: float) -> None:
                done = step if by_steps else round(time.monotonic() - t0)
                bar.update(min(done, total) - bar.n)
                bar.set_postfix(loss=f"{loss:.3f}", step=step, refresh=False)

            warm_info = warm_start(
                model,
                tokenizer,
                warm_data["prompt"],
                warm_data["nums"],
                WarmStartConfig(
                    seconds=script.warmstart_seconds,
                    max_steps=script.warmstart_steps or WarmStartConfig.max_steps,
                    learning_rate=script.warmstart_learning_rate,
                    seed=training_args.seed,
                    bf16=bool(training_args.bf16),  # the precision GRPO runs in
                ),
                on_step=tick,
            )
            bar.close()
            warm_info["precision"] = "bf16 autocast" if training_args.bf16 else "float32"
            model.save_pretrained(layout.warmstart)
            tokenizer.save_pretrained(layout.warmstart)
            _write_json(layout.warmstart_done, warm_info)
        barrier()
        if not is_main_process() and layout.warmstart_done.is_file():
            model, tokenizer, _ = load_model_and_tokenizer(
                model_args, layout, path=layout.warmstart, float32=True
            )

    if is_main_process():
        layout.write_progress({"invocations": clock.invocations()})
    before = evaluate_stage(
        model,
        tokenizer,
        heldout,
        template,
        layout.eval_before,
        max_new_tokens=max_new,
        batch_size=script.eval_batch_size,
        main=is_main_process(),
    )
    log(f"held-out accuracy before GRPO: {before['accuracy']:.3f} on {before['n']} tasks")

    if is_main_process():
        layout.write_progress({"invocations": clock.invocations()})
    last = None
    if script.resume and is_main_process():
        last = layout.usable_checkpoint(warn=lambda text: _warn(log, text))
        dropped = layout.trim_metrics(_checkpoint_step(last))
        if dropped:
            log(
                f"dropped {dropped} metrics row(s) logged after "
                f"{last.name if last else 'the start of GRPO'}; they are logged again"
            )
    last = _shared_path(last)
    budget = TimeBudgetCallback(
        script.time_budget_seconds, already_spent=_grpo_seconds_at(layout, last)
    )
    subset = heldout[: script.eval_subset]
    metrics_file = MetricsFileCallback(layout.metrics)
    progress = ProgressCallback(remaining_budget(script, budget), training_args.max_steps)
    if curriculum is not None:
        from agents.training._curriculum import CurriculumCallback, curriculum_dataset

        curriculum.restore(_curriculum_snapshot(layout, last))
        config = curriculum.config
        log(
            f"curriculum: {len(config.levels)} levels from {config.levels[0]}, raised when the "
            f"sampled hit rate over {config.window} logged steps reaches {config.threshold:g} "
            f"(at least {config.min_steps} steps a level); before/after accuracy is measured on "
            f"the run's own tasks ({script.min_numbers}-{script.max_numbers} numbers), each "
            f"level's on {config.heldout_tasks} held-out tasks at eval steps"
        )
        if last is not None:
            log(f"curriculum: resuming at level {curriculum.level}")

    def measure() -> dict[str, float]:
        found = _greedy_accuracy(trainer.model, tokenizer, subset, template, script, max_new)
        for k, tasks in enumerate(level_tasks):
            level = _greedy_accuracy(trainer.model, tokenizer, tasks, template, script, max_new)
            found[f"heldout_accuracy/level_{k}"] = level["heldout_accuracy"]
        return found

    heldout_cb = HeldoutAccuracyCallback(
        measure,
        every=script.eval_every_steps,
        report=[lambda step, m: metrics_file.write_row({"step": step, **m}), progress.note],
    )
    watch = SignalWatchCallback()
    rewards = build_rewards(
        script.rewards if reward_funcs is None else reward_funcs,
        template,
        training_args.max_completion_length,
    )
    training_args.reward_weights = reward_weights(training_args.reward_weights, len(rewards) - 1)
    environment: dict[str, Any] = {}
    if script.environment == "tools":
        from agents.training._tool_env import make_environment_factory

        environment["environment_factory"] = make_environment_factory(
            max_attempts=script.max_attempts, attempt_penalty=script.attempt_penalty
        )
    callbacks = [budget, metrics_file, heldout_cb, progress, watch]
    if curriculum is not None:
        saved_levels: dict[str, Any] = dict(layout.read_progress().get("curriculum_at_step", {}))

        def save_level(step: int, snapshot: dict[str, Any]) -> None:
            saved_levels[str(step)] = snapshot
            layout.write_progress({"curriculum_at_step": saved_levels})

        # Before the metrics file: it adds the rolling hit rate to each row.
        callbacks.insert(1, CurriculumCallback(curriculum, on_raise=log, on_save=save_level))
        grpo_data = curriculum_dataset(curriculum, template)
    else:
        grpo_data = train_dataset(train_tasks, template)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=rewards,
        args=training_args,
        train_dataset=grpo_data,
        processing_class=tokenizer,
        callbacks=callbacks,
        peft_config=peft_config(model_args),
        **environment,
    )
    # Our own bar and metrics file replace the trainer's printed log dicts.
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(TrainerProgressCallback)

    trainer.add_callback(StepsFromArgsCallback())  # a --save_steps given with --resume holds
    trainer.add_callback(SaveEveryMinutesCallback(script.save_minutes))
    trainer.add_callback(
        CheckpointProgressCallback(
            lambda row: layout.write_progress({**row, "invocations": clock.invocations()}), budget
        )
    )
    if last is not None:
        log(f"resuming GRPO from {last}")
    trainer.train(resume_from_checkpoint=str(last) if last is not None else None)
    grpo_steps = trainer.state.global_step
    grpo_seconds = budget.spent  # stopped when GRPO ended: the evaluation below is not GRPO
    if is_main_process():
        layout.write_progress(
            {"grpo_seconds": grpo_seconds, "step": grpo_steps, "invocations": clock.invocations()}
        )
    final_model = _save_final(trainer, tokenizer, layout)
    barrier()

    after = evaluate_stage(
        final_model,
        tokenizer,
        heldout,
        template,
        layout.eval_after,
        max_new_tokens=max_new,
        batch_size=script.eval_batch_size,
        main=is_main_process(),
        overwrite=True,
    )
    summary: dict[str, Any] = {}
    curriculum_summary: dict[str, Any] = {}
    if curriculum is not None and is_main_process():
        by_level = {
            str(k): _greedy_accuracy(final_model, tokenizer, tasks, template, script, max_new)[
                "heldout_accuracy"
            ]
            for k, tasks in enumerate(level_tasks)
        }
        curriculum_summary = {
            "curriculum": {
                "levels": curriculum.config.levels,
                "final_level": curriculum.level,
                "history": curriculum.history,
                "heldout_tasks_per_level": curriculum.config.heldout_tasks,
                "heldout_accuracy_by_level": by_level,
            }
        }
    if is_main_process():
        from agents.training._stage_eval import training_plots

        plots = training_plots(layout, before, after, subset=script.eval_subset)
        stopped_by, short_runs = _short_stages(script, warm_info, budget)
        for text in short_runs:
            _warn(log, text)
        invocations = clock.invocations()
        layout.write_progress({"invocations": invocations})
        summary = {
            "accuracy_before": before["accuracy"],
            "accuracy_after": after["accuracy"],
            "heldout_tasks": len(heldout),
            "wall_seconds": sum(invocations),
            "invocation_wall_seconds": invocations,
            "plots": [str(p) for p in plots],
            "grpo_steps": grpo_steps,
            "processes": trainer.accelerator.num_processes,
            "grpo_seconds": grpo_seconds,
            "warmstart": {"steps": 0, "seconds": 0.0, **warm_info},
            "format_violations_before": before.get("format_violation_rate"),
            "format_violations_after": after.get("format_violation_rate"),
            "template": template,
            "model": model_name,
            "final_model": str(layout.final),
            "resumed": bool(script.resume),
            "stopped_by": stopped_by,
            "warnings": [*short_runs, *(text for _, text in watch.raised)],
            **curriculum_summary,
        }
        _write_json(layout.summary, summary)
        if embedded:
            from agents.policies._models import register_default_model

            # `countdown eval --policy default` now means this trained model.
            register_default_model(layout.final, template=template)
            log(f"countdown eval --policy default now evaluates {layout.final}")
        log(
            f"held-out accuracy: before {before['accuracy']:.3f} -> after {after['accuracy']:.3f} "
            f"({len(heldout)} tasks); wall {summary['wall_seconds']:.0f} s"
        )
        log(f"plots: {layout.plots}  summary: {layout.summary}")
        if stopped_by:
            for line in _incomplete_lines(layout, script, training_args, grpo_steps, stopped_by):
                log(line)
    barrier()
    return summary


def _warn(log: Any, text: str) -> None:
    """One warning line on stderr (main process only; ``log`` is the run's stdout printer)."""
    import sys

    if is_main_process():
        print(f"countdown train: warning: {text}", file=sys.stderr, flush=True)


def _checkpoint_step(checkpoint: Path | None) -> int:
    return int(checkpoint.name.rsplit("-", 1)[1]) if checkpoint is not None else 0


def _shared_path(path: Path | None) -> Path | None:
    """The main process's checkpoint choice on every process (it may rename a broken one)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return path
    box = [str(path) if path is not None else None]
    dist.broadcast_object_list(box, src=0)
    return Path(box[0]) if box[0] is not None else None


def _grpo_seconds_at(layout: RunLayout, checkpoint: Path | None) -> float:
    """GRPO seconds spent up to ``checkpoint`` (0 without one): a resumed run keeps its budget."""
    if checkpoint is None:
        return 0.0
    progress = layout.read_progress()
    at_step = progress.get("grpo_seconds_at_step", {}).get(str(_checkpoint_step(checkpoint)))
    return float(at_step if at_step is not None else progress.get("grpo_seconds", 0.0))


def _short_stages(
    script: CountdownTrainArguments, warm_info: dict[str, Any], budget: Any
) -> tuple[str | None, list[str]]:
    """``(stopped_by, warnings)``: which time caps ended a stage before its step count.

    ``stopped_by`` is ``warmstart_time_budget``, ``grpo_time_budget``, both joined by a comma,
    or ``None``; each warning gives the steps done and planned and, when the recipe knows the
    expected step time, how much slower the steps ran.
    """
    causes, texts = [], []
    warm_steps = int(warm_info.get("steps", 0) or 0)
    if warm_info and script.warmstart_steps > 0 and warm_steps < script.warmstart_steps:
        causes.append("warmstart_time_budget")
        texts.append(
            f"the warm start's time cap (--warmstart_seconds {script.warmstart_seconds:g}) "
            f"ended it after {warm_steps} of {script.warmstart_steps} steps"
            + _slowdown(
                float(warm_info.get("seconds", 0.0)),
                warm_steps,
                script.expected_warmstart_step_seconds,
            )
            + ": the model may not write the answer format yet"
        )
    if budget.stopped_early is not None:
        done, planned = budget.stopped_early
        causes.append("grpo_time_budget")
        texts.append(
            f"GRPO's time cap (--time_budget_seconds {script.time_budget_seconds:g}) ended it "
            f"after {done} of {planned} steps"
            + _slowdown(budget.spent, done, script.expected_grpo_step_seconds)
            + ": the model is under-trained"
        )
    return (",".join(causes) or None), texts


def _slowdown(seconds: float, steps: int, expected: float) -> str:
    if steps <= 0 or seconds <= 0:
        return ""
    per_step = seconds / steps
    text = f" ({per_step:.2f} s/step"
    if expected > 0:
        text += f", {per_step / expected:.1f}x the expected {expected:g} s/step"
    return text + ")"


def _incomplete_lines(
    layout: RunLayout,
    script: CountdownTrainArguments,
    training_args: Any,
    grpo_steps: int,
    stopped_by: str,
) -> list[str]:
    """The last lines of a run a time cap cut short: it is incomplete, and how to go on."""
    lines = [
        f"countdown train: this run is INCOMPLETE (stopped by {stopped_by}); its "
        "accuracy is not what the recipe reaches."
    ]
    if "grpo_time_budget" in stopped_by:
        budget = max(2 * script.time_budget_seconds, 60.0)
        lines.append(
            f"countdown train: to continue GRPO from step {grpo_steps}: countdown train "
            f"--output-dir {layout.root} --resume --time_budget_seconds {budget:g} "
            f"(the total GRPO budget; --max_steps {training_args.max_steps} stays)"
        )
    if "warmstart_time_budget" in stopped_by:
        lines.append(
            "countdown train: the warm start is not resumed; for a full one start a new run "
            f"with a larger --warmstart_seconds (now {script.warmstart_seconds:g})"
        )
    return lines
