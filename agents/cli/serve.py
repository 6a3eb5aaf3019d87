"""``countdown serve``: serve a Countdown environment as an OpenEnv server (openenv-core).

Examples::

    countdown serve --host 127.0.0.1 --port 8000
    countdown serve --env CountdownMultiTurn-v0 --max-attempts 3 --template chat --port 8001
    countdown serve --env CountdownSteps-v0 --preset tv --host 0.0.0.0 --port 8000
    countdown serve --tasks heldout.jsonl --template compact --port 0   # a free port

Each client session (``countdown_env.openenv.CountdownEnvClient``, one WebSocket at ``/ws``)
gets its own environment and episode; ``GET /health`` answers ``{"status": "healthy"}``, and
``GET /schema`` gives the action and observation schemas. Tasks come from the generator (the
flags below, as for ``countdown generate``) or from ``--tasks FILE``; a client may also give
``nums`` and ``target`` in each ``reset``. The line ``countdown serve: ... on URL`` is printed
once the port is bound (``--port 0`` picks a free one). Needs ``pip install
'countdown-rl[serve]'``. Stop with Ctrl-C.
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

__all__ = ["add_arguments", "run"]

_ENV_IDS = ("Countdown-v0", "CountdownMultiTurn-v0", "CountdownSteps-v0")
_ONLY_FOR = {"max_attempts": "CountdownMultiTurn-v0", "max_steps": "CountdownSteps-v0"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown serve`` (argparse only; openenv-core is imported by ``run``)."""
    from agents.cli.generate import add_generator_arguments, non_negative
    from agents.cli.options import add_template_argument

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default: %(default)s; 0.0.0.0 for all)",
    )
    parser.add_argument(
        "--port",
        type=non_negative,
        default=8000,
        help="TCP port (default: %(default)s; 0 picks a free one)",
    )
    parser.add_argument(
        "--env",
        default="Countdown-v0",
        choices=_ENV_IDS,
        help="the environment served (default: %(default)s)",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=64,
        metavar="N",
        help="most client sessions open at once (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default: %(default)s)",
    )
    task = parser.add_argument_group("environment")
    add_template_argument(task, "prompt template (default tinyzero)")
    task.add_argument(
        "--tasks",
        metavar="FILE",
        help="draw tasks from a JSONL or parquet file instead of the generator",
    )
    task.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="CountdownMultiTurn-v0: answers per episode (default 3)",
    )
    task.add_argument(
        "--max-steps", type=int, metavar="N", help="CountdownSteps-v0: moves per episode"
    )
    add_generator_arguments(parser)


def env_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The environment's keyword arguments the flags give (unset flags are left out)."""
    from agents.cli.generate import flag_name, generator_kwargs
    from verifiers.errors import ConfigError

    kwargs: dict[str, Any] = {}
    for field, env_id in _ONLY_FOR.items():
        value = getattr(args, field)
        if value is not None:
            if args.env != env_id:
                raise ConfigError(f"{flag_name(field)} applies to --env {env_id} only")
            kwargs[field] = value
    if args.template is not None:
        kwargs["template"] = args.template
    generator = generator_kwargs(args)
    if args.tasks is not None:
        from countdown_env import read_tasks

        rules = {"operators", "exact_use", "integer_intermediates"}
        dropped = [flag_name(f) for f in generator if f not in rules]
        if dropped:
            raise ConfigError(f"--tasks replaces the generator; drop {', '.join(dropped)}")
        if generator:
            from verifiers.rules import Rules

            kwargs["rules"] = Rules.from_kwargs(**generator)
        kwargs["tasks"] = list(read_tasks(args.tasks))
    else:
        kwargs.update(generator)
    return kwargs


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a busy port is one clear line rather than a uvicorn log."""
    from verifiers.errors import ConfigError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ConfigError(f"--host {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(2048)
    return sock


def run(args: argparse.Namespace) -> int:
    """Build the app, bind the port and serve until interrupted."""
    from agents.cli.generate import flag_name
    from countdown_env.errors import GeneratorOptionError
    from verifiers.errors import ConfigError, DependencyError

    if args.max_sessions < 1:
        raise ConfigError(f"--max-sessions must be >= 1, got {args.max_sessions}")
    try:
        import uvicorn

        from countdown_env.openenv import create_countdown_app
    except ImportError as err:
        raise DependencyError(
            "countdown serve needs openenv-core and uvicorn: pip install 'countdown-rl[serve]'"
        ) from err
    try:
        app = create_countdown_app(args.env, max_sessions=args.max_sessions, **env_kwargs(args))
    except GeneratorOptionError as err:
        raise ConfigError(err.describe(flag_name)) from None
    sock = _bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"countdown serve: {args.env} on http://{shown}:{port} (up to {args.max_sessions} "
        "sessions; Ctrl-C stops)",
        flush=True,
    )
    config = uvicorn.Config(app, log_level=args.log_level, ws_max_size=4 * 1024 * 1024)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    print("countdown serve: stopped", file=sys.stderr)
    return 0
