"""``countdown solve``: find an expression that reaches the target.

``countdown solve 25 50 75 100 3 6 --target 952`` prints one solution expression (exit 0) or
says on stderr that there is none (exit 1). ``--all`` prints every distinct solution (up to
commutativity and associativity), one a line, then a line ``N solutions``. Six numbers take
milliseconds; 7 or 8 numbers can take minutes, so the search stops after ``--timeout`` seconds
(default 60) with exit code 3.
"""

from __future__ import annotations

import argparse
import sys

from agents.cli.options import seconds_or_none

__all__ = ["DEFAULT_TIMEOUT", "add_arguments", "run"]

DEFAULT_TIMEOUT = 60.0
"""Seconds ``countdown solve`` searches before giving up (``--timeout``)."""
EXIT_TIMEOUT = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown solve``."""
    from agents.cli.verify import operator_set

    parser.epilog = (
        "Exit codes: 0 a solution was printed, 1 there is none, 2 bad arguments, "
        "3 the search reached --timeout."
    )
    parser.add_argument("nums", type=int, nargs="+", help="the numbers")
    parser.add_argument("-t", "--target", type=int, required=True, help="the target")
    parser.add_argument("--all", action="store_true", help="print every distinct solution")
    parser.add_argument("--limit", type=int, help="with --all: print at most this many")
    parser.add_argument(
        "--at-most-once", action="store_true", help="each number used at most once (TV rules)"
    )
    parser.add_argument(
        "--integer-intermediates",
        action="store_true",
        help="every intermediate result must be a positive integer (TV rules)",
    )
    parser.add_argument(
        "--operators",
        type=operator_set,
        default="+-*/",
        help="allowed operators (default +-*/); a set starting with '-' needs '=': "
        "--operators=-* (or write it '*-')",
    )
    parser.add_argument(
        "--timeout",
        type=seconds_or_none,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up after this many seconds, exit code 3 (default {DEFAULT_TIMEOUT:g}; "
        "0: no limit). Six numbers take milliseconds, 7-8 numbers can take minutes",
    )


def run(args: argparse.Namespace) -> int:
    """Print a solution (exit 0), or a message on stderr when there is none (exit 1)."""
    from countdown_env import solve, solve_all
    from countdown_env.errors import SolverTimeoutError

    rules = {
        "exact_use": not args.at_most_once,
        "integer_intermediates": args.integer_intermediates,
        "operators": args.operators,
    }
    use = "at most once" if args.at_most_once else "exactly once"
    try:
        if args.all:
            solutions = solve_all(
                args.nums, args.target, limit=args.limit, timeout=args.timeout, **rules
            )
        else:
            solution = solve(args.nums, args.target, timeout=args.timeout, **rules)
            solutions = [] if solution is None else [solution]
    except SolverTimeoutError:
        print(
            f"countdown solve: gave up after {args.timeout:g} s (--timeout) without finishing "
            f"the search over {len(args.nums)} numbers; raise --timeout, or pass --timeout 0 "
            "for no limit",
            file=sys.stderr,
        )
        return EXIT_TIMEOUT
    for expression in solutions:
        print(expression)
    if args.all and solutions:
        count = len(solutions)
        note = " (stopped at --limit)" if args.limit is not None and count >= args.limit else ""
        print(f"{count} solution{'s' if count != 1 else ''}{note}")
    if not solutions:
        nums = " ".join(map(str, args.nums))
        print(
            f"no solution: {args.target} cannot be made from {nums} with {args.operators} "
            f"(each number used {use})",
            file=sys.stderr,
        )
        return 1
    return 0
