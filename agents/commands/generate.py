"""``countdown generate``: write guaranteed-solvable tasks to JSONL, parquet or a HF dataset.

``countdown generate -n 100 --seed 1 -o tasks.jsonl`` writes 100 tasks, one JSON object a line.
The output format follows the extension (``.jsonl``, ``.parquet``) or ``--format`` (``hf``: a
folder written with ``save_to_disk``; ``tinyzero``: parquet in TinyZero's layout). An existing
output is replaced only with ``--force``. ``--test-output`` adds a held-out test set that never
shares a task (or target, or number set: ``--holdout``) with the main output.

The generator flags here are shared with ``countdown play`` (:func:`add_generator_arguments`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_arguments", "add_generator_arguments", "generator_kwargs", "run"]

# (flag, config field, type, help); every default is None so that a preset's values survive.
_INT_FLAGS = (
    ("--min-numbers", "min_numbers", "fewest numbers in a task (2-8; default 3)"),
    ("--max-numbers", "max_numbers", "most numbers in a task (default 4)"),
    ("--min-value", "min_value", "smallest number of the uniform draw (default 1)"),
    ("--max-value", "max_value", "largest number of the uniform draw (default 100)"),
    ("--large-count", "large_count", "TV draw: how many of 25/50/75/100 (0-4; default random)"),
    ("--min-target", "min_target", "smallest target (default 1)"),
    ("--min-solutions", "min_solutions", "keep tasks with at least this many solutions"),
    ("--max-solutions", "max_solutions", "keep tasks with at most this many solutions"),
    ("--min-ops", "min_ops", "keep tasks whose shortest solution needs this many operations"),
)


def _target_bound(text: str) -> int | None:
    if text.lower() in ("none", "any"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'none', got {text!r}") from None


def add_generator_arguments(parser: argparse.ArgumentParser) -> None:
    """The generator's options as flags (see ``countdown_env.GeneratorConfig`` for each)."""
    group = parser.add_argument_group("task generator")
    group.add_argument(
        "--preset",
        choices=["tinyzero", "tv", "two-numbers", "three-small"],
        help="start from a named configuration (flags below override it)",
    )
    group.add_argument("--draw", choices=["uniform", "tv"], help="how numbers are drawn")
    for flag, field, help_text in _INT_FLAGS:
        group.add_argument(flag, dest=field, type=int, metavar="N", help=help_text)
    group.add_argument(
        "--max-target",
        dest="max_target",
        type=_target_bound,
        metavar="N|none",
        default=argparse.SUPPRESS,
        help="largest target (default 100; 'none': any reachable value)",
    )
    group.add_argument(
        "--target-from",
        choices=["expression", "range"],
        help="target from a random expression (default) or uniform in the range, kept if solvable",
    )
    group.add_argument("--operators", help="allowed operators, a subset of '+-*/'")
    group.add_argument(
        "--at-most-once",
        dest="exact_use",
        action="store_const",
        const=False,
        help="each number used at most once (default: exactly once)",
    )
    group.add_argument(
        "--integer-intermediates",
        action="store_const",
        const=True,
        help="every intermediate result must be a positive integer (TV rules)",
    )
    group.add_argument(
        "--rate",
        action="store_const",
        const=True,
        help="fill n_solutions, min_ops and search_nodes for every task (slower)",
    )
    group.add_argument(
        "--allow-duplicates",
        dest="unique",
        action="store_const",
        const=False,
        help="allow the same task twice in one set",
    )


def generator_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The generator options the user set on the command line (unset flags are left out)."""
    names = [field for _, field, _ in _INT_FLAGS] + [
        "preset",
        "draw",
        "max_target",
        "target_from",
        "operators",
        "exact_use",
        "integer_intermediates",
        "rate",
        "unique",
    ]
    out = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if "max_target" in vars(args):  # an explicit 'none' is a value, not an unset flag
        out["max_target"] = args.max_target
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown generate``."""
    parser.add_argument("-n", "--num", type=int, default=100, help="how many tasks (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", required=True, help="output file or folder")
    parser.add_argument(
        "--format",
        choices=["jsonl", "parquet", "hf", "tinyzero"],
        help="output format (default: from the extension, .jsonl or .parquet)",
    )
    parser.add_argument(
        "--template",
        help="add a 'prompt' column with this template (tinyzero, chat, compact); "
        "hf and tinyzero formats default to tinyzero",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing output")
    parser.add_argument("--test-output", help="also write a held-out test set here")
    parser.add_argument("--test-num", type=int, default=100, help="test set size (default 100)")
    parser.add_argument(
        "--holdout",
        choices=["task", "target", "nums"],
        default="task",
        help="what the test set keeps out of training (default: whole tasks)",
    )
    parser.add_argument(
        "--holdout-fraction",
        type=float,
        help="share of targets / number sets reserved for the test set (default 0.1)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_generator_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Generate, then write; errors (bad options, existing output) exit with code 2."""
    from pathlib import Path

    import countdown_env
    from countdown_env.datasets import write_tasks
    from verifiers.errors import ConfigError

    kwargs = generator_kwargs(args)
    outputs = [Path(args.output)] + ([Path(args.test_output)] if args.test_output else [])
    for path in outputs:
        if path.exists() and not args.force:
            raise countdown_env.OutputExistsError(f"{path} exists; pass --force to replace it")
        if args.format is None and path.suffix.lower() not in (".jsonl", ".parquet"):
            raise ConfigError(
                f"cannot tell the format of {path} from its extension; use .jsonl or .parquet, "
                "or pass --format hf (a folder) or --format tinyzero"
            )
    if args.test_output:
        train, test = countdown_env.make_splits(
            args.num,
            args.test_num,
            seed=args.seed,
            holdout=args.holdout,
            holdout_fraction=args.holdout_fraction,
            **kwargs,
        )
    else:
        train = countdown_env.generate(args.num, seed=args.seed, progress=not args.quiet, **kwargs)
        test = []
    options = {"format": args.format, "template": args.template, "overwrite": args.force}
    written = write_tasks(train, args.output, **options)
    print(f"wrote {written} tasks to {args.output}", file=sys.stderr)
    if args.test_output:
        written = write_tasks(test, args.test_output, **options)
        print(f"wrote {written} held-out tasks to {args.test_output}", file=sys.stderr)
    return 0
