"""``uvicorn countdown_env.openenv.app:app``: the server as an importable ASGI app.

What OpenEnv's ``openenv.yaml`` and the Dockerfile point at. The environment comes from
``$COUNTDOWN_ENV`` (default ``Countdown-v0``), the prompt template from ``$COUNTDOWN_TEMPLATE``
(when set; ``CountdownSteps-v0`` takes none) and the session limit from
``$COUNTDOWN_MAX_SESSIONS`` (default 64); ``countdown serve`` gives every other option as flags.
"""

from __future__ import annotations

import os

from countdown_env.openenv._server import create_countdown_app

__all__ = ["app"]

_template = os.environ.get("COUNTDOWN_TEMPLATE")
app = create_countdown_app(
    os.environ.get("COUNTDOWN_ENV", "Countdown-v0"),
    max_sessions=int(os.environ.get("COUNTDOWN_MAX_SESSIONS", "64")),
    **({"template": _template} if _template else {}),
)
