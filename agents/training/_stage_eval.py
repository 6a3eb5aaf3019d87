"""Measuring a training run: held-out evaluation stages, in-training diagnostics, and plots.

Held-out evaluation uses the evaluation harness (:func:`agents.evaluation.evaluate`) with greedy
decoding, so the numbers before and after GRPO are the same measurement ``countdown eval`` makes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agents.evaluation import _metrics as metrics

__all__ = ["TrainingDiagnostics", "evaluate_model", "evaluate_stage", "training_plots"]


def evaluate_model(
    model: Any,
    tokenizer: Any,
    tasks: Sequence[Any],
    *,
    template: str,
    max_new_tokens: int,
    batch_size: int,
    progress: bool = True,
) -> Any:
    """Greedy evaluation of ``model`` on ``tasks`` with the harness; returns its EvalReport."""
    from agents.evaluation._harness import evaluate
    from agents.policies._base import SamplingConfig
    from agents.policies._models import TransformersPolicy

    was_training = model.training
    model.eval()
    try:
        policy = TransformersPolicy(
            model,
            tokenizer,
            name="training-run",
            device=str(model.device),
            default_template=template,
        )
        return evaluate(
            policy,
            list(tasks),
            template=template,
            sampling=SamplingConfig(temperature=0.0, max_new_tokens=max_new_tokens),
            batch_size=batch_size,
            progress=progress,
        )
    finally:
        if was_training:
            model.train()


def evaluate_stage(
    model: Any,
    tokenizer: Any,
    tasks: Sequence[Any],
    template: str,
    out_dir: Path,
    *,
    max_new_tokens: int,
    batch_size: int,
    main: bool = True,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Evaluate into ``out_dir`` (report.json, samples.jsonl, plots) and return report.json.

    An existing report is reused unless ``overwrite`` (a resumed run does not evaluate its
    starting point twice). Only the main process evaluates; the others wait and read the file.
    """
    from agents.evaluation._harness import write_report
    from agents.training._distributed import barrier

    report_path = Path(out_dir) / "report.json"
    if main and (overwrite or not report_path.is_file()):
        report = evaluate_model(
            model,
            tokenizer,
            tasks,
            template=template,
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
        )
        write_report(report, out_dir)
    barrier()
    return json.loads(report_path.read_text(encoding="utf-8"))


class TrainingDiagnostics:
    """A zero-weight TRL reward that logs what the paper tracks during training.

    It scores nothing (always 0.0, and ``countdown train`` gives it weight 0); through TRL's
    ``log_metric`` it logs, per batch of completions, ``format_violation_rate`` (the evaluation
    harness's definition: no readable answer for bare templates, not the format reward's shape
    for answer-tag templates), ``correct_rate`` and ``aha_rate`` (share with an aha phrase such
    as "wait" or "let me check"). With a curriculum (a ``level`` column) it also logs
    ``curriculum/level``, the level of the tasks trained on.

    >>> logged = {}
    >>> d = TrainingDiagnostics("compact")
    >>> d(["3+4", "wait 3*4", "x"], nums=[[3, 4]] * 3, target=[7] * 3,
    ...   log_metric=lambda k, v: logged.__setitem__(k, round(v, 3)))
    [0.0, 0.0, 0.0]
    >>> logged
    {'format_violation_rate': 0.667, 'correct_rate': 0.333, 'aha_rate': 0.333}
    """

    __name__ = "diagnostics"

    def __init__(self, template: str) -> None:
        self.template = template

    def __call__(
        self,
        completions: Sequence[Any],
        nums: Sequence[Any] | None = None,
        target: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        from agents.evaluation._harness import format_ok, resolve_template
        from verifiers import completion_text, verify

        log_metric = kwargs.get("log_metric")
        if log_metric is None or not completions or nums is None or target is None:
            return [0.0] * len(completions)
        template = resolve_template(self.template)
        bad = correct = aha = 0
        for completion, row_nums, row_target in zip(completions, nums, target, strict=False):
            text = completion_text(completion) or ""
            verdict = verify(text, row_nums, row_target, extractor=template.extractor)
            bad += not format_ok(text, verdict.status.value, template)
            correct += verdict.correct
            aha += bool(metrics.find_aha_phrases(text))
        n = len(completions)
        log_metric("format_violation_rate", bad / n)
        log_metric("correct_rate", correct / n)
        log_metric("aha_rate", aha / n)
        level = kwargs.get("level")
        if level:
            log_metric("curriculum/level", sum(level) / len(level))
        return [0.0] * n


def training_plots(
    layout: Any, before: dict[str, Any], after: dict[str, Any], *, subset: int
) -> list[Path]:
    """Curves over steps from metrics.jsonl, plus the before/after comparison, into plots/."""
    from agents.evaluation._plots import plot_training_curves

    rows: list[dict[str, Any]] = []
    if layout.metrics.is_file():
        for line in layout.metrics.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                # The zero-weight diagnostics reward is a logger, not a reward: no curve.
                rows.append({k: v for k, v in row.items() if "diagnostics" not in k})
    # The periodic measurement's starting point: the same held-out subset before GRPO.
    start = _subset_accuracy(layout.eval_before / "samples.jsonl", subset)
    if start is not None:
        rows.insert(0, {"step": 0, "heldout_accuracy": start})
    paths = plot_training_curves(rows, layout.plots)
    # A curriculum run: the level trained on and the rolling hit rate that raises it
    # (training_curriculum.png); per-level held-out accuracy is in training_accuracy.png.
    paths += plot_training_curves(rows, layout.plots, panels={"curriculum": ("curriculum/",)})
    paths.append(_before_after_plot(before, after, layout.plots / "before_after.png"))
    return paths


def _subset_accuracy(samples: Path, subset: int) -> float | None:
    """Accuracy on the first ``subset`` tasks of an evaluation's samples.jsonl."""
    if not samples.is_file():
        return None
    correct = []
    for line in samples.read_text(encoding="utf-8").splitlines()[:subset]:
        correct.append(bool(json.loads(line)["correct"]))
    return sum(correct) / len(correct) if correct else None


def _before_after_plot(before: dict[str, Any], after: dict[str, Any], path: Path) -> Path:
    from agents.evaluation._plots import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    names = ["accuracy", "format_violation_rate"]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [before.get(n, 0) or 0 for n in names], 0.4, label="before GRPO")
    ax.bar([x + 0.2 for x in xs], [after.get(n, 0) or 0 for n in names], 0.4, label="after GRPO")
    ax.set_xticks(list(xs), ["held-out accuracy", "format violations"])
    ax.set_ylim(0, 1)
    ax.set_title(f"held-out tasks (n={after.get('n', before.get('n'))}), greedy")
    ax.legend()
    return save_figure(fig, path)
