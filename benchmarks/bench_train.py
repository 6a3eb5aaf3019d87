"""The training bar: `countdown train` with no arguments, timed, against model-free references.

Runs the default recipe (cpu-tiny) end to end in a fresh directory and prints held-out accuracy
before and after GRPO, the gain, the wall time against the 20-minute bar, and, measured on the
same held-out tasks in the same run, what policies without a model score: the random-equation
policy and the best fixed-operator template (always ``a+b``, always ``a*b``, ...). An "after"
above the best fixed template means the model chooses operators from the target.

    python benchmarks/bench_train.py [--quick] [--output-dir DIR] [-- extra train flags]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from itertools import permutations
from pathlib import Path

BAR_SECONDS = 20 * 60
BAR_GAIN = 0.10


def _fixed_template_accuracy(tasks: list[dict], op: str) -> float:
    from verifiers import verify_equation

    hits = 0
    for task in tasks:
        nums = task["nums"]
        hits += any(
            verify_equation(op.join(str(n) for n in order), nums, task["target"]).correct
            for order in set(permutations(nums))
        )
    return hits / len(tasks)


def _random_policy_accuracy(tasks: list[dict]) -> float:
    from agents.evaluation._harness import evaluate

    report = evaluate("random", tasks, template="compact", progress=False)
    return report.accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a 1-minute smoke run (short warm start and budget): not the bar",
    )
    parser.add_argument("--output-dir", type=Path, default=None)
    parser.add_argument("extra", nargs="*", help="more flags for countdown train")
    args = parser.parse_args(argv)
    out = args.output_dir or Path(tempfile.mkdtemp(prefix="bench-train-")) / "run"
    command = [sys.executable, "-m", "agents.cli", "train", "--output-dir", str(out)]
    if args.quick:
        command += [
            "--warmstart_seconds",
            "20",
            "--time_budget_seconds",
            "30",
            "--heldout_tasks",
            "200",
            "--eval_every_steps",
            "0",
        ]
    command += args.extra
    print(f"running: {' '.join(command)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        print(f"countdown train failed with exit code {done.returncode}")
        return done.returncode
    summary = json.loads((out / "summary.json").read_text())
    heldout = [
        json.loads(line) for line in (out / "tasks" / "heldout.jsonl").read_text().splitlines()
    ]
    fixed = {op: _fixed_template_accuracy(heldout, op) for op in "+-*/"}
    best_op = max(fixed, key=fixed.get)
    random_acc = _random_policy_accuracy(heldout)
    before, after = summary["accuracy_before"], summary["accuracy_after"]
    gain = after - before
    rows = [
        ("held-out tasks", f"{summary['heldout_tasks']}"),
        ("accuracy before GRPO (greedy)", f"{before:.3f}"),
        ("accuracy after GRPO (greedy)", f"{after:.3f}"),
        ("gain", f"{gain * 100:+.1f} points (bar: +{BAR_GAIN * 100:.0f})"),
        ("wall time, whole command", f"{wall:.0f} s (bar: {BAR_SECONDS} s)"),
        ("GRPO steps / seconds", f"{summary['grpo_steps']} / {summary['grpo_seconds']:.0f}"),
        ("reference: random equations", f"{random_acc:.3f}"),
        (f"reference: best fixed operator ('{best_op}')", f"{fixed[best_op]:.3f}"),
        ("after / best fixed operator", f"{after / max(fixed[best_op], 1e-9):.2f}x"),
    ]
    print("\n| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    met = gain >= BAR_GAIN and wall <= BAR_SECONDS
    print(f"\nbar {'met' if met else 'NOT met'}; plots: {out / 'plots'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
