"""``countdown train --curriculum``: difficulty levels raised by the sampled hit rate (issue 10
item 4). Real GRPO steps with TRL on the embedded micro model; a recording reward sees every
batch the trainer scores."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.cli.train import _parse, resolve_argv
from agents.training._curriculum import parse_levels
from verifiers.errors import ConfigError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

NUM_GENERATIONS = 4
FAST = [
    "--train_tasks",
    "100",
    "--heldout_tasks",
    "16",
    "--eval_subset",
    "8",
    "--warmstart_seconds",
    "0",
    "--time_budget_seconds",
    "0",
    "--bf16",
    "false",
    "--per_device_train_batch_size",
    "8",
    "--num_generations",
    str(NUM_GENERATIONS),
    "--logging_steps",
    "1",
    "--eval_every_steps",
    "2",
    "--save_steps",
    "2",
    "--save_minutes",
    "0",
    "--save_total_limit",
    "10",
    "--curriculum_heldout_tasks",
    "8",
]
# Threshold 0: every level is passed as soon as it has min_steps steps and a full window.
EAGER = ["--curriculum_threshold", "0", "--curriculum_window", "1", "--curriculum_min_steps", "1"]


class Recorder:
    """A zero reward that keeps every batch TRL scores: (prompt, nums, target, level) rows."""

    __name__ = "recorder"

    def __init__(self) -> None:
        self.batches: list[list[tuple[Any, ...]]] = []

    def __call__(self, prompts, completions, nums, target, level, **kwargs) -> list[float]:
        self.batches.append(
            [(p, tuple(n), t, lv) for p, n, t, lv in zip(prompts, nums, target, level)]
        )
        return [0.0] * len(completions)


def _train(out: Path, *extra: str, recorder: Recorder) -> dict[str, Any]:
    from agents.training._pipeline import run_training

    argv, _ = resolve_argv(["--output-dir", str(out), *FAST, *extra])
    script, grpo, model = _parse(argv)
    return run_training(script, grpo, model, argv=argv, reward_funcs=[recorder, "correctness"])


def _rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def _keys(path: Path) -> set[tuple[tuple[int, ...], int]]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return {(tuple(sorted(r["nums"])), r["target"]) for r in rows}


@pytest.fixture(scope="module")
def eager_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Recorder]:
    out = tmp_path_factory.mktemp("curriculum") / "run"
    recorder = Recorder()
    summary = _train(
        out,
        "--curriculum",
        "numbers:2,3,4",
        *EAGER,
        "--max_steps",
        "8",
        "--warmstart_seconds",
        "30",
        "--warmstart_steps",
        "2",
        recorder=recorder,
    )
    return out, summary, recorder


def test_levels_rise_within_a_few_steps(eager_run) -> None:
    out, summary, recorder = eager_run
    history = summary["curriculum"]["history"]
    assert [h["level"] for h in history] == [0, 1, 2]
    assert summary["curriculum"]["final_level"] == 2
    assert [h["step"] for h in history] == sorted(h["step"] for h in history)
    # The trainer really trained on each level, in order, and on the last one at the end.
    levels = [batch[0][3] for batch in recorder.batches]
    assert levels == sorted(levels) and set(levels) == {0, 1, 2}
    config = json.loads((out / "config.json").read_text())
    assert config["countdown"]["curriculum"] == "numbers:2,3,4"  # what --resume replays


def test_every_group_is_one_task_of_one_level(eager_run) -> None:
    _, _, recorder = eager_run
    for batch in recorder.batches:
        assert len(batch) % NUM_GENERATIONS == 0
        assert len({row[3] for row in batch}) == 1  # one level per batch
        for start in range(0, len(batch), NUM_GENERATIONS):
            group = batch[start : start + NUM_GENERATIONS]
            assert len(set(group)) == 1, group  # one prompt, one task, one level
            prompt, nums, _, level = group[0]
            assert len(nums) == level + 2  # numbers:2,3,4
            assert prompt.split(">")[0].split() == [str(n) for n in nums]


def test_held_out_tasks_of_every_level_are_never_trained_on(eager_run) -> None:
    out, _, recorder = eager_run
    trained = {(tuple(sorted(r[1])), r[2]) for batch in recorder.batches for r in batch}
    held = _keys(out / "tasks" / "heldout.jsonl")
    for k in range(3):
        level_file = out / "tasks" / "curriculum" / f"level-{k}.jsonl"
        level_held = _keys(level_file)
        assert len(level_held) == 8
        assert {len(nums) for nums, _ in level_held} == {k + 2}
        held |= level_held
    assert trained and not trained & held


def test_metrics_summary_and_plot_show_the_levels(eager_run) -> None:
    out, summary, _ = eager_run
    rows = _rows(out)
    trained = [r for r in rows if "loss" in r]
    assert trained and all("curriculum/level" in r for r in trained)
    assert [r["curriculum/level"] for r in trained][-1] == 2
    assert any("curriculum/hit_rate" in r for r in trained)
    evals = [r for r in rows if "heldout_accuracy" in r]
    assert evals and all(f"heldout_accuracy/level_{k}" in r for r in evals for k in range(3))
    assert set(summary["curriculum"]["heldout_accuracy_by_level"]) == {"0", "1", "2"}
    assert (out / "plots" / "training_curriculum.png").is_file()
    assert str(out / "plots" / "training_curriculum.png") in summary["plots"]


def test_a_high_threshold_keeps_the_first_level(tmp_path: Path) -> None:
    recorder = Recorder()
    summary = _train(
        tmp_path / "run",
        "--curriculum",
        "numbers:2,3",
        "--curriculum_threshold",
        "1",
        "--curriculum_min_steps",
        "1",
        "--max_steps",
        "3",
        recorder=recorder,
    )
    assert summary["curriculum"]["final_level"] == 0
    assert {row[3] for batch in recorder.batches for row in batch} == {0}


def test_resume_restores_the_level(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = Recorder()
    _train(out, "--curriculum", "numbers:2,3,4", *EAGER, "--max_steps", "2", recorder=first)
    saved = json.loads((out / "progress.json").read_text())["curriculum_at_step"]["2"]
    assert saved["level"] >= 1
    # No further raise after the resume: every batch of it must be at the saved level.
    again = Recorder()
    summary = _train(
        out,
        "--curriculum",
        "numbers:2,3,4",
        *EAGER,
        "--curriculum_min_steps",
        "1000",
        "--max_steps",
        "4",
        "--resume",
        recorder=again,
    )
    assert summary["grpo_steps"] == 4
    assert {row[3] for batch in again.batches for row in batch} == {saved["level"]}
    assert summary["curriculum"]["final_level"] == saved["level"]
    assert summary["curriculum"]["history"] == saved["history"]


def test_rated_levels_from_a_file(tmp_path: Path) -> None:
    levels = tmp_path / "levels.yaml"
    # Level 0: tasks with several solutions (easier to hit); level 1: a single solution.
    levels.write_text(
        "- {min_numbers: 3, max_numbers: 3, min_solutions: 2}\n"
        "- {min_numbers: 3, max_numbers: 3, max_solutions: 1}\n"
    )
    recorder = Recorder()
    summary = _train(
        tmp_path / "run",
        "--curriculum_file",
        str(levels),
        *EAGER,
        "--max_steps",
        "3",
        recorder=recorder,
    )
    assert summary["curriculum"]["final_level"] == 1
    from countdown_env import Task, rate_task

    for batch in recorder.batches:
        _, nums, target, level = batch[0]
        rated = rate_task(Task(list(nums), target))
        assert rated.n_solutions >= 2 if level == 0 else rated.n_solutions == 1


def test_the_short_spellings() -> None:
    assert parse_levels("numbers:2,3-4") == [
        {"min_numbers": 2, "max_numbers": 2},
        {"min_numbers": 3, "max_numbers": 4},
    ]
    assert parse_levels("min_ops:1,2;max_target:none,100") == [
        {"min_ops": 1, "max_target": None},
        {"min_ops": 2, "max_target": 100},
    ]
    assert parse_levels("[{min_numbers: 2, max_numbers: 2}, {min_solutions: 5}]")[1] == {
        "min_solutions": 5
    }
    with pytest.raises(ConfigError, match="same number of levels"):
        parse_levels("numbers:2,3;min_solutions:5")


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--curriculum", "numbers:2,x"], "'x' is not N or N-M"),
        (["--curriculum", "colour:1,2"], "unknown field 'colour'"),
        (["--curriculum", "numbers:3"], "at least 2 levels"),
        (["--curriculum", "numbers:2,9"], "curriculum level 1"),
        (
            ["--curriculum", "[{min_numbers: 2, max_numbers: 2}, {flavour: 1}]"],
            "unknown setting(s) flavour",
        ),
        (["--curriculum", "numbers:2,3", "--curriculum_threshold", "1.5"], "in 0..1"),
        (["--curriculum_file", "no-such-levels.yaml"], "no such file"),
        (
            ["--curriculum", "numbers:2,3", "--dataloader_num_workers", "2"],
            "dataloader_num_workers 0",
        ),
    ],
)
def test_a_bad_curriculum_is_one_line_before_the_model_loads(
    flags: list[str], says: str, tmp_path: Path, capsys
) -> None:
    run = tmp_path / "run"
    assert main(["train", "--output-dir", str(run), *FAST, *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert says in err
    assert not run.exists()  # refused before anything was made or loaded


def test_a_recipe_section_and_the_flags_parse_alike(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "use_cpu: true\nbf16: false\nmin_numbers: 3\nmax_numbers: 3\ncurriculum_threshold: 0.3\n"
        "curriculum:\n  - {min_numbers: 2, max_numbers: 2}\n  - {min_solutions: 2}\n"
    )
    argv, _ = resolve_argv(
        ["--output-dir", str(tmp_path / "run"), "--config", str(recipe), "--curriculum_window", "7"]
    )
    script, _, _ = _parse(argv)
    config = script.curriculum_config()
    assert config.levels == [{"min_numbers": 2, "max_numbers": 2}, {"min_solutions": 2}]
    assert (config.threshold, config.window) == (0.3, 7)
    # A flag given on the command line replaces the recipe's levels.
    argv, _ = resolve_argv(
        [
            "--output-dir",
            str(tmp_path / "run"),
            "--config",
            str(recipe),
            "--curriculum",
            "numbers:2,3",
        ]
    )
    assert _parse(argv)[0].curriculum_config().levels[1] == {"min_numbers": 3, "max_numbers": 3}


RANK_RECORDER = """
import json, os

def levels(completions, nums, level, **kwargs):
    with open(os.environ["CURRICULUM_LOG"] + "." + os.environ.get("RANK", "0"), "a") as f:
        f.write(json.dumps([[len(n), lv] for n, lv in zip(nums, level)]) + "\\n")
    return [0.0] * len(completions)
"""


@pytest.mark.slow
def test_two_processes_train_every_batch_at_one_level(tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("accelerate") is None:
        pytest.skip("accelerate command not installed")
    config = Path(__file__).resolve().parents[2] / "agents/training/recipes/accelerate"
    (tmp_path / "rank_recorder.py").write_text(RANK_RECORDER)
    log = tmp_path / "levels"
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "CURRICULUM_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([root, str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    out = tmp_path / "run"
    command = [
        "accelerate",
        "launch",
        "--config_file",
        str(config / "cpu-2proc.yaml"),
        "-m",
        "agents.cli",
        "train",
        "--output-dir",
        str(out),
        *FAST,
        "--max_steps",
        "8",
        "--rewards",
        "correctness",
        "rank_recorder:levels",
        "--curriculum",
        "numbers:2,3,4",
        *EAGER,
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["processes"] == 2 and summary["curriculum"]["final_level"] == 2
    ranks = [
        [json.loads(line) for line in Path(f"{log}.{rank}").read_text().splitlines()]
        for rank in (0, 1)
    ]
    assert len(ranks[0]) == len(ranks[1]) == 8
    for batch0, batch1 in zip(*ranks, strict=True):
        rows = batch0 + batch1
        assert len({level for _, level in rows}) == 1  # both ranks, one level
        assert all(size == level + 2 for size, level in rows)
    assert {batch[0][1] for batch in ranks[0]} == {0, 1, 2}


def test_the_warm_start_sees_every_levels_prompts(tmp_path: Path) -> None:
    from agents.training._args import CountdownTrainArguments
    from agents.training._curriculum_run import build_state
    from countdown_env import make_splits

    script = CountdownTrainArguments(
        min_numbers=4,
        max_numbers=4,
        train_tasks=50,
        heldout_tasks=5,
        curriculum="numbers:2,3;min_solutions:2,none",
        curriculum_heldout_tasks=5,
    )
    _, run_heldout = make_splits(10, 5, seed=script.task_seed, min_numbers=4, max_numbers=4)
    state, level_heldout = build_state(script, tmp_path, run_heldout, main=True)
    warm = state.warmstart_tasks(40)
    assert {len(t.nums) for t in warm} == {2, 3}
    held = {t.key for t in run_heldout} | {t.key for tasks in level_heldout for t in tasks}
    assert not {t.key for t in warm} & held
    # The rating filters shape training, not the warm start's prompts.
    assert all(state.task(0, i).n_solutions >= 2 for i in range(5))


def test_a_holdout_fraction_keeps_every_levels_held_side_out_of_training(tmp_path: Path) -> None:
    from agents.training._args import CountdownTrainArguments
    from agents.training._curriculum_run import build_state
    from countdown_env import is_held_out, make_splits

    script = CountdownTrainArguments(
        min_numbers=3, max_numbers=3, max_value=10, max_target=None, train_tasks=200,
        heldout_tasks=20, holdout_fraction=0.3, curriculum="numbers:2,3",
        curriculum_heldout_tasks=10,
    )  # fmt: skip
    _, run_heldout = make_splits(
        0, 20, seed=script.task_seed, holdout_fraction=0.3, config=script.generator_config()
    )
    state, level_heldout = build_state(script, tmp_path, run_heldout, main=True)
    for tasks in level_heldout:
        assert all(is_held_out(t, fraction=0.3, seed=script.task_seed) for t in tasks)
    trained = [state.task(level, i) for level in (0, 1) for i in range(100)]
    assert not any(is_held_out(t, fraction=0.3, seed=script.task_seed) for t in trained)
