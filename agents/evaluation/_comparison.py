"""Comparing two evaluation reports: which task sets they ran on, and every metric side by side.

:func:`task_set_id` identifies a task set (count and SHA-256), :func:`task_set_warnings` says when
two reports ran on different ones, :func:`compare_reports` lists every metric's
:class:`Difference`, and :func:`format_comparison` prints them as ``countdown eval --compare``
does. Reports are read as the plain ``report.json`` dict (or an
:class:`~agents.evaluation.EvalReport`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.evaluation._report_files import load_report

__all__ = [
    "Difference",
    "compare_reports",
    "format_comparison",
    "task_set_id",
    "task_set_warnings",
]

_SKIP = ("sampling.", "rules.", "metadata.", "aha.phrases")
_COUNTS = ("status_counts.", "aha.phrase_counts.")
"""Tallies: a name missing from one report counted zero there."""


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
