"""What the evaluation plots show: read back from the drawn matplotlib figures."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

import agents.evaluation._plots as plots
from agents.evaluation._plots import plot_report


@pytest.fixture
def figures(monkeypatch):
    """The figures plot_report draws, by file name (each still saved by the real writer)."""
    drawn = {}
    real_save = plots.save_figure

    def keep(fig, path):
        drawn[path.name] = fig
        return real_save(fig, path)

    monkeypatch.setattr(plots, "save_figure", keep)
    return drawn


def _report(*, accuracies, aha_rates, n_with_aha=0):
    groups = {
        dimension: {
            label: {"n": 10, "accuracy": acc, "mean_length": 5.0, "aha_rate": rate}
            for label, acc, rate in zip(labels, accuracies, aha_rates, strict=True)
        }
        for dimension, labels in (("n_nums", ("3", "4")), ("n_solutions", ("1", "2-4")))
    }
    return {
        "policy": "p",
        "n": 20,
        "accuracy": max(accuracies),
        "pass_at_k": {"1": 0.0},
        "status_counts": {"correct": 1, "wrong_value": 19},
        "length_correlation": {"chars": None},
        "aha": {
            "aha_rate": 0.1 if n_with_aha else 0.0,
            "n_with_aha": n_with_aha,
            "n_without_aha": 20 - n_with_aha,
            "accuracy_with_aha": None,
            "accuracy_without_aha": 0.05,
        },
        "by_difficulty": groups,
    }


def test_aha_panel_says_no_phrases_found_instead_of_piling_labels(tmp_path, figures):
    plot_report(
        _report(accuracies=(0.0, 0.0), aha_rates=(0.0, 0.0)),
        [{"length": 24, "correct": False}] * 4,
        tmp_path,
    )
    right = figures["aha.png"].axes[1]
    assert "no aha phrases found" in " ".join(t.get_text() for t in right.texts)
    assert not right.collections  # no points stacked at (0, 0)


def test_aha_groups_sharing_a_point_get_one_label(tmp_path, figures):
    # n_nums 3 and n_solutions 1 sit at the same point, as do n_nums 4 and n_solutions 2-4.
    plot_report(
        _report(accuracies=(0.05, 0.0), aha_rates=(0.2, 0.1), n_with_aha=2),
        [{"length": 24, "correct": False}] * 4,
        tmp_path,
    )
    right = figures["aha.png"].axes[1]
    points = [text.xy for text in right.texts if hasattr(text, "xy")]
    assert len(points) == len(set(points)) == 2
    key = " ".join(t.get_text() for t in right.texts)
    assert "n_nums 3, n_solutions 1" in key and "n_nums 4, n_solutions 2-4" in key


def test_length_histograms_are_outlines_on_whole_character_ticks(tmp_path, figures):
    records = [{"length": 24, "correct": False}] * 5 + [{"length": 25, "correct": True}] * 2
    plot_report(_report(accuracies=(0.0, 0.0), aha_rates=(0.0, 0.0)), records, tmp_path)
    ax = figures["length.png"].axes[0]
    assert ax.patches and not any(patch.get_fill() for patch in ax.patches)  # no blended fill
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks)


def test_accuracy_axes_scale_to_small_values_and_label_them(tmp_path, figures):
    plot_report(
        _report(accuracies=(0.09, 0.0), aha_rates=(0.0, 0.0)),
        [{"length": 24, "correct": False}] * 4,
        tmp_path,
    )
    for ax in figures["difficulty.png"].axes:
        assert 0.09 < ax.get_ylim()[1] <= 0.2  # 0% and 9% are told apart
    labels = " ".join(t.get_text() for t in figures["difficulty.png"].axes[0].texts)
    assert "9.0%" in labels and "0.0%" in labels
