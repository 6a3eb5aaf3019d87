"""Evaluation reports: their metrics from the records and the summary table.

:func:`summarize_records` computes a report's metrics from its per-task records; the readers
work on the plain ``report.json`` dict (or an :class:`~agents.evaluation.EvalReport`), so a report
written yesterday prints and compares like one made now. Writing and loading the files is
:mod:`agents.evaluation._report_files` (:func:`write_report`, :func:`load_report`,
re-exported here); comparing two reports is :mod:`agents.evaluation._comparison` (re-exported
here too).

>>> a = {"n": 100, "accuracy": 0.25, "status_counts": {"correct": 25, "wrong_value": 75}}
>>> b = {"n": 100, "accuracy": 0.40, "status_counts": {"correct": 40, "wrong_value": 60}}
>>> [(d.key, d.delta) for d in compare_reports(a, b) if d.changed]
[('accuracy', 0.15000000000000002), ('status_counts.correct', 15), \
('status_counts.wrong_value', -15)]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from agents.evaluation import _metrics as metrics
from agents.evaluation._comparison import (
    Difference,
    compare_reports,
    format_comparison,
    task_set_id,
    task_set_warnings,
)
from agents.evaluation._report_files import existing_report_files, load_report, write_report
from verifiers.errors import ConfigError

if TYPE_CHECKING:
    pass

__all__ = [
    "Difference",
    "compare_reports",
    "existing_report_files",
    "format_comparison",
    "format_summary",
    "load_report",
    "summarize_records",
    "task_set_id",
    "task_set_warnings",
    "write_report",
]


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def format_summary(report: Mapping[str, Any] | Any) -> str:
    """A readable table of one report (what ``countdown eval`` prints)."""
    r = load_report(report)
    total = sum(r.get("status_counts", {}).values()) or 1
    statuses = ", ".join(
        f"{name} {count} ({count / total:.0%})"
        for name, count in r.get("status_counts", {}).items()
    )
    pass_k = "  ".join(f"pass@{k} {_pct(v)}" for k, v in r.get("pass_at_k", {}).items())
    chars = (r.get("length") or {}).get("chars") or {}
    tokens = (r.get("length") or {}).get("tokens") or {}
    corr = r.get("length_correlation") or {}
    aha = r.get("aha") or {}
    timings = r.get("timings") or {}
    rows = [
        ("policy", f"{r.get('policy')}  (template {r.get('template')}, {r.get('answer_format')})"),
        ("tasks", f"{r.get('n')} x {r.get('n_samples', 1)} sample(s)"),
        ("accuracy", f"{_pct(r.get('accuracy'))}   {pass_k}"),
        ("statuses", statuses),
        ("format violations", _pct(r.get("format_violation_rate"))),
        (
            "length (chars)",
            f"mean {_num(chars.get('mean'))}, median {_num(chars.get('median'))}, "
            f"p90 {_num(chars.get('p90'))}; correct "
            f"{_num((r.get('length') or {}).get('mean_chars_correct'))} vs wrong "
            f"{_num((r.get('length') or {}).get('mean_chars_wrong'))}",
        ),
    ]
    if tokens:
        rows.append(
            ("length (tokens)", f"mean {_num(tokens.get('mean'))}, max {_num(tokens.get('max'))}")
        )
    rows += [
        ("length~correct r", _num(corr.get("chars"), 3)),
        (
            "aha moments",
            f"{_pct(aha.get('aha_rate'))} of completions; accuracy with "
            f"{_pct(aha.get('accuracy_with_aha'))}, without "
            f"{_pct(aha.get('accuracy_without_aha'))}",
        ),
    ]
    for dimension, groups in (r.get("by_difficulty") or {}).items():
        rows.append(
            (
                f"by {dimension}",
                "  ".join(f"{g}: {_pct(s['accuracy'])} (n={s['n']})" for g, s in groups.items()),
            )
        )
    if timings:
        total_s = timings.get("total_s") or 0.0
        overhead = timings.get("overhead_s") or 0.0
        rows.append(
            (
                "time",
                f"{total_s:.2f} s total, generation "
                f"{timings.get('generation_s', 0.0):.2f} s, overhead "
                f"{overhead:.2f} s ({overhead / total_s if total_s else 0:.1%})",
            )
        )
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _completion_rows(records: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """Every completion's row: each record itself for one sample a task, else its samples.

    Every record of a run has the same ``n_samples``, so the first record tells."""
    if not records or records[0]["n_samples"] == 1:
        return records
    return [row for record in records for row in record["samples"]]


def _by_difficulty(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    if records[0]["n_samples"] == 1:
        # One completion a task: its mean length and aha share are its own.
        lengths = [float(length) for length in map(itemgetter("length"), records)]
        aha = [1.0 if phrases else 0.0 for phrases in map(itemgetter("aha_phrases"), records)]
    else:
        lengths, aha = [], []
        for record in records:
            rows = record["samples"]
            lengths.append(math.fsum(r["length"] for r in rows) / len(rows))
            aha.append(sum(bool(r["aha_phrases"]) for r in rows) / len(rows))
    columns = {
        "accuracy": list(map(itemgetter("pass_at_1"), records)),
        "mean_length": lengths,
        "aha_rate": aha,
    }
    dimensions: dict[str, list[Hashable]] = {"n_nums": [len(r["nums"]) for r in records]}
    for name, edges in (
        ("n_solutions", (1, 2, 5, 20)),
        ("search_nodes", (1, 10, 100, 1000, 10000)),
    ):
        counts = [record.get(name) for record in records]
        if any(count is not None for count in counts):
            dimensions[name] = [metrics.count_bucket(count, edges) for count in counts]
    return {name: metrics.group_means(keys, columns) for name, keys in dimensions.items()}


def _correlation(lengths: Sequence[Any], correct: Sequence[bool]) -> float | None:
    # All right or all wrong leaves correctness constant: r is undefined, as point_biserial
    # would find after three passes over the data.
    if not lengths or all(correct) or not any(correct):
        return None
    return metrics.point_biserial(lengths, correct)


def summarize_records(
    records: Sequence[Mapping[str, Any]],
    *,
    k: Sequence[int] = (1,),
    aha_phrases: Sequence[str] = metrics.DEFAULT_AHA_PHRASES,
) -> dict[str, Any]:
    """The report's metrics from its per-task records (the rows of ``samples.jsonl``).

    Returns the :class:`~agents.evaluation._harness.EvalReport` fields computed from completions:
    ``accuracy``, ``pass_at_k`` (for each ``k``), ``status_counts``,
    ``format_violation_rate``, ``length``, ``length_correlation``, ``aha`` and
    ``by_difficulty``, so a run's numbers can be recomputed from ``samples.jsonl`` alone.
    Every record of a run has the same ``n_samples``.

    >>> rows = [{"nums": [3, 5], "n_samples": 1, "n_correct": c, "pass_at_1": float(c),
    ...          "correct": bool(c), "status": s, "length": 3, "format_ok": True,
    ...          "aha_phrases": []} for c, s in ((1, "correct"), (0, "wrong_value"))]
    >>> summary = summarize_records(rows)
    >>> summary["accuracy"], summary["status_counts"], summary["by_difficulty"]["n_nums"]
    (0.5, {'correct': 1, 'wrong_value': 1}, {'2': {'n': 2, 'accuracy': 0.5, \
'mean_length': 3.0, 'aha_rate': 0.0}})
    """
    if not records:
        raise ConfigError("summarize_records needs at least one record")
    rows = _completion_rows(records)
    correct = [bool(ok) for ok in map(itemgetter("correct"), rows)]
    chars = list(map(itemgetter("length"), rows))
    tokens: list[Any] = [row.get("length_tokens") for row in rows]
    if None in tokens:
        tokens = []
    found = list(map(itemgetter("aha_phrases"), rows))
    aha = metrics.aha_accuracy(correct, [bool(phrases) for phrases in found])
    aha["phrases"] = list(aha_phrases)
    aha["phrase_counts"] = dict(Counter(chain.from_iterable(found)).most_common())
    # Tasks share few distinct (n, c) pairs: pass@k once per pair, weighted by its count. The
    # mean is metrics.mean_pass_at_k's to the last bit, since fsum's exact sum ignores order.
    tally = Counter(map(itemgetter("n_samples", "n_correct"), records))

    def mean_pass(budget: int) -> float:
        return math.fsum(
            [
                value
                for (n, c), times in tally.items()
                for value in [metrics.pass_at_k(n, c, budget)] * times
            ]
        ) / len(records)

    pass_at_k = {str(budget): mean_pass(budget) for budget in k}
    right = [c for c, ok in zip(chars, correct, strict=True) if ok]
    wrong = [c for c, ok in zip(chars, correct, strict=True) if not ok]
    return {
        "accuracy": pass_at_k["1"] if "1" in pass_at_k else mean_pass(1),
        "pass_at_k": pass_at_k,
        "status_counts": dict(Counter(map(itemgetter("status"), rows)).most_common()),
        "format_violation_rate": 1.0 - metrics.accuracy(list(map(itemgetter("format_ok"), rows))),
        "length": {
            "chars": metrics.length_stats(chars),
            "tokens": metrics.length_stats(tokens) if tokens else None,
            "mean_chars_correct": math.fsum(right) / len(right) if right else None,
            "mean_chars_wrong": math.fsum(wrong) / len(wrong) if wrong else None,
        },
        "length_correlation": {
            "chars": _correlation(chars, correct),
            "tokens": _correlation(tokens, correct) if tokens else None,
        },
        "aha": aha,
        "by_difficulty": _by_difficulty(records),
    }
