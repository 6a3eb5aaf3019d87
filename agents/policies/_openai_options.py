"""The ``countdown eval --policy openai`` options: adding, checking, building the policy."""

from __future__ import annotations

import argparse

from agents.policies._openai import OpenAIPolicy
from verifiers.errors import ConfigError

__all__ = ["add_openai_arguments", "check_openai_options", "policy_from_args"]

_OPTION_DESTS = (
    "base_url",
    "model",
    "api_key",
    "concurrency",
    "timeout",
    "max_retries",
    "completions",
)


def add_openai_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--policy openai`` options of ``countdown eval``."""
    group = parser.add_argument_group(
        "OpenAI-compatible server (--policy openai)",
        "429, 5xx, timeouts and dropped connections are retried with backoff; a bad key or an "
        "unreachable server stops at the first request.",
    )
    group.add_argument("--base-url", metavar="URL", help="API root, e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model", metavar="NAME", help="model name the server serves")
    group.add_argument(
        "--api-key",
        metavar="KEY",
        help="API key (default: $OPENAI_API_KEY; none for local servers)",
    )
    group.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests in flight at once (default: %(default)s)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds to wait for one answer (default: %(default)s)",
    )
    group.add_argument(
        "--max-retries",
        type=int,
        default=5,
        metavar="N",
        help="retries of one request (default: %(default)s)",
    )
    group.add_argument(
        "--completions",
        action="store_true",
        help="use /completions with text prompts instead of /chat/completions",
    )


def check_openai_options(args: argparse.Namespace) -> None:
    """Refuse server options without ``--policy openai``, and ``--policy openai`` without them."""
    openai = args.policy.strip().lower() == "openai"
    if openai:
        missing = [
            flag
            for flag, value in (("--base-url", args.base_url), ("--model", args.model))
            if not value
        ]
        if missing:
            raise ConfigError(
                f"--policy openai needs {' and '.join(missing)}, e.g. --base-url "
                "http://127.0.0.1:8000/v1 --model NAME"
            )
        return
    defaults = {"concurrency": 8, "timeout": 120.0, "max_retries": 5, "completions": False}
    given = [
        f"--{dest.replace('_', '-')}"
        for dest in _OPTION_DESTS
        if getattr(args, dest, None) not in (None, defaults.get(dest))
    ]
    if given:
        raise ConfigError(f"{', '.join(given)} only apply with --policy openai")


def policy_from_args(args: argparse.Namespace) -> OpenAIPolicy:
    """The policy ``countdown eval --policy openai`` describes."""
    return OpenAIPolicy(
        args.base_url,
        args.model,
        api_key=args.api_key,
        api="completions" if args.completions else "chat",
        concurrency=args.concurrency,
        timeout=args.timeout,
        max_retries=args.max_retries,
        progress=not args.quiet,
    )
