"""``countdown solve``: find an expression that reaches the target.

``countdown solve 25 50 75 100 3 6 --target 952`` prints one solution expression (exit 0) or
says on stderr that there is none (exit 1). ``--all`` prints every distinct solution (up to
commutativity and associativity), one a line, then a line ``N solutions``.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown solve``."""
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
    parser.add_argument("--operators", default="+-*/", help="allowed operators (default +-*/)")


def run(args: argparse.Namespace) -> int:
    """Print a solution (exit 0), or a message on stderr when there is none (exit 1)."""
    from countdown_env.solver import solve, solve_all

    rules = {
        "exact_use": not args.at_most_once,
        "integer_intermediates": args.integer_intermediates,
        "operators": args.operators,
    }
    use = "at most once" if args.at_most_once else "exactly once"
    if args.all:
        solutions = solve_all(args.nums, args.target, limit=args.limit, **rules)
        for expression in solutions:
            print(expression)
        if solutions:
            count = len(solutions)
            note = " (stopped at --limit)" if args.limit is not None and count >= args.limit else ""
            print(f"{count} solution{'s' if count != 1 else ''}{note}")
    else:
        solution = solve(args.nums, args.target, **rules)
        solutions = [] if solution is None else [solution]
        if solution is not None:
            print(solution)
    if not solutions:
        nums = " ".join(map(str, args.nums))
        print(
            f"no solution: {args.target} cannot be made from {nums} with {args.operators} "
            f"(each number used {use})",
            file=sys.stderr,
        )
        return 1
    return 0
