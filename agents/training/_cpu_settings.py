"""CPU settings a training run chooses for its model: activation checkpointing by size."""

from __future__ import annotations

import sys
from typing import Any

from agents.training._distributed import is_main_process

__all__ = ["checkpointing_for_cpu"]


def checkpointing_for_cpu(
    model: Any, training_args: Any, machine: dict[str, Any]
) -> dict[str, Any]:
    """Turn activation checkpointing off for a small model on CPU unless the user chose it.

    Checkpointing saves memory by running every forward pass twice; a CPU machine has the
    memory for models below
    :data:`agents.policies._devices.GRADIENT_CHECKPOINTING_MIN_PARAMS` and only
    pays the time. Says the choice on stderr; returns it for config.json.
    """
    from agents.policies._devices import GRADIENT_CHECKPOINTING_MIN_PARAMS

    params = sum(p.numel() for p in model.parameters())
    chosen: dict[str, Any] = {
        "model_parameters": params,
        "model_dtype": str(next(model.parameters()).dtype).removeprefix("torch."),
    }
    if not machine.get("cpu_run") or machine.get("checkpointing_chosen"):
        chosen["gradient_checkpointing"] = bool(training_args.gradient_checkpointing)
        return chosen
    on = params >= GRADIENT_CHECKPOINTING_MIN_PARAMS
    training_args.gradient_checkpointing = on
    if hasattr(training_args, "activation_checkpointing"):
        training_args.activation_checkpointing = on
    chosen["gradient_checkpointing"] = on
    if is_main_process():
        print(
            f"countdown train: gradient checkpointing {'on' if on else 'off'} ({params:,} "
            f"parameters on CPU; --gradient_checkpointing true/false overrides)",
            file=sys.stderr,
        )
    return chosen
