"""Coverage-guided fuzzing of a Countdown verifier: ``python -m verifiers.fuzz --runs N``.

Every input becomes a task (``nums``, ``target``) and a completion: raw bytes as text, text
wrapped in ``<answer>`` tags, text glued from hostile :data:`~verifiers.strategies.PIECES`, or
(five inputs in eight) a :func:`~verifiers._near_miss.near_miss`: a valid answer, or one that
a checker missing a rule calls correct (a subset, a repeat or a foreign number with the target
set to its value, several ``<answer>`` blocks, unary signs, ``= N`` claims, fractions; see
:data:`~verifiers.strategies.NEAR_MISS_KINDS`). Each verdict must
satisfy :func:`check_invariants`: no exception, a well-formed verdict whose ``correct`` agrees
with its status, a correct verdict equals the target, uses the numbers as the rules demand
(cross-checked with a plain digit scan, independent of the parser), and verifies again; a
decision takes at most ``--max-ms`` milliseconds (timed twice before it counts, since a
shared machine can pause any single call).

Fuzz your own verifier (anything following :class:`~verifiers._check.Verifier`; a class is
instantiated with no arguments). It must return a :class:`verifiers.Verdict` (build one with
``Verdict(correct=..., status=Status...., value=..., expression=..., reason=...)`` or return
what :func:`verifiers.verify` gives); it is tried once on a simple task before fuzzing, and
anything else is refused with one line naming the callable and what it returned::

    python -m verifiers.fuzz --runs 100000 --verifier mypackage.rewards:MyVerifier --differential

``--differential`` also fails when your verifier's ``correct`` disagrees with ours; the report
shows the input and both verdicts. An exception from your verifier is re-raised with the input
in a note (and, with the random engine, which run it was). The engine is
atheris (libFuzzer; ``pip install atheris``); ``--engine random`` feeds seeded random bytes
through the same harness where atheris is unavailable; Ctrl-C stops it with a one-line
summary of the inputs that ran (exit code 130). Arguments after ``--`` go to libFuzzer
(for example ``-- -max_len=4096 corpus_dir``).
"""

from __future__ import annotations

import argparse
import gc
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

from verifiers._check import CountdownVerifier
from verifiers._fuzz_engine import load_verifier, make_target, run_random
from verifiers._invariants import FuzzFailure, check_invariants
from verifiers.errors import ConfigError, DependencyError

__all__ = [
    "FuzzFailure",
    "check_invariants",
    "load_verifier",
    "main",
    "make_target",
    "run_random",
]


def _instrument(atheris: Any, packages: set[str]) -> None:
    """Coverage counters in the functions of ``packages`` only.

    ``atheris.instrument_all`` would patch every loaded function, taking many seconds; the
    verifier's own code is what the coverage should guide.
    """
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType):
            module = getattr(obj, "__module__", None) or ""
            if module.split(".")[0] in packages:
                atheris.instrument_func(obj)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verifiers.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=10_000, help="inputs to try (default 10000)")
    parser.add_argument(
        "--verifier",
        default=None,
        help="module:callable to fuzz (default: the built-in CountdownVerifier)",
    )
    parser.add_argument(
        "--differential",
        action="store_true",
        help="fail when the verifier's 'correct' disagrees with the built-in one",
    )
    parser.add_argument(
        "--engine",
        choices=("atheris", "random"),
        default="atheris",
        help="atheris (coverage-guided, default) or random (seeded bytes)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random engine")
    parser.add_argument(
        "--max-ms",
        type=float,
        default=200.0,
        help="slowest accepted decision in milliseconds (default 200; a slow "
        "call is timed twice before it counts)",
    )
    parser.add_argument("libfuzzer", nargs="*", help="arguments after -- go to libFuzzer")
    return parser


def _print_notes_before_python_311(err: BaseException) -> None:
    """Python 3.10 tracebacks do not show notes; print them (3.11 shows them itself)."""
    if sys.version_info < (3, 11):  # pragma: no cover - Python 3.10
        print("\n".join(getattr(err, "__notes__", ())), file=sys.stderr)


def _printing_notes(target: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """``target``, printing an exception's notes to stderr (atheris's report leaves them out)."""

    def test_one_input(data: bytes) -> None:
        try:
            target(data)
        except Exception as err:
            notes = getattr(err, "__notes__", ())
            if notes:
                print("\n".join(notes), file=sys.stderr, flush=True)
            raise

    return test_one_input


def _error(message: str) -> int:
    print(f"python -m verifiers.fuzz: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns 0 when every run kept the invariants, 2 for bad arguments and 130
    when Ctrl-C stopped the random engine (after a one-line summary on stderr)."""
    args = _parser().parse_args(argv)
    if args.runs < 1:
        _parser().error("--runs must be >= 1")
    if not args.max_ms > 0:  # also refuses NaN
        return _error(
            f"--max-ms must be a positive number of milliseconds, got {args.max_ms:g} "
            "(every decision would count as too slow)"
        )
    try:
        return _run(args)
    except KeyboardInterrupt as stop:
        done = getattr(stop, "completed_runs", None)
        if args.engine != "random" or done is None:
            print("fuzz: interrupted", file=sys.stderr)
        else:
            print(
                f"fuzz: interrupted after {done} of {args.runs} random inputs "
                f"(--seed {args.seed}); every invariant held on those",
                file=sys.stderr,
            )
        return 130


def _run(args: argparse.Namespace) -> int:
    """:func:`main` after its argument checks."""
    try:
        verifier = load_verifier(args.verifier) if args.verifier else CountdownVerifier(cache=False)
    except ConfigError as err:
        return _error(str(err))
    reference = CountdownVerifier(cache=False) if args.differential else None
    target = make_target(verifier, reference=reference, max_ms=args.max_ms)
    if args.engine == "random":
        print(
            f"fuzz: checking {args.runs} random inputs (--seed {args.seed}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            run_random(target, runs=args.runs, seed=args.seed)
        except Exception as err:
            _print_notes_before_python_311(err)
            raise
        print(f"fuzz: {args.runs} random inputs, every invariant held")
        return 0
    try:
        import atheris
    except ImportError as err:
        raise DependencyError(
            "coverage-guided fuzzing needs atheris: pip install 'countdown-rl[fuzz]' "
            "(or use --engine random)"
        ) from err
    packages = {"verifiers"} | (
        {args.verifier.partition(":")[0].split(".")[0]} if args.verifier else set()
    )
    _instrument(atheris, packages)
    atheris.Setup([sys.argv[0], f"-runs={args.runs}", *args.libfuzzer], _printing_notes(target))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
