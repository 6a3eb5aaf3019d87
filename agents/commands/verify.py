"""``countdown verify``: check one answer and print the verdict.

    countdown verify "<answer>5+3</answer>" --nums 5 3 --target 8
    countdown verify "25*4 - 3" --bare --nums 25 4 3 --target 97 --json

Exit code 0 when the answer is correct, 1 when it is not, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["add_arguments", "operator_set", "run"]

_ECHO = 40
"""Most characters of a bad value repeated in an error message."""


def _shown(text: str) -> str:
    """``repr(text)``, cut to :data:`_ECHO` characters so a huge value is not echoed whole."""
    if len(text) <= _ECHO:
        return repr(text)
    return f"{text[:_ECHO]!r}... ({len(text)} characters)"


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        digits = text.strip().lstrip("+-").replace("_", "")
        if digits.isdigit() and len(digits) > sys.get_int_max_str_digits() > 0:
            raise argparse.ArgumentTypeError(
                f"integer too large: {len(digits)} digits, at most "
                f"{sys.get_int_max_str_digits()} are accepted"
            ) from None
        raise argparse.ArgumentTypeError(f"expected an integer, got {_shown(text)}") from None


def _number(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"numbers must be non-negative, got {value}")
    return value


def _positive(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def operator_set(text: str) -> str:
    """An ``--operators`` value: a non-empty subset of ``+-*/`` (argparse type)."""
    if not text or not set(text) <= set("+-*/"):
        raise argparse.ArgumentTypeError(
            f"expected a non-empty subset of '+-*/', got {_shown(text)}"
        )
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("answer", help="the completion (or, with --bare, the expression)")
    parser.add_argument(
        "--nums",
        type=_number,
        nargs="+",
        required=True,
        metavar="N",
        help="the numbers of the task",
    )
    parser.add_argument("-t", "--target", type=_integer, required=True, help="the number to reach")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="the answer is a bare expression, not a completion with tags",
    )
    parser.add_argument(
        "--extractor",
        choices=("answer", "boxed", "bare"),
        default="answer",
        help="where to find the answer in a completion (default: <answer> tags)",
    )
    parser.add_argument(
        "--at-most-once",
        action="store_true",
        help="each number may be used at most once (default: exactly once)",
    )
    parser.add_argument(
        "--integer-intermediates",
        action="store_true",
        help="every intermediate result must be a positive integer",
    )
    parser.add_argument(
        "--allow-unary-minus",
        action="store_true",
        help="accept a leading minus on a number or group",
    )
    parser.add_argument(
        "--operators",
        type=operator_set,
        default="+-*/",
        help="allowed operators, a subset of '+-*/' (default: all four); a set starting with "
        "'-' needs '=': --operators=-* (or write it '*-')",
    )
    parser.add_argument(
        "--max-length",
        type=_positive,
        default=None,
        help="longest accepted expression in characters (default 1000)",
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")


def run(args: argparse.Namespace) -> int:
    from verifiers import Rules, verify, verify_equation

    overrides = {
        "exact_use": not args.at_most_once,
        "integer_intermediates": args.integer_intermediates,
        "allow_unary_minus": args.allow_unary_minus,
        "operators": args.operators,
    }
    if args.max_length is not None:
        overrides["max_length"] = args.max_length
    rules = Rules.from_kwargs(**overrides)  # a bad value raises RulesError: exit 2, one line
    if args.bare:
        verdict = verify_equation(args.answer, args.nums, args.target, rules=rules)
    else:
        verdict = verify(args.answer, args.nums, args.target, rules=rules, extractor=args.extractor)
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=True))
    else:
        expression = verdict.expression
        if expression is not None and len(expression) > 200:
            expression = expression[:197] + "..."
        print(f"status:     {verdict.status.value}")
        print(f"correct:    {verdict.correct}")
        print(f"value:      {'-' if verdict.value is None else verdict.value}")
        print(f"expression: {'-' if expression is None else ascii(expression)[1:-1]}")
        print(f"reason:     {verdict.reason}")
    sys.stdout.flush()
    return 0 if verdict.correct else 1
