"""The Gymnasium environments: ``Countdown-v0``, ``CountdownMultiTurn-v0``, ``CountdownSteps-v0``.

Each module holds one environment; :mod:`countdown_env` registers the ids with string entry
points when it is imported.
"""

from __future__ import annotations

from countdown_env.envs.base import ACTION_CHARSET, OBSERVATION_CHARSET, CountdownBaseEnv
from countdown_env.envs.multi_turn import CountdownMultiTurnEnv
from countdown_env.envs.single import CountdownEnv
from countdown_env.envs.steps import CountdownStepsEnv

__all__ = [
    "ACTION_CHARSET",
    "OBSERVATION_CHARSET",
    "CountdownBaseEnv",
    "CountdownEnv",
    "CountdownMultiTurnEnv",
    "CountdownStepsEnv",
]
