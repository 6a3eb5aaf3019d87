"""``countdown eval``: run a policy on tasks and write a report with plots.

Examples::

    countdown eval --policy solver -n 200 --seed 7 --output-dir runs/eval-solver
    countdown eval --policy default --preset two-numbers -n 500 --output-dir runs/eval-tiny
    countdown eval --policy smollm2 --template chat -n 50 --max-new-tokens 256 --output-dir out
    countdown eval --policy runs/train/final --tasks heldout.jsonl --samples 8 --temperature 1
    countdown eval --compare runs/before/report.json runs/after/report.json
    countdown eval --policy openai --base-url http://127.0.0.1:8000/v1 --model NAME -n 1000

Tasks come from the default generator (``-n`` tasks with ``--seed`` and the difficulty flags)
or from ``--tasks FILE`` (JSONL or parquet with ``nums`` and ``target``); file tasks of up to
four numbers are checked for a solution, with a warning when some have none. The default
template is ``compact`` for the embedded tiny model, ``chat`` for a model whose tokenizer has a
chat template, ``tinyzero`` otherwise (and for ``solver``/``random``). ``--max-new-tokens``
above the model's context is lowered to the context, with a note. An output directory that
already holds a report is replaced only with ``--force`` (its old plots are removed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agents.cli.generate import (
    add_generator_arguments,
    flag_name,
    generator_config,
    generator_kwargs,
)
from agents.cli.options import add_template_argument

__all__ = ["add_arguments", "run"]

_COMPARE_OPTIONS = ("compare", "changed_only")
_CHECKED_NUMBERS = 4
"""File tasks with at most this many numbers are checked for a solution (a few ms each when
there is none; six numbers can take seconds)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def _note(message: str, kind: str = "note") -> None:
    print(f"countdown eval: {kind}: {message}", file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``countdown eval`` options (argparse only; nothing heavy is imported)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.add_argument(
        "--policy",
        default="default",
        metavar="SPEC",
        help="solver, random, default (the embedded model; untrained it scores "
        "~0), tiny, smollm2, a model directory, a .gguf file, a hub id "
        "owner/name, or openai (a server, with --base-url and --model) "
        "(default: %(default)s)",
    )
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
    add_generator_arguments(parser)  # --rate also fills the difficulty breakdown
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
        type=_positive_int,
        default=None,
        metavar="N",
        help="tokens per completion, >= 1 (default: 24 for compact, 512 otherwise; "
        "a value above the model's context is lowered to it, with a note)",
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
    from agents.policies._openai import add_openai_arguments

    add_openai_arguments(parser)
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


def _given_options(args: argparse.Namespace) -> list[str]:
    """The flags set to something other than their default (``--compare`` ones excepted)."""
    parser = argparse.ArgumentParser(add_help=False)
    add_arguments(parser)
    defaults = vars(parser.parse_args([]))
    given = [
        name
        for name, default in defaults.items()
        if name not in _COMPARE_OPTIONS and getattr(args, name, default) != default
    ]
    if "max_target" in vars(args):
        given.append("max_target")
    return [flag_name(name) for name in given]


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options that would be silently ignored."""
    from verifiers.errors import ConfigError

    if args.changed_only and not args.compare:
        raise ConfigError("--changed-only only applies with --compare A B")
    if args.compare:
        given = _given_options(args)
        if given:
            raise ConfigError(
                f"--compare only reads two reports and runs nothing; drop "
                f"{', '.join(given)} (or run the evaluation first, then compare)"
            )
        return
    if args.output_dir is not None and not args.output_dir.strip():
        raise ConfigError(
            "--output-dir is empty; name a folder, for example --output-dir runs/eval"
        )
    if args.force and args.output_dir is None:
        raise ConfigError("--force only applies with --output-dir")
    from agents.policies._openai import check_openai_options

    check_openai_options(args)


def _check_output_dir(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output directory that cannot take the report; say now
    when the plots will be skipped (no matplotlib: the report is written without them)."""
    from agents.evaluation._report_files import check_report_targets, plots_unavailable
    from agents.evaluation._reports import existing_report_files
    from countdown_env.errors import OutputExistsError
    from verifiers.errors import ConfigError

    out = Path(args.output_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--output-dir {out} exists and is not a folder")
    check_report_targets(out)  # a device or pipe named report.json, samples.jsonl, ...
    existing = existing_report_files(out)
    if existing and not args.force:
        raise OutputExistsError(
            f"{out} already holds a report ({existing[0].name}); pass "
            "--force to replace it (its plots are removed too)"
        )
    missing = None if args.no_plots else plots_unavailable()
    if missing:
        _note(missing)


def _check_device(args: argparse.Namespace) -> None:
    """A language model's ``--device`` must be one torch can use here (solver, random: unused)."""
    from verifiers.errors import ConfigError

    if args.device == "auto" or args.policy.strip().lower() in ("solver", "random", "openai"):
        return
    from agents.policies._cache import require_transformers
    from agents.policies._devices import device_problem

    require_transformers()
    problem = device_problem(args.device)
    if problem is not None:
        hint = "" if problem.startswith("not a torch device") else "; use --device cpu"
        raise ConfigError(f"--device {args.device}: {problem}{hint}")


def _read_task_file(args: argparse.Namespace) -> list[Any]:
    from countdown_env import read_tasks
    from verifiers.errors import ConfigError

    try:
        return read_tasks(args.tasks, limit=args.num_tasks)
    except UnicodeDecodeError:
        raise ConfigError(
            f"--tasks {args.tasks} is not UTF-8 text; give a JSONL file (UTF-8), "
            "a parquet file or a saved dataset folder"
        ) from None
    except FileNotFoundError as err:
        if not Path(args.tasks).is_dir():
            raise
        raise ConfigError(
            f"--tasks {args.tasks} is a folder but not a dataset saved with save_to_disk"
        ) from err


def _load_tasks(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any], Any]:
    """Tasks, the metadata describing where they came from, and the rules they follow."""
    from verifiers.errors import ConfigError
    from verifiers.rules import DEFAULT_RULES, TV_RULES

    named_rules = {"tinyzero": DEFAULT_RULES, "tv": TV_RULES}.get(args.rules or "")
    if args.num_tasks is not None and args.num_tasks < 1:
        raise ConfigError(f"-n must be >= 1, got {args.num_tasks}")
    if args.tasks:
        if generator_kwargs(args):
            raise ConfigError(
                "--tasks reads tasks from a file; drop the generator flags "
                "(--preset, --min-numbers, --rate, ...)"
            )
        tasks = _read_task_file(args)
        return tasks, {"tasks_file": str(args.tasks)}, named_rules or DEFAULT_RULES
    from countdown_env import generate

    config = generator_config(args)
    tasks = generate(args.num_tasks or 200, seed=args.seed, config=config)
    source = {"generator": config.to_dict(), "seed": args.seed, "preset": args.preset}
    return tasks, source, named_rules or config.rules


def _check_solvable(tasks: list[Any], rules: Any) -> dict[str, int]:
    """Count file tasks without a solution (those of up to four numbers), warning when any.

    1,000 tasks of 4 numbers take about 0.1 s when all have a solution and 1.4 s when 95% have
    none (2-core VM); generated tasks are solvable by construction and are not checked.
    """
    from countdown_env import solve_tree

    checked = [task for task in tasks if len(task.nums) <= _CHECKED_NUMBERS]
    unsolvable = sum(solve_tree(task.nums, task.target, rules=rules) is None for task in checked)
    if unsolvable:
        skipped = len(tasks) - len(checked)
        unchecked = (
            ""
            if not skipped
            else (
                f"; {skipped} {'task' if skipped == 1 else 'tasks'} of more than "
                f"{_CHECKED_NUMBERS} numbers {'was' if skipped == 1 else 'were'} not checked"
            )
        )
        _note(
            f"{unsolvable} of {len(tasks)} tasks have no solution under these rules; their "
            f"answers cannot be correct{unchecked}",
            kind="warning",
        )
    return {"unsolvable_tasks": unsolvable, "solvability_checked": len(checked)}


def _load_policy(args: argparse.Namespace, rules: Any) -> Any:
    """The policy, with a deleted default model told as a one-line note."""
    if args.policy.strip().lower() == "openai":
        from agents.policies._openai import policy_from_args

        return policy_from_args(args)
    import warnings

    from agents.policies._cache import DefaultModelMissingWarning, missing_default_model
    from agents.policies._models import load_policy

    if args.policy.strip().lower() == "default":
        gone = missing_default_model()
        if gone is not None:
            _note(
                f"the registered default model {gone} is gone; using the untrained embedded model"
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultModelMissingWarning)
        return load_policy(args.policy, device=args.device, rules=rules)


def _token_budget(args: argparse.Namespace, policy: Any, template: Any) -> int:
    """``--max-new-tokens`` (or the template's default), at most the model's context."""
    from agents.evaluation._harness import default_max_new_tokens

    budget = (
        args.max_new_tokens if args.max_new_tokens is not None else default_max_new_tokens(template)
    )
    context = getattr(policy, "context_length", None)
    if context is not None and budget > context:
        asked = (
            f"--max-new-tokens {budget}"
            if args.max_new_tokens is not None
            else f"the default --max-new-tokens of {budget} for template {template.name}"
        )
        _note(
            f"{asked} is more than the context of {policy.name} ({context} positions, prompt "
            f"included); generating only what fits"
        )
        budget = context
    return budget


def run(args: argparse.Namespace) -> int:
    """Evaluate (or compare) and return the exit code."""
    from agents.evaluation._reports import format_comparison, format_summary
    from agents.policies._devices import prefer_passive_wait

    prefer_passive_wait()  # before torch loads: idle OpenMP threads sleep instead of spinning

    _check_options(args)
    if args.compare:
        print(format_comparison(args.compare[0], args.compare[1], only_changed=args.changed_only))
        return 0

    from agents.evaluation._harness import evaluate, resolve_template, write_report
    from agents.policies._base import SamplingConfig
    from agents.policies._models import NAMED_POLICIES, resolve_model_spec

    # A typo fails now, before tasks are made or a hub call.
    resolve_model_spec(args.policy, names=(*NAMED_POLICIES, "openai"))
    if args.output_dir is not None:
        _check_output_dir(args)
    _check_device(args)
    tasks, source, rules = _load_tasks(args)
    from agents.evaluation._reports import task_set_id

    metadata: dict[str, Any] = {
        "task_source": source,
        "policy_spec": args.policy,
        "task_set": task_set_id(tasks),
    }
    if args.tasks:
        metadata.update(_check_solvable(tasks, rules))
    policy = _load_policy(args, rules)
    template = resolve_template(
        args.template or getattr(policy, "default_template", None) or "tinyzero"
    )
    temperature = (
        args.temperature if args.temperature is not None else (1.0 if args.samples > 1 else 0.0)
    )
    sampling = SamplingConfig(
        temperature=temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        max_new_tokens=_token_budget(args, policy, template),
        num_samples=args.samples,
        seed=args.seed,
    )
    extra: dict[str, Any] = {}
    if args.aha_phrases is not None:
        extra["aha_phrases"] = [p.strip() for p in args.aha_phrases.split(",") if p.strip()]
    import warnings

    from agents.policies._models import ContextCapWarning
    from agents.policies._openai import OpenAIPolicy

    batch_size, progress = args.batch_size, not args.quiet
    served = isinstance(policy, OpenAIPolicy)
    if served:  # one batch keeps every request slot busy; the policy shows its own bar
        batch_size, progress = len(tasks), False
    with warnings.catch_warnings():  # the note above already said it
        warnings.simplefilter("ignore", ContextCapWarning)
        report = evaluate(
            policy,
            tasks,
            template=template,
            sampling=sampling,
            k=args.k,
            batch_size=batch_size,
            progress=progress,
            rules=rules,
            metadata=metadata,
            **extra,
        )
    if served:
        report.metadata["usage"] = dict(policy.usage)
    if args.output_dir is not None:
        from countdown_env.errors import OutputExistsError

        try:
            paths = write_report(
                report, args.output_dir, plots=not args.no_plots, overwrite=args.force
            )
        except OutputExistsError as err:  # a report appeared while this one was evaluated
            raise OutputExistsError(
                f"{args.output_dir} now holds a report; pass --force to replace it"
            ) from err
    if not args.quiet:
        print(format_summary(report))
        if args.output_dir is not None:
            print(f"wrote {paths['report']}, {paths['samples']} and {len(paths['plots'])} plots")
    return 0
