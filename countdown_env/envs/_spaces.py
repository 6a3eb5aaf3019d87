"""The environments' text spaces: the observation space, the action and observation charsets.

Why the observation space refuses shared memory, and what an action may contain, is told in
:mod:`countdown_env.envs.base`.
"""

from __future__ import annotations

import string
from typing import Any

from gymnasium import spaces
from gymnasium.vector.utils import create_shared_memory

from verifiers import UNICODE_SPACES
from verifiers.errors import ConfigError

__all__ = [
    "ACTION_CHARSET",
    "DEFAULT_MAX_ACTION_LENGTH",
    "DEFAULT_MAX_OBSERVATION_LENGTH",
    "OBSERVATION_CHARSET",
    "ObservationText",
    "sanitize",
]


class ObservationText(spaces.Text):
    """The environments' observation space: a :class:`gymnasium.spaces.Text` that refuses
    Gymnasium's shared memory, whose ``Text`` observations are read once and never again
    (Gymnasium#1164): an async vector env would return the empty buffer silently."""


@create_shared_memory.register(ObservationText)
def _no_shared_memory(space: ObservationText, n: int = 1, ctx: Any = None) -> Any:
    raise ConfigError(
        "Countdown environments cannot use shared memory: Gymnasium reads Text observations "
        "from it only once (Gymnasium#1164). Pass vector_kwargs={'shared_memory': False} to "
        "gymnasium.make_vec(..., vectorization_mode='async'), or shared_memory=False to "
        "AsyncVectorEnv"
    )


def _printable(first: int, last: int) -> str:
    return "".join(c for c in map(chr, range(first, last + 1)) if c.isprintable())


OBSERVATION_CHARSET: str = "".join(sorted(set(string.printable) - set("\x0b\x0c")))
"""Printable ASCII plus space, tab, newline and carriage return."""

ACTION_CHARSET: str = (
    OBSERVATION_CHARSET
    + UNICODE_SPACES  # no-break, thin, zero-width...: the checker reads them as spaces
    + _printable(0x00A1, 0x00FF)  # Latin-1: × ÷ · ² ³ ½ ...
    + _printable(0x0391, 0x03C9)  # Greek
    + _printable(0x2010, 0x205E)  # dashes, quotes, ellipsis, primes
    + _printable(0x2070, 0x209C)  # superscripts and subscripts
    + _printable(0x2190, 0x21FF)  # arrows
    + _printable(0x2200, 0x22FF)  # mathematical operators, including − (U+2212)
)
"""Characters an action may contain (see the module docstring)."""

DEFAULT_MAX_ACTION_LENGTH = 8192
DEFAULT_MAX_OBSERVATION_LENGTH = 4096


def sanitize(text: str, charset: frozenset[str], limit: int) -> str:
    """``text`` with characters outside ``charset`` shown as ``?``, cut to ``limit`` characters.

    >>> sanitize("3 × 4 is 12", frozenset("0123456789 is"), 8)
    '3 ? 4...'
    """
    if len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    if charset.issuperset(text):
        return text
    return "".join(c if c in charset else "?" for c in text)
