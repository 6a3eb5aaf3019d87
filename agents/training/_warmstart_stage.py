"""The warm-start stage of a run: train the embedded model on the answer format only (main
process, with a progress bar), save it into ``warmstart/``, or read it back when it is there."""

from __future__ import annotations

import json
import time
from typing import Any

from agents.training._data import train_dataset
from agents.training._distributed import barrier, is_main_process
from agents.training._model import load_model_and_tokenizer
from agents.training._run_folder import Run, write_json

__all__ = ["warm_start_stage"]


def warm_start_stage(
    run: Run, model: Any, tokenizer: Any, train_tasks: list[Any]
) -> tuple[Any, Any, dict[str, Any]]:
    """``(model, tokenizer, warm_info)`` after the warm start (its steps, seconds, loss, ...).

    Every process ends with the warm-started model: the main process trains and saves it, the
    others load what it saved.
    """
    layout, model_args = run.layout, run.model_args
    warm_info: dict[str, Any] = {}
    if layout.warmstart_done.is_file():
        warm_info = json.loads(layout.warmstart_done.read_text())
        model, tokenizer, _ = load_model_and_tokenizer(
            model_args, layout, path=layout.warmstart, float32=True
        )
    elif is_main_process():
        warm_info = _train(run, model, tokenizer, train_tasks)
        model.save_pretrained(layout.warmstart)
        tokenizer.save_pretrained(layout.warmstart)
        write_json(layout.warmstart_done, warm_info)
    barrier()
    if not is_main_process() and layout.warmstart_done.is_file():
        model, tokenizer, _ = load_model_and_tokenizer(
            model_args, layout, path=layout.warmstart, float32=True
        )
    return model, tokenizer, warm_info


def _train(run: Run, model: Any, tokenizer: Any, train_tasks: list[Any]) -> dict[str, Any]:
    """Warm-start ``model`` in place with a progress bar; return what :func:`warm_start` says."""
    from tqdm.auto import tqdm

    from agents.training._warmstart import WarmStartConfig, warm_start
    from countdown_env import get_template

    script, training_args = run.script, run.training_args
    warm_tasks = list(train_tasks)
    if run.curriculum is not None:  # the prompts of every level, not only the run's
        warm_tasks += run.curriculum.warmstart_tasks(min(len(train_tasks), 1000))
    warm_data = train_dataset(warm_tasks, run.template)
    by_steps = script.warmstart_steps > 0
    total = script.warmstart_steps if by_steps else round(script.warmstart_seconds)
    bar = tqdm(
        total=total,
        desc="warm start (format only)",
        unit="step" if by_steps else "s",
    )
    t0 = time.monotonic()

    def tick(step: int, loss: float) -> None:
        done = step if by_steps else round(time.monotonic() - t0)
        bar.update(min(done, total) - bar.n)
        bar.set_postfix(loss=f"{loss:.3f}", step=step, refresh=False)

    warm_info = warm_start(
        model,
        tokenizer,
        warm_data["prompt"],
        warm_data["nums"],
        WarmStartConfig(
            seconds=script.warmstart_seconds,
            max_steps=script.warmstart_steps or WarmStartConfig.max_steps,
            learning_rate=script.warmstart_learning_rate,
            lr_schedule=script.warmstart_lr_schedule,
            seed=training_args.seed,
            bf16=bool(training_args.bf16),  # the precision GRPO runs in
            max_tries=script.warmstart_max_tries,
        ),
        targets=warm_data["target"],
        answer_format=get_template(run.template).answer_format,
        on_step=tick,
    )
    bar.close()
    warm_info["precision"] = "bf16 autocast" if training_args.bf16 else "float32"
    return warm_info
