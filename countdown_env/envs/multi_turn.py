"""``CountdownMultiTurn-v0``: several attempts, with feedback after each wrong one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import gymnasium as gym

from countdown_env._task import Task
from countdown_env.envs._scoring import finite
from countdown_env.envs.base import CountdownBaseEnv
from countdown_env.errors import shown
from verifiers import Status, Verdict, Verifier
from verifiers.errors import ConfigError

__all__ = ["CountdownMultiTurnEnv", "feedback_text"]


def feedback_text(verdict: Verdict, target: int, attempt: int, max_attempts: int) -> str:
    """The text shown after a wrong answer: what it evaluated to, or why it was refused.

    >>> from fractions import Fraction
    >>> v = Verdict(False, Status.WRONG_VALUE, Fraction(44), "25+19", "the expression equals 44")
    >>> print(feedback_text(v, 46, 1, 3))  # doctest: +NORMALIZE_WHITESPACE
    Attempt 1 of 3 is not correct: your answer 25+19 evaluates to 44, not 46.
    You have 2 attempts left.
    """
    left = max_attempts - attempt
    head = f"Attempt {attempt} of {max_attempts} is not correct: "
    if verdict.status is Status.WRONG_VALUE and verdict.value is not None:
        body = f"your answer {verdict.expression} evaluates to {verdict.value}, not {target}. "
    else:
        reason = verdict.reason.rstrip(".")
        body = f"your answer was refused ({verdict.status.value}): {reason}. "
    tail = (
        f"You have {left} attempt{'s' if left != 1 else ''} left." if left else "No attempts left."
    )
    return head + body + tail


class CountdownMultiTurnEnv(CountdownBaseEnv):
    """Countdown with retries: a wrong answer earns feedback and another try.

    ## Description
    Like ``Countdown-v0``, but the agent has up to ``max_attempts`` answers. After a wrong one the
    next observation says what the answer evaluated to (``your answer 25+19 evaluates to 44``) or
    why it was refused (wrong numbers, forbidden operator, no answer block, ...). A correct answer
    ends the episode.

    ## Action Space
    As ``Countdown-v0``: ``Text(max_action_length, min_length=0, charset=ACTION_CHARSET)``, one
    completion per step; non-``str`` raises ``InvalidActionError``; over-long strings or
    characters outside the charset are refused (they use up an attempt; reward
    ``refused_reward - attempt_penalty``).

    ## Observation Space
    ``Text(max_observation_length)``. After ``reset``: the prompt. After a wrong answer: the
    feedback text only (keep the conversation on the agent's side). After the last step: a
    one-line result.

    ## Starting State
    As ``Countdown-v0``: a task drawn in ``reset`` (generator, ``tasks`` or ``options``).

    ## Rewards
    Per step. ``reward_fn`` if given (TRL signature; scores every attempt). Default: 1.0 for a
    correct answer, 0.0 for a wrong one, minus ``attempt_penalty`` (default 0.0) for each wrong
    attempt, so the default return is 1.0 when solved within ``max_attempts`` and 0.0 otherwise.

    ## Episode End
    Terminated when an answer is correct. Truncated when ``max_attempts`` answers were all wrong.
    Stepping after the end raises ``gymnasium.error.ResetNeeded``.

    ## Information
    ``reset``: ``nums``, ``target``, ``task_id``, ``prompt``, ``answer_format``, ``solution``,
    ``max_attempts``. ``step``: ``nums``, ``target``, ``task_id``, ``correct``, ``status``,
    ``value``, ``expression``, ``reason``, ``refused``, ``attempt`` (1-based),
    ``attempts_left``.

    ## Arguments
    As ``Countdown-v0`` plus ``max_attempts`` (default 3, >= 1) and ``attempt_penalty``
    (default 0.0).

    ## Registered Configurations
    ``gymnasium.make("CountdownMultiTurn-v0")``: 3 attempts on the default generator
    (3-4 numbers from 1-100, targets 1-100) with TinyZero's template.

    Vector environments: see :mod:`countdown_env.envs.base` (async needs
    ``vector_kwargs={"shared_memory": False}``).

    ## Version History
    - v0: initial version.

    >>> import gymnasium as gym, countdown_env
    >>> env = gym.make("CountdownMultiTurn-v0", template="compact", max_attempts=2)
    >>> _ = env.reset(seed=0, options={"nums": [3, 7, 25], "target": 46})
    >>> obs, reward, terminated, truncated, info = env.step("25+19")
    >>> reward, terminated, truncated, info["status"]
    (0.0, False, False, 'wrong_numbers')
    >>> env.step("25+3*7")[1:4]
    (1.0, True, False)
    """

    def __init__(
        self,
        *,
        max_attempts: int = 3,
        attempt_penalty: float = 0.0,
        reward_fn: Callable[..., Sequence[float | None]] | None = None,
        verifier: Verifier | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ConfigError(f"max_attempts must be an integer >= 1, got {shown(max_attempts)}")
        self.max_attempts = max_attempts
        self.attempt_penalty = finite("attempt_penalty", attempt_penalty)
        self._set_scoring(reward_fn, verifier)
        self._attempt = 0

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        observation = self._start_episode(seed, options)
        task = cast(Task, self.task)  # _start_episode has just set it
        self._attempt = 0
        self._last_render = observation
        if self.render_mode == "human":
            self.render()
        info = self._task_info(task)
        info.update(
            prompt=self.template.wrap(observation),
            answer_format=self.template.answer_format,
            solution=task.solution,
            max_attempts=self.max_attempts,
        )
        return observation, info

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self._done or self.task is None:
            raise gym.error.ResetNeeded("the episode is over; call reset() before step()")
        task = self.task
        verdict, reward, refused = self._judge(action, task, _exact_hit)
        self._attempt += 1
        terminated = verdict.correct
        truncated = not terminated and self._attempt >= self.max_attempts
        if not verdict.correct:
            reward -= self.attempt_penalty
        self._done = terminated or truncated
        if terminated:
            observation = self._sanitize(f"correct: {verdict.reason}")
        else:
            text = feedback_text(verdict, task.target, self._attempt, self.max_attempts)
            observation = self._sanitize(text, limit=400)
        self._last_render = f"{self._last_render}\n> attempt {self._attempt}\n{observation}"
        if self.render_mode == "human":
            self.render()
        info = self._task_info(task)
        info.update(self._verdict_info(verdict))
        info.update(
            refused=refused,
            attempt=self._attempt,
            attempts_left=self.max_attempts - self._attempt,
        )
        return observation, reward, terminated, truncated, info


def _exact_hit(verdict: Verdict) -> float:
    return 1.0 if verdict.correct else 0.0
