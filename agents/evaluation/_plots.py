"""The pictures of an evaluation and of a training run (PNG, matplotlib's Agg backend).

Plots are drawn from the same plain data that is written to disk (the ``report.json`` dict and
the ``samples.jsonl`` records), so they can be redrawn later from a run directory alone.
matplotlib is imported lazily, only when a plot is drawn; a missing matplotlib raises
:class:`~verifiers.errors.DependencyError` with the install command.

- :func:`plot_report` draws an evaluation: status shares, length histogram (correct vs wrong),
  accuracy by difficulty, and aha moments vs accuracy.
- :func:`plot_training_curves` draws metrics over training steps from a list of log rows such as
  ``trainer.state.log_history``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from countdown_env.files import atomic_file
from verifiers.errors import DependencyError

__all__ = [
    "REPORT_PLOTS",
    "TRAINING_PANELS",
    "iter_completions",
    "plot_report",
    "plot_training_curves",
    "pyplot",
    "save_figure",
]

TRAINING_PANELS: dict[str, tuple[str, ...]] = {
    "reward": ("reward",),
    "accuracy": ("accuracy",),
    "format": ("format", "violation"),
    "length": ("length",),
    "aha": ("aha",),
}
"""One training-curve figure per panel; a metric goes into the first panel whose words it holds.

A key matches a panel when one of the panel's words appears in it (case-insensitive), so TRL's
``rewards/correctness_reward/mean`` lands in ``reward`` and ``completions/mean_length`` in
``length``. Standard deviations, learning rate and other keys are left out.
"""

REPORT_PLOTS: tuple[str, ...] = ("status.png", "length.png", "difficulty.png", "aha.png")
"""The files :func:`plot_report` writes, in its order."""

_SKIPPED_WORDS = ("std", "learning_rate", "grad_norm", "epoch", "runtime", "per_second", "flos")


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or :class:`DependencyError` with the fix."""
    try:
        import matplotlib
    except ImportError as err:
        raise DependencyError("plots need matplotlib: pip install 'countdown-rl[train]'") from err
    # Agg draws to files only, so plotting works on servers and in tests without a display.
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: Path) -> Path:
    """Save ``fig`` as a PNG atomically (temp file + rename) and close it; returns ``path``.

    A reader never sees half a PNG, and an old plot survives a crash mid-write.
    """
    plt = pyplot()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def iter_completions(records: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every completion of every task record (the ``samples`` list when a task has several).

    >>> list(iter_completions([{"correct": True}, {"samples": [{"correct": False}] * 2}]))
    [{'correct': True}, {'correct': False}, {'correct': False}]
    """
    for record in records:
        samples = record.get("samples")
        if samples:
            yield from samples
        else:
            yield record


def _status_plot(report: Mapping[str, Any], path: Path) -> Path:
    plt = pyplot()
    counts: Mapping[str, int] = report.get("status_counts", {})
    total = sum(counts.values()) or 1
    names = sorted(counts, key=lambda name: (name != "correct", -counts[name], name))
    shares = [counts[name] / total for name in names]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(names), 2) + 1.2))
    colors = ["tab:green" if name == "correct" else "tab:red" for name in names]
    bars = ax.barh(names, shares, color=colors)
    for bar, name in zip(bars, names, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {counts[name]}",
            va="center",
            fontsize=9,
        )
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("share of completions")
    pass_at_k = report.get("pass_at_k", {})
    extra = ", ".join(f"pass@{k} {v:.1%}" for k, v in pass_at_k.items() if k != "1")
    ax.set_title(
        f"{report.get('policy', '?')}: accuracy {report.get('accuracy', 0.0):.1%} "
        f"on {report.get('n', 0)} tasks" + (f" ({extra})" if extra else "")
    )
    return save_figure(fig, path)


def _integer_axis(axis: Any) -> None:
    """Ticks at whole numbers only (lengths and counts have no fractions)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _share_axis(ax: Any, values: Sequence[float]) -> None:
    """A 0-based share axis scaled to the data, with a margin for the labels on the bars.

    A fixed 0-1 axis flattens 0% against 9% into two slivers; the top is the largest value
    plus a quarter (at least 5%, at most 100% and a bit), and ticks read as percentages.
    """
    from matplotlib.ticker import PercentFormatter

    top = max(values, default=0.0)
    ax.set_ylim(0, min(1.1, max(0.05, top * 1.25)))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))


def _length_plot(
    records: Sequence[Mapping[str, Any]], report: Mapping[str, Any], path: Path
) -> Path:
    plt = pyplot()
    right = [c["length"] for c in iter_completions(records) if c.get("correct")]
    wrong = [c["length"] for c in iter_completions(records) if not c.get("correct")]
    fig, ax = plt.subplots(figsize=(7, 4))
    shortest, longest = min(right + wrong, default=0), max(right + wrong, default=1)
    # One bin per character when lengths are few, so short bare answers are not lumped together.
    span = (shortest - 0.5, max(longest, shortest + 1) + 0.5)
    bins = int(min(40, span[1] - span[0]))
    # Each group is normalised to its own size, so a rare group's shape is still visible. The
    # groups are outlines (step histograms), not translucent bars: overlapping fills blend into
    # a third colour that means nothing.
    if wrong:
        ax.hist(
            wrong,
            bins=bins,
            range=span,
            histtype="step",
            linewidth=2,
            color="tab:red",
            weights=[1 / len(wrong)] * len(wrong),
            label=f"wrong (n={len(wrong)})",
        )
    if right:
        ax.hist(
            right,
            bins=bins,
            range=span,
            histtype="step",
            linewidth=2,
            linestyle="--",
            color="tab:green",
            weights=[1 / len(right)] * len(right),
            label=f"correct (n={len(right)})",
        )
    r = report.get("length_correlation", {}).get("chars")
    ax.set_title(
        "response length by correctness"
        + (f" (point-biserial r = {r:+.2f})" if r is not None else "")
    )
    ax.set_xlabel("response length (characters)")
    ax.set_ylabel("share of the group's completions")
    ax.set_xlim(span[0] - 0.5, span[1] + 0.5)
    _integer_axis(ax.xaxis)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    if right or wrong:
        ax.legend(title="each group sums to 100%", fontsize=9, title_fontsize=8)
    return save_figure(fig, path)


def _label_bars(ax: Any, bars: Any, values: Sequence[float | None], sizes: Sequence[int]) -> None:
    """The value and the group size over each bar ("4.4%, n=170"; "none, n=0")."""
    for bar, value, size in zip(bars, values, sizes, strict=True):
        shown = "none" if value is None else f"{value:.1%}"
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height(),
            f"{shown}\nn={size}",
            ha="center",
            va="bottom",
            fontsize=8,
        )


def _difficulty_plot(report: Mapping[str, Any], path: Path) -> Path:
    plt = pyplot()
    dimensions = {k: v for k, v in report.get("by_difficulty", {}).items() if v}
    panels = max(len(dimensions), 1)
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 4), squeeze=False)
    everything = [g["accuracy"] for groups in dimensions.values() for g in groups.values()]
    for ax, (dimension, groups) in zip(axes[0], dimensions.items(), strict=False):
        labels = list(groups)
        values = [groups[g]["accuracy"] for g in labels]
        bars = ax.bar(labels, values, color="tab:blue")
        _label_bars(ax, bars, values, [groups[g]["n"] for g in labels])
        _share_axis(ax, everything)  # one scale for every panel, so panels compare
        ax.set_xlabel(dimension)
        if ax is axes[0][0]:
            ax.set_ylabel("accuracy (pass@1)")
        ax.tick_params(axis="x", labelrotation=30)
    if not dimensions:
        axes[0][0].text(0.5, 0.5, "no difficulty data", ha="center", va="center")
    top = max(everything, default=0.0)
    fig.suptitle(
        "accuracy by difficulty"
        + ("" if top * 1.25 >= 1 else " (axis scaled to the data, not 0-100%)")
    )
    return save_figure(fig, path)


def _aha_plot(report: Mapping[str, Any], path: Path) -> Path:
    plt = pyplot()
    aha = report.get("aha", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    _aha_accuracy_bars(left, aha)
    _aha_by_group(right, report, aha)
    return save_figure(fig, path)


def _aha_accuracy_bars(left: Any, aha: Mapping[str, Any]) -> None:
    """Left panel: accuracy of completions with and without an aha phrase."""
    labels, values, sizes = [], [], []
    for label, key, n_key in (
        ("with aha", "accuracy_with_aha", "n_with_aha"),
        ("without aha", "accuracy_without_aha", "n_without_aha"),
    ):
        labels.append(label)
        values.append(aha.get(key))
        sizes.append(aha.get(n_key, 0))
    bars = left.bar(labels, [v or 0.0 for v in values], color=["tab:orange", "tab:gray"])
    _label_bars(left, bars, values, sizes)
    _share_axis(left, [v or 0.0 for v in values])
    left.set_ylabel("accuracy")
    left.set_title(f"aha rate {aha.get('aha_rate', 0.0):.1%} of completions")


def _aha_by_group(right: Any, report: Mapping[str, Any], aha: Mapping[str, Any]) -> None:
    """Right panel: one point per difficulty group, so a reader sees whether groups that
    re-check more often are also the ones that are right more often."""
    right.set_xlabel("aha rate")
    right.set_ylabel("accuracy")
    right.set_title("aha rate vs accuracy by group")
    groups_by_dimension = {k: v for k, v in report.get("by_difficulty", {}).items() if v}
    if not aha.get("n_with_aha"):
        # Every point would sit at aha rate 0 with its labels piled on each other.
        right.text(
            0.5,
            0.5,
            "no aha phrases found\nin any completion",
            ha="center",
            va="center",
            fontsize=12,
            transform=right.transAxes,
        )
        right.set_xticks([])
        right.set_yticks([])
        return
    # Groups of different dimensions often share a point, and long labels beside the points
    # run into each other: each distinct point gets a number, and a key beside the panel
    # names every group at it.
    at: dict[tuple[float, float], list[str]] = {}
    for dimension, groups in groups_by_dimension.items():
        xs = [g["aha_rate"] for g in groups.values()]
        ys = [g["accuracy"] for g in groups.values()]
        right.scatter(xs, ys, label=dimension, alpha=0.8)
        for label, x, y in zip(groups, xs, ys, strict=True):
            at.setdefault((round(x, 3), round(y, 3)), []).append(f"{dimension} {label}")
    key_lines: list[str] = []
    for number, ((x, y), names) in enumerate(sorted(at.items()), 1):
        right.annotate(str(number), (x, y), fontsize=8, xytext=(4, 3), textcoords="offset points")
        key_lines.append(f"{number}: {', '.join(names)}")
    right.text(
        1.03, 1.0, "\n".join(key_lines), transform=right.transAxes, va="top", ha="left", fontsize=7
    )
    xs_all = [x for x, _ in at]
    ys_all = [y for _, y in at]
    right.set_xlim(-0.02, min(1.05, max(0.1, max(xs_all, default=0.0) * 1.3)))
    _share_axis(right, ys_all)
    right.set_ylim(-0.04 * right.get_ylim()[1], right.get_ylim()[1])  # room for points at 0
    from matplotlib.ticker import PercentFormatter

    right.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    if groups_by_dimension:
        right.legend(fontsize=8)


def plot_report(
    report: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    output_dir: str | os.PathLike[str],
) -> list[Path]:
    """Draw the four evaluation plots into ``output_dir`` and return their paths.

    ``report`` is the ``report.json`` dict and ``records`` the ``samples.jsonl`` rows written by
    :func:`agents.evaluation.write_report`. Files: ``status.png`` (share of each verdict status),
    ``length.png`` (length histogram, correct vs wrong), ``difficulty.png`` (accuracy by number
    count and difficulty bucket), ``aha.png`` (accuracy with and without aha phrases; aha rate
    vs accuracy per group).
    """
    out = Path(output_dir)
    status, length, difficulty, aha = (out / name for name in REPORT_PLOTS)
    return [
        _status_plot(report, status),
        _length_plot(records, report, length),
        _difficulty_plot(report, difficulty),
        _aha_plot(report, aha),
    ]


# Names used by callers written before the public ones existed.
_pyplot = pyplot
_save = save_figure


def _panel_of(key: str, panels: Mapping[str, Sequence[str]]) -> str | None:
    lowered = key.lower()
    if any(word in lowered for word in _SKIPPED_WORDS):
        return None
    for panel, words in panels.items():
        if any(word in lowered for word in words):
            return panel
    return None


def plot_training_curves(
    log_history_rows: Sequence[Mapping[str, Any]],
    output_dir: str | os.PathLike[str],
    *,
    panels: Mapping[str, Sequence[str]] | None = None,
) -> list[Path]:
    """Plot metrics over training steps, one PNG per panel that has data.

    Args:
        log_history_rows: dicts with a ``step`` key and any numeric metrics (for example
            ``trainer.state.log_history``); rows without ``step`` are skipped, and a metric is
            drawn only at the steps where it was logged.
        output_dir: where ``training_<panel>.png`` files go.
        panels: panel name -> words a metric key must contain (default :data:`TRAINING_PANELS`:
            reward, held-out accuracy, format violations, response length, aha rate).

    Returns:
        The written paths, in panel order; empty when no row holds a matching metric.

    >>> import tempfile
    >>> rows = [{"step": s, "reward": s / 10, "eval_accuracy": s / 20} for s in range(1, 4)]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in plot_training_curves(rows, d)]
    ['training_reward.png', 'training_accuracy.png']
    """
    chosen = dict(TRAINING_PANELS if panels is None else panels)
    series: dict[str, dict[str, tuple[list[float], list[float]]]] = {p: {} for p in chosen}
    for row in log_history_rows:
        step = row.get("step")
        if not isinstance(step, (int, float)) or isinstance(step, bool):
            continue
        for key, value in row.items():
            if key == "step" or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            panel = _panel_of(key, chosen)
            if panel is None:
                continue
            xs, ys = series[panel].setdefault(key, ([], []))
            xs.append(float(step))
            ys.append(float(value))
    paths: list[Path] = []
    out = Path(output_dir)
    for panel, lines in series.items():
        if not lines:
            continue
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7, 4))
        for key, (xs, ys) in sorted(lines.items()):
            ax.plot(xs, ys, marker="o" if len(xs) < 30 else None, markersize=3, label=key)
        ax.set_xlabel("training step")
        ax.set_ylabel(panel)
        ax.set_title(f"{panel} over training")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        paths.append(save_figure(fig, out / f"training_{panel}.png"))
    return paths
