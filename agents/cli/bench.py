"""``countdown bench``: run the benchmark scripts of a source checkout and print their tables.

The scripts live in ``benchmarks/`` beside the packages (they carry the reimplemented baselines,
which are not part of the library). Each is run in its own process so one area's imports and
caches do not colour another's figures.

By default every script runs in its ``--quick`` mode (fewer instances and repeats, and time
budgets of 1-2 s instead of 5-10 s for the slow baselines): a smoke run with noisier figures.
``--full`` gives the reference figures of BENCHMARKS.md; it takes minutes, mostly because the
plain-DFS solver baseline of ``env`` may use its whole 5 s budget on each of 60 TV instances
and the ``agents`` area generates 1,024 completions five times per policy. While an area runs,
a line on stderr says how long it has been running; Ctrl-C stops the run with exit code 130.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from verifiers.errors import ConfigError

AREAS = ("verifiers", "env", "agents", "train")
_HEARTBEAT_S = 15.0
"""Seconds between the "still running" lines of an area."""


def _benchmarks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "benchmarks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "areas",
        nargs="*",
        metavar="AREA",
        help=f"which benchmarks to run, any of {', '.join(AREAS)} (default: all but train)",
    )
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument(
        "--quick",
        action="store_true",
        help="fewer repetitions and shorter baseline budgets: a smoke run, noisier figures "
        "(the default)",
    )
    speed.add_argument(
        "--full",
        action="store_true",
        help="the reference figures of BENCHMARKS.md: more repetitions, several minutes",
    )
    parser.add_argument(
        "--benchmarks-dir",
        type=Path,
        default=None,
        help="folder holding bench_*.py (default: benchmarks/ of this source checkout)",
    )


def _say(message: str) -> None:
    print(f"countdown bench: {message}", file=sys.stderr, flush=True)


def _run_script(command: list[str], area: str) -> int:
    """Run one benchmark script, saying every few seconds that it still runs.

    The script gets its own session, so a Ctrl-C at the terminal reaches only this process:
    it stops the script (no traceback from the child) and the interrupt ends ``countdown``
    with one line and exit code 130.
    """
    start = time.monotonic()
    child = subprocess.Popen(command, start_new_session=True)
    try:
        while True:
            try:
                return child.wait(timeout=_HEARTBEAT_S)
            except subprocess.TimeoutExpired:
                _say(f"{area}: still running ({time.monotonic() - start:.0f} s)")
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def run(args: argparse.Namespace) -> int:
    folder = args.benchmarks_dir or _benchmarks_dir()
    if not folder.is_dir():
        raise ConfigError(
            f"no benchmarks folder at {folder}: the benchmarks ship with the source checkout; "
            "run from a clone or pass --benchmarks-dir"
        )
    unknown = sorted(set(args.areas) - set(AREAS))
    if unknown:
        raise ConfigError(f"unknown benchmark area(s) {unknown}; choose from {list(AREAS)}")
    areas = args.areas or [a for a in AREAS if a != "train"]
    scripts = {area: folder / f"bench_{area}.py" for area in areas}
    found = {area: script for area, script in scripts.items() if script.is_file()}
    if not found:
        expected = ", ".join(script.name for script in scripts.values())
        raise ConfigError(
            f"--benchmarks-dir {folder} holds none of the benchmark scripts ({expected}); "
            "point it at the benchmarks/ folder of a source checkout"
        )
    mode = "full" if getattr(args, "full", False) else "quick"
    worst = 0
    for number, area in enumerate(areas, 1):
        if area not in found:
            _say(f"{area}: no {scripts[area].name} in {folder}, skipped")
            continue
        _say(f"[{number}/{len(areas)}] {area} ({mode}) ...")
        print(f"## {area}\n", flush=True)
        command = [sys.executable, str(found[area])] + ([] if mode == "full" else ["--quick"])
        start = time.monotonic()
        code = _run_script(command, area)
        if code < 0:  # killed by a signal: report it as a shell would (128 + N)
            code = 128 - code
        _say(
            f"[{number}/{len(areas)}] {area} done in {time.monotonic() - start:.0f} s"
            + ("" if code == 0 else f" (exit code {code})")
        )
        worst = max(worst, code)
        print(flush=True)
    return worst
