"""Drop-in pieces for other training stacks and environments, each in its own module.

* :mod:`verifiers.integrations.verl`: ``compute_score`` for verl's (and TinyZero's)
  ``custom_reward_function``.
* :mod:`verifiers.integrations.conflicts`: the check that no other installed distribution also
  provides the import names ``verifiers`` or ``agents``.

Importing this package loads nothing: each module is imported by name, and none of them needs
the stack it plugs into.

>>> from verifiers.integrations.verl import compute_score
>>> compute_score("countdown", "<answer>3*4</answer>", {"target": 12, "numbers": [3, 4]})["score"]
1.0
"""

from __future__ import annotations

__all__: list[str] = []
