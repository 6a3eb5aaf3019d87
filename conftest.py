"""Doctest collection (``--doctest-modules``) of modules that need an optional package.

``countdown_env/integrations/reasoning_gym.py`` imports reasoning-gym at the top, as its whole
job is to plug into it; where that package is not installed (or Python is older than 3.11)
the module is left out of collection instead of failing it.
"""

from __future__ import annotations

import importlib.util
import sys

collect_ignore: list[str] = []
if sys.version_info < (3, 11) or importlib.util.find_spec("reasoning_gym") is None:
    collect_ignore.append("countdown_env/integrations/reasoning_gym.py")
