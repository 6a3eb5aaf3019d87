"""``Countdown-v0``: one prompt, one completion, one verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import gymnasium as gym

from countdown_env._task import Task
from countdown_env.envs.base import CountdownBaseEnv
from verifiers import Status, Verdict, Verifier

__all__ = ["CountdownEnv", "tinyzero_score"]

_FORMAT_SCORE = 0.1


def tinyzero_score(verdict: Verdict) -> float:
    """TinyZero's score from a verdict: 1.0 correct, 0.0 no answer found, 0.1 otherwise.

    The same numbers :func:`verifiers.rewards.tinyzero_reward` gives, without checking twice.

    >>> from fractions import Fraction
    >>> tinyzero_score(Verdict(False, Status.WRONG_VALUE, Fraction(5), "2+3", "5 is not 6"))
    0.1
    """
    if verdict.correct:
        return 1.0
    return 0.0 if verdict.status is Status.NO_ANSWER else _FORMAT_SCORE


class CountdownEnv(CountdownBaseEnv):
    """The single-turn Countdown game for language models.

    ## Description
    The agent sees a prompt asking for an equation that reaches ``target`` from ``nums`` (each
    number used exactly once by default) and answers with one completion, which is verified
    exactly and safely (no ``eval``). This is the TinyZero / GRPO setting.

    ## Action Space
    ``Text(max_action_length, min_length=0, charset=ACTION_CHARSET)``: the completion text. With
    an ``answer_tag`` template (``tinyzero``, ``chat``) the answer is the last
    ``<answer>...</answer>`` block; with a ``bare`` template (``compact``) the whole completion is
    the expression. A non-``str`` action raises ``InvalidActionError``; a longer string or one
    with characters outside the charset is refused (status ``too_long`` / ``forbidden``, reward
    ``refused_reward``, default 0.0).

    ## Observation Space
    ``Text(max_observation_length)`` over printable ASCII and the template's characters. After
    ``reset``: the prompt (for chat templates, the user message's text). After ``step``: a
    one-line result such as ``"correct: the expression equals 46"``.

    ## Starting State
    A task drawn in ``reset`` with ``self.np_random`` from the generator or from ``tasks``, or the
    one given in ``options`` (``{"task": ...}``, ``{"nums": [...], "target": ...}``,
    ``{"task_index": i}``). Same seed, same task.

    ## Rewards
    ``reward_fn`` if given: any TRL-style reward ``fn(completions, nums=, target=, prompts=)``
    (all of :mod:`verifiers.rewards` work); a ``None`` score counts as 0.0. Default: TinyZero's
    scores computed from the verdict: 1.0 correct, 0.1 an answer was found but is not correct,
    0.0 no answer (equal to ``verifiers.rewards.get_tinyzero_reward(extractor=..., rules=...)``
    for every completion inside the action space). A completion with a character outside
    ``action_charset`` (Chinese thinking, emoji, control characters) is refused with
    ``refused_reward`` before it is checked, where the reward function alone would score its
    answer: widen ``action_charset`` for models that think in other scripts.

    ## Episode End
    Always terminated after one step (``terminated=True``, ``truncated=False``); stepping again
    before ``reset`` raises ``gymnasium.error.ResetNeeded``.

    ## Information
    ``reset``: ``nums``, ``target``, ``task_id``, ``prompt`` (string or chat messages),
    ``answer_format``, ``solution`` (the task's reference expression or ``None``). ``step``:
    ``nums``, ``target``, ``task_id``, ``correct`` (bool), ``status`` (a
    :class:`~verifiers._verdict.Status` value), ``value`` (exact value as text, e.g. ``"7/2"``),
    ``expression``, ``reason`` (one sentence) and ``refused`` (bool).

    ## Arguments
    - ``tasks``: list or dataset of tasks to draw from (else the generator is used).
    - ``config`` / generator fields (``min_numbers=2``, ``preset="tv"``, ...): the generator.
    - ``rules``: a :class:`~verifiers.rules.Rules`; default from the generator fields
      (``exact_use``, ``operators``, ``integer_intermediates``) or ``DEFAULT_RULES``.
    - ``template``: ``"tinyzero"`` (default), ``"chat"``, ``"compact"`` or a registered name.
    - ``reward_fn``, ``verifier`` (anything ``(completion, nums, target) -> Verdict``; default
      ``CountdownVerifier(rules, extractor=...)``).
    - ``render_mode``: ``"ansi"`` or ``"human"``; ``max_action_length`` (8192),
      ``max_observation_length`` (4096), ``action_charset``, ``refused_reward`` (0.0),
      ``check_solvable`` (True).

    ## Registered Configurations
    ``gymnasium.make("Countdown-v0")``: 3-4 numbers from 1-100, targets 1-100, TinyZero's
    template and rules. Variants are keyword arguments, e.g.
    ``gymnasium.make("Countdown-v0", preset="tv")`` or ``template="compact", min_numbers=2``.

    Vector environments: see :mod:`countdown_env.envs.base` (async needs
    ``vector_kwargs={"shared_memory": False}``).

    ## Version History
    - v0: initial version.

    >>> import gymnasium as gym, countdown_env
    >>> env = gym.make("Countdown-v0", template="compact")
    >>> obs, info = env.reset(seed=0, options={"nums": [3, 7, 25], "target": 46})
    >>> obs
    '3 7 25>46:'
    >>> env.step("25+3*7")[1:3]
    (1.0, True)
    """

    def __init__(
        self,
        *,
        reward_fn: Callable[..., Sequence[float | None]] | None = None,
        verifier: Verifier | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._set_scoring(reward_fn, verifier)

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        observation = self._start_episode(seed, options)
        task = cast(Task, self.task)  # _start_episode has just set it
        self._last_render = observation
        if self.render_mode == "human":
            self.render()
        info = self._task_info(task)
        info["prompt"] = self.template.wrap(observation)
        info["answer_format"] = self.template.answer_format
        info["solution"] = task.solution
        return observation, info

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self._done or self.task is None:
            raise gym.error.ResetNeeded("the episode is over; call reset() before step()")
        task = self.task
        verdict, reward, refused = self._judge(action, task, tinyzero_score)
        self._done = True
        observation = self._sanitize(f"{verdict.status.value}: {verdict.reason}")
        self._last_render = f"{self._last_render}\n{observation}"
        info = self._task_info(task)
        info.update(self._verdict_info(verdict))
        info["refused"] = refused
        if self.render_mode == "human":
            self.render()
        return observation, reward, True, False, info
