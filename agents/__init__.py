"""The learner wing of countdown-rl: policies, evaluation, GRPO training and the CLI.

Four subpackages, each with its public names in its ``__init__``:

- :mod:`agents.policies`: the :class:`~agents.policies.Policy` protocol, the solver, random,
  Hugging Face and OpenAI-server policies, and the models behind them (embedded, GGUF).
- :mod:`agents.evaluation`: the evaluation harness, its metrics, reports and plots.
- :mod:`agents.training`: GRPO with TRL, recipes, the warm start, the tool environment.
- :mod:`agents.cli`: the ``countdown`` command, one module per subcommand.

The most used names are also here. Importing ``agents`` is cheap: torch, transformers and trl
load only with the names and subcommands that need them, and a missing ``train`` extra fails
with the ``pip install`` line that fixes it.

>>> import agents
>>> agents.SamplingConfig().temperature
0.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents._lazy import lazy_face

_PUBLIC = {
    "Policy": ".policies",
    "Request": ".policies",
    "SamplingConfig": ".policies",
    "SolverPolicy": ".policies",
    "RandomPolicy": ".policies",
    "TransformersPolicy": ".policies",
    "OpenAIPolicy": ".policies",
    "load_policy": ".policies",
    "EvalReport": ".evaluation",
    "evaluate": ".evaluation",
    "write_report": ".evaluation",
    "run_training": ".training",
    "CountdownTrainArguments": ".training",
    "CountdownToolEnv": ".training",
}

__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = lazy_face(__name__, _PUBLIC)

if TYPE_CHECKING:
    from agents.evaluation import EvalReport, evaluate, write_report
    from agents.policies import (
        OpenAIPolicy,
        Policy,
        RandomPolicy,
        Request,
        SamplingConfig,
        SolverPolicy,
        TransformersPolicy,
        load_policy,
    )
    from agents.training import CountdownToolEnv, CountdownTrainArguments, run_training
