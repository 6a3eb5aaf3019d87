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
template is the one ``countdown train`` recorded in the model, else ``compact`` for the embedded
tiny model, ``chat`` for a model whose tokenizer has a chat template, ``tinyzero`` otherwise (and
for ``solver``/``random``). ``--max-new-tokens``
above the model's context is lowered to the context, with a note. An output directory that
already holds a report is replaced only with ``--force`` (its old plots are removed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agents.cli._eval_checks import (
    check_device,
    check_options,
    check_output_dir,
    check_solvable,
    note,
)
from agents.cli._eval_options import add_option_groups
from agents.cli.generate import generator_config, generator_kwargs

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``countdown eval`` options (argparse only; nothing heavy is imported)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    add_option_groups(parser)


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


def _load_policy(args: argparse.Namespace, rules: Any) -> Any:
    """The policy, with a deleted default model told as a one-line note."""
    if args.policy.strip().lower() == "openai":
        from agents.policies._openai_options import policy_from_args

        return policy_from_args(args)
    import warnings

    from agents.policies._cache import DefaultModelMissingWarning, missing_default_model
    from agents.policies._models import load_policy

    if args.policy.strip().lower() == "default":
        gone = missing_default_model()
        if gone is not None:
            note(f"the registered default model {gone} is gone; using the untrained embedded model")
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
        note(
            f"{asked} is more than the context of {policy.name} ({context} positions, prompt "
            f"included); generating only what fits"
        )
        budget = context
    return budget


def _sampling(args: argparse.Namespace, policy: Any, template: Any) -> Any:
    """The :class:`~agents.policies.SamplingConfig` the flags describe (greedy unless
    ``--samples`` or ``--temperature`` say otherwise)."""
    from agents.policies._base import SamplingConfig

    temperature = (
        args.temperature if args.temperature is not None else (1.0 if args.samples > 1 else 0.0)
    )
    return SamplingConfig(
        temperature=temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        max_new_tokens=_token_budget(args, policy, template),
        num_samples=args.samples,
        seed=args.seed,
    )


def _evaluate(
    args: argparse.Namespace,
    policy: Any,
    tasks: list[Any],
    *,
    template: Any,
    rules: Any,
    metadata: dict[str, Any],
) -> Any:
    """Run the harness; a served policy gets one batch and its token usage in the metadata."""
    import warnings

    from agents.evaluation._harness import evaluate
    from agents.policies._openai import OpenAIPolicy
    from agents.policies._transformers import ContextCapWarning

    sampling = _sampling(args, policy, template)
    extra: dict[str, Any] = {}
    if args.aha_phrases is not None:
        extra["aha_phrases"] = [p.strip() for p in args.aha_phrases.split(",") if p.strip()]
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
    return report


def _write_output(args: argparse.Namespace, report: Any) -> dict[str, Any]:
    """Write the report into ``--output-dir``; the paths written."""
    from agents.evaluation._harness import write_report
    from countdown_env.errors import OutputExistsError

    try:
        return write_report(report, args.output_dir, plots=not args.no_plots, overwrite=args.force)
    except OutputExistsError as err:  # a report appeared while this one was evaluated
        raise OutputExistsError(
            f"{args.output_dir} now holds a report; pass --force to replace it"
        ) from err


def run(args: argparse.Namespace) -> int:
    """Evaluate (or compare) and return the exit code."""
    from agents.evaluation._comparison import format_comparison
    from agents.evaluation._reports import format_summary
    from agents.policies._devices import prefer_passive_wait

    prefer_passive_wait()  # before torch loads: idle OpenMP threads sleep instead of spinning

    check_options(args)
    if args.compare:
        print(format_comparison(args.compare[0], args.compare[1], only_changed=args.changed_only))
        return 0

    from agents.evaluation._comparison import task_set_id
    from agents.evaluation._harness import resolve_template
    from agents.policies._model_spec import NAMED_POLICIES, resolve_model_spec

    # A typo fails now, before tasks are made or a hub call.
    resolve_model_spec(args.policy, names=(*NAMED_POLICIES, "openai"))
    if args.output_dir is not None:
        check_output_dir(args)
    check_device(args)
    tasks, source, rules = _load_tasks(args)
    metadata: dict[str, Any] = {
        "task_source": source,
        "policy_spec": args.policy,
        "task_set": task_set_id(tasks),
    }
    if args.tasks:
        metadata.update(check_solvable(tasks, rules))
    policy = _load_policy(args, rules)
    template = resolve_template(
        args.template or getattr(policy, "default_template", None) or "tinyzero"
    )
    report = _evaluate(args, policy, tasks, template=template, rules=rules, metadata=metadata)
    if args.output_dir is not None:
        paths = _write_output(args, report)
    if not args.quiet:
        print(format_summary(report))
        if args.output_dir is not None:
            print(f"wrote {paths['report']}, {paths['samples']} and {len(paths['plots'])} plots")
    return 0
