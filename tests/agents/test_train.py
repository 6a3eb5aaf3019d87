"""countdown train: real GRPO steps with TRL on the embedded model (no mocked trainer)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.cli.train import resolve_argv
from agents.training._args import available_recipes, recipe_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


# A few seconds of everything: enough to run every stage for real.
FAST = [
    "--train_tasks",
    "200",
    "--heldout_tasks",
    "16",
    "--eval_subset",
    "8",
    "--warmstart_seconds",
    "2",
    "--time_budget_seconds",
    "0",
    "--per_device_train_batch_size",
    "8",
    "--num_generations",
    "4",
    "--logging_steps",
    "1",
    "--eval_every_steps",
    "1",
    "--save_steps",
    "1",
]


def _run(tmp: Path, *extra: str) -> int:
    return main(["train", "--output-dir", str(tmp), *FAST, *extra])


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    assert _run(out, "--max_steps", "2") == 0
    return out


def test_run_writes_summary_with_contract_fields(finished_run: Path) -> None:
    summary = json.loads((finished_run / "summary.json").read_text())
    for key in ("accuracy_before", "accuracy_after"):
        assert isinstance(summary[key], float) and 0.0 <= summary[key] <= 1.0
    assert summary["heldout_tasks"] == 16
    assert summary["wall_seconds"] > 0
    assert summary["grpo_steps"] == 2
    assert summary["plots"], "training plots must be listed"
    for plot in summary["plots"]:
        assert Path(plot).is_file() and Path(plot).suffix == ".png"


def test_trained_embedded_model_becomes_the_default_policy(finished_run: Path) -> None:
    from agents.policies._models import default_model_path

    assert default_model_path() == (finished_run / "final").resolve()


def test_run_directory_layout(finished_run: Path) -> None:
    config = json.loads((finished_run / "config.json").read_text())
    assert config["countdown"]["train_tasks"] == 200
    assert config["grpo"]["num_generations"] == 4
    for name in ("eval_before", "eval_after"):
        report = json.loads((finished_run / name / "report.json").read_text())
        assert report["n"] == 16
    assert (finished_run / "final" / "config.json").is_file()
    assert (finished_run / "warmstart" / "warmstart.json").is_file()
    rows = [json.loads(line) for line in (finished_run / "metrics.jsonl").read_text().splitlines()]
    assert {row["step"] for row in rows} >= {1, 2}
    assert any("reward" in row for row in rows)
    assert any("heldout_accuracy" in row for row in rows)
    assert any("format_violation_rate" in row for row in rows)


def test_heldout_tasks_never_in_training(finished_run: Path) -> None:
    def keys(name: str) -> set[tuple[tuple[int, ...], int]]:
        lines = (finished_run / "tasks" / name).read_text().splitlines()
        return {(tuple(sorted(t["nums"])), t["target"]) for t in map(json.loads, lines)}

    assert not keys("train.jsonl") & keys("heldout.jsonl")


def test_refuses_to_overwrite_a_run(finished_run: Path, capsys: pytest.CaptureFixture) -> None:
    before = (finished_run / "summary.json").read_bytes()
    assert _run(finished_run, "--max_steps", "1") == 2
    assert "--resume" in capsys.readouterr().err
    assert (finished_run / "summary.json").read_bytes() == before


def test_resume_continues_from_last_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert _run(out, "--max_steps", "1") == 0
    assert (out / "checkpoints" / "checkpoint-1").is_dir()
    assert _run(out, "--max_steps", "3", "--resume") == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["grpo_steps"] == 3 and summary["resumed"] is True
    state = json.loads((out / "checkpoints" / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3


def test_a_run_without_signal_says_so(tmp_path: Path, capsys) -> None:
    # No warm start: the random model writes noise, every group's rewards are all 0, and GRPO
    # learns nothing. The run must say so on stderr and in summary.json, not just go on.
    out = tmp_path / "run"
    assert (
        _run(
            out,
            "--warmstart_seconds",
            "0",
            "--max_steps",
            "5",
            "--eval_every_steps",
            "0",
            "--save_steps",
            "100",
        )
        == 0
    )
    assert "equal rewards" in capsys.readouterr().err
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    assert len(warnings) == 1 and "trl#3857" in warnings[0]


def test_signal_watch_needs_consecutive_stalls() -> None:
    import io

    from agents.training._callbacks import SignalWatchCallback

    stream = io.StringIO()
    watch = SignalWatchCallback(patience=3, stream=stream)
    for value in (1.0, 1.0, 0.5, 1.0, 1.0):  # a step with signal restarts the count
        watch.record({"frac_reward_zero_std": value, "completions/clipped_ratio": 0.9})
    assert [name for name, _ in watch.raised] == ["completions/clipped_ratio"]
    watch.record({"frac_reward_zero_std": 1.0, "tools/call_frequency": float("nan")})
    watch.record({"frac_reward_zero_std": 1.0})  # reported once, however long it lasts
    assert [name for name, _ in watch.raised] == [
        "completions/clipped_ratio",
        "frac_reward_zero_std",
    ]
    assert stream.getvalue().count("countdown train: warning:") == 2


def test_resume_of_a_finished_run_changes_nothing(finished_run: Path, capsys) -> None:
    # The trainer would take one more step past max_steps and overwrite final/ on every resume.
    summary = (finished_run / "summary.json").read_bytes()
    weights = sorted((finished_run / "final").iterdir())
    stamps = [p.stat().st_mtime_ns for p in weights]
    assert _run(finished_run, "--max_steps", "2", "--resume") == 0
    assert "nothing to do" in capsys.readouterr().out
    assert (finished_run / "summary.json").read_bytes() == summary
    assert [p.stat().st_mtime_ns for p in weights] == stamps
    assert not (finished_run / "checkpoints" / "checkpoint-3").exists()


def test_a_run_that_cannot_start_leaves_no_folder_behind(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert _run(out, "--tasks_file", str(tmp_path / "missing.jsonl")) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert not out.exists()  # so the corrected command is not refused as "not empty"
    out.mkdir()
    assert _run(out, "--tasks_file", str(tmp_path / "missing.jsonl")) == 2
    assert out.is_dir() and not any(out.iterdir())


def test_bad_output_dir_and_config_are_one_line_errors(tmp_path: Path, capsys) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert _run(afile) == 2
    assert "not a directory" in capsys.readouterr().err
    assert (
        main(
            ["train", "--output-dir", str(tmp_path / "r"), "--config", str(tmp_path / "nope.yaml")]
        )
        == 2
    )
    assert "no such file" in capsys.readouterr().err


def test_model_given_with_resume_overrides_the_saved_one() -> None:
    from agents.cli.train import _parse

    saved = ["--model_name_or_path", "old/model", "--output-dir", "x", "--use_cpu", "true"]
    argv, _ = resolve_argv([*saved, "--model", "new/model", "--resume"])
    assert _parse(argv)[2].model_name_or_path == "new/model"


def test_cpu_runs_train_in_float32_unless_a_precision_is_chosen() -> None:
    from agents.cli.train import _cpu_precision

    argv = ["--model_name_or_path", "m", "--output-dir", "x", "--use_cpu", "true"]
    without = frozenset({"avx2", "avx512f"})  # the reference machine: no native bf16
    out, chosen = _cpu_precision(argv, {}, flags=without, machine="x86_64")
    assert out == [*argv, "--bf16", "false"] and chosen["precision"] == "float32"
    assert "no native bf16" in chosen["precision_reason"]
    # Native bf16 is recorded, but float32 was measured faster for CPU training even there.
    out, chosen = _cpu_precision(argv, {}, flags=frozenset({"avx512_bf16"}), machine="x86_64")
    assert out == [*argv, "--bf16", "false"] and chosen["bf16"] is False
    assert chosen["native_bf16"] is True and "measured slower" in chosen["precision_reason"]
    # The user's choice, on the command line or in the recipe, always wins.
    assert _cpu_precision([*argv, "--bf16=true"], {}, without, "x86_64")[0] == [
        *argv,
        "--bf16=true",
    ]
    assert _cpu_precision(argv, {"bf16": True}, without, "x86_64")[0] == argv


def test_run_records_its_cpu_settings(finished_run: Path) -> None:
    import torch

    config = json.loads((finished_run / "config.json").read_text())
    machine = config["machine"]
    assert machine["cpu_run"] is True and machine["precision"] == "float32"
    assert config["grpo"]["bf16"] is machine["bf16"]
    # A 1M-parameter model on CPU trains without activation checkpointing (8x slower).
    assert machine["gradient_checkpointing"] is False
    assert config["grpo"]["gradient_checkpointing"] is False
    assert machine["threads"] >= 1 and machine["interop_threads"] >= 1
    assert machine["omp_wait_policy"]
    assert torch.get_num_threads() == machine["threads"]
    warm = json.loads((finished_run / "warmstart" / "warmstart.json").read_text())
    assert warm["precision"] == machine["precision"]


def test_resume_without_a_run_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert _run(tmp_path / "nothing", "--resume") == 2
    assert "no run to continue" in capsys.readouterr().err


@pytest.mark.parametrize("name", available_recipes())
def test_every_shipped_recipe_parses(name: str) -> None:
    import yaml

    from agents.cli.train import _parse

    recipe = yaml.safe_load(recipe_path(name).read_text())
    # GPU recipes ask for bf16, which a CPU-only machine refuses; every key is still checked.
    cpu_only = [] if recipe.get("use_cpu") else ["--bf16", "false", "--use_vllm", "false"]
    argv, _ = resolve_argv(["--recipe", name, "--output-dir", "x", *cpu_only])
    script, grpo, _model = _parse(argv)
    assert grpo.output_dir == "x"
    assert script.heldout_tasks >= 1


def test_default_is_the_real_countdown_recipe() -> None:
    argv, recipe = resolve_argv(["--output-dir", "x"])
    assert recipe == "cpu-tiny-3"
    assert argv[:2] == ["--config", str(recipe_path("cpu-tiny-3"))]


def test_unknown_recipe_and_bad_values_are_clear(capsys) -> None:
    assert main(["train", "--recipe", "nope", "--output-dir", "x"]) == 2
    assert "available" in capsys.readouterr().err
    assert main(["train", "--output-dir", "x", "--rewards", "magic"]) == 2
    assert "rewards" in capsys.readouterr().err


def test_the_embedded_model_can_be_built_larger_or_smaller(tmp_path: Path, capsys) -> None:
    out = tmp_path / "small"
    extra = ("--max_steps", "1", "--embedded_width", "64", "--embedded_layers", "2")
    assert _run(out, *extra) == 0
    config = json.loads((out / "final" / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"]) == (64, 2)
    assert config["intermediate_size"] == 256
    said = re.search(r"\(([\d,]+) parameters on CPU", capsys.readouterr().err)
    assert said is not None and int(said.group(1).replace(",", "")) < 1_052_928 // 4


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--embedded_width", "30", "embedded_width must be a multiple of 4"),
        ("--embedded_width", "0", "embedded_width must be a multiple of 4"),
        ("--embedded_layers", "0", "embedded_layers must be an integer >= 1"),
    ],
)
def test_a_bad_embedded_size_is_one_line_before_anything_runs(
    tmp_path: Path, capsys, flag: str, value: str, message: str
) -> None:
    out = tmp_path / "run"
    assert main(["train", "--output-dir", str(out), flag, value]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_tries_run_warm_starts_on_marked_tries_and_trains(tmp_path: Path, capsys) -> None:
    """The cpu-tiny-3 shape end to end: compact-tries prompts, a warm start on marked tries,
    then real GRPO steps scored by the tries extractor."""
    out = tmp_path / "tries"
    extra = ("--template", "compact-tries", "--min_numbers", "3", "--max_numbers", "3")
    extra += ("--max_value", "10", "--warmstart_max_tries", "3", "--max_steps", "2")
    extra += ("--max_completion_length", "48", "--holdout_fraction", "0.2")
    extra += ("--warmstart_lr_schedule", "linear")
    assert _run(out, *extra) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["template"] == "compact-tries" and summary["grpo_steps"] == 2
    countdown = json.loads((out / "config.json").read_text())["countdown"]
    assert countdown["warmstart_max_tries"] == 3 and countdown["warmstart_lr_schedule"] == "linear"
    samples = [json.loads(line) for line in (out / "eval_before" / "samples.jsonl").open()]
    assert all(row["prompt"].endswith(":") and ">" in row["prompt"] for row in samples)
    assert main(["train", "--output-dir", str(tmp_path / "bad"), "--warmstart_max_tries", "0"]) == 2
    assert "warmstart_max_tries must be >= 1" in capsys.readouterr().err
