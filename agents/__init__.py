"""The learner wing of countdown-rl: policies, models, evaluation, GRPO training and the CLI.

Importing ``agents`` is cheap: torch, transformers and trl load only inside the functions and
subcommands that need them, and a missing ``train`` extra fails with the ``pip install`` line
that fixes it.
"""

__all__: list[str] = []
