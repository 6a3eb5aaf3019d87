"""Countdown as an OpenEnv environment server (``pip install 'countdown-rl[serve]'``).

The server (``countdown serve``, or :func:`create_countdown_app` under any ASGI server) gives
each client session its own episode of ``Countdown-v0``, ``CountdownMultiTurn-v0`` or
``CountdownSteps-v0``; the client is an OpenEnv ``EnvClient``::

    from countdown_env.openenv import CountdownAction, CountdownEnvClient

    with CountdownEnvClient(base_url="http://127.0.0.1:8000") as env:
        result = env.reset(seed=0)
        print(result.observation.prompt, result.observation.nums, result.observation.target)
        result = env.step(CountdownAction(text="<answer>25+3*7</answer>"))
        print(result.reward, result.done, result.observation.status)

Importing this package needs openenv-core; without it the import fails with a
:class:`~verifiers.errors.DependencyError` that gives the ``pip install`` that fixes it.
"""

from __future__ import annotations

try:
    import openenv.core  # noqa: F401 - fail here, with the fix, rather than deep inside
except ImportError as _err:
    from verifiers.errors import DependencyError

    raise DependencyError(
        "the Countdown OpenEnv server and client need openenv-core: "
        "pip install 'countdown-rl[serve]'"
    ) from _err

from countdown_env.openenv._client import CountdownEnvClient
from countdown_env.openenv._models import CountdownAction, CountdownObservation, CountdownState
from countdown_env.openenv._server import ENV_IDS, CountdownEnvironment, create_countdown_app

__all__ = [
    "ENV_IDS",
    "CountdownAction",
    "CountdownEnvClient",
    "CountdownEnvironment",
    "CountdownObservation",
    "CountdownState",
    "create_countdown_app",
]
