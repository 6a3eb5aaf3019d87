"""Benchmark of the verifiers wing: speed against baselines, batch rewards, worst case.

Run: ``python benchmarks/bench_verifiers.py [--quick]``. Prints one Markdown table. Measures, in
one run and one process (one core):

(a) bare-expression checks per second: ours with the cache OFF (the fair comparison) against
    TinyZero's regex + ``eval`` path and reasoning-gym's sympy scorer (row skipped without
    sympy); the engine alone (no Verdict), the checker with its fast path switched off, and
    ours with a warm cache on their own rows;
(b) TRL rewards for a batch of 1,024 completions, each with ~1 KB of thinking before the answer
    (GRPO-shaped: 128 tasks x 8 samples), cache cleared before each batch;
(c) worst case: hostile inputs up to 1 MB, and the slowest legal-length shapes (max over shapes).

Figures are medians over interleaved repeats; the machine is shared, so expect noise.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from baselines_verifiers import (
    reasoning_gym_score,
    sympy_available,
    tinyzero_check_equation,
    tinyzero_compute_score,
)

import verifiers
from verifiers import rewards, verify_equation
from verifiers._check import _check
from verifiers._fastpath import run_fast
from verifiers._grammar import run_unchecked

MB = 1_000_000


_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def _expression(rng: random.Random, nums: list[int]) -> tuple[str, Fraction]:
    """A random answer over all ``nums`` as a model writes it ("(25 + 50) * 4 - 3"): spaces
    around operators, parentheses only where needed, and its exact value."""
    items = [(str(n), Fraction(n), 3) for n in nums]
    rng.shuffle(items)
    while len(items) > 1:
        (left, a, left_rank), (right, b, right_rank) = items.pop(), items.pop()
        op = rng.choice("+-*/" if b != 0 else "+-*")
        rank = _RANK[op]
        if left_rank < rank:
            left = f"({left})"
        if right_rank < rank or (right_rank == rank and op in "-/"):
            right = f"({right})"
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[op]
        items.append((f"{left} {op} {right}", value, rank))
    return items[0][0], items[0][1]


def _corpus(size: int, seed: int = 0) -> list[tuple[str, list[int], int]]:
    """Countdown-shaped answers: half correct, a third wrong value, the rest wrong numbers."""
    rng = random.Random(seed)
    rows = []
    for i in range(size):
        nums = [rng.randint(1, 100) for _ in range(rng.choice((3, 4)))]
        text, value = _expression(rng, nums)
        target = value.numerator if value.denominator == 1 else rng.randint(10, 999)
        kind = i % 6
        if kind in (3, 4):
            target += rng.randint(1, 9)
        elif kind == 5:
            nums = [*nums[:-1], nums[-1] + 1]
        rows.append((text, nums, target))
    return rows


def _median_seconds(runs: dict[str, Callable[[], None]], repeats: int) -> dict[str, float]:
    """Median wall time of each callable, with the repeats interleaved across callables."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def bench_bare(size: int, repeats: int) -> list[tuple[str, str, str, str]]:
    corpus = _corpus(size)
    rows_tuple = [(text, tuple(nums), target) for text, nums, target in corpus]

    def ours() -> None:
        for text, nums, target in corpus:
            verify_equation(text, nums, target, cache=False)

    def ours_cached() -> None:
        for text, nums, target in rows_tuple:
            verify_equation(text, nums, target)

    def tinyzero() -> None:
        for text, nums, target in corpus:
            tinyzero_check_equation(text, nums, target)

    rules = verifiers.DEFAULT_RULES

    def core() -> None:
        # The engine alone: tokenize, parse, evaluate exactly, compare numbers; no Verdict.
        for text, nums, target in rows_tuple:
            fast = run_fast(text, rules, len(nums))
            n, d, used, _claimed = fast if fast is not None else run_unchecked(text, rules)[:4]
            _ = sorted(used) == sorted(nums) and d == 1 and n == target

    def general() -> None:
        # The checker with its fast path switched off: every answer takes the general path.
        for text, nums, target in rows_tuple:
            _check(text, nums, target, rules, fast_path=False)

    agree = sum(
        verify_equation(t, n, g).correct == tinyzero_check_equation(t, n, g) for t, n, g in corpus
    )
    taken = sum(run_fast(t, rules, len(n)) is not None for t, n, _ in corpus)
    ours_cached()  # warm the cache
    medians = _median_seconds(
        {"ours": ours, "cached": ours_cached, "tz": tinyzero, "core": core, "general": general},
        repeats,
    )
    rate = {name: size / seconds for name, seconds in medians.items()}
    table = [
        (
            "(a) bare checks/s, ours (cache off)",
            f"{rate['ours']:,.0f}/s ({1e6 / rate['ours']:.1f} us)",
            f"{rate['ours'] / rate['tz']:.2f}x TinyZero",
            ">= 2x TinyZero",
        ),
        (
            "(a) bare checks/s, TinyZero regex+eval",
            f"{rate['tz']:,.0f}/s ({1e6 / rate['tz']:.1f} us)",
            "1.00x",
            f"verdicts agree on {agree}/{size}",
        ),
        (
            "(a) bare checks/s, our engine alone (no Verdict)",
            f"{rate['core']:,.0f}/s ({1e6 / rate['core']:.1f} us)",
            f"{rate['core'] / rate['tz']:.2f}x TinyZero",
            f"parse + exact value + numbers; fast path took {taken}/{size}",
        ),
        (
            "(a) bare checks/s, ours with the fast path off",
            f"{rate['general']:,.0f}/s ({1e6 / rate['general']:.1f} us)",
            f"{rate['general'] / rate['tz']:.2f}x TinyZero",
            "general path only (cache off)",
        ),
        (
            "(a) bare checks/s, ours (warm cache)",
            f"{rate['cached']:,.0f}/s",
            f"{rate['cached'] / rate['tz']:.1f}x TinyZero",
            "repeats in GRPO groups",
        ),
    ]
    if sympy_available():
        subset = corpus[: max(20, size // 20)]

        def gym() -> None:
            for text, nums, target in subset:
                reasoning_gym_score(text, nums, target)

        gym()  # first call imports sympy's parser
        gym_rate = len(subset) / _median_seconds({"gym": gym}, max(1, repeats // 2))["gym"]
        table.append(
            (
                "(a) bare checks/s, reasoning-gym (sympy)",
                f"{gym_rate:,.0f}/s",
                f"ours {rate['ours'] / gym_rate:.0f}x faster",
                "-",
            )
        )
    else:
        table.append(("(a) bare checks/s, reasoning-gym (sympy)", "skipped: no sympy", "-", "-"))
    return table


def _batch(seed: int = 1) -> tuple[list[str], list[list[int]], list[int]]:
    rng = random.Random(seed)
    filler = "Let me try combining the numbers step by step and check each result. " * 15
    completions, nums_column, targets = [], [], []
    for text, nums, target in _corpus(128, seed):
        answers = [text, text, text, f"{text} = {target}", "1+2", text.replace("*", "+")]
        for _ in range(8):
            answer = rng.choice(answers)
            completions.append(
                f"{filler[: rng.randint(900, 1100)]}</think>\n<answer>{answer}</answer>"
            )
            nums_column.append(nums)
            targets.append(target)
    return completions, nums_column, targets


def bench_rewards(repeats: int) -> list[tuple[str, str, str, str]]:
    completions, nums, target = _batch()
    kwargs = {"prompts": ["p"] * len(completions), "trainer_state": None}

    def cold(reward: Callable[..., list]) -> Callable[[], None]:
        def run() -> None:
            verifiers.clear_cache()
            reward(completions, nums=nums, target=target, **kwargs)

        return run

    def tinyzero() -> None:
        for completion, n, t in zip(completions, nums, target, strict=True):
            tinyzero_compute_score(completion, n, t)

    medians = _median_seconds(
        {
            "tz": cold(rewards.tinyzero_reward),
            "correct": cold(rewards.correctness_reward),
            "format": cold(rewards.format_reward),
            "baseline": tinyzero,
        },
        repeats,
    )
    return [
        (
            "(b) tinyzero_reward, 1,024 x ~1 KB",
            f"{medians['tz'] * 1e3:.2f} ms/batch",
            f"{medians['tz'] / medians['baseline']:.2f}x TinyZero's time",
            "< 10 ms",
        ),
        (
            "(b) correctness_reward, same batch",
            f"{medians['correct'] * 1e3:.2f} ms/batch",
            "-",
            "< 10 ms",
        ),
        ("(b) format_reward, same batch", f"{medians['format'] * 1e3:.2f} ms/batch", "-", "-"),
        (
            "(b) TinyZero compute_score (last line only)",
            f"{medians['baseline'] * 1e3:.2f} ms/batch",
            "-",
            "-",
        ),
    ]


def _worst(inputs: Sequence[str], repeats: int) -> tuple[float, str]:
    worst, worst_name = 0.0, ""
    for text in inputs:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            verify_equation(text, [1, 2, 3], 6, cache=False)
            samples.append(time.perf_counter() - start)
        seconds = statistics.median(samples)
        if seconds > worst:
            worst, worst_name = seconds, f"{text[:12]!r}... ({len(text):,} chars)"
    return worst, worst_name


def bench_worst_case(repeats: int) -> list[tuple[str, str, str, str]]:
    hostile = [
        "(" * (MB // 2) + "1" + ")" * (MB // 2),
        "1+" * (MB // 2) + "1",
        "-" * MB + "1",
        "9" * MB,
        "9**" * (MB // 3),
        "a" * MB,
        "\ud800" * MB,
        "٣" * MB,
        "__import__('os')" * (MB // 16),
    ]
    legal_length = [
        "(" * 64 + "1" + ")" * 64,
        ("9*" * 500)[:999],
        ("1/" * 500)[:999],
        ("999999999999*" * 77)[:-1],
        ("(1/999999999989+" * 30)[:480] + "1" + ")" * 30,
        "(" * 64 + "1" + ")" * 63,
        "1" + " " * 998 + "1",
        "1+" * 499 + "x",
    ]
    big, big_name = _worst(hostile, repeats)
    legal, legal_name = _worst(legal_length, repeats)
    return [
        ("(c) worst hostile input up to 1 MB", f"{big * 1e6:.1f} us", big_name, "< 1 ms"),
        ("(c) worst input at the length limit", f"{legal * 1e6:.1f} us", legal_name, "< 1 ms"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, noisier figures")
    args = parser.parse_args(argv)
    size, repeats = (600, 3) if args.quick else (3000, 7)
    rows = [*bench_bare(size, repeats), *bench_rewards(repeats), *bench_worst_case(repeats)]
    print("| measurement | result | comparison | target / note |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
