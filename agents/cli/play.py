"""``countdown play``: play the step-by-step game (``CountdownSteps-v0``) in the terminal.

Each move combines two numbers, like ``25 * 4``. Type ``hint`` for a move from the exact solver,
``undo`` to take back a move, ``quit`` to give up (a solution is shown), ``help`` for this list.
End of input (Ctrl-D, a closed or empty stdin) ends the game quietly with exit code 0.

The game is drawn by the generator (``--seed``, ``--preset`` and the generator flags; default
the TV game) or given with ``--nums`` and ``--target``; the two ways do not mix, except for the
rule flags ``--operators`` and ``--at-most-once``. A given game must be solvable and not already
won. ``--help`` shows the TV game's values as the defaults; a ``--max-target`` below the
preset's smallest target (100 for the TV game) without ``--min-target`` lowers the smallest
target to 1, with a note.

A line is played only when it reads as a move (``25 * 4``, ``25 × 4 = 100``, also inside
``<answer>...</answer>``; any Unicode decimal digits); it is passed on, and echoed, in ASCII
(``10 ÷ 3`` is shown as ``10 / 3``). A line that does not read as a move never uses a move.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_arguments", "run"]

_RULE_FIELDS = ("operators", "exact_use", "integer_intermediates")
"""Generator fields that set the game's rules, so they also apply to a game given with --nums."""

_HELP = (
    "Moves: two numbers and an operator, like '25 * 4' (+ - * /; results must be positive "
    "whole numbers).\nCommands: hint, undo, quit, help. Every move counts toward the limit, "
    "a move taken back with undo too."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``countdown play``."""
    from agents.cli.generate import add_generator_arguments, non_negative

    parser.add_argument(
        "--seed",
        type=non_negative,
        help="seed of the task (default: a random one; not with --nums)",
    )
    parser.add_argument("--nums", type=int, nargs="+", help="play these numbers (with --target)")
    parser.add_argument("-t", "--target", type=int, help="play this target (with --nums)")
    parser.add_argument("--max-steps", type=int, default=12, help="moves allowed (default 12)")
    from countdown_env import GeneratorConfig

    add_generator_arguments(
        parser,
        defaults=GeneratorConfig.from_kwargs(**_GAME_DEFAULTS),
        defaults_label="the TV game",
        preset_help="start from a named configuration (default tv: the TV game; flags below "
        "override it)",
    )


_GAME_DEFAULTS: dict[str, Any] = {"preset": "tv", "integer_intermediates": True}
"""The game ``countdown play`` draws when no flag says otherwise: the TV game; ``--help`` shows
its values as the defaults, not those of ``countdown generate``."""


def _read(prompt: str) -> str | None:
    """One line from stdin, or ``None`` at end of input (or when there is no stdin at all)."""
    print(prompt, end="", flush=True)
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    line = stream.readline()
    return line.rstrip("\n") if line else None


def _new_game(args: argparse.Namespace) -> tuple[Any, dict[str, Any] | None]:
    """The env the flags describe, and the reset options of a ``--nums``/``--target`` game
    (``None`` for a generated one); refuses flags that would be ignored."""
    from agents.cli.generate import flag_name, generator_config, generator_kwargs
    from countdown_env.envs.steps import CountdownStepsEnv
    from verifiers.errors import ConfigError

    if (args.nums is None) != (args.target is None):
        raise ConfigError("--nums and --target go together")
    if args.max_steps < 1:
        raise ConfigError(f"--max-steps must be >= 1, got {args.max_steps}")
    if args.nums is not None:
        ignored = (["--seed"] if args.seed is not None else []) + [
            flag_name(field) for field in generator_kwargs(args) if field not in _RULE_FIELDS
        ]
        if ignored:
            raise ConfigError(
                f"--nums and --target give the game, so {', '.join(ignored)} would be ignored; "
                f"drop {'it' if len(ignored) == 1 else 'them'}, or drop --nums and --target"
            )
    config = generator_config(args, **_GAME_DEFAULTS, **_lowered_min_target(args))
    env = CountdownStepsEnv(max_steps=args.max_steps, config=config)
    options = None
    if args.nums is not None:
        _check_given_game(args.nums, args.target, env.rules)
        options = {"nums": args.nums, "target": args.target}
    return env, options


def run(args: argparse.Namespace) -> int:
    """The interactive loop; returns 0 however the game ends."""
    import secrets

    from countdown_env import solve

    env, options = _new_game(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    observation, info = env.reset(seed=seed, options=options)
    print(f"Countdown{'' if options else f' (seed {seed})'}. {_HELP}\n")
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
        move = _canonical_move(line)
        if move is None:
            # A typo is not a move: the env would spend one of the game's steps on it.
            print(f"Not a move: {line.strip()[:40]!r}; no move was used. {_HELP}")
            continue
        observation, _, terminated, truncated, info = env.step(move)
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


def _canonical_move(line: str) -> str | None:
    """The move a line reads as, written in ASCII (``"10 ÷ 3"`` -> ``"10 / 3"``), or ``None``.

    What the env would read: the line, or the last ``<answer>`` block in it. Digits of any
    script count (``int`` reads them); the env's action space is narrower, so passing the line
    as typed would spend a move on a refusal, and its echo would show ``?`` for ``÷``.
    """
    from countdown_env.envs.steps import parse_move
    from verifiers.extract import extract_answer

    text = line.strip()
    if "<answer>" in text:
        text = extract_answer(text) or ""
    parsed = parse_move(text)
    if parsed is None:
        return None
    a, op, b, claimed = parsed
    return f"{a} {op} {b}" + ("" if claimed is None else f" = {claimed}")


def _lowered_min_target(args: argparse.Namespace) -> dict[str, int]:
    """``{"min_target": 1}`` when ``--max-target`` is below the preset's smallest target and
    ``--min-target`` was not given (the user asked for small targets; the preset's floor was
    never shown to them), with a note; else ``{}``."""
    from countdown_env import GeneratorConfig

    cap = vars(args).get("max_target")
    if cap is None or args.min_target is not None:
        return {}
    floor = GeneratorConfig.from_kwargs(preset=args.preset or _GAME_DEFAULTS["preset"]).min_target
    if cap >= floor:
        return {}
    print(
        f"countdown play: note: --max-target {cap} is below the {args.preset or 'TV'} "
        f"game's smallest target {floor}; targets from 1 to {cap}",
        file=sys.stderr,
    )
    return {"min_target": 1}


def _check_given_game(nums: list[int], target: int, rules) -> None:
    """Refuse a ``--nums``/``--target`` game that is already won or cannot be won."""
    from countdown_env import Task, solve
    from verifiers.errors import ConfigError

    Task(nums, target)  # a TaskError names a bad number first
    if (not rules.exact_use and target in nums) or list(nums) == [target]:
        raise ConfigError(
            f"the target {target} is already among --nums: there is nothing to play; "
            "pick another --target"
        )
    if solve(nums, target, rules=rules) is None:
        use = "at most once" if not rules.exact_use else "exactly once"
        raise ConfigError(
            f"{target} cannot be reached from {' '.join(map(str, nums))} in this game (moves "
            f"{' '.join(rules.operators)} with whole positive results, each number used {use}); "
            "pick another --target"
        )
