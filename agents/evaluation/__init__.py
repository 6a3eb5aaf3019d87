"""Evaluation: run a policy on tasks, measure it, write the report and draw its plots.

:func:`evaluate` is the harness ``countdown eval`` runs: it returns an :class:`EvalReport`
(accuracy, pass@k, status counts, format violations, lengths, aha moments, accuracy by
difficulty); :func:`write_report` writes ``report.json``, ``samples.jsonl`` and the PNG plots;
:func:`format_comparison` compares two reports.

Names load on first use: importing this package does not import torch or matplotlib.

>>> from agents.evaluation import evaluate
>>> from agents.policies import SolverPolicy
>>> from countdown_env import generate
>>> evaluate(SolverPolicy(), generate(5, seed=0)).accuracy
1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents._lazy import lazy_face

_PUBLIC = {
    "EvalReport": "._report",
    "default_k": "._harness",
    "default_max_new_tokens": "._harness",
    "evaluate": "._harness",
    "format_ok": "._harness",
    "resolve_template": "._harness",
    "Difference": "._comparison",
    "compare_reports": "._comparison",
    "format_comparison": "._comparison",
    "format_summary": "._reports",
    "summarize_records": "._reports",
    "task_set_id": "._comparison",
    "load_report": "._report_files",
    "write_report": "._report_files",
    "plot_report": "._plots",
    "plot_training_curves": "._plots",
    "DEFAULT_AHA_PHRASES": "._metrics",
    "AhaMatcher": "._metrics",
    "find_aha_phrases": "._metrics",
    "mean_pass_at_k": "._metrics",
    "pass_at_k": "._metrics",
}

__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = lazy_face(__name__, _PUBLIC)

if TYPE_CHECKING:
    from agents.evaluation._comparison import (
        Difference,
        compare_reports,
        format_comparison,
        task_set_id,
    )
    from agents.evaluation._harness import (
        default_k,
        default_max_new_tokens,
        evaluate,
        format_ok,
        resolve_template,
    )
    from agents.evaluation._metrics import (
        DEFAULT_AHA_PHRASES,
        AhaMatcher,
        find_aha_phrases,
        mean_pass_at_k,
        pass_at_k,
    )
    from agents.evaluation._plots import plot_report, plot_training_curves
    from agents.evaluation._report import EvalReport
    from agents.evaluation._report_files import load_report, write_report
    from agents.evaluation._reports import format_summary, summarize_records
