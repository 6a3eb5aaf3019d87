"""The ``countdown`` console script.

Each subcommand lives in its own module under :mod:`agents.cli` with two functions:
``add_arguments(parser)`` (cheap: argparse only) and ``run(args) -> int`` (imports what it needs,
so ``countdown verify`` starts fast without torch installed). The exit code is what ``run``
returns; a :class:`~verifiers.errors.CountdownError` becomes a one-line message and exit code 2.
A module that sets ``PASSTHROUGH = True`` (``train``, whose options are TRL's own) receives the
raw argument list instead: ``run_argv(argv) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS: dict[str, str] = {
    "verify": "check an answer against numbers and a target",
    "solve": "find an expression that reaches the target",
    "generate": "write guaranteed-solvable tasks to JSONL, parquet or a HF dataset",
    "play": "play the step-by-step game in the terminal",
    "eval": "run a policy on tasks and write a report with plots",
    "train": "GRPO training with TRL (default: the embedded tiny model on CPU)",
    "bench": "run the benchmarks and print the table",
    "serve": "serve an environment as an OpenEnv server (HTTP/WebSocket)",
}


def _command_module(name: str):
    return importlib.import_module(f"agents.cli.{name}")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand's options."""
    parser = argparse.ArgumentParser(
        prog="countdown",
        description="Countdown numbers game for reinforcement learning on language models.",
    )
    parser.add_argument("--version", action="version", version=f"countdown-rl {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        _command_module(name).add_arguments(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``countdown`` script; returns the process exit code."""
    from verifiers.integrations.conflicts import NameClashError, check_name_clashes

    try:
        check_name_clashes()
    except NameClashError as err:
        print(f"countdown: error: {err}", file=sys.stderr)
        return 2
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        module = _command_module(argv[0])
        if getattr(module, "PASSTHROUGH", False):
            return _guarded(argv[0], lambda: module.run_argv(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    return _guarded(args.command, lambda: _command_module(args.command).run(args))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("countdown-rl")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _guarded(command: str, call: Callable[[], int | None]) -> int:
    from verifiers.errors import CountdownError

    try:
        return int(call() or 0)
    except CountdownError as err:
        print(f"countdown {command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"countdown {command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`countdown ... | head`): stop quietly, as `cat` would. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a process killed by it
