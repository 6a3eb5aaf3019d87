"""``countdown generate``: write guaranteed-solvable tasks to JSONL, parquet or a HF dataset.

``countdown generate -n 100 --seed 1 -o tasks.jsonl`` writes 100 tasks, one JSON object a line.
The output format follows the extension (``.jsonl``, ``.parquet``) or ``--format`` (``hf``: a
folder written with ``save_to_disk``; ``tinyzero``: parquet in TinyZero's layout). An existing
output is replaced only with ``--force``. ``--test-output`` adds a held-out test set that never
shares a task (or target, or number set: ``--holdout``) with the main output.

Before anything is generated, both outputs are checked: they must be different paths, of a
format that matches their extension, not exist (unless ``--force``; a folder that is not a saved
dataset is never replaced), and have an existing folder. A request for more distinct tasks
than a small configuration holds is refused at once. If the test set cannot be written after
all, a training output this run created is removed again, so a failure leaves no half result.

The generator flags here are shared with ``countdown play``, ``eval`` and ``serve``
(:func:`add_generator_arguments`); they are made from ``GeneratorConfig``'s fields.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from agents.cli.options import (
    Choices,
    add_dataclass_arguments,
    add_template_argument,
    field_flag,
    given_fields,
    int_or_none,
    seconds_or_none,
)

if TYPE_CHECKING:
    from countdown_env import GeneratorConfig

__all__ = [
    "add_arguments",
    "add_generator_arguments",
    "flag_name",
    "generator_config",
    "generator_kwargs",
    "non_negative",
    "run",
    "target_bound",
]

_TEST_NUM = 100
_EXTENSION_FORMATS = {".jsonl": ("jsonl",), ".parquet": ("parquet", "tinyzero")}
_WRITES = {"jsonl": "JSONL", "parquet": "parquet", "tinyzero": "parquet", "hf": "a folder"}


def flag_name(field: str) -> str:
    """The command-line flag of a ``GeneratorConfig`` field (``max_value`` -> ``--max-value``,
    ``exact_use`` -> ``--at-most-once``); any other name is spelled ``--`` + name with ``-``."""
    from countdown_env import GeneratorConfig

    for each in dataclasses.fields(GeneratorConfig):
        if each.name == field:
            return field_flag(each)
    return "--" + field.replace("_", "-")


def non_negative(text: str) -> int:
    """An argparse type: an integer >= 0 (task counts, seeds)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text[:40]!r}")
    return value


def _fraction(text: str) -> float:
    """``--holdout-fraction``: a share strictly between 0 and 1 (both sides get tasks)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number strictly between 0 and 1, got {text[:40]!r}"
        )
    return value


target_bound = int_or_none
"""argparse type of ``--max-target``: an integer, or ``none``/``any`` for no cap."""


def add_generator_arguments(
    parser: argparse.ArgumentParser,
    *,
    defaults: GeneratorConfig | None = None,
    defaults_label: str = "the default",
    preset_help: str = "start from a named configuration (flags below override it)",
) -> argparse._ArgumentGroup:
    """The group "task generator": ``--preset`` and one flag per ``GeneratorConfig`` field.

    Flags, types, help and choices come from the fields' metadata
    (:func:`agents.cli.options.add_dataclass_arguments`); ``--preset`` offers the names in
    :data:`countdown_env._config.PRESETS`. The help shows the values of ``defaults`` (default:
    ``GeneratorConfig()``, what ``countdown generate`` starts from).
    """
    from countdown_env import PRESETS, GeneratorConfig

    group = parser.add_argument_group("task generator")
    group.add_argument("--preset", choices=Choices(lambda: list(PRESETS)), help=preset_help)
    add_dataclass_arguments(
        group, GeneratorConfig, defaults=defaults, defaults_label=defaults_label
    )
    return group


def generator_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The generator options the user set on the command line (unset flags are left out):
    ``preset`` and the ``GeneratorConfig`` fields (an explicit ``--max-target none`` is kept)."""
    from countdown_env import GeneratorConfig

    preset = getattr(args, "preset", None)
    return {
        **({"preset": preset} if preset is not None else {}),
        **given_fields(args, GeneratorConfig),
    }


def generator_config(args: argparse.Namespace, **defaults: Any) -> GeneratorConfig:
    """The ``GeneratorConfig`` the flags describe (over ``defaults``, e.g. ``preset="tv"``);
    a refused value is named by its flag."""
    from countdown_env import GeneratorConfig
    from countdown_env.errors import GeneratorOptionError
    from verifiers.errors import ConfigError

    try:
        return GeneratorConfig.from_kwargs(**{**defaults, **generator_kwargs(args)})
    except GeneratorOptionError as err:
        raise ConfigError(err.describe(flag_name)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown generate``."""
    parser.add_argument(
        "-n",
        "--num",
        "--num-tasks",
        type=non_negative,
        default=100,
        help="how many tasks (default 100)",
    )
    parser.add_argument("--seed", type=non_negative, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", required=True, help="output file or folder")
    parser.add_argument(
        "--format",
        choices=["jsonl", "parquet", "hf", "tinyzero"],
        help="output format (default: from the extension, .jsonl or .parquet; a .jsonl or "
        ".parquet name must match the format)",
    )
    add_template_argument(
        parser,
        "add a 'prompt' column with this template (hf and tinyzero formats default to tinyzero)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing output")
    parser.add_argument("--test-output", help="also write a held-out test set here")
    parser.add_argument(
        "--test-num",
        type=non_negative,
        help=f"with --test-output: test set size (default {_TEST_NUM})",
    )
    parser.add_argument(
        "--holdout",
        choices=["task", "target", "nums"],
        help="with --test-output: what the test set keeps out of training (default: whole tasks)",
    )
    parser.add_argument(
        "--holdout-fraction",
        type=_fraction,
        help="with --test-output: share of tasks / targets / number sets reserved for the test "
        "set, by a hash (default 0.1 for targets and number sets; for tasks, none: the first "
        "distinct tasks drawn, unless the two sets fill much of a small space, then "
        "test / (num + test), said on stderr)",
    )
    parser.add_argument(
        "--rate-timeout",
        type=seconds_or_none,
        default=10.0,
        metavar="SECONDS",
        help="with rating (--rate, --min-solutions, --max-solutions, --min-ops): most seconds "
        "one task's rating may take before the run stops with an error (default 10; 0: no "
        "limit). 3-6 numbers take milliseconds, 7-8 numbers can take minutes",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_generator_arguments(parser)


def _fair_fraction(args: argparse.Namespace, test_num: int, config: Any) -> None:
    """Split a small task space by a hash (said on stderr), as ``countdown train`` does.

    Without a fraction the test set is the generator's most frequent tasks; when the two sets
    ask for much of a small space, training would get the rare rest
    (:func:`countdown_env.skewed_split`)."""
    import countdown_env

    if (args.holdout or "task") != "task" or args.holdout_fraction is not None:
        return
    fraction = countdown_env.fair_holdout_fraction(
        args.num, test_num, seed=args.seed, config=config
    )
    if fraction is not None:
        args.holdout_fraction = fraction
        print(
            f"countdown generate: test set split off by a hash, --holdout-fraction {fraction} "
            "(the tasks asked for fill much of this small space; the first distinct tasks "
            "drawn would be the frequent ones)",
            file=sys.stderr,
        )
    elif countdown_env.skewed_split(args.num, test_num, config):
        print(
            "countdown generate: warning: the test set will be the generator's most frequent "
            "tasks and training the rest, so the two differ; ask for fewer tasks or set "
            "--holdout-fraction",
            file=sys.stderr,
        )


def run(args: argparse.Namespace) -> int:
    """Check both outputs, generate, then write; errors exit with code 2 and write nothing."""
    import countdown_env
    from countdown_env.errors import TaskSpaceExhaustedError

    outputs = _check_outputs(args)
    config = generator_config(args)
    test_num = _TEST_NUM if args.test_num is None else args.test_num
    try:
        if args.test_output:
            _fair_fraction(args, test_num, config)
            train, test = countdown_env.make_splits(
                args.num,
                test_num,
                seed=args.seed,
                holdout=args.holdout or "task",
                holdout_fraction=args.holdout_fraction,
                config=config,
                progress=not args.quiet,
                rate_timeout=args.rate_timeout,
            )
        else:
            train = countdown_env.generate(
                args.num,
                seed=args.seed,
                config=config,
                progress=not args.quiet,
                rate_timeout=args.rate_timeout,
            )
            test = []
    except TaskSpaceExhaustedError as err:
        raise TaskSpaceExhaustedError(_exhausted(err, args, test_num)) from None
    _write(args, outputs, train, test)
    return 0


def _check_outputs(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """``(flag, path, format)`` of each output, refused now if it could not be written."""
    from pathlib import Path

    from countdown_env import check_output
    from countdown_env.errors import OutputExistsError
    from verifiers.errors import ConfigError

    if args.test_output is None:
        given = [
            flag
            for flag, value in (
                ("--test-num", args.test_num),
                ("--holdout", args.holdout),
                ("--holdout-fraction", args.holdout_fraction),
            )
            if value is not None
        ]
        if given:
            raise ConfigError(
                f"{', '.join(given)} describe{'s' if len(given) == 1 else ''} the test set; "
                "add --test-output FILE, or drop "
                f"{'it' if len(given) == 1 else 'them'}"
            )
    named = [("-o", args.output)] + (
        [("--test-output", args.test_output)] if args.test_output is not None else []
    )
    if len(named) == 2 and _same_path(args.output, args.test_output):
        raise ConfigError(
            f"-o and --test-output name the same path ({args.output}); give the test set a "
            "file of its own"
        )
    outputs = []
    for flag, path in named:
        suffix = Path(path).suffix.lower()
        if args.format is None and suffix not in (".jsonl", ".parquet"):
            raise ConfigError(
                f"cannot tell the format of {flag} {path!r} from its extension; use .jsonl or "
                ".parquet, or pass --format hf (a folder) or --format tinyzero"
            )
        chosen = args.format or suffix[1:]
        fits = _EXTENSION_FORMATS.get(suffix)
        if fits is not None and chosen not in fits:
            raise ConfigError(
                f"{flag} {path} ends in {suffix}, but --format {chosen} writes "
                f"{_WRITES[chosen]}; rename the output or drop --format"
            )
        check_output(path, format=chosen, overwrite=True)  # name, folder, what is in the way
        if Path(path).exists() and not args.force:
            raise OutputExistsError(f"{path} exists; pass --force to replace it")
        outputs.append((flag, path, chosen))
    return outputs


def _same_path(first: str, second: str) -> bool:
    import os
    from pathlib import Path

    if Path(first).resolve() == Path(second).resolve():
        return True
    try:
        return os.path.samefile(first, second)  # hard links, bind mounts
    except OSError:
        return False


def _write(args: argparse.Namespace, outputs: list[tuple[str, str, str]], train, test) -> None:
    """Write the sets; if the test set fails, remove a training output this run created."""
    import shutil
    from pathlib import Path

    from countdown_env import write_tasks

    (_, train_path, train_format), *rest = outputs
    created = not Path(train_path).exists()
    options = {"template": args.template, "overwrite": args.force}
    written = write_tasks(train, train_path, format=train_format, **options)
    print(f"wrote {written} tasks to {train_path}", file=sys.stderr)
    if not rest:
        return
    ((_, test_path, test_format),) = rest
    done = False
    try:
        written = write_tasks(test, test_path, format=test_format, split="test", **options)
        done = True
    finally:
        if not done and created:
            if Path(train_path).is_dir():
                shutil.rmtree(train_path, ignore_errors=True)
            else:
                Path(train_path).unlink(missing_ok=True)
            print(f"removed {train_path} again: the test set could not be written", file=sys.stderr)
    print(f"wrote {written} held-out tasks to {test_path}", file=sys.stderr)


def _exhausted(err, args: argparse.Namespace, test_num: int) -> str:
    """The generator's "not enough distinct tasks" in the command's own words."""
    asked = f"-n {args.num}"
    if args.test_output:
        asked += f" plus --test-num {test_num}"
    fix = (
        "ask for fewer, widen the number or target ranges (--max-value, --max-numbers, "
        "--max-target), or pass --allow-duplicates"
    )
    if args.test_output and (args.holdout in ("target", "nums") or args.holdout_fraction):
        fix += "; with --holdout-fraction, raise it for the test set or lower it for training"
    if err.size is not None and err.asked is not None:
        return (
            f"the task space is too small: {asked} asks for {err.asked} distinct tasks, but "
            f"these options hold only {err.size}; {fix}"
        )
    if getattr(err, "bound", None) is not None and err.asked is not None:
        return (
            f"the task space is too small: {asked} asks for {err.asked} distinct tasks, but "
            f"these options hold at most {err.bound} (number sets times targets); {fix}"
        )
    holds = f" (these options hold {err.size} in all)" if err.size is not None else ""
    return (
        f"the task space is exhausted: only {err.found} distinct tasks{holds} were found for "
        f"{asked}; {fix}"
    )
