"""Collection rules for the doctests pytest gathers from the packages themselves."""

from __future__ import annotations

import importlib.util

# countdown_env.openenv needs the optional openenv-core (the `serve` extra); without it its
# modules cannot even be imported, so their doctests are not collected.
collect_ignore_glob = [] if importlib.util.find_spec("openenv") else ["countdown_env/openenv/*"]
