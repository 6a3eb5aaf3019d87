"""HTTP failures of :class:`~agents.policies.OpenAIPolicy`: which are retried, and how long to wait.

A :class:`Retry` is a failure worth another try (429, 5xx, a timeout, a dropped connection);
:func:`retry_after` reads the wait a server asks for; :func:`server_message` pulls the reason out
of an OpenAI error body; :class:`PolicyServerError` is the failure that stops the run.
"""

from __future__ import annotations

import email.utils
import json
import time

from verifiers.errors import CountdownError

__all__ = [
    "MAX_RETRY_AFTER",
    "RETRIED_STATUS",
    "PolicyServerError",
    "Retry",
    "retry_after",
    "server_message",
]

RETRIED_STATUS = frozenset({408, 409, 425, 429}) | frozenset(range(500, 600))
"""HTTP statuses worth another try."""
MAX_RETRY_AFTER = 300.0
"""The longest ``Retry-After`` wait obeyed, in seconds."""


class PolicyServerError(CountdownError):
    """The model server refused the requests or could not be reached; the message says why."""


class Retry(Exception):
    """A failure worth another try, after ``delay`` seconds when the server named one."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), else ``None``."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def server_message(body: bytes) -> str:
    """The ``error.message`` of an OpenAI error body, or the body's first characters."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:200]
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or error)[:200]
    return str(error)[:200]
