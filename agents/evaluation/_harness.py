"""The evaluation harness: run a policy on tasks, verify every completion, report and plot.

>>> from countdown_env import generate
>>> report = evaluate("solver", generate(20, seed=7), progress=False)
>>> report.n, report.accuracy, report.status_counts
(20, 1.0, {'correct': 20})

:func:`evaluate` renders each task with a prompt template, asks the policy for
``sampling.num_samples`` completions per task in batches, verifies each completion with the
checker of :mod:`verifiers` (the last ``<answer>`` block for ``answer_tag`` templates, the whole
stripped completion for ``bare`` ones) and computes the metrics of :mod:`agents.evaluation._metrics`
(:func:`summarize_records`): accuracy (pass@1), unbiased pass@k, status counts, format
violations, response length and its correlation with correctness, aha-moment rates, all broken
down by difficulty. :func:`write_report` (from :mod:`agents.evaluation._reports`, which
also prints, loads and compares reports) writes ``report.json``, ``samples.jsonl`` and the PNG
plots of :mod:`agents.evaluation._plots`. The harness's own work (everything but generation)
costs about 20-30 us a task: under 1% of an evaluation of the embedded model, about 2% with a
1-layer, width-32 model in the default batches of 32 (``benchmarks/bench_agents.py``).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from agents.evaluation import _metrics as metrics
from agents.evaluation._report import EvalReport
from agents.evaluation._reports import (
    compare_reports,
    format_comparison,
    format_summary,
    summarize_records,
    write_report,
)
from agents.policies._base import Policy, Request, SamplingConfig
from countdown_env import PromptTemplate as Template
from countdown_env import Task
from countdown_env import get_template as resolve_template
from verifiers import verify
from verifiers.errors import ConfigError, CountdownError
from verifiers.extract import has_answer_format
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = [
    "EvalReport",
    "compare_reports",
    "default_k",
    "default_max_new_tokens",
    "evaluate",
    "format_comparison",
    "format_ok",
    "format_summary",
    "resolve_template",
    "summarize_records",
    "write_report",
]

FORMAT_FAILURES = frozenset({"no_answer", "malformed", "forbidden", "too_long"})
"""Statuses that mean a bare completion is not a legal expression at all (a format violation).

For ``answer_tag`` templates the format is the format reward's: one ``<think>`` block, then
exactly one non-empty ``<answer>`` block (:func:`verifiers.extract.has_answer_format`)."""


def default_max_new_tokens(template: str | Template) -> int:
    """Completion budget by template: 24 tokens for bare answers, 64 for compact worked steps,
    96 for compact tries (eight tries of three numbers), 512 when the model thinks in words.

    The compact template's answers are a dozen characters; TinyZero-style thinking needs room
    (TRL's default budget truncated most completions with zero reward, trl#5697).

    >>> [default_max_new_tokens(t) for t in ("compact", "compact-steps", "compact-tries")]
    [24, 64, 96]
    """
    return _MAX_NEW_TOKENS[resolve_template(template).answer_format]


_MAX_NEW_TOKENS = {"bare": 24, "steps": 64, "tries": 96, "answer_tag": 512}


def default_k(num_samples: int) -> tuple[int, ...]:
    """The k of pass@k reported by default: powers of two up to n, and n itself.

    >>> default_k(1), default_k(10)
    ((1,), (1, 2, 4, 8, 10))
    """
    ks = {2**i for i in range(num_samples.bit_length()) if 2**i <= num_samples}
    return tuple(sorted(ks | {num_samples}))


def _as_task(item: Any) -> Any:
    if isinstance(item, Task):
        return item
    if isinstance(item, Mapping):
        return Task.from_dict(item)
    if hasattr(item, "nums") and hasattr(item, "target"):
        return item
    raise ConfigError(
        f"a task must be a countdown_env.Task or a mapping with nums and target, "
        f"got {type(item).__name__}"
    )


def format_ok(completion: str, status: str, template: Template) -> bool:
    """Whether a completion has the answer format its template asks for (not a violation).

    Bare and worked-steps templates: a readable expression (status not in
    :data:`FORMAT_FAILURES`); answer-tag templates: the format reward's shape (thinking, then
    one non-empty answer).
    """
    if template.answer_format != "answer_tag":
        return status not in FORMAT_FAILURES
    return has_answer_format(completion)


class _Grader:
    """Verifies completions and writes each task's ``samples.jsonl`` record.

    Everything fixed for a run (template, rules, aha matcher) is resolved once here, and a
    task with one completion gets a single dict, because the harness's own cost per task must
    stay small next to generating the completion.
    """

    def __init__(self, template: Template, rules: Rules, aha_phrases: Sequence[str]) -> None:
        self.extractor = template.extractor
        self.bare = template.answer_format != "answer_tag"  # the answer is the expression
        # verify() passes a Rules object through Rules.from_kwargs on every call; None means
        # DEFAULT_RULES without that detour (~0.3 us a completion), same checks.
        self.rules = None if rules == DEFAULT_RULES else rules
        self.find_aha = metrics.AhaMatcher(aha_phrases)

    def record(
        self, index: int, task: Any, prompt: Any, completions: Sequence[Any]
    ) -> dict[str, Any]:
        """The task's fields, then its first completion's row, then the pass counts."""
        nums, target = task.nums, task.target
        record: dict[str, Any] = {
            "index": index,
            "id": getattr(task, "id", None),
            "nums": list(nums),
            "target": target,
            "solution": getattr(task, "solution", None),
            "n_solutions": getattr(task, "n_solutions", None),
            "search_nodes": getattr(task, "search_nodes", None),
            "prompt": prompt,
        }
        if len(completions) == 1:  # the usual case: the record is the completion's row too
            correct = self._grade(record, completions[0], nums, target)["correct"]
            # A bool's sum over one row, without building the list of rows.
            n_correct = 1 if correct else 0
            record["n_samples"] = 1
            record["n_correct"] = n_correct
            record["pass_at_1"] = n_correct / 1
            return record
        rows = [self._grade({}, text, nums, target) for text in completions]
        record.update(rows[0])
        n_correct = sum(map(itemgetter("correct"), rows))
        record["n_samples"] = len(rows)
        record["n_correct"] = n_correct
        record["pass_at_1"] = n_correct / len(rows)
        if len(rows) > 1:
            record["samples"] = rows
        return record

    def _grade(
        self, row: dict[str, Any], completion: Any, nums: Sequence[int], target: int
    ) -> dict[str, Any]:
        """Add one completion's fields to ``row`` (and return it)."""
        if not isinstance(completion, str):
            raise CountdownError(f"the policy returned a {type(completion).__name__}, not a str")
        verdict = verify(completion, nums, target, rules=self.rules, extractor=self.extractor)
        # Verdict.to_dict()'s five fields, in its order, set here without its temporary dict
        # and update() (about a microsecond a completion).
        value = verdict.value
        status = verdict.status.value
        row["completion"] = str(completion)
        row["correct"] = verdict.correct
        row["status"] = status
        row["value"] = None if value is None else str(value)
        row["expression"] = verdict.expression
        row["reason"] = verdict.reason
        row["length"] = len(completion)
        # Token counts reported by the policy are exact; otherwise they are re-tokenized later.
        num_tokens = getattr(completion, "num_tokens", None)
        if num_tokens is not None:
            row["length_tokens"] = num_tokens
        row["format_ok"] = (
            status not in FORMAT_FAILURES if self.bare else has_answer_format(completion)
        )
        row["aha_phrases"] = self.find_aha(completion)
        return row


def _token_lengths(records: list[dict[str, Any]], tokenizer: Any) -> None:
    """Give every completion row a ``length_tokens``: the policy's own count when it reported
    one (generated tokens, EOS included), else the completion re-tokenized."""
    rows = [row for record in records for row in (record.get("samples") or [record])]
    missing = [row for row in rows if row.get("length_tokens") is None]
    if not missing:
        return
    texts = [row["completion"] for row in missing]
    encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
    for row, ids in zip(missing, encoded, strict=True):
        row["length_tokens"] = len(ids)
    for record in records:
        if record.get("samples"):
            record["length_tokens"] = record["samples"][0]["length_tokens"]


def _checked_ks(k: Sequence[int] | None, num_samples: int) -> tuple[int, ...]:
    """The k of pass@k (default :func:`default_k`), each an integer in 1..``num_samples``."""
    ks = tuple(k) if k is not None else default_k(num_samples)
    for value in ks:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= num_samples:
            raise ConfigError(
                f"every k must be an integer in 1..num_samples={num_samples}, got {value!r}"
            )
    return ks


def _run_batches(
    policy: Policy,
    task_list: Sequence[Any],
    chosen: Template,
    sampling: SamplingConfig,
    *,
    batch_size: int,
    progress: bool,
    grader: _Grader,
) -> tuple[list[dict[str, Any]], float, float]:
    """Generate and grade every task, batch by batch: the records and the seconds spent
    generating and verifying."""
    from tqdm.auto import tqdm

    records: list[dict[str, Any]] = []
    generation = verification = solved = 0.0
    samples = sampling.num_samples
    bar = tqdm(
        total=len(task_list),
        desc=f"eval {policy.name}",
        unit="task",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar:
        for start in range(0, len(task_list), batch_size):
            batch = task_list[start : start + batch_size]
            prompts = [chosen.format(task.nums, task.target) for task in batch]
            requests = [
                Request(p, nums=t.nums, target=t.target, answer_format=chosen.answer_format)
                for p, t in zip(prompts, batch, strict=True)
            ]
            tick = time.perf_counter()
            completions = policy.generate(
                requests, sampling=dataclasses.replace(sampling, seed=sampling.seed + start)
            )
            generation += time.perf_counter() - tick
            if len(completions) != len(batch) * samples:
                raise CountdownError(
                    f"policy {policy.name!r} returned {len(completions)} "
                    f"completions for {len(batch)} prompts x {samples} samples"
                )
            tick = time.perf_counter()
            for offset, (task, prompt) in enumerate(zip(batch, prompts, strict=True)):
                record = grader.record(
                    start + offset,
                    task,
                    prompt,
                    completions[offset * samples : (offset + 1) * samples],
                )
                solved += record["pass_at_1"]
                records.append(record)
            verification += time.perf_counter() - tick
            bar.update(len(batch))
            if progress:
                bar.set_postfix(acc=f"{solved / len(records):.1%}")
    return records, generation, verification


def evaluate(
    policy: Policy | str,
    tasks: Sequence[Any],
    *,
    template: str | Template | None = None,
    sampling: SamplingConfig | None = None,
    k: Sequence[int] | None = None,
    batch_size: int = 32,
    progress: bool = True,
    rules: Rules | Mapping[str, Any] | None = None,
    aha_phrases: Sequence[str] = metrics.DEFAULT_AHA_PHRASES,
    metadata: Mapping[str, Any] | None = None,
) -> EvalReport:
    """Run ``policy`` on ``tasks`` and measure it.

    Args:
        policy: a :class:`~agents.policies.Policy`, or a spec for
            :func:`agents.policies.load_policy` (``"solver"``, ``"random"``, ``"default"``, a path).
        tasks: :class:`countdown_env.Task` objects or mappings with ``nums`` and ``target``.
        template: a prompt template name (``"tinyzero"``, ``"chat"``, ``"compact"``) or object;
            default: the policy's ``default_template``, else ``"tinyzero"``.
        sampling: how completions are drawn (default: greedy, one completion, a max length
            suited to the template). Batch ``b`` (0-based) is sampled with seed
            ``sampling.seed + b * batch_size``, so results repeat for the same batch size.
        k: the k of pass@k (default :func:`default_k`); each must be <= ``num_samples``.
        batch_size: tasks per ``policy.generate`` call.
        progress: show a tqdm bar on stderr.
        rules: the rules answers are checked under (default: TinyZero's).
        aha_phrases: phrases counted as aha moments (default
            :data:`agents.evaluation.DEFAULT_AHA_PHRASES`).
        metadata: extra JSON-ready facts to keep in the report (e.g. the task seed).

    Raises:
        ConfigError: no tasks, an unknown policy or template, a bad ``k`` or ``batch_size``.
        CountdownError: the policy returned the wrong number of completions.
    """
    if isinstance(policy, str):
        from agents.policies._models import load_policy

        policy = load_policy(policy)
    started = time.perf_counter()
    if not isinstance(policy, Policy):
        raise ConfigError(
            f"policy must have a name and a generate method, got {type(policy).__name__}"
        )
    task_list = [_as_task(t) for t in tasks]
    if not task_list:
        raise ConfigError("evaluate needs at least one task; got an empty task list")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    chosen = resolve_template(template or getattr(policy, "default_template", None) or "tinyzero")
    if sampling is None:
        sampling = SamplingConfig(max_new_tokens=default_max_new_tokens(chosen))
    ks = _checked_ks(k, sampling.num_samples)
    checked_rules = rules if isinstance(rules, Rules) else Rules.from_kwargs(**dict(rules or {}))

    records, generation, verification = _run_batches(
        policy,
        task_list,
        chosen,
        sampling,
        batch_size=batch_size,
        progress=progress,
        grader=_Grader(chosen, checked_rules, aha_phrases),
    )
    tick = time.perf_counter()
    tokenizer = getattr(policy, "tokenizer", None)
    if tokenizer is not None:
        _token_lengths(records, tokenizer)
    summary = summarize_records(records, k=ks, aha_phrases=aha_phrases)
    finished = time.perf_counter()
    timings = {
        "generation_s": generation,
        "verification_s": verification,
        "metrics_s": finished - tick,
        "overhead_s": finished - started - generation,
        "total_s": finished - started,
    }
    return EvalReport(
        n=len(records),
        n_samples=sampling.num_samples,
        **summary,
        policy=policy.name,
        template=chosen.name,
        answer_format=chosen.answer_format,
        sampling=sampling.to_dict(),
        rules=checked_rules.to_dict(),
        timings=timings,
        metadata=dict(metadata or {}),
        records=records,
    )
