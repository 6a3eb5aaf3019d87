"""Doctest collection (``--doctest-modules``) of modules that need an optional package.

A module whose whole job is to plug into an optional package imports it at the top; where that
package is not installed the module is left out of collection instead of failing it:
``countdown_env/integrations/reasoning_gym.py`` (reasoning-gym, Python 3.11+) and
``countdown_env/openenv/`` (openenv-core, the ``serve`` extra).
"""

from __future__ import annotations

import importlib.util
import sys

collect_ignore: list[str] = []
if sys.version_info < (3, 11) or importlib.util.find_spec("reasoning_gym") is None:
    collect_ignore.append("countdown_env/integrations/reasoning_gym.py")

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("openenv") is None:
    collect_ignore_glob.append("countdown_env/openenv/*")
