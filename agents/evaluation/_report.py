"""The result of an evaluation: :class:`EvalReport`, the data ``report.json`` holds.

A plain dataclass with no behaviour beyond :meth:`EvalReport.to_dict`, so the harness that fills
it, the report writers and the plots can all import it without importing each other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EvalReport"]


@dataclass
class EvalReport:
    """Everything an evaluation measured. :meth:`to_dict` is what ``report.json`` holds.

    The per-task rows (``samples.jsonl``) are in :attr:`records`; every other attribute is a
    summary over them. Counts and shares of statuses, lengths and aha phrases are over all
    completions (``n * n_samples``); accuracy and pass@k are means over tasks.
    """

    n: int = field(metadata={"help": "Tasks evaluated."})
    n_samples: int = field(metadata={"help": "Completions per task."})
    accuracy: float = field(metadata={"help": "Mean over tasks of the unbiased pass@1."})
    pass_at_k: dict[str, float] = field(metadata={"help": "k -> unbiased pass@k."})
    status_counts: dict[str, int] = field(metadata={"help": "Status name -> completions."})
    format_violation_rate: float = field(
        metadata={"help": "Share of completions without the answer format the template asks."}
    )
    length: dict[str, Any] = field(metadata={"help": "Length statistics (chars, tokens)."})
    length_correlation: dict[str, float | None] = field(
        metadata={"help": "Point-biserial r of length with correctness (None: undefined)."}
    )
    aha: dict[str, Any] = field(metadata={"help": "Aha-moment rates and accuracies."})
    by_difficulty: dict[str, dict[str, dict[str, Any]]] = field(
        metadata={"help": "Dimension -> group -> n, accuracy, mean length, aha rate."}
    )
    policy: str = field(metadata={"help": "Policy name."})
    template: str = field(metadata={"help": "Prompt template name."})
    answer_format: str = field(metadata={"help": "answer_tag, bare or steps."})
    sampling: dict[str, Any] = field(metadata={"help": "The SamplingConfig used."})
    rules: dict[str, Any] = field(metadata={"help": "The rules answers were checked under."})
    timings: dict[str, float] = field(
        metadata={
            "help": "Seconds: generation, verification, metrics, overhead (all but generation), "
            "total; write (set by write_report)."
        }
    )
    metadata: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "Caller's notes (task source, seeds)."}
    )
    records: list[dict[str, Any]] = field(
        default_factory=list, repr=False, metadata={"help": "One row per task."}
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready summary (without :attr:`records`)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del data["records"]
        return data
