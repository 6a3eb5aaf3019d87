"""``countdown eval``: run a policy on tasks and write a report with plots.

Examples::

    countdown eval --policy solver -n 200 --seed 7 --output-dir runs/eval-solver
    countdown eval --policy default --preset two-numbers -n 500 --output-dir runs/eval-tiny
    countdown eval --policy smollm2 --template chat -n 50 --max-new-tokens 256 --output-dir out
    countdown eval --policy runs/train/final --tasks heldout.jsonl --samples 8 --temperature 1
    countdown eval --compare runs/before/report.json runs/after/report.json

Tasks come from the default generator (``-n`` tasks with ``--seed`` and the difficulty flags)
or from ``--tasks FILE`` (JSONL or parquet with ``nums`` and ``target``). The default template is
``compact`` for the embedded tiny model, ``chat`` for a model whose tokenizer has a chat
template, ``tinyzero`` otherwise (and for ``solver``/``random``).
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_arguments", "run"]

_GENERATOR_FLAGS = ("min_numbers", "max_numbers", "min_value", "max_value", "min_target",
                    "max_target")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``countdown eval`` options (argparse only; nothing heavy is imported)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.add_argument("--policy", default="default", metavar="SPEC",
                        help="solver, random, default (the embedded model; untrained it scores "
                             "~0), tiny, smollm2, a model directory, a .gguf file or a hub id "
                             "(default: %(default)s)")
    source = parser.add_argument_group("tasks")
    source.add_argument("-n", "--num-tasks", type=int, default=None, metavar="N",
                        help="tasks to generate (default: 200), or with --tasks the first N")
    source.add_argument("--seed", type=int, default=0,
                        help="seed of the task generator and of sampling (default: %(default)s)")
    source.add_argument("--tasks", metavar="FILE",
                        help="read tasks from a JSONL or parquet file instead of generating")
    source.add_argument("--preset", help="generator preset (tinyzero, tv, two-numbers, "
                                         "three-small)")
    for flag in _GENERATOR_FLAGS:
        source.add_argument(f"--{flag.replace('_', '-')}", type=int, dest=flag,
                            help=f"generator {flag.replace('_', ' ')}")
    source.add_argument("--rules", choices=("tinyzero", "tv"), default=None,
                        help="rules answers are checked under: tinyzero (each number exactly "
                             "once) or tv (at most once, positive integer steps); default: "
                             "the generator preset's, tinyzero for --tasks")
    source.add_argument("--rate", action="store_true",
                        help="rate generated tasks (solution count, search nodes) for the "
                             "difficulty breakdown; slower")
    gen = parser.add_argument_group("generation")
    gen.add_argument("--template", choices=("tinyzero", "chat", "compact"),
                     help="prompt template (default: chosen from the policy)")
    gen.add_argument("--temperature", type=float, default=None,
                     help="sampling temperature; 0 is greedy (default: 0, or 1 with --samples)")
    gen.add_argument("--top-p", type=float, default=1.0, help="nucleus mass (default: 1)")
    gen.add_argument("--top-k", type=int, default=0, help="top-k filter, 0 off (default: 0)")
    gen.add_argument("--max-new-tokens", type=int, default=None,
                     help="tokens per completion (default: 24 for compact, 512 otherwise)")
    gen.add_argument("--samples", type=int, default=1, metavar="K",
                     help="completions per task, for pass@k (default: %(default)s)")
    gen.add_argument("--k", type=int, nargs="+", default=None,
                     help="the k of pass@k (default: powers of two up to --samples)")
    gen.add_argument("--batch-size", type=int, default=32, help="tasks per generate call")
    gen.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (default: "
                                                        "a GPU when there is one)")
    gen.add_argument("--aha-phrases", metavar="LIST",
                     help="comma-separated phrases counted as aha moments (default: wait, let me "
                          "check, that's not right, let's try, re-check, ...)")
    out = parser.add_argument_group("output")
    out.add_argument("--output-dir", metavar="DIR",
                     help="write report.json, samples.jsonl and PNG plots here")
    out.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    out.add_argument("--quiet", action="store_true", help="no progress bar, no summary table")
    out.add_argument("--compare", nargs=2, metavar=("A", "B"),
                     help="compare two report.json files (or run directories) and exit")
    out.add_argument("--changed-only", action="store_true",
                     help="with --compare: show only metrics that differ")


def _load_tasks(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any], Any]:
    """Tasks, the metadata describing where they came from, and the rules they follow."""
    from verifiers.errors import ConfigError
    from verifiers.rules import DEFAULT_RULES, TV_RULES

    named_rules = {"tinyzero": DEFAULT_RULES, "tv": TV_RULES}.get(args.rules or "")
    overrides = {f: getattr(args, f) for f in _GENERATOR_FLAGS if getattr(args, f) is not None}
    if args.num_tasks is not None and args.num_tasks < 1:
        raise ConfigError(f"-n must be >= 1, got {args.num_tasks}")
    if args.tasks:
        if overrides or args.preset or args.rate:
            raise ConfigError("--tasks reads tasks from a file; drop the generator flags "
                              "(--preset, --min-numbers, --rate, ...)")
        from countdown_env import read_tasks

        tasks = list(read_tasks(args.tasks))[:args.num_tasks]
        return tasks, {"tasks_file": str(args.tasks)}, named_rules or DEFAULT_RULES
    from countdown_env import GeneratorConfig, generate

    kwargs: dict[str, Any] = dict(overrides)
    if args.preset:
        kwargs["preset"] = args.preset
    if args.rate:
        kwargs["rate"] = True
    config = GeneratorConfig.from_kwargs(**kwargs)
    tasks = generate(args.num_tasks or 200, seed=args.seed, config=config)
    source = {"generator": config.to_dict(), "seed": args.seed}
    return tasks, source, named_rules or config.rules


def run(args: argparse.Namespace) -> int:
    """Evaluate (or compare) and return the exit code."""
    from agents.reports import format_comparison, format_summary

    if args.compare:
        print(format_comparison(args.compare[0], args.compare[1],
                                only_changed=args.changed_only))
        return 0

    from agents.evaluate import default_max_new_tokens, evaluate, resolve_template, write_report
    from agents.models import load_policy
    from agents.policies import SamplingConfig

    tasks, source, rules = _load_tasks(args)
    policy = load_policy(args.policy, device=args.device, rules=rules)
    template = resolve_template(args.template or getattr(policy, "default_template", None)
                                or "tinyzero")
    temperature = args.temperature if args.temperature is not None else (
        1.0 if args.samples > 1 else 0.0)
    sampling = SamplingConfig(
        temperature=temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        max_new_tokens=args.max_new_tokens or default_max_new_tokens(template),
        num_samples=args.samples,
        seed=args.seed,
    )
    extra: dict[str, Any] = {}
    if args.aha_phrases is not None:
        extra["aha_phrases"] = [p.strip() for p in args.aha_phrases.split(",") if p.strip()]
    report = evaluate(policy, tasks, template=template, sampling=sampling, k=args.k,
                      batch_size=args.batch_size, progress=not args.quiet, rules=rules,
                      metadata={"task_source": source, "policy_spec": args.policy}, **extra)
    if args.output_dir:
        paths = write_report(report, args.output_dir, plots=not args.no_plots)
    if not args.quiet:
        print(format_summary(report))
        if args.output_dir:
            print(f"wrote {paths['report']}, {paths['samples']} and {len(paths['plots'])} plots")
    return 0
