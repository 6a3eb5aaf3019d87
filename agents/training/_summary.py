"""The end of a run: summary.json (accuracy before and after, time, warnings, the curriculum's
history), the embedded model registered as ``--policy default``, and the closing lines, which
say when a time cap cut a stage short and how to go on."""

from __future__ import annotations

from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._grpo_stage import GrpoResult, greedy_accuracy
from agents.training._run_folder import Run, warn, write_json

__all__ = ["write_summary"]


def write_summary(
    run: Run,
    grpo: GrpoResult,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    tokenizer: Any,
    heldout: list[Any],
    warm_info: dict[str, Any],
    model_name: str,
    embedded: bool,
) -> dict[str, Any]:
    """Plot, write summary.json and say the result (main process only); return the summary."""
    from agents.training._stage_eval import training_plots

    layout, script = run.layout, run.script
    curriculum_summary = _curriculum_summary(run, grpo.final_model, tokenizer)
    plots = training_plots(layout, before, after, subset=script.eval_subset)
    stopped_by, short_runs = _short_stages(script, warm_info, grpo.budget)
    for text in short_runs:
        warn(text)
    invocations = run.clock.invocations()
    layout.write_progress({"invocations": invocations})
    summary = {
        "accuracy_before": before["accuracy"],
        "accuracy_after": after["accuracy"],
        "heldout_tasks": len(heldout),
        "wall_seconds": sum(invocations),
        "invocation_wall_seconds": invocations,
        "plots": [str(p) for p in plots],
        "grpo_steps": grpo.steps,
        "processes": grpo.trainer.accelerator.num_processes,
        "grpo_seconds": grpo.seconds,
        "warmstart": {"steps": 0, "seconds": 0.0, **warm_info},
        "format_violations_before": before.get("format_violation_rate"),
        "format_violations_after": after.get("format_violation_rate"),
        "template": run.template,
        "model": model_name,
        "final_model": str(layout.final),
        "resumed": bool(script.resume),
        "stopped_by": stopped_by,
        "warnings": [*short_runs, *(text for _, text in grpo.watch.raised)],
        **curriculum_summary,
    }
    write_json(layout.summary, summary)
    if embedded:
        from agents.policies._models import register_default_model

        # `countdown eval --policy default` now means this trained model.
        register_default_model(layout.final, template=run.template)
        run.log(f"countdown eval --policy default now evaluates {layout.final}")
    run.log(
        f"held-out accuracy: before {before['accuracy']:.3f} -> after {after['accuracy']:.3f} "
        f"({len(heldout)} tasks); wall {summary['wall_seconds']:.0f} s"
    )
    run.log(f"plots: {layout.plots}  summary: {layout.summary}")
    if stopped_by:
        for line in _incomplete_lines(run, grpo.steps, stopped_by):
            run.log(line)
    return summary


def _curriculum_summary(run: Run, final_model: Any, tokenizer: Any) -> dict[str, Any]:
    """``{"curriculum": ...}``: levels, final level, history and each level's final accuracy
    (empty without a curriculum)."""
    curriculum = run.curriculum
    if curriculum is None:
        return {}
    by_level = {
        str(k): greedy_accuracy(
            final_model, tokenizer, tasks, run.template, run.script, run.max_new_tokens
        )["heldout_accuracy"]
        for k, tasks in enumerate(run.level_tasks)
    }
    return {
        "curriculum": {
            "levels": curriculum.config.levels,
            "final_level": curriculum.level,
            "history": curriculum.history,
            "heldout_tasks_per_level": curriculum.config.heldout_tasks,
            "heldout_accuracy_by_level": by_level,
        }
    }


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


def _incomplete_lines(run: Run, grpo_steps: int, stopped_by: str) -> list[str]:
    """The last lines of a run a time cap cut short: it is incomplete, and how to go on."""
    script = run.script
    lines = [
        f"countdown train: this run is INCOMPLETE (stopped by {stopped_by}); its "
        "accuracy is not what the recipe reaches."
    ]
    if "grpo_time_budget" in stopped_by:
        budget = max(2 * script.time_budget_seconds, 60.0)
        lines.append(
            f"countdown train: to continue GRPO from step {grpo_steps}: countdown train "
            f"--output-dir {run.layout.root} --resume --time_budget_seconds {budget:g} "
            f"(the total GRPO budget; --max_steps {run.training_args.max_steps} stays)"
        )
    if "warmstart_time_budget" in stopped_by:
        lines.append(
            "countdown train: the warm start is not resumed; for a full one start a new run "
            f"with a larger --warmstart_seconds (now {script.warmstart_seconds:g})"
        )
    return lines
