"""``countdown verify``: check one answer and print the verdict.

    countdown verify "<answer>5+3</answer>" --nums 5 3 --target 8
    countdown verify "25*4 - 3" --bare --nums 25 4 3 --target 97 --json
    my_model | countdown verify - --nums 5 3 --target 8         # the completion from stdin
    countdown verify --file completion.txt --nums 5 3 --target 8

Exit code 0 when the answer is correct, 1 when it is not, 2 for bad arguments (including a
completion over :data:`MAX_INPUT_BYTES`, a ``--file`` that is not a regular file, or input
that is not UTF-8).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from typing import BinaryIO

__all__ = ["MAX_INPUT_BYTES", "add_arguments", "operator_set", "run"]

MAX_INPUT_BYTES = 16 * 2**20
"""Most bytes of a completion read from stdin or ``--file`` (16 MiB): far above any model's
output, and a bound on what ``- < /dev/zero`` or a runaway pipe can make the command read."""

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
    """The ``countdown verify`` options: the answer and its task, then the rules."""
    _add_task_arguments(parser)
    _add_rule_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")


def _add_task_arguments(parser: argparse.ArgumentParser) -> None:
    """The answer (argument, stdin or ``--file``), the task, and where the answer is."""
    parser.add_argument(
        "answer",
        nargs="?",
        help="the completion (or, with --bare, the expression); '-' reads it from stdin "
        f"(at most {MAX_INPUT_BYTES // 2**20} MiB)",
    )
    parser.add_argument(
        "--file",
        metavar="PATH",
        default=None,
        help="read the completion from this regular file instead "
        f"(at most {MAX_INPUT_BYTES // 2**20} MiB, UTF-8)",
    )
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
        choices=("answer", "boxed", "bare", "steps", "tries"),
        default="answer",
        help="where to find the answer in a completion (default: <answer> tags)",
    )


def _add_rule_arguments(parser: argparse.ArgumentParser) -> None:
    """The rules the answer is checked under (default: TinyZero's)."""
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


def _read_capped(stream: BinaryIO, source: str) -> str:
    """At most :data:`MAX_INPUT_BYTES` from ``stream``, as UTF-8 text (a BOM is dropped)."""
    from verifiers.errors import ConfigError

    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ConfigError(
            f"{source} holds more than {MAX_INPUT_BYTES // 2**20} MiB; a completion is far "
            "shorter (is it the right input?)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"{source} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def _read_file(path: str) -> str:
    """The completion in ``path``, which must be a regular file: a device such as /dev/zero
    or a FIFO could make the command read (or wait) forever."""
    from verifiers.errors import ConfigError

    source = f"--file {path}"
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang before it is refused.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except OSError as err:
        raise ConfigError(f"{source}: cannot open it ({err.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ConfigError(
                f"{source}: {kind}; give a regular file, or pipe the text in with '-'"
            )
        if info.st_size > MAX_INPUT_BYTES:
            raise ConfigError(
                f"{source} holds {info.st_size} bytes, more than {MAX_INPUT_BYTES // 2**20} MiB; "
                "a completion is far shorter (is it the right file?)"
            )
        stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with stream:
        return _read_capped(stream, source)


def _answer_text(args: argparse.Namespace) -> str:
    """The answer from the command line, stdin (``-``) or ``--file``: exactly one of them."""
    from verifiers.errors import ConfigError

    if args.file is not None:
        if args.answer is not None:
            raise ConfigError("give the answer as an argument or with --file, not both")
        return _read_file(args.file)
    if args.answer is None:
        raise ConfigError("no answer: give it as an argument, '-' to read stdin, or --file PATH")
    if args.answer == "-":
        if sys.stdin is None:
            raise ConfigError("'-' reads the answer from stdin, but there is no stdin")
        return _read_capped(sys.stdin.buffer, "stdin")
    return args.answer


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
    answer = _answer_text(args)
    if args.bare:
        verdict = verify_equation(answer, args.nums, args.target, rules=rules)
    else:
        verdict = verify(answer, args.nums, args.target, rules=rules, extractor=args.extractor)
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
