"""``countdown bench``: run the benchmark scripts of a source checkout and print their tables.

The scripts live in ``benchmarks/`` beside the packages (they carry the reimplemented baselines,
which are not part of the library). Each is run in its own process so one area's imports and
caches do not colour another's figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from verifiers.errors import CountdownError

AREAS = ("verifiers", "env", "agents", "train")


def _benchmarks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "benchmarks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "areas",
        nargs="*",
        metavar="AREA",
        help=f"which benchmarks to run, any of {', '.join(AREAS)} (default: all but train)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions: a smoke run, noisier figures"
    )
    parser.add_argument(
        "--benchmarks-dir",
        type=Path,
        default=None,
        help="folder holding bench_*.py (default: benchmarks/ of this source checkout)",
    )


def run(args: argparse.Namespace) -> int:
    folder = args.benchmarks_dir or _benchmarks_dir()
    if not folder.is_dir():
        raise CountdownError(
            f"no benchmarks folder at {folder}: the benchmarks ship with the source checkout; "
            "run from a clone or pass --benchmarks-dir"
        )
    unknown = sorted(set(args.areas) - set(AREAS))
    if unknown:
        raise CountdownError(f"unknown benchmark area(s) {unknown}; choose from {list(AREAS)}")
    areas = args.areas or [a for a in AREAS if a != "train"]
    worst = 0
    for area in areas:
        script = folder / f"bench_{area}.py"
        if not script.is_file():
            print(f"## {area}: no {script.name} in {folder}, skipped\n", flush=True)
            continue
        print(f"## {area}\n", flush=True)
        command = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        worst = max(worst, subprocess.run(command, check=False).returncode)
        print(flush=True)
    return worst
