"""``CountdownSteps-v0``: the TV-game way, one operation on two numbers per step."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, cast

import gymnasium as gym
from gymnasium import spaces

from countdown_env._solver import first_move
from countdown_env._stepwise import pair_results
from countdown_env._task import Task
from countdown_env.envs._scoring import finite
from countdown_env.envs.base import CountdownBaseEnv
from countdown_env.errors import TaskError, shown
from verifiers import normalise
from verifiers.arithmetic import combine
from verifiers.errors import ConfigError
from verifiers.extract import extract_answer
from verifiers.rules import TV_RULES

__all__ = ["CountdownStepsEnv", "parse_move"]

_MOVE = re.compile(r"\s*(\d{1,18})\s*([-+*/])\s*(\d{1,18})\s*(?:=\s*(\d{1,40})\s*)?")
_HEADLINE_LIMIT = 320
"""Longest first line of an observation (the note on the last move), so that a task's
observations have a bound known at ``reset``."""
_INTRO = (
    "Combine two of the numbers with one operation per move, like '25 * 4'; the result replaces "
    "them. Reach the target."
)


def parse_move(text: str) -> tuple[int, str, int, int | None] | None:
    """Read ``"a op b"`` (optionally ``"= result"``); ``None`` when it is not a move.

    The operators are spelled as the verifier reads them (:data:`verifiers._tokens.GLYPHS`):
    ``×``, ``·``, ``⋅``, ``\\times`` and ``\\cdot`` for ``*``, ``÷`` and ``\\div`` for ``/``, ``−``
    for ``-``; a letter ``x`` is no operator.

    >>> parse_move(" 25 × 4 = 100")
    (25, '*', 4, 100)
    >>> parse_move("25 x 4") is None, parse_move("25 ** 4") is None
    (True, True)
    """
    found = _MOVE.fullmatch(normalise(text))
    if found is None:
        return None
    a, op, b, claimed = found.groups()
    return int(a), op, int(b), None if claimed is None else int(claimed)


class CountdownStepsEnv(CountdownBaseEnv):
    """The step-by-step Countdown game (as on television, and as in TextArena).

    ## Description
    The board holds the task's numbers. Each action is one operation on two numbers still on the
    board, such as ``25 * 4``; both are replaced by the result. Results must be positive integers
    (exact division only), because the board holds whole numbers. With at-most-once use
    (default) the game is won as soon as the target appears; with exact use, when the last number
    left is the target.

    ## Action Space
    ``Text(max_action_length, min_length=0, charset=ACTION_CHARSET)``: a move ``"a op b"``,
    optionally ``"a op b = result"`` (the claimed result must be right), optionally inside an
    ``<answer>...</answer>`` block (the last one counts). The operators are spelled as the
    verifier reads them: ``×``/``·``/``⋅``/``\\times``/``\\cdot``, ``÷``/``\\div`` and ``−`` are
    accepted, a letter ``x`` is not. A non-``str`` action raises ``InvalidActionError``; such a
    call is not counted as a step.

    ## Observation Space
    ``Text(max_observation_length)`` of printable ASCII: a line about the last move (or the
    rules at the start; at most 320 characters), then ``Target: T``, ``Numbers: ...`` and
    ``Moves left: k``. The numbers line never grows during a game, so ``reset`` refuses
    (``TaskError``) a task whose observations could outgrow ``max_observation_length``, and
    ``step`` never raises for it.

    ## Starting State
    A task drawn in ``reset`` (default: the TV game, 6 cards, targets 100-999), from ``tasks``,
    or from ``options``. Generated tasks are solvable with moves under the env's rules.

    ## Rewards
    1.0 for the move that wins. 0.0 for any other legal move. ``-invalid_move_penalty`` (default
    0.1) for an invalid move (unreadable, a number not on the board, a disallowed operator, a
    non-positive or fractional result, a wrong claimed result, an over-long action or a
    character outside the charset); the board is unchanged and the reason is in ``info``. With
    ``closeness_reward=True``, an episode that ends without a win adds
    ``max(0, 1 - |best - target| / closeness_scale)`` on its last step, where ``best`` is the
    board number that came closest to the target during the episode (TextArena's formula with
    ``closeness_scale=1000``).

    ## Episode End
    Terminated when the target is reached (won), or when no legal move is left (lost: one number
    left that is not the target, or no operator applies). Truncated after ``max_steps`` actions
    (valid or not) without an end. Stepping after the end raises ``gymnasium.error.ResetNeeded``.

    ## Information
    ``reset`` and ``step``: ``nums`` (the task's numbers), ``target``, ``task_id``, ``board``
    (numbers left), ``status`` (``playing``, ``won``, ``lost``, ``truncated``), ``steps``,
    ``history`` (moves so far, like ``"25 * 4 = 100"``). ``step`` also: ``correct`` (the target
    was reached), ``valid_move`` (bool), ``move`` (the move as played, or ``None``) and
    ``reason`` (one sentence).

    ## Arguments
    - ``tasks``, ``config`` / generator fields, ``rules`` as for ``Countdown-v0``; default
      generator: the ``tv`` preset; default rules with ``tasks``: ``TV_RULES``. The rules must have
      ``integer_intermediates=True`` (it is forced on for generated tasks).
    - ``max_steps`` (12), ``invalid_move_penalty`` (0.1), ``closeness_reward`` (False),
      ``closeness_scale`` (1000.0), ``render_mode``, ``max_action_length``,
      ``max_observation_length``, ``action_charset``, ``check_solvable``.

    Helpers for people playing (``countdown play``): :meth:`hint` asks the exact solver for a
    move that keeps the game winnable; :meth:`undo` takes back the last legal move (the step it
    used still counts).

    ## Registered Configurations
    ``gymnasium.make("CountdownSteps-v0")``: the TV game (6 cards from 25/50/75/100 and two of
    each 1-10, targets 100-999, at-most-once use), 12 steps.

    Vector environments: see :mod:`countdown_env.envs.base` (async needs
    ``vector_kwargs={"shared_memory": False}``).

    ## Version History
    - v0: initial version.

    >>> import gymnasium as gym, countdown_env
    >>> env = gym.make("CountdownSteps-v0")
    >>> obs, info = env.reset(seed=1, options={"nums": [25, 4, 3, 7], "target": 107})
    >>> env.step("25 * 4")[1:3], env.step("100 + 7")[1:3]
    ((0.0, False), (1.0, True))
    """

    def __init__(
        self,
        *,
        max_steps: int = 12,
        invalid_move_penalty: float = 0.1,
        closeness_reward: bool = False,
        closeness_scale: float = 1000.0,
        **kwargs: Any,
    ) -> None:
        for name in ("template", "refused_reward", "reward_fn", "verifier"):
            if name in kwargs:
                raise ConfigError(
                    f"CountdownSteps-v0 takes no {name}; see invalid_move_penalty and "
                    "closeness_reward"
                )
        rules = kwargs.get("rules")
        if rules is not None and not getattr(rules, "integer_intermediates", False):
            raise ConfigError(
                "CountdownSteps-v0 needs rules with integer_intermediates=True (the board "
                "holds whole numbers)"
            )
        if kwargs.get("tasks") is None:
            if kwargs.get("integer_intermediates") is False:
                raise ConfigError("CountdownSteps-v0 always uses integer_intermediates=True")
            if kwargs.get("config") is None:
                kwargs.setdefault("preset", "tv")
            kwargs["integer_intermediates"] = True
        elif rules is None:
            kwargs["rules"] = TV_RULES
        super().__init__(template="compact", **kwargs)
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ConfigError(f"max_steps must be an integer >= 1, got {shown(max_steps)}")
        self.max_steps = max_steps
        self.invalid_move_penalty = finite("invalid_move_penalty", invalid_move_penalty)
        if not isinstance(closeness_reward, bool):
            raise ConfigError(
                f"closeness_reward must be True or False, got {shown(closeness_reward)}"
            )
        self.closeness_reward = closeness_reward
        self.closeness_scale = finite("closeness_scale", closeness_scale)
        if self.closeness_scale <= 0:
            raise ConfigError(f"closeness_scale must be > 0, got {shown(closeness_scale)}")
        self.board: list[int] = []
        self.history: list[str] = []
        self._boards: list[list[int]] = []
        self._steps = 0
        self._best = 0
        self._status = "over"

    # ----- episode ------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        task = self._draw_task(options)
        self._check_board_fits(task)
        self.task = task
        self.board = list(task.nums)
        self.history, self._boards = [], []
        self._steps = 0
        self._best = min(self.board, key=lambda v: abs(v - task.target))
        self._status = "playing"
        observation = self._observe(_INTRO)
        if self.render_mode == "human":
            self.render()
        return observation, self._info()

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self._status != "playing" or self.task is None:
            raise gym.error.ResetNeeded("the episode is over; call reset() before step()")
        target = self.task.target
        move, reason = self._play(action)  # raises only for a non-str action: not a step
        self._steps += 1
        reward = 0.0 if move else -self.invalid_move_penalty
        terminated = truncated = False
        if move and (
            # At-most-once use: won once the target is on the board (even a given number).
            (not self.rules.exact_use and target in self.board)
            or (len(self.board) == 1 and self.board[0] == target)
        ):
            self._status, reward, terminated = "won", 1.0, True
            reason = f"{move}: the target {target} is reached."
        elif move and not self._has_move():
            self._status, terminated = "lost", True
            reason = f"{move}: no legal move is left and the target was not reached."
        elif self._steps >= self.max_steps:
            self._status, truncated = "truncated", True
            reason = f"{reason} The step limit ({self.max_steps}) is reached."
        if (terminated or truncated) and self._status != "won" and self.closeness_reward:
            reward += max(0.0, 1.0 - abs(self._best - target) / self.closeness_scale)
        observation = self._observe(reason)
        if self.render_mode == "human":
            self.render()
        info = self._info()
        info.update(
            correct=self._status == "won", valid_move=move is not None, move=move, reason=reason
        )
        return observation, reward, terminated, truncated, info

    def _play(self, action: str) -> tuple[str | None, str]:
        """Apply the move if legal: ``(move text, reason)``; ``(None, reason)`` when invalid."""
        refused = self._refusal(action)
        if refused is not None:
            return None, f"Invalid move: {refused.reason}."
        text = action
        if "<answer>" in action:
            text = extract_answer(action) or ""
        parsed = parse_move(text)
        echo = self._sanitize(normalise(text.strip()), 40)
        if parsed is None:
            return (
                None,
                f"Invalid move '{echo}': write two numbers and an operator, like '25 * 4'.",
            )
        a, op, b, claimed = parsed
        if op not in self.rules.operators:
            return None, f"Invalid move '{echo}': the operator {op} is not allowed here."
        missing = Counter([a, b]) - Counter(self.board)
        if missing:
            # The board is on the observation's Numbers line; repeating it here would double
            # the observation of a large board.
            return (
                None,
                f"Invalid move '{echo}': {min(missing)} is not among the numbers left.",
            )
        # The env's rules have integer_intermediates: a value is a positive int, or None.
        value = combine(op, a, b, self.rules)
        if type(value) is not int:
            why = "not a whole number" if op == "/" else "not a positive number"
            return None, f"Invalid move '{echo}': {a} {op} {b} is {why}."
        if claimed is not None and claimed != value:
            return None, f"Invalid move '{echo}': {a} {op} {b} is {value}, not {claimed}."
        self._boards.append(list(self.board))
        self.board.remove(a)
        self.board.remove(b)
        self.board.append(value)
        move = f"{a} {op} {b} = {value}"
        self.history.append(move)
        target = cast(Task, self.task).target
        if abs(value - target) < abs(self._best - target):
            self._best = value
        return move, f"You played {move}."

    def _has_move(self) -> bool:
        board = self.board
        return any(
            pair_results(board[i], board[j], self.rules)
            for i in range(len(board))
            for j in range(i + 1, len(board))
        )

    def _observe(self, headline: str) -> str:
        task = cast(Task, self.task)
        text = (
            f"{self._sanitize(headline, _HEADLINE_LIMIT)}\nTarget: {task.target}\n"
            f"Numbers: {' '.join(map(str, self.board))}\n"
            f"Moves left: {self.max_steps - self._steps}"
        )
        # Within the bound reset checked (the board's text never grows); cut as a last resort
        # so that step never raises.
        limit = cast(spaces.Text, self.observation_space).max_length
        self._last_render = self._sanitize(text, limit)
        return self._last_render

    def _check_board_fits(self, task: Task) -> None:
        """Refuse at reset a task whose observations could outgrow ``max_observation_length``.

        Combining ``a`` and ``b`` gives at most ``len(str(a)) + len(str(b))`` digits and drops a
        separator, so the numbers line is longest at the start.
        """
        longest = (
            _HEADLINE_LIMIT
            + len(f"\nTarget: {task.target}\nNumbers: \nMoves left: {self.max_steps}")
            + len(" ".join(map(str, task.nums)))
        )
        limit = cast(spaces.Text, self.observation_space).max_length
        if longest > limit:
            raise TaskError(
                f"the task's observations can reach {longest} characters ({len(task.nums)} "
                f"numbers), more than max_observation_length={limit}; pass "
                f"max_observation_length={longest} or more"
            )

    def _info(self) -> dict[str, Any]:
        info = self._task_info(cast(Task, self.task))
        info.update(
            board=list(self.board),
            status=self._status,
            steps=self._steps,
            history=list(self.history),
        )
        return info

    # ----- helpers for people -------------------------------------------------------------------
    def hint(self) -> str | None:
        """A move that keeps the game winnable (from the exact solver), or ``None`` if none."""
        if self.task is None or self._status != "playing":
            return None
        return first_move(self.board, self.task.target, rules=self.rules)

    def undo(self) -> str | None:
        """Take back the last legal move and return the new observation text.

        ``None`` when there is no move to take back or the game is over. The step the move used
        still counts toward ``max_steps``.
        """
        if not self._boards or self._status != "playing":
            return None
        self.board = self._boards.pop()
        move = self.history.pop()
        return self._observe(f"Took back {move}.")
