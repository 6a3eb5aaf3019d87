"""The ``countdown eval`` options, one function per option group (argparse only)."""

from __future__ import annotations

import argparse

from agents.cli.generate import add_generator_arguments
from agents.cli.options import add_template_argument

__all__ = ["add_option_groups", "positive_int"]


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def add_option_groups(parser: argparse.ArgumentParser) -> None:
    """Every ``countdown eval`` option, group by group, in the order ``--help`` shows them."""
    _add_policy_option(parser)
    _add_task_options(parser)
    add_generator_arguments(parser)  # --rate also fills the difficulty breakdown
    _add_generation_options(parser)
    from agents.policies._openai_options import add_openai_arguments

    add_openai_arguments(parser)
    _add_output_options(parser)


def _add_policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        default="default",
        metavar="SPEC",
        help="solver, random, default (the embedded model; untrained it scores "
        "~0), tiny, smollm2, a model directory, a .gguf file, a hub id "
        "owner/name, or openai (a server, with --base-url and --model) "
        "(default: %(default)s)",
    )


def _add_task_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_argument_group("tasks")
    source.add_argument(
        "-n",
        "--num-tasks",
        "--num",
        type=int,
        default=None,
        metavar="N",
        help="tasks to generate (default: 200), or with --tasks the first N",
    )
    source.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the task generator and of sampling (default: %(default)s)",
    )
    source.add_argument(
        "--tasks",
        metavar="FILE",
        help="read tasks from a JSONL or parquet file instead of generating",
    )
    source.add_argument(
        "--rules",
        choices=("tinyzero", "tv"),
        default=None,
        help="rules answers are checked under: tinyzero (each number exactly "
        "once) or tv (at most once, positive integer steps); default: "
        "the generator's, tinyzero for --tasks",
    )


def _add_generation_options(parser: argparse.ArgumentParser) -> None:
    gen = parser.add_argument_group("generation")
    add_template_argument(gen, "prompt template (default: chosen from the policy)")
    gen.add_argument(
        "--temperature",
        type=float,
        default=None,
        help="sampling temperature; 0 is greedy (default: 0, or 1 with --samples)",
    )
    gen.add_argument("--top-p", type=float, default=1.0, help="nucleus mass (default: 1)")
    gen.add_argument("--top-k", type=int, default=0, help="top-k filter, 0 off (default: 0)")
    gen.add_argument(
        "--max-new-tokens",
        type=positive_int,
        default=None,
        metavar="N",
        help="tokens per completion, >= 1 (default: 24 for compact, 64 for compact-steps, 96 "
        "for compact-tries, 512 otherwise; a value above the model's context is lowered to it, "
        "with a note)",
    )
    gen.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="completions per task, for pass@k (default: %(default)s)",
    )
    gen.add_argument(
        "--k",
        type=int,
        nargs="+",
        default=None,
        help="the k of pass@k (default: powers of two up to --samples)",
    )
    gen.add_argument("--batch-size", type=int, default=32, help="tasks per generate call")
    gen.add_argument(
        "--device",
        default="auto",
        help="where a language model runs: cpu, cuda, cuda:N or auto (default: a "
        "GPU when there is one; solver and random run no model)",
    )
    gen.add_argument(
        "--aha-phrases",
        metavar="LIST",
        help="comma-separated phrases counted as aha moments (default: wait, let me "
        "check, that's not right, let's try, re-check, ...)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    out.add_argument(
        "--output-dir", metavar="DIR", help="write report.json, samples.jsonl and PNG plots here"
    )
    out.add_argument(
        "--force",
        action="store_true",
        help="replace a report already in --output-dir (and remove its old plots)",
    )
    out.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    out.add_argument("--quiet", action="store_true", help="no progress bar, no summary table")
    out.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="compare two report.json files (or run directories) and exit",
    )
    out.add_argument(
        "--changed-only", action="store_true", help="with --compare: show only metrics that differ"
    )
