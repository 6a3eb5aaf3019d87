"""The server side: a Countdown Gymnasium env behind openenv-core's ``Environment`` interface.

openenv-core gives every WebSocket session (one :class:`~countdown_env.openenv.CountdownEnvClient`)
its own :class:`CountdownEnvironment`, built by the factory :func:`create_countdown_app` passes
it, so concurrent sessions never share an episode. The plain HTTP ``POST /reset`` and
``POST /step`` routes are openenv's stateless ones (a fresh environment per request); episodes
are played over the WebSocket session.
"""

from __future__ import annotations

import functools
import numbers
import uuid
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import EnvironmentMetadata

from countdown_env.openenv._models import CountdownAction, CountdownObservation, CountdownState
from verifiers.errors import ConfigError

__all__ = ["ENV_IDS", "CountdownEnvironment", "create_countdown_app"]

ENV_IDS: tuple[str, ...] = ("Countdown-v0", "CountdownMultiTurn-v0", "CountdownSteps-v0")
"""The Gymnasium ids the server can serve."""

_RESET_KEYS = ("nums", "target", "task", "task_index")
_VERDICT_KEYS = ("correct", "status", "value", "expression", "reason", "refused")


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready Python (numpy scalars and tuples become ints and lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


class CountdownEnvironment(Environment[CountdownAction, CountdownObservation, CountdownState]):
    """One session's Countdown environment (any of :data:`ENV_IDS`), made with ``gymnasium.make``.

    ``reset(seed=..., nums=..., target=...)`` starts an episode: a seeded draw from the task
    source, or the given task (``task_index`` picks one of ``tasks``). ``step(action)`` plays
    the action's text. Rewards, termination and ``info`` are the Gymnasium environment's own.

    Args:
        env_id: a Gymnasium id from :data:`ENV_IDS`.
        **env_kwargs: the environment's keyword arguments (``template``, generator fields such as
            ``min_numbers``, ``tasks``, ``max_attempts``, ...).
    """

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, env_id: str = "Countdown-v0", **env_kwargs: Any) -> None:
        super().__init__()
        if env_id not in ENV_IDS:
            raise ConfigError(f"env_id must be one of {list(ENV_IDS)}, got {env_id!r}")
        import countdown_env  # noqa: F401 - registers the ids

        self.env_id = env_id
        self._env = gym.make(env_id, disable_env_checker=True, **env_kwargs)
        self._state = CountdownState(env_id=env_id)
        self._prompt: Any = ""

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        **task: Any,
    ) -> CountdownObservation:
        """Start an episode; ``task`` may give ``nums`` and ``target`` (or ``task_index``)."""
        unknown = sorted(set(task) - set(_RESET_KEYS))
        if unknown:
            raise ConfigError(
                f"unknown reset argument(s) {unknown}; accepted: seed, episode_id, options, "
                f"{', '.join(_RESET_KEYS)}"
            )
        if options is not None and not isinstance(options, Mapping):
            raise ConfigError(f"options must be a dict or None, got {type(options).__name__}")
        given = {**(options or {}), **task}
        text, info = self._env.reset(seed=seed, options=given or None)
        self._prompt = _plain(info.get("prompt", text))
        self._state = CountdownState(
            episode_id=episode_id or str(uuid.uuid4()),
            step_count=0,
            env_id=self.env_id,
            nums=_plain(info["nums"]),
            target=int(info["target"]),
            done=False,
        )
        return self._observation(text, info, reward=None, terminated=False, truncated=False)

    def step(
        self, action: CountdownAction, timeout_s: float | None = None, **kwargs: Any
    ) -> CountdownObservation:
        """Play ``action.text``; a refused action is scored as the Gymnasium env scores it."""
        if self._state.done:
            raise gym.error.ResetNeeded("the episode is over or never started; reset first")
        text, reward, terminated, truncated, info = self._env.step(action.text)
        self._state.step_count += 1
        self._state.done = bool(terminated or truncated)
        return self._observation(text, info, float(reward), bool(terminated), bool(truncated))

    @property
    def state(self) -> CountdownState:
        """The session's state (episode id, steps taken, the task)."""
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        """Name and description shown at ``GET /metadata``."""
        doc = (type(self._env.unwrapped).__doc__ or "").strip().splitlines()
        return EnvironmentMetadata(
            name=self.env_id,
            description=doc[0] if doc else self.env_id,
            version="0",
            documentation_url="https://github.com/countdown-rl/countdown-rl",
        )

    def close(self) -> None:
        """Release the Gymnasium environment."""
        self._env.close()

    def _observation(
        self,
        text: str,
        info: Mapping[str, Any],
        reward: float | None,
        terminated: bool,
        truncated: bool,
    ) -> CountdownObservation:
        plain = _plain(info)
        verdict = {key: plain[key] for key in _VERDICT_KEYS if key in plain}
        if reward is None:  # after reset: the task only (Steps-v0 reports a game status)
            verdict = {}
        return CountdownObservation(
            text=text,
            prompt=self._prompt,
            nums=plain["nums"],
            target=plain["target"],
            task_id=plain.get("task_id"),
            terminated=terminated,
            truncated=truncated,
            done=terminated or truncated,
            reward=reward,
            info=plain,
            **verdict,
        )


def create_countdown_app(
    env_id: str = "Countdown-v0", *, max_sessions: int = 64, **env_kwargs: Any
) -> Any:
    """A FastAPI app serving ``env_id`` with openenv-core (``/ws``, ``/reset``, ``/step``,
    ``/state``, ``/health``, ``/schema``, ``/metadata``).

    The environment is built once here, so a bad ``env_kwargs`` fails now with its
    :class:`~verifiers.errors.ConfigError` rather than in the first session.

    Args:
        env_id: a Gymnasium id from :data:`ENV_IDS` (default ``Countdown-v0``).
        max_sessions: most WebSocket sessions open at once; one more is refused with
            openenv's ``CAPACITY_REACHED`` error.
        **env_kwargs: the environment's keyword arguments.
    """
    if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
        raise ConfigError(f"max_sessions must be an integer >= 1, got {max_sessions!r}")
    CountdownEnvironment(env_id, **env_kwargs).close()
    factory = functools.partial(CountdownEnvironment, env_id, **env_kwargs)
    return create_app(
        factory,
        CountdownAction,
        CountdownObservation,
        env_name=env_id,
        max_concurrent_envs=max_sessions,
    )
