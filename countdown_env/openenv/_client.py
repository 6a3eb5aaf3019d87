"""The client side: an OpenEnv ``EnvClient`` for the Countdown server."""

from __future__ import annotations

from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from countdown_env.openenv._models import CountdownAction, CountdownObservation, CountdownState

__all__ = ["CountdownEnvClient"]


class CountdownEnvClient(EnvClient[CountdownAction, CountdownObservation, CountdownState]):
    """A session with a ``countdown serve`` server (one WebSocket, one episode at a time).

    ``reset(seed=...)`` or ``reset(nums=[...], target=...)`` starts an episode and
    ``step(CountdownAction(text=...))`` plays; each returns a ``StepResult`` whose
    ``observation`` is a :class:`CountdownObservation` and whose ``reward`` and ``done`` are
    the in-process environment's. ``state()`` gives the session's :class:`CountdownState`. An
    error on the server (a bad reset argument, a step after the episode ended) is raised here as
    openenv's ``RuntimeError("Server error: ...")``; the session stays open.

    Args:
        base_url: the server's URL, e.g. ``"http://127.0.0.1:8000"`` (``ws://`` works too).
        connect_timeout_s: seconds to wait for the WebSocket to open (default 10).
        message_timeout_s: seconds to wait for each answer (default 60).

    Example (with ``countdown serve --port 8000`` running)::

        with CountdownEnvClient(base_url="http://127.0.0.1:8000") as env:
            result = env.reset(nums=[3, 7, 25], target=46)
            result = env.step(CountdownAction(text="<answer>25+3*7</answer>"))
            result.reward, result.done, result.observation.status  # 1.0, True, 'correct'
    """

    def _step_payload(self, action: CountdownAction) -> dict[str, Any]:
        return action.model_dump(exclude={"metadata"})

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[CountdownObservation]:
        fields = dict(payload.get("observation", {}))
        reward = payload.get("reward")
        done = bool(payload.get("done", False))
        observation = CountdownObservation(**fields, reward=reward, done=done)
        return StepResult(observation=observation, reward=reward, done=done)

    def _parse_state(self, payload: dict[str, Any]) -> CountdownState:
        return CountdownState(**payload)
