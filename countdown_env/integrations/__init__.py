"""Countdown tasks for other task libraries, one module per library, each imported by name.

* :mod:`countdown_env.integrations.reasoning_gym`: our generator as a reasoning-gym dataset
  (``pip install reasoning-gym``, Python 3.11 or newer), scored by our exact verifier.

Importing this package loads nothing more than :mod:`countdown_env` itself.
"""

from __future__ import annotations

__all__: list[str] = []
