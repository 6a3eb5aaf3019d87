"""TRL's own scale-out path: `accelerate launch` with two CPU processes on the tiny recipe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("trl")

ACCELERATE_CONFIG = (
    Path(__file__).resolve().parents[2] / "agents/training/recipes/accelerate/cpu-2proc.yaml"
)


@pytest.mark.slow
def test_two_cpu_processes_share_one_run(tmp_path: Path) -> None:
    if shutil.which("accelerate") is None:
        pytest.skip("accelerate command not installed")
    out = tmp_path / "run"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    command = [
        "accelerate",
        "launch",
        "--config_file",
        str(ACCELERATE_CONFIG),
        "-m",
        "agents.cli",
        "train",
        "--output-dir",
        str(out),
        "--train_tasks",
        "400",
        "--heldout_tasks",
        "32",
        "--eval_subset",
        "16",
        "--warmstart_seconds",
        "5",
        "--time_budget_seconds",
        "20",
        "--max_steps",
        "1000",
        "--per_device_train_batch_size",
        "16",
        "--num_generations",
        "8",
        "--logging_steps",
        "2",
        "--eval_every_steps",
        "10",
        "--save_steps",
        "10",
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["processes"] == 2
    assert summary["grpo_steps"] >= 2
    state = json.loads(
        next((out / "checkpoints").glob("checkpoint-*/trainer_state.json")).read_text()
    )
    assert state["global_step"] >= 1
