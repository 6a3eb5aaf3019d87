"""``environment_factory`` for TRL's ``GRPOTrainer``: a picklable factory of
:class:`~agents.training.CountdownToolEnv` with fixed settings.

The environments one factory makes share one count of task-less resets, which is how an
environment that draws its own tasks gives every member of a GRPO group the same task (see
:class:`~agents.training.CountdownToolEnv`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, cast

from agents.training._tool_config import ToolEnvConfig
from agents.training._tool_env import CountdownToolEnv
from agents.training._tool_tasks import ResetCount
from verifiers import ConfigError, Rules

__all__ = ["CountdownToolEnvFactory", "make_environment_factory"]


class CountdownToolEnvFactory:
    """A picklable zero-argument callable making :class:`CountdownToolEnv` with fixed settings.

    Pass it as ``environment_factory``; build it with :func:`make_environment_factory`. The
    environments it makes share one count of task-less resets (see :class:`CountdownToolEnv`);
    a pickled copy carries the count as it was and counts on its own from there.
    """

    def __init__(self, config: ToolEnvConfig) -> None:
        if not isinstance(config, ToolEnvConfig):
            raise ConfigError(f"config must be a ToolEnvConfig, got {type(config).__name__}")
        self.config = config
        self._draws = ResetCount()

    def __call__(self) -> CountdownToolEnv:
        env = CountdownToolEnv(self.config)
        env._draws = self._draws
        return env

    def __repr__(self) -> str:
        return f"CountdownToolEnvFactory({self.config!r})"


def make_environment_factory(
    max_attempts: int = 3,
    rules: Rules | Mapping[str, Any] | None = None,
    reward: Callable[..., list] | None = None,
    **options: Any,
) -> CountdownToolEnvFactory:
    """An ``environment_factory`` for ``GRPOTrainer`` with non-default settings.

    Args:
        max_attempts: answers ``check_answer`` checks per rollout (>= 1, default 3).
        rules: game rules, as a :class:`~verifiers.rules.Rules`, a dict of its fields, or
            ``None`` for the defaults.
        reward: optional TRL-style reward applied to each checked expression, in place of the
            default 1.0 correct / 0.0 wrong. It sees the bare expression, so build it with the
            ``"bare"`` extractor and the same rules (``get_correctness_reward("bare")``); the
            episode still ends on the first answer the rules accept.
        **options: other :class:`ToolEnvConfig` fields (``attempt_penalty``,
            ``check_solvable``, ``max_expression_length``, ``instructions``, and for tasks the
            environment draws itself ``task_seed``, ``generator``, ``template``,
            ``num_generations``: see :class:`CountdownToolEnv`).

    Raises:
        ConfigError: a setting is out of range or unknown.

    >>> import pickle
    >>> factory = make_environment_factory(max_attempts=2, rules={"exact_use": False})
    >>> env = pickle.loads(pickle.dumps(factory))()
    >>> _ = env.reset(nums=[25, 4, 3], target=100)
    >>> print(env.check_answer("25 * 4"))
    correct: the expression equals 100. Now give it as your final answer in <answer> </answer> tags.
    """
    known = {f.name for f in fields(ToolEnvConfig)} - {"max_attempts", "rules", "reward"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"unknown option(s) {unknown}; accepted: {sorted(known)}")
    # ToolEnvConfig turns a rules mapping into Rules itself (its field holds the result).
    config = ToolEnvConfig(
        max_attempts=max_attempts, rules=cast("Rules | None", rules), reward=reward, **options
    )
    return CountdownToolEnvFactory(config)
