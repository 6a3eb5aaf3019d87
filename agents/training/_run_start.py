"""The start of a run: make or read back the tasks, load the model, set up the tool
environment's tokenizer, choose the CPU settings and write config.json. Every check that can
refuse the run happens here, before any training."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

from agents.training._args import CountdownTrainArguments
from agents.training._cpu_settings import checkpointing_for_cpu
from agents.training._data import RunLayout, choose_holdout_fraction, load_or_make_tasks
from agents.training._distributed import barrier, is_main_process
from agents.training._model import load_model_and_tokenizer, prepare_tool_tokenizer
from agents.training._run_folder import write_json
from verifiers.errors import ConfigError

__all__ = ["start_run"]


def start_run(
    layout: RunLayout,
    script: CountdownTrainArguments,
    training_args: Any,
    model_args: Any,
    argv: list[str] | None,
    machine: dict[str, Any],
) -> tuple[Any, Any, bool, list[Any], list[Any]]:
    """``(model, tokenizer, embedded, train_tasks, heldout)`` of a run, config.json written.

    ``training_args.output_dir`` moves to the checkpoints folder; config.json keeps the
    settings as given (and the checkpointing chosen), and is written only by a new run.
    """
    grpo_settings = training_args.to_dict()  # before output_dir moves to the checkpoints
    training_args.output_dir = str(layout.checkpoints)
    if not script.resume:  # a resumed run reads its tasks (and its fraction) back
        note = choose_holdout_fraction(script)
        if note and is_main_process():
            print(note, file=sys.stderr)
    train_tasks, heldout = _tasks(layout, script)
    model, tokenizer, embedded = load_model_and_tokenizer(
        model_args,
        layout,
        float32=bool(machine.get("cpu_run")),
        embedded_config=script.embedded_config(),
    )
    if script.environment == "tools":
        tokenizer = _tool_setup(script, training_args, tokenizer, embedded)
    machine.update(checkpointing_for_cpu(model, training_args, machine))
    grpo_settings.update(
        gradient_checkpointing=training_args.gradient_checkpointing,
        activation_checkpointing=getattr(training_args, "activation_checkpointing", None),
    )
    if is_main_process() and not script.resume:
        write_json(
            layout.config,
            {
                "argv": list(argv or []),
                "countdown": asdict(script),
                "grpo": grpo_settings,
                "model": asdict(model_args),
                "machine": machine,
            },
        )
    barrier()
    return model, tokenizer, embedded, train_tasks, heldout


def _tasks(layout: RunLayout, script: CountdownTrainArguments) -> tuple[list[Any], list[Any]]:
    """The training and held-out tasks, and with a curriculum each level's held-out tasks."""
    # The main process makes (or reads back) the tasks; the others read what it wrote.
    if is_main_process():
        train_tasks, heldout = load_or_make_tasks(script, layout, main=True)
    barrier()
    if not is_main_process():
        train_tasks, heldout = load_or_make_tasks(script, layout, main=False)
    if script.curriculum_config() is not None:
        from agents.training._curriculum import check_levels
        from agents.training._curriculum_run import level_heldout

        # Each level's held-out tasks, made now: a level the generator cannot fill is said
        # before the model loads.
        if is_main_process():
            generators = check_levels(
                script.curriculum_config().levels, script.generator_settings()
            )
            level_heldout(script, generators, layout.tasks / "curriculum", main=True)
        barrier()
    return train_tasks, heldout


def _tool_setup(
    script: CountdownTrainArguments, training_args: Any, tokenizer: Any, embedded: bool
) -> Any:
    """The tokenizer of a ``environment=tools`` run (chat template, tool calls bounded)."""
    if embedded:
        raise ConfigError("environment=tools needs a chat model, not the embedded one")
    script.template = "chat"
    if script.tool_chat_template:
        tokenizer = prepare_tool_tokenizer(tokenizer, script.tool_chat_template)
    if training_args.max_tool_calling_iterations is None:
        # An unbounded tool loop ran out of memory in TRL (trl#4751).
        training_args.max_tool_calling_iterations = script.max_attempts
    return tokenizer
