"""The training bar: `countdown train` with no arguments, timed, against model-free references.

Runs the default recipe (cpu-tiny-3; ``-- --recipe cpu-tiny`` for the 2-number one) end to end
in a fresh directory and prints held-out accuracy before and after GRPO, the gain, the wall
time against the 20-minute bar, and, measured on the same held-out tasks in the same run,
what policies without a model score: the random-equation policy and the best *target-blind
program*: one fixed expression over the prompt's positions (``n0*n1``, ``(n0-n1)+n2``,
``n2*n0-n1``, ...: every operator, order and bracketing), the best of all of them on these
tasks. An "after" above it means the model reads the target.

    python benchmarks/bench_train.py [--quick] [--output-dir DIR] [-- extra train flags]
    python benchmarks/bench_train.py -- --recipe cpu-tiny
    python benchmarks/bench_train.py --competing 1    # a busy laptop: one CPU-bound process
    python benchmarks/bench_train.py --seeds 0 1 2    # one run per seed, then the spread

``--competing N`` runs N CPU-bound processes (a pure-Python loop each) beside the whole command,
as a laptop's other work would; compare its per-step times with an idle run's. ``--seeds``
runs the command once per training seed, one after the other (each on the same idle or loaded
machine), and ends with a table of every seed and how many met the bar: one seed says little
about a recipe whose take-off varies.

For a run whose answers are tries (template ``compact-tries``) one more reference is printed:
*search with an exact check*, the first hit among ``k`` consecutive chains of the warm start's
fixed enumeration from a random start (``k`` = the run's ``warmstart_max_tries``). It reads the
target, so it is no target-blind program: it is what a policy scores that searches as the warm
start taught and checks every try perfectly, without choosing where to start.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

BAR_SECONDS = 20 * 60
BAR_GAIN = 0.10


def _programs(positions: list[str]) -> set[str]:
    """Every expression using each position once: all orders, operators and bracketings."""
    if len(positions) == 1:
        return set(positions)
    found: set[str] = set()
    for size in range(1, len(positions)):
        for left in combinations(range(len(positions)), size):
            rest = [p for i, p in enumerate(positions) if i not in left]
            for a in _programs([positions[i] for i in left]):
                for b in _programs(rest):
                    found.update(f"({a}{op}{b})" for op in "+-*/")
    return found


def best_target_blind(tasks: list[dict]) -> tuple[str, float]:
    """The fixed program over prompt positions that solves most of ``tasks``, and its share.

    Tasks with different counts of numbers each take the programs of their own count; the
    program shown is the best one for the commonest count.
    """
    from verifiers import verify_equation

    by_count: dict[int, list[dict]] = {}
    for task in tasks:
        by_count.setdefault(len(task["nums"]), []).append(task)
    total, shown = 0, ""
    for count, group in sorted(by_count.items(), key=lambda item: -len(item[1])):
        names = [f"n{i}" for i in range(count)]
        best, best_hits = "", -1
        for program in sorted(_programs(names)):
            hits = 0
            for task in group:
                text = program
                for i in reversed(range(count)):  # n10 before n1
                    text = text.replace(f"n{i}", str(task["nums"][i]))
                hits += verify_equation(text, task["nums"], task["target"], cache=False).correct
            if hits > best_hits:
                best, best_hits = program, hits
        total += best_hits
        shown = shown or best
    return shown, total / len(tasks)


def search_with_check(tasks: list[dict], tries: int, seed: int = 0) -> float:
    """The share of ``tasks`` where ``tries`` consecutive chains of the fixed enumeration, from
    a random start, hold a hit: a search that checks perfectly but never chooses its start."""
    import random

    from agents.training._tries import chains_from, random_start
    from verifiers import verify

    rng = random.Random(seed)
    hits = 0
    for task in tasks:
        nums = list(task["nums"])
        order, first_ops = random_start(nums, rng)
        for count, chain in enumerate(chains_from(nums, order, first_ops)):
            if count == tries:
                break
            if verify(chain, nums, task["target"], extractor="tries").correct:
                hits += 1
                break
    return hits / len(tasks)


def _random_policy_accuracy(tasks: list[dict]) -> float:
    from agents.evaluation._harness import evaluate

    report = evaluate("random", tasks, template="compact", progress=False)
    return report.accuracy


def run_once(command: list[str], out: Path, competing: int) -> dict | None:
    """Run ``countdown train`` once (beside ``competing`` busy processes) and measure it."""
    print(f"running: {' '.join(command)}", flush=True)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(competing)]
    try:
        started = time.monotonic()
        done = subprocess.run(command, check=False)
        wall = time.monotonic() - started
    finally:
        for process in busy:
            process.kill()
            process.wait()
    if done.returncode != 0:
        print(f"countdown train failed with exit code {done.returncode}")
        return None
    summary = json.loads((out / "summary.json").read_text())
    config = json.loads((out / "config.json").read_text())
    heldout = [
        json.loads(line) for line in (out / "tasks" / "heldout.jsonl").read_text().splitlines()
    ]
    blind_program, blind = best_target_blind(heldout)
    before, after = summary["accuracy_before"], summary["accuracy_after"]
    figures = {
        "summary": summary,
        "wall": wall,
        "blind_program": blind_program,
        "blind": blind,
        "random": _random_policy_accuracy(heldout),
        "search": None,
        "met": after - before >= BAR_GAIN and wall <= BAR_SECONDS and after > blind,
    }
    countdown = config["countdown"]
    if countdown["template"] == "compact-tries":
        tries = countdown["warmstart_max_tries"]
        figures["search"] = (tries, search_with_check(heldout, tries))
    return figures


def print_table(figures: dict, competing: int) -> None:
    summary, wall = figures["summary"], figures["wall"]
    before, after = summary["accuracy_before"], summary["accuracy_after"]
    warm = summary.get("warmstart") or {"steps": 0, "seconds": 0.0}
    blind = figures["blind"]
    rows = [
        ("held-out tasks", f"{summary['heldout_tasks']}"),
        ("accuracy before GRPO (greedy)", f"{before:.3f}"),
        ("accuracy after GRPO (greedy)", f"{after:.3f}"),
        ("gain", f"{(after - before) * 100:+.1f} points (bar: +{BAR_GAIN * 100:.0f})"),
        ("wall time, whole command", f"{wall:.0f} s (bar: {BAR_SECONDS} s)"),
        ("competing CPU-bound processes", f"{competing}"),
        (
            "warm start steps / seconds (s/step)",
            f"{warm['steps']} / {warm['seconds']:.0f} "
            f"({warm['seconds'] / max(warm['steps'], 1):.3f})",
        ),
        (
            "GRPO steps / seconds (s/step)",
            f"{summary['grpo_steps']} / {summary['grpo_seconds']:.0f} "
            f"({summary['grpo_seconds'] / max(summary['grpo_steps'], 1):.3f})",
        ),
        ("stopped by", summary.get("stopped_by") or "its step counts (complete)"),
        ("reference: random equations", f"{figures['random']:.3f}"),
        (f"reference: best target-blind program ({figures['blind_program']})", f"{blind:.3f}"),
        ("after - best target-blind", f"{(after - blind) * 100:+.1f} points"),
    ]
    if figures["search"] is not None:
        tries, share = figures["search"]
        rows.append((f"reference: search with an exact check, {tries} tries", f"{share:.3f}"))
    print("\n| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def print_spread(results: list[tuple[int, dict]]) -> None:
    print("\n| seed | before | after | gain | whole command | stopped by | bar |")
    print("|---|---|---|---|---|---|---|")
    for seed, figures in results:
        summary = figures["summary"]
        before, after = summary["accuracy_before"], summary["accuracy_after"]
        print(
            f"| {seed} | {before:.3f} | {after:.3f} | {(after - before) * 100:+.1f} | "
            f"{figures['wall']:.0f} s | {summary.get('stopped_by') or '-'} | "
            f"{'met' if figures['met'] else 'NOT met'} |"
        )
    met = sum(figures["met"] for _, figures in results)
    print(f"\nbar met by {met} of {len(results)} seeds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a 1-minute smoke run (short warm start and budget): not the bar",
    )
    parser.add_argument("--output-dir", type=Path, default=None)
    parser.add_argument(
        "--competing",
        type=int,
        default=0,
        metavar="N",
        help="CPU-bound processes to run beside the training (default 0: an idle machine)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        metavar="SEED",
        help="run once per training seed (--seed SEED), one after the other, and print the spread",
    )
    parser.add_argument("extra", nargs="*", help="more flags for countdown train")
    args = parser.parse_args(argv)
    if args.seeds and any(a == "--seed" or a.startswith("--seed=") for a in args.extra):
        parser.error("give --seeds or a --seed for countdown train, not both")
    if args.competing < 0:
        parser.error(f"--competing must be >= 0, got {args.competing}")
    root = args.output_dir or Path(tempfile.mkdtemp(prefix="bench-train-")) / "run"
    quick = ["--warmstart_seconds", "20", "--time_budget_seconds", "30", "--heldout_tasks", "200"]
    quick += ["--eval_every_steps", "0"]
    seeds: list[int | None] = list(args.seeds) if args.seeds else [None]
    results: list[tuple[int, dict]] = []
    for seed in seeds:
        out = root if seed is None else root / f"seed-{seed}"
        command = [sys.executable, "-m", "agents.cli", "train", "--output-dir", str(out)]
        command += (quick if args.quick else []) + args.extra
        command += [] if seed is None else ["--seed", str(seed)]
        figures = run_once(command, out, args.competing)
        if figures is None:
            return 1
        print_table(figures, args.competing)
        print(f"\nbar {'met' if figures['met'] else 'NOT met'}; plots: {out / 'plots'}")
        if seed is not None:
            results.append((seed, figures))
    if len(results) > 1:
        print_spread(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
