"""Killed and resumed runs keep honest books (issue 14 item 28), and a time cap that cuts a
stage short says so (issue 10 item 2): real GRPO steps on the embedded micro model."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.training._callbacks import SaveEveryMinutesCallback, TimeBudgetCallback

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FAST = [
    "--train_tasks",
    "200",
    "--heldout_tasks",
    "16",
    "--eval_subset",
    "8",
    "--warmstart_seconds",
    "2",
    "--warmstart_steps",
    "0",
    "--time_budget_seconds",
    "0",
    "--per_device_train_batch_size",
    "8",
    "--num_generations",
    "4",
    "--logging_steps",
    "1",
    "--eval_every_steps",
    "0",
    "--save_total_limit",
    "10",
    "--save_minutes",
    "0",
]


def _run(out: Path, *extra: str) -> int:
    return main(["train", "--output-dir", str(out), *FAST, *extra])


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def _checkpoints(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "checkpoints").iterdir() if "checkpoint-" in p.name)


@pytest.fixture
def killed_at_step_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run killed (Ctrl-C) as step 4 begins: steps 1-3 logged, checkpoint-2 the last saved."""
    out = tmp_path / "run"

    def kill(self, args, state, control, **kwargs):
        if state.global_step == 3:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(SaveEveryMinutesCallback, "on_step_begin", kill, raising=False)
        assert _run(out, "--max_steps", "6", "--save_steps", "2") == 130
    assert _checkpoints(out) == ["checkpoint-2"]
    assert [r["step"] for r in _rows(out) if "reward" in r] == [1, 2, 3]
    return out


def test_resume_after_a_kill_keeps_honest_books(killed_at_step_3: Path) -> None:
    out = killed_at_step_3
    assert _run(out, "--max_steps", "5", "--save_steps", "3", "--resume") == 0
    # Steps 3.. of the killed segment are logged once, by the resumed run (plots read these).
    assert [r["step"] for r in _rows(out) if "reward" in r] == [1, 2, 3, 4, 5]
    # --save_steps given with --resume holds (the checkpoint's own value, 2, would save at 4).
    assert _checkpoints(out) == ["checkpoint-2", "checkpoint-3", "checkpoint-5"]
    summary = json.loads((out / "summary.json").read_text())
    invocations = summary["invocation_wall_seconds"]
    assert len(invocations) == 2 and all(s > 0 for s in invocations)
    assert summary["wall_seconds"] == pytest.approx(sum(invocations))
    assert summary["grpo_steps"] == 5 and summary["stopped_by"] is None


def test_truncated_checkpoint_falls_back_to_the_previous_one(
    killed_at_step_3: Path, capsys: pytest.CaptureFixture
) -> None:
    out = killed_at_step_3
    assert _run(out, "--max_steps", "4", "--save_steps", "1", "--resume") == 0
    assert _checkpoints(out)[-2:] == ["checkpoint-3", "checkpoint-4"]
    weights = out / "checkpoints" / "checkpoint-4" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # a kill in the middle of a save
    capsys.readouterr()
    assert _run(out, "--max_steps", "5", "--save_steps", "1", "--resume") == 0
    err = capsys.readouterr().err
    assert "checkpoint-4 is damaged" in err and "resuming from checkpoint-3" in err
    assert (out / "checkpoints" / "broken-checkpoint-4").is_dir()
    assert json.loads((out / "summary.json").read_text())["grpo_steps"] == 5
    assert [r["step"] for r in _rows(out) if "reward" in r] == [1, 2, 3, 4, 5]
    # No whole checkpoint at all: one clear line, not a SafetensorError traceback.
    for folder in (out / "checkpoints").glob("checkpoint-*"):
        (folder / "model.safetensors").write_bytes(b"")
    assert _run(out, "--max_steps", "7", "--resume") == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "no usable checkpoint" in errors[0] and "Traceback" not in err


def test_time_based_saves_keep_steps_before_the_first_save_steps(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert _run(out, "--max_steps", "2", "--save_steps", "1000", "--save_minutes", "1e-6") == 0
    assert "checkpoint-1" in _checkpoints(out)


def test_grpo_clock_stops_when_grpo_ends() -> None:
    budget = TimeBudgetCallback(0.0)
    budget.on_train_begin(None, None, None)
    budget.on_train_end(None, None, None)
    spent = budget.spent
    time.sleep(0.05)  # the final evaluation runs here
    assert budget.spent == spent


def test_time_caps_that_cut_stages_short_say_so(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert (
        _run(
            out,
            "--warmstart_steps",
            "500",
            "--warmstart_seconds",
            "0.01",
            "--max_steps",
            "50",
            "--time_budget_seconds",
            "0.01",
            "--expected_grpo_step_seconds",
            "0.001",
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stopped_by"] == "warmstart_time_budget,grpo_time_budget"
    steps = summary["grpo_steps"]
    assert 1 <= steps < 50 and summary["grpo_seconds"] > 0
    assert 1 <= summary["warmstart"]["steps"] < 500 and summary["warmstart"]["seconds"] > 0
    warm, grpo = summary["warnings"][:2]
    assert f"{summary['warmstart']['steps']} of 500 steps" in warm
    assert f"after {steps} of 50 steps" in grpo and "x the expected 0.001 s/step" in grpo
    captured = capsys.readouterr()
    assert captured.err.count(f"after {steps} of 50 steps") == 1  # one warning, not a stream
    last = captured.out.strip().splitlines()[-3:]
    assert "INCOMPLETE" in last[0]
    assert f"--output-dir {out} --resume --time_budget_seconds" in last[1]
    assert "--warmstart_seconds" in last[2]
