"""Named starting points for a generator configuration, and the television game's cards.

:data:`PRESETS` are the bases :meth:`~countdown_env._config.GeneratorConfig.from_kwargs`
accepts as ``preset=``; :data:`TV_LARGE` and :data:`TV_SMALL` are the cards of ``draw="tv"``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PRESETS", "TV_LARGE", "TV_SMALL"]

TV_LARGE = (25, 50, 75, 100)
"""The television game's large numbers; the small ones are 1-10, two cards of each."""
TV_SMALL = tuple(v for v in range(1, 11) for _ in range(2))
"""The small cards: 1-10, two of each."""

PRESETS: dict[str, dict[str, Any]] = {
    "tinyzero": {},
    "tv": {
        "min_numbers": 6,
        "max_numbers": 6,
        "draw": "tv",
        "min_target": 100,
        "max_target": 999,
        "target_from": "range",
        "exact_use": False,
        "integer_intermediates": True,
    },
    "two-numbers": {
        "min_numbers": 2,
        "max_numbers": 2,
        "min_value": 1,
        "max_value": 50,
        "max_target": None,
    },
    "three-small": {
        "min_numbers": 3,
        "max_numbers": 3,
        "min_value": 1,
        "max_value": 10,
        "max_target": None,
    },
}
"""Named starting points for :meth:`GeneratorConfig.from_kwargs` (``preset="tv"``): ``tinyzero``
(the defaults: 3-4 numbers from 1-100, targets 1-100, like ``Countdown-Tasks-3to4``), ``tv`` (the
television game: 6 cards, targets 100-999, at-most-once use, positive integer intermediates),
``two-numbers`` (2 numbers from 1-50) and ``three-small`` (3 numbers from 1-10), both with any
positive target, for tiny models."""
