"""Benchmark of the evaluation harness: its overhead, and the embedded model's throughput.

Run: ``python benchmarks/bench_agents.py [--quick]``. Prints one Markdown table. With torch
limited to 2 threads (the reference machine has 2 cores), ``agents.evaluation.evaluate`` runs
greedy decoding (24 new tokens) over N generated tasks with two models, in batches of 32 (the
default of ``evaluate`` and ``countdown eval``), and the micro model also in batches of 64:

- a micro model: the embedded architecture at width 32 with 1 layer (the tests' micro model),
  the fastest generator one could evaluate, so its overhead share is the worst case; batches of
  64 make its generation per task faster still (a stress setting, reported beside the target);
- the default embedded model (``agents.policies._tiny``, ~1M parameters, random-initialised so it
  never
  stops early).

Measured, per task: the harness's time outside generation, split into prompts + requests (and
setup), verification + records, metrics, and writing ``report.json`` + ``samples.jsonl``.
"Generation" is the time inside ``policy.generate`` (prompt tokenization, ``model.generate``,
decoding). Two shares of the whole evaluation (evaluate + write) are given: verification +
metrics + writing (the work done after generation), and everything but generation. The four
PNG plots are a fixed cost per run (about a second, mostly importing matplotlib), reported on
their own and left out of both shares. Also: the default model's generation throughput in
generated tokens per second (counted by the policy, EOS included), and
``TransformersPolicy.generate`` against a bare ``model.generate`` on the same 256 prompts.

Figures are medians over repeats. The machine is shared: when other processes hold the cores,
torch's threads wait on each other and generation can slow down tenfold, so expect noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _policy(micro: bool) -> Any:
    from agents.policies._models import TransformersPolicy
    from agents.policies._tiny import TinyModelConfig, build_model, build_tokenizer

    tokenizer = build_tokenizer()
    size = (
        TinyModelConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64)
        if micro
        else TinyModelConfig()
    )
    model = build_model(tokenizer, seed=0, config=size)
    return TransformersPolicy(model, tokenizer, name="micro" if micro else "tiny", device="cpu")


def _run_once(policy: Any, tasks: list[Any], plots: bool, batch_size: int) -> dict[str, float]:
    from agents.evaluation._harness import evaluate, write_report
    from agents.policies._base import SamplingConfig

    sampling = SamplingConfig(max_new_tokens=24)
    report = evaluate(policy, tasks, sampling=sampling, batch_size=batch_size, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        tick = time.perf_counter()
        write_report(report, tmp, plots=False)
        write = time.perf_counter() - tick
        plot_s = float("nan")
        if plots:
            tick = time.perf_counter()
            write_report(report, Path(tmp) / "with-plots", plots=True)
            plot_s = time.perf_counter() - tick - write
    t = report.timings
    outside = t["overhead_s"] + write
    after = t["verification_s"] + t["metrics_s"] + write
    tokens = sum(r["length_tokens"] for r in report.records)
    per_task = 1e6 / len(tasks)
    return {
        "generation_s": t["generation_s"],
        "prompts_us": (t["overhead_s"] - t["verification_s"] - t["metrics_s"]) * per_task,
        "verification_us": t["verification_s"] * per_task,
        "metrics_us": t["metrics_s"] * per_task,
        "write_us": write * per_task,
        "outside_us": outside * per_task,
        "share": outside / (t["total_s"] + write),
        "after_share": after / (t["total_s"] + write),
        "tokens_per_s": tokens / t["generation_s"],
        "plots_s": plot_s,
    }


def _policy_vs_raw(policy: Any, tasks: list[Any], repeats: int) -> tuple[float, float]:
    """Seconds for TransformersPolicy.generate and for a bare model.generate (medians), same
    256 compact prompts in one batch, greedy, 20 new tokens."""
    import torch

    from agents.policies._base import SamplingConfig
    from countdown_env._prompts import get_template

    template = get_template("compact")
    prompts = [template.format(t.nums, t.target) for t in tasks[:256]]
    model, tokenizer = policy.model, policy.tokenizer
    model.eval()  # as a loaded checkpoint is; the policy then has no mode to switch

    def ours() -> None:
        policy.generate(prompts, sampling=SamplingConfig(max_new_tokens=20))

    def raw() -> None:
        with torch.inference_mode():
            model.generate(
                **tokenizer(prompts, padding=True, return_tensors="pt"),
                max_new_tokens=20,
                do_sample=False,
            )

    ours(), raw()  # warm-up
    times: dict[str, list[float]] = {"ours": [], "raw": []}
    for _ in range(repeats):
        for name, run in (("ours", ours), ("raw", raw)):
            tick = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - tick)
    return statistics.median(times["ours"]), statistics.median(times["raw"])


def _medians(rows: list[dict[str, float]]) -> dict[str, float]:
    out = {}
    for key in rows[0]:
        values = [r[key] for r in rows if r[key] == r[key]]  # NaN marks "not measured"
        out[key] = statistics.median(values) if values else float("nan")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks and repeats")
    args = parser.parse_args(argv)
    import torch

    from countdown_env import generate

    torch.set_num_threads(2)
    # --quick is the default of `countdown bench`: a smoke run that must not look hung.
    n_tasks, repeats = (64, 1) if args.quick else (1024, 5)
    tasks = generate(n_tasks, seed=0)
    policies = {"micro": _policy(micro=True), "tiny": _policy(micro=False)}
    settings = [("micro", 32), ("micro", 64), ("tiny", 32), ("tiny", 64)]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {s: [] for s in settings}
    for policy in policies.values():
        _run_once(policy, tasks[:64], plots=False, batch_size=32)  # warm-up
    # Interleaved, so a burst of load from other processes hits every setting alike.
    for repeat in range(repeats):
        for name, batch in settings:
            runs[name, batch].append(
                _run_once(
                    policies[name], tasks, batch_size=batch, plots=repeat == 0 and name == "micro"
                )
            )
    m32, m64, t32, t64 = (_medians(runs[s]) for s in settings)
    ours_s, raw_s = _policy_vs_raw(policies["tiny"], tasks, repeats)

    def shares(label: str, m: dict[str, float], target: str) -> list[tuple[str, str, str]]:
        return [
            (
                f"{label} (generation {m['generation_s']:.2f} s for {n_tasks} tasks): share of "
                "verification + metrics + writing",
                f"{m['after_share']:.2%}",
                target,
            ),
            (f"{label}: share of everything but generation", f"{m['share']:.2%}", ""),
        ]

    rows = [
        (
            "time outside generation, per task (micro model, batch 32)",
            f"{m32['outside_us']:.1f} us",
            "",
        ),
        ("  prompts + requests (and setup)", f"{m32['prompts_us']:.1f} us", ""),
        ("  verification + records", f"{m32['verification_us']:.1f} us", ""),
        ("  metrics", f"{m32['metrics_us']:.1f} us", ""),
        ("  write report.json + samples.jsonl", f"{m32['write_us']:.1f} us", ""),
        *shares("micro model, batch 32 (the default)", m32, "< 2%"),
        *shares("micro model, batch 64 (stress)", m64, ""),
        *shares("default tiny model, batch 32", t32, "< 2%"),
        (
            "4 PNG plots, fixed cost per run, not in the shares (matplotlib import included)",
            f"{m32['plots_s']:.2f} s",
            "",
        ),
        (
            "default tiny model generation, 2 threads, batch 32 / 64",
            f"{t32['tokens_per_s']:.0f} / {t64['tokens_per_s']:.0f} tokens/s",
            "",
        ),
        (
            "micro model generation, 2 threads, batch 32 / 64",
            f"{m32['tokens_per_s']:.0f} / {m64['tokens_per_s']:.0f} tokens/s",
            "",
        ),
        (
            f"TransformersPolicy.generate / bare model.generate, tiny model, "
            f"{min(256, n_tasks)} prompts, 20 tokens",
            f"{ours_s:.2f} s / {raw_s:.2f} s = {ours_s / raw_s:.2f}x",
            "~1x",
        ),
    ]
    print(f"{n_tasks} tasks, greedy, 24 new tokens, {repeats} repeats (medians)\n")
    print("| measure | median | target |")
    print("|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
