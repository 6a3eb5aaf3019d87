"""Evaluation reports: their metrics from the records, the summary table, comparing.

:func:`summarize_records` computes a report's metrics from its per-task records; the readers
work on the plain ``report.json`` dict (or an :class:`~agents.evaluation.EvalReport`), so a report
written yesterday prints and compares like one made now. Writing and loading the files is
:mod:`agents.evaluation._report_files` (:func:`write_report`, :func:`load_report`,
re-exported here).

>>> a = {"n": 100, "accuracy": 0.25, "status_counts": {"correct": 25, "wrong_value": 75}}
>>> b = {"n": 100, "accuracy": 0.40, "status_counts": {"correct": 40, "wrong_value": 60}}
>>> [(d.key, d.delta) for d in compare_reports(a, b) if d.changed]
[('accuracy', 0.15000000000000002), ('status_counts.correct', 15), \
('status_counts.wrong_value', -15)]
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.evaluation import _metrics as metrics
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

_SKIP = ("sampling.", "rules.", "metadata.", "aha.phrases")
_COUNTS = ("status_counts.", "aha.phrase_counts.")
"""Tallies: a name missing from one report counted zero there."""


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


def task_set_id(tasks: Sequence[Any]) -> dict[str, Any]:
    """What identifies a task set whatever its source: the count and a SHA-256 of the tasks.

    The hash covers every task's ``nums`` and ``target`` in order (as JSON lines), so two
    reports with the same ``sha256`` were run on the same tasks, from a file or a generator.
    ``countdown eval`` records it in ``report.json`` as ``metadata.task_set``.

    >>> from countdown_env import Task
    >>> a = task_set_id([Task([3, 5], 8)])
    >>> a["n"], a == task_set_id([{"nums": [3, 5], "target": 8}]), len(a["sha256"])
    (1, True, 64)
    """
    digest = hashlib.sha256()
    for task in tasks:
        nums = task["nums"] if isinstance(task, Mapping) else task.nums
        target = task["target"] if isinstance(task, Mapping) else task.target
        digest.update(json.dumps([[int(n) for n in nums], int(target)]).encode() + b"\n")
    return {"n": len(tasks), "sha256": digest.hexdigest()}


def _describe_source(report: Mapping[str, Any]) -> str:
    """Where a report's tasks came from, in a few words."""
    meta = report.get("metadata") or {}
    source = meta.get("task_source") or {}
    task_set = meta.get("task_set") or {}
    n = task_set.get("n", report.get("n"))
    if "tasks_file" in source:
        where = f"file {source['tasks_file']}"
    elif "generator" in source or "seed" in source:
        preset = source.get("preset")
        where = f"generated with seed {source.get('seed')}" + (
            f", preset {preset}" if preset else ""
        )
    else:
        where = "source not recorded"
    digest = task_set.get("sha256")
    return f"{n} tasks, {where}" + (f", sha256 {digest[:12]}" if digest else "")


def _with_task_set(source: Any) -> dict[str, Any]:
    """The report, with ``metadata.task_set`` computed from the ``samples.jsonl`` beside its
    ``report.json`` when the report does not record it (older reports, training stages)."""
    report = load_report(source)
    meta = report.get("metadata") or {}
    if meta.get("task_set") or hasattr(source, "to_dict") or isinstance(source, Mapping):
        return report
    path = Path(source).expanduser()
    samples = (path if path.is_dir() else path.parent) / "samples.jsonl"
    if not samples.is_file():
        return report
    try:
        with samples.open(encoding="utf-8") as rows:
            tasks = [json.loads(line) for line in rows if line.strip()]
        found = task_set_id(tasks)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return report  # an unreadable samples file: compare by what report.json says
    if found["n"] != report.get("n"):
        return report
    return {**report, "metadata": {**meta, "task_set": found}}


def task_set_warnings(a: Any, b: Any) -> list[str]:
    """Why two reports' task sets differ (empty when they match or cannot be told apart).

    With ``metadata.task_set`` on both sides the content hashes decide (for a report that does
    not record it, such as a training stage's, the hash is taken from the ``samples.jsonl``
    beside its ``report.json``); otherwise the reports are compared by what they recorded (task
    count, seed, preset, generator settings, task file).

    >>> a = {"n": 2, "metadata": {"task_source": {"seed": 0}}}
    >>> task_set_warnings(a, {"n": 2, "metadata": {"task_source": {"seed": 1}}})
    ['the reports were run on different task sets (seed 0 vs 1): A has 2 tasks, generated \
with seed 0; B has 2 tasks, generated with seed 1; their metrics do not compare task for task']
    """
    left, right = _with_task_set(a), _with_task_set(b)
    sets = [(r.get("metadata") or {}).get("task_set") or {} for r in (left, right)]
    if sets[0].get("sha256") and sets[1].get("sha256"):
        if sets[0]["sha256"] == sets[1]["sha256"]:
            return []
        reasons = ["task content differs"]
    else:
        reasons = []
    sources = [(r.get("metadata") or {}).get("task_source") or {} for r in (left, right)]
    if left.get("n") != right.get("n"):
        reasons.append(f"n {left.get('n')} vs {right.get('n')}")
    for key in ("tasks_file", "seed", "preset"):
        if sources[0].get(key) != sources[1].get(key):
            reasons.append(
                f"{key.replace('_', ' ')} {sources[0].get(key)} vs {sources[1].get(key)}"
            )
    generators = [source.get("generator") or {} for source in sources]
    changed = sorted(
        k
        for k in set(generators[0]) | set(generators[1])
        if generators[0].get(k) != generators[1].get(k)
    )
    if changed:
        reasons.append(
            "generator "
            + ", ".join(f"{k} {generators[0].get(k)} vs {generators[1].get(k)}" for k in changed)
        )
    if not reasons:
        return []
    return [
        f"the reports were run on different task sets ({'; '.join(reasons)}): "
        f"A has {_describe_source(left)}; B has {_describe_source(right)}; their metrics "
        "do not compare task for task"
    ]


_MISSING = object()
"""A metric a report does not have at all (as opposed to one recorded as null)."""


def _why_blank(key: str, side: Mapping[str, Any], missing: bool) -> str:
    """Why a report shows no value for ``key``: absent (``-``) or recorded as undefined
    (``n/a``)."""
    parts = key.split(".")
    if key.startswith("pass_at_k."):
        return (
            f"pass@{parts[1]} needs at least {parts[1]} samples per task; that report has "
            f"{side.get('n_samples', 1)}"
        )
    if (
        key.startswith("by_difficulty.")
        and parts[1] in ("n_solutions", "search_nodes")
        and parts[1] not in (side.get("by_difficulty") or {})
    ):
        return f"{parts[1]} is known only for rated tasks (--rate)"
    if key.startswith("by_difficulty."):
        return f"no task of that report falls in group {parts[2]} of {parts[1]}"
    if key.endswith("tokens"):
        return "the policy reports no token counts (solver, random)"
    if key == "length_correlation.chars":
        return "undefined when every answer is right or every answer is wrong"
    if key == "length.mean_chars_correct":
        return "no correct answer"
    if key == "length.mean_chars_wrong":
        return "no wrong answer"
    if key == "aha.accuracy_with_aha":
        return "no completion has an aha phrase"
    if key == "aha.accuracy_without_aha":
        return "every completion has an aha phrase"
    if key.startswith("timings.write_s"):
        return "the report was not written to a folder"
    if missing:
        return "that report has no such metric (written by another version or run)"
    return "recorded as undefined (null) in that report"


@dataclass(frozen=True)
class Difference:
    """One metric in two reports. ``delta`` is ``b - a`` when both are numbers.

    ``a_missing``/``b_missing`` say a side does not have the metric at all (``a``/``b`` is then
    ``None``, as for a metric recorded as undefined).
    """

    key: str
    a: Any
    b: Any
    a_missing: bool = False
    b_missing: bool = False

    @property
    def delta(self) -> float | int | None:
        """``b - a``, or ``None`` when either side is missing or not a number."""
        numeric = (int, float)
        if (
            isinstance(self.a, numeric)
            and isinstance(self.b, numeric)
            and not isinstance(self.a, bool)
            and not isinstance(self.b, bool)
        ):
            return self.b - self.a
        return None

    @property
    def changed(self) -> bool:
        """Whether the two values differ."""
        return self.a != self.b


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{name}.")
        elif not isinstance(value, (list, tuple)):
            yield name, value


def compare_reports(a: Any, b: Any) -> list[Difference]:
    """Every scalar metric of two reports (paths, dicts or EvalReports), in report order.

    Keys are dotted paths (``pass_at_k.4``, ``by_difficulty.n_nums.3.accuracy``); a key present
    in one report only has ``None`` on the other side. Sampling, rules and metadata are left
    out (they are settings, not results; :func:`format_comparison` prints them when they differ).
    """
    left = dict(_leaves(load_report(a)))
    right = dict(_leaves(load_report(b)))
    keys = list(left) + [k for k in right if k not in left]
    out = []
    for key in keys:
        if key.startswith(_SKIP) or key == "plots":
            continue
        if key.startswith(_COUNTS):  # a status no completion had: zero of it
            out.append(Difference(key, left.get(key, 0), right.get(key, 0)))
            continue
        out.append(
            Difference(
                key,
                left.get(key),
                right.get(key),
                a_missing=key not in left,
                b_missing=key not in right,
            )
        )
    return out


def format_comparison(a: Any, b: Any, *, only_changed: bool = False) -> str:
    """The comparison of two reports as a table: metric, A, B, B - A."""
    left, right = _with_task_set(a), _with_task_set(b)
    lines = [f"warning: {text}" for text in task_set_warnings(left, right)]
    for section in ("sampling", "rules"):
        if left.get(section) != right.get(section):
            lines.append(f"note: {section} differ: {left.get(section)} vs {right.get(section)}")
    rows = [("metric", "A", "B", "B - A")]
    reasons: list[str] = []

    def cell(value: Any, key: str, side: Mapping[str, Any], missing: bool) -> str:
        if value is not None:
            return _cell(value)
        reason = _why_blank(key, side, missing)
        if reason not in reasons:
            reasons.append(reason)
        return f"{'-' if missing else 'n/a'} [{reasons.index(reason) + 1}]"

    for diff in compare_reports(left, right):
        if only_changed and not diff.changed:
            continue
        delta = diff.delta
        shown = (
            ""
            if delta is None
            else (f"{delta:+.4g}" if isinstance(delta, float) else f"{delta:+d}")
        )
        rows.append(
            (
                diff.key,
                cell(diff.a, diff.key, left, diff.a_missing),
                cell(diff.b, diff.key, right, diff.b_missing),
                shown,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if reasons:
        lines.append("'-': the report lacks the metric; 'n/a': it is undefined there. Why:")
        lines += [f"  [{number}] {reason}" for number, reason in enumerate(reasons, 1)]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


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
