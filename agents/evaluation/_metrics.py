"""Pure evaluation metrics: pass@k, accuracy, status shares, length, correlation, aha moments.

Every function here takes plain Python values (lists of bools, ints, strings) and returns plain
values, so the same numbers can be recomputed by hand, in a notebook, or from ``samples.jsonl``.
Nothing here imports torch or the other wings.

The analysis follows the questions of Lian (2025), "Reinforcement Learning is all You Need":
does response length track correctness (:func:`point_biserial`), and do "aha moments" (the model
stopping to re-check: "wait", "let me check", ...) go with correct answers (:func:`aha_accuracy`)?
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from verifiers.errors import ConfigError

__all__ = [
    "DEFAULT_AHA_PHRASES",
    "AhaMatcher",
    "accuracy",
    "aha_accuracy",
    "breakdown",
    "count_bucket",
    "find_aha_phrases",
    "group_means",
    "length_stats",
    "mean_pass_at_k",
    "pass_at_k",
    "pearson",
    "point_biserial",
    "status_shares",
]

DEFAULT_AHA_PHRASES: tuple[str, ...] = (
    "wait",
    "let me check",
    "let me verify",
    "let me re-check",
    "let me recheck",
    "let me double-check",
    "let me reconsider",
    "let's try",
    "let us try",
    "let's check",
    "let's verify",
    "that's not right",
    "that is not right",
    "that's wrong",
    "that doesn't work",
    "re-check",
    "recheck",
    "double-check",
    "try again",
    "on second thought",
    "hmm",
)
"""Phrases that mark a model stopping to re-check or revise (the paper's "aha moments").

Matched case-insensitively on word boundaries, so ``"wait"`` finds ``"Wait,"`` but not
``"awaited"``; curly apostrophes in the text count as straight ones.
"""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one task: the chance that k of n samples include a correct one.

    Chen et al. (2021), "Evaluating Large Language Models Trained on Code", estimator
    ``1 - C(n-c, k) / C(n, k)``, computed as the stable product
    ``1 - prod_{i=n-c+1}^{n} (1 - k / i)`` so large n never overflows.

    Args:
        n: samples drawn for the task (>= 1).
        c: how many of them were correct (0..n).
        k: the budget (1..n).

    >>> round(pass_at_k(10, 3, 1), 6)
    0.3
    >>> round(pass_at_k(4, 1, 2), 6)  # 1 - C(3,2)/C(4,2) = 1 - 3/6
    0.5
    >>> pass_at_k(5, 4, 2)  # fewer than k wrong samples: some pick always holds a correct one
    1.0
    """
    for name, value in (("n", n), ("c", c), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be an int, got {value!r}")
    if n < 1:
        raise ConfigError(f"n must be >= 1, got {n}")
    if not 0 <= c <= n:
        raise ConfigError(f"c must be in 0..n={n}, got {c}")
    if not 1 <= k <= n:
        raise ConfigError(f"k must be in 1..n={n}, got {k}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """Mean of :func:`pass_at_k` over tasks given as ``(n, c)`` pairs.

    >>> mean_pass_at_k([(2, 0), (2, 1), (2, 2)], 1)
    0.5
    >>> mean_pass_at_k([(2, 0), (2, 1), (2, 2)], 2)
    0.6666666666666666
    """
    # Tasks share few distinct (n, c) pairs; compute each once. Only exact ints are cached,
    # so a bool that hashes like 0 or 1 still reaches pass_at_k's type check.
    known: dict[tuple[int, int], float] = {}
    values = []
    for n, c in counts:
        if type(n) is int and type(c) is int:
            value = known.get((n, c))
            if value is None:
                value = known[(n, c)] = pass_at_k(n, c, k)
        else:
            value = pass_at_k(n, c, k)
        values.append(value)
    if not values:
        raise ConfigError("pass@k needs at least one task")
    return math.fsum(values) / len(values)


def accuracy(correct: Sequence[bool]) -> float:
    """Share of ``True`` values; 0.0 for an empty sequence.

    >>> accuracy([True, False, True, True])
    0.75
    """
    return sum(map(bool, correct)) / len(correct) if correct else 0.0


def status_shares(statuses: Iterable[object]) -> dict[str, float]:
    """Share of each status name (``str(status)``), largest first.

    >>> status_shares(["correct", "wrong_value", "wrong_value", "no_answer"])
    {'wrong_value': 0.5, 'correct': 0.25, 'no_answer': 0.25}
    """
    counts = Counter(str(s) for s in statuses)
    total = sum(counts.values())
    return {name: count / total for name, count in counts.most_common()}


def length_stats(lengths: Sequence[float]) -> dict[str, float | None]:
    """Mean, median, min, max and 90th percentile (nearest rank) of response lengths.

    All values are ``None`` for an empty sequence.

    >>> length_stats([1, 2, 3, 4, 10])
    {'mean': 4.0, 'median': 3, 'min': 1, 'max': 10, 'p90': 10}
    """
    if not lengths:
        return dict.fromkeys(("mean", "median", "min", "max", "p90"))
    ordered = sorted(lengths)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return {
        "mean": math.fsum(ordered) / len(ordered),
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p90": ordered[rank - 1],
    }


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation of two equally long sequences.

    ``None`` when it is undefined: fewer than two points, or either sequence constant.

    >>> pearson([1, 2, 3], [2, 4, 6])
    1.0
    >>> pearson([1, 1, 1], [1, 2, 3]) is None
    True
    """
    if len(xs) != len(ys):
        raise ConfigError(f"pearson needs sequences of equal length, got {len(xs)} and {len(ys)}")
    n = len(xs)
    if n < 2:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    # Rounding can push |r| a hair past 1 for perfectly linear data.
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def point_biserial(lengths: Sequence[float], correct: Sequence[bool]) -> float | None:
    """Point-biserial correlation of response length with correctness (Pearson with 0/1).

    Negative means shorter responses tend to be the correct ones (the paper's finding);
    ``None`` when every response is right, every one is wrong, or all lengths are equal.

    >>> point_biserial([10, 20, 30, 40], [True, True, False, False])
    -0.8944271909999159
    """
    return pearson(list(lengths), [1.0 if c else 0.0 for c in correct])


_WHITESPACE = re.compile(r"\s+")


class AhaMatcher:
    """Finds aha phrases in texts; build it once and call it on every completion.

    Matching is case-insensitive and on word boundaries; spaces in a phrase match any run of
    whitespace, and a curly apostrophe counts as ``'``. A call returns every occurrence,
    lower-cased with single spaces, in order of appearance.

    Args:
        phrases: the phrases to find (non-empty strings; default
            :data:`DEFAULT_AHA_PHRASES`).

    >>> find = AhaMatcher(["wait", "let me check"])
    >>> find("Wait... let me\\n check it. I awaited.")
    ['wait', 'let me check']
    >>> AhaMatcher([])
    Traceback (most recent call last):
    ...
    verifiers.errors.ConfigError: aha phrases must be a non-empty list of strings
    """

    def __init__(self, phrases: Sequence[str] = DEFAULT_AHA_PHRASES) -> None:
        self.phrases = tuple(phrases)
        if not self.phrases:
            raise ConfigError("aha phrases must be a non-empty list of strings")
        for phrase in self.phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                raise ConfigError(f"aha phrases must be non-empty strings, got {phrase!r}")
        # Longest first so "let me re-check" wins over "re-check" at the same position.
        alternatives = sorted({p.strip().lower() for p in self.phrases}, key=lambda p: (-len(p), p))
        body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alternatives)
        # The leading class of first letters changes no match (every match starts with one of
        # them, compared with the same case folding) but lets the regex engine skip ahead to
        # candidate positions instead of trying every alternative at every character: 3-10x
        # faster on completions with few or no phrases.
        firsts = "".join(sorted({re.escape(p[0]) for p in alternatives}))
        self._pattern = re.compile(rf"(?=[{firsts}])(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    def __call__(self, text: str) -> list[str]:
        """Every phrase occurrence in ``text`` (lower-cased, in order of appearance)."""
        found = self._pattern.findall(text.replace("\u2019", "'"))
        return [_WHITESPACE.sub(" ", match.lower()) for match in found] if found else found

    def __repr__(self) -> str:
        return f"AhaMatcher({list(self.phrases)!r})"


@lru_cache(maxsize=64)
def _matcher(phrases: tuple[str, ...]) -> AhaMatcher:
    return AhaMatcher(phrases)


def find_aha_phrases(text: str, phrases: Sequence[str] = DEFAULT_AHA_PHRASES) -> list[str]:
    """Every aha phrase occurrence in ``text`` (lower-cased, in order of appearance).

    Matching is case-insensitive and on word boundaries; spaces in a phrase match any run of
    whitespace, and a curly apostrophe counts as ``'``. To scan many texts, build one
    :class:`AhaMatcher` and call it.

    >>> find_aha_phrases("Wait, 3*8 is 24. Let me  check: that’s not right.")
    ['wait', 'let me check', "that's not right"]
    >>> find_aha_phrases("I awaited the result")
    []
    """
    return _matcher(tuple(phrases))(text)


def aha_accuracy(correct: Sequence[bool], has_aha: Sequence[bool]) -> dict[str, Any]:
    """Aha rate, and accuracy among responses with and without an aha phrase.

    Accuracies are ``None`` for an empty group.

    >>> aha_accuracy([True, False, False, True], [True, True, False, False])
    {'aha_rate': 0.5, 'n_with_aha': 2, 'n_without_aha': 2, 'accuracy_with_aha': 0.5, \
'accuracy_without_aha': 0.5}
    """
    if len(correct) != len(has_aha):
        raise ConfigError(
            f"correct and has_aha must have equal length, got {len(correct)} and {len(has_aha)}"
        )
    with_aha = [c for c, a in zip(correct, has_aha, strict=True) if a]
    without = [c for c, a in zip(correct, has_aha, strict=True) if not a]
    return {
        "aha_rate": len(with_aha) / len(correct) if correct else 0.0,
        "n_with_aha": len(with_aha),
        "n_without_aha": len(without),
        "accuracy_with_aha": accuracy(with_aha) if with_aha else None,
        "accuracy_without_aha": accuracy(without) if without else None,
    }


def count_bucket(value: int | None, edges: Sequence[int] = (1, 2, 5, 20)) -> str:
    """Name the bucket of a count such as a task's number of solutions.

    Buckets are ``"0"``, then ``"a-b"`` ranges between consecutive edges, then ``">last"``;
    ``None`` gives ``"unknown"``. Fewer solutions means a harder task.

    >>> [count_bucket(v) for v in (0, 1, 3, 7, 50, None)]
    ['0', '1', '2-4', '5-19', '>=20', 'unknown']
    """
    if value is None:
        return "unknown"
    if value <= 0:
        return "0"
    bounds = list(edges)
    for low, high in itertools.pairwise(bounds):
        if low <= value < high:
            return str(low) if high - low == 1 else f"{low}-{high - 1}"
    return f">={bounds[-1]}" if value >= bounds[-1] else str(value)


def group_means(
    keys: Sequence[Hashable], columns: Mapping[str, Sequence[float]]
) -> dict[str, dict[str, Any]]:
    """Group rows by ``keys`` and give each group its size ``n`` and the mean of each column.

    ``keys[i]`` is the group of row ``i``; every column holds one number per row. Groups are
    sorted by key (numbers before text) and named by ``str(key)``; means are exact sums
    (``math.fsum``) divided by ``n``.

    >>> group_means([3, 4, 3], {"accuracy": [1.0, 0.0, 0.0], "mean_length": [5, 7, 9]})
    {'3': {'n': 2, 'accuracy': 0.5, 'mean_length': 7.0}, '4': {'n': 1, 'accuracy': 0.0, \
'mean_length': 7.0}}
    """
    for name, column in columns.items():
        if len(column) != len(keys):
            raise ConfigError(f"column {name!r} has {len(column)} values for {len(keys)} keys")
    groups: dict[Hashable, list[int]] = {}
    for row, group_key in enumerate(keys):
        members = groups.get(group_key)
        if members is None:
            groups[group_key] = [row]
        else:
            members.append(row)

    def order(item: Hashable) -> tuple[int, float, str]:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return (0, float(item), "")
        return (1, 0.0, str(item))

    summary: dict[str, dict[str, Any]] = {}
    for group_key in sorted(groups, key=order):
        rows = groups[group_key]
        n = len(rows)
        entry: dict[str, Any] = {"n": n}
        for name, column in columns.items():
            entry[name] = math.fsum([float(column[row]) for row in rows]) / n
        summary[str(group_key)] = entry
    return summary


def breakdown(
    records: Sequence[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], Hashable],
) -> dict[str, dict[str, Any]]:
    """Group per-task records by ``key`` and summarize each group.

    Each record needs ``correct`` (pass@1 of the task, a bool or a 0..1 float), ``length``
    (mean response length in characters) and ``aha`` (share of responses with an aha phrase).
    Groups are sorted by key (numbers before text); see :func:`group_means`.

    >>> rows = [{"n_nums": 3, "correct": 1.0, "length": 5, "aha": 0.0},
    ...         {"n_nums": 3, "correct": 0.0, "length": 9, "aha": 1.0},
    ...         {"n_nums": 4, "correct": 0.0, "length": 7, "aha": 0.0}]
    >>> breakdown(rows, lambda r: r["n_nums"])["3"]
    {'n': 2, 'accuracy': 0.5, 'mean_length': 7.0, 'aha_rate': 0.5}
    """
    return group_means(
        [key(r) for r in records],
        {
            "accuracy": [r["correct"] for r in records],
            "mean_length": [r["length"] for r in records],
            "aha_rate": [r["aha"] for r in records],
        },
    )
