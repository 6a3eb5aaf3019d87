"""``countdown play``: play the step-by-step game (``CountdownSteps-v0``) in the terminal.

Each move combines two numbers, like ``25 * 4``. Type ``hint`` for a move from the exact solver,
``undo`` to take back a move, ``quit`` to give up (a solution is shown), ``help`` for this list.
End of input (Ctrl-D, a closed or empty stdin) ends the game quietly with exit code 0.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]

_HELP = (
    "Moves: two numbers and an operator, like '25 * 4' (+ - * /; results must be positive "
    "whole numbers).\nCommands: hint, undo, quit, help."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown play``."""
    from agents.commands.generate import add_generator_arguments

    parser.add_argument("--seed", type=int, help="seed of the task (default: a random one)")
    parser.add_argument("--nums", type=int, nargs="+", help="play these numbers (with --target)")
    parser.add_argument("--target", type=int, help="play this target (with --nums)")
    parser.add_argument("--max-steps", type=int, default=12, help="moves allowed (default 12)")
    add_generator_arguments(parser)


def _read(prompt: str) -> str | None:
    """One line from stdin, or ``None`` at end of input (or when there is no stdin at all)."""
    print(prompt, end="", flush=True)
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    line = stream.readline()
    return line.rstrip("\n") if line else None


def run(args: argparse.Namespace) -> int:
    """The interactive loop; returns 0 however the game ends."""
    import secrets

    from agents.commands.generate import generator_kwargs
    from countdown_env.envs.steps import CountdownStepsEnv
    from countdown_env.solver import solve
    from verifiers.errors import ConfigError

    if (args.nums is None) != (args.target is None):
        raise ConfigError("--nums and --target go together")
    kwargs = generator_kwargs(args)
    env = CountdownStepsEnv(max_steps=args.max_steps, **kwargs)
    options = None if args.nums is None else {"nums": args.nums, "target": args.target}
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    observation, info = env.reset(seed=seed, options=options)
    print(f"Countdown (seed {seed}). {_HELP}\n")
    print(observation)
    while True:
        line = _read("move> ")
        if line is None:
            print("\nend of input: game over.")
            return 0
        command = line.strip().lower()
        if not command:
            continue
        if command in ("quit", "q", "exit"):
            solution = solve(info["nums"], info["target"], rules=env.rules)
            print(f"A solution: {solution}" if solution else "This one had no solution.")
            return 0
        if command in ("help", "?"):
            print(_HELP)
            continue
        if command == "hint":
            move = env.hint()
            print(f"Try {move}." if move else "No winning move from here; try 'undo'.")
            continue
        if command == "undo":
            print(env.undo() or "Nothing to undo.")
            continue
        observation, _, terminated, truncated, info = env.step(line)
        print(observation)
        if terminated or truncated:
            print(
                {"won": "You won!", "lost": "No moves left.", "truncated": "Out of moves."}[
                    info["status"]
                ]
            )
            if info["status"] != "won":
                solution = solve(info["nums"], info["target"], rules=env.rules)
                print(f"A solution: {solution}" if solution else "This one had no solution.")
            return 0
