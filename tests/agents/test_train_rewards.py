"""A user's own reward in ``countdown train`` (issue 11 item 3): a reward module of their own,
TRL's shaping by name, a Verifier, and one clear line for every way the name can be wrong.
The training runs are real GRPO steps on the embedded micro model."""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.training._rewards import build_rewards, reward_name
from verifiers.errors import ConfigError

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
    "100",
    "--max_steps",
    "2",
]

USER_MODULE = '''
import json

CALLS = {calls!r}

def brevity(completions, nums, target, **kwargs):
    """A user's TRL reward: shorter is better; records what TRL passed it."""
    with open(CALLS, "a") as handle:
        handle.write(json.dumps({{"n": len(completions), "nums": len(nums),
                                  "target": len(target), "first_nums": list(nums[0]),
                                  "first_target": target[0]}}) + "\\n")
    return [1.0 / (1 + len(str(c))) for c in completions]

def exact(completion, nums, target):
    """A user's Verifier: (completion, nums, target) -> Verdict."""
    from verifiers import CountdownVerifier

    return CountdownVerifier(extractor="bare")(completion, nums, target)

NOT_CALLABLE = 3

class SomeClass:
    pass

def two_args(a, b):
    return []
'''


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A reward module written into tmp_path and put on sys.path; returns (name, calls file)."""
    name = f"user_rewards_{uuid.uuid4().hex[:8]}"
    calls = tmp_path / "calls.jsonl"
    (tmp_path / f"{name}.py").write_text(USER_MODULE.format(calls=str(calls)))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name, calls


def _rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_a_users_reward_module_trains_and_is_logged_by_name(
    tmp_path: Path, user_module: tuple[str, Path]
) -> None:
    from agents.evaluation._plots import TRAINING_PANELS, _panel_of

    module, calls = user_module
    run = tmp_path / "run"
    rewards = [
        "correctness",
        f"{module}:brevity",
        f"verifier:{module}:exact",
        "overlong",
        "repetition:ngram_size=2",
    ]
    assert (
        main(
            [
                "train",
                "--output-dir",
                str(run),
                *FAST,
                "--rewards",
                *rewards,
                "--reward_weights",
                "1",
                "0.5",
                "1",
                "1",
                "1",
            ]
        )
        == 0
    )
    keys = set().union(*_rows(run))
    for name in (
        "correctness_reward",
        "brevity",
        "exact",
        "soft_overlong_punishment_reward",
        "repetition_penalty_reward",
    ):
        assert f"rewards/{name}/mean" in keys, name
        assert _panel_of(f"rewards/{name}/mean", TRAINING_PANELS) == "reward"  # plotted
    assert (run / "plots" / "training_reward.png").is_file()
    # TRL called the user's function with the task columns, one value per completion.
    seen = [json.loads(line) for line in calls.read_text().splitlines()]
    assert len(seen) == 2 and all(c["n"] == c["nums"] == c["target"] == 8 for c in seen)
    tasks = [json.loads(line) for line in (run / "tasks" / "train.jsonl").read_text().splitlines()]
    assert {(tuple(c["first_nums"]), c["first_target"]) for c in seen} <= {
        (tuple(t["nums"]), t["target"]) for t in tasks
    }
    config = json.loads((run / "config.json").read_text())
    assert config["countdown"]["rewards"] == rewards  # what --resume replays


def test_run_training_takes_reward_callables(tmp_path: Path) -> None:
    from agents.cli.train import _parse, resolve_argv
    from agents.training._pipeline import run_training

    def shortness(completions, **kwargs):
        return [-len(str(c)) / 20 for c in completions]

    run = tmp_path / "run"
    argv, _ = resolve_argv(["--output-dir", str(run), *FAST, "--bf16", "false"])
    script, grpo, model = _parse(argv)
    summary = run_training(script, grpo, model, reward_funcs=[shortness, "correctness"])
    assert summary["grpo_steps"] == 2
    keys = set().union(*_rows(run))
    assert {"rewards/shortness/mean", "rewards/correctness_reward/mean"} <= keys
    config = json.loads((run / "config.json").read_text())
    assert config["countdown"]["rewards"] == ["shortness", "correctness"]


def test_a_verifier_is_recognised_by_its_signature(user_module: tuple[str, Path]) -> None:
    module, _ = user_module
    (reward,) = build_rewards([f"{module}:exact"], extractor="bare")
    assert reward_name(reward) == "exact"
    assert reward(["3*5", "3+5"], nums=[[3, 5]] * 2, target=[15, 15]) == [1.0, 0.0]
    (trl_style,) = build_rewards([f"{module}:brevity"])
    assert reward_name(trl_style) == "brevity"


def test_a_module_in_the_current_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The `countdown` script does not put the current folder on sys.path; a rewards.py beside
    # the command must still be found.
    name = f"here_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("def mine(completions, **kw):\n    return [0.0]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    (reward,) = build_rewards([f"{name}:mine"])
    assert reward(["x"]) == [0.0]
    assert "" not in sys.path  # the folder is searched for this import only


def test_trl_shaping_takes_its_parameters() -> None:
    overlong, repetition = build_rewards(
        ["overlong:max_completion_len=10,soft_punish_cache=4", "repetition:max_penalty=-0.5"]
    )
    assert overlong(completion_ids=[[1] * 6, [1] * 8, [1] * 11]) == [0.0, -0.5, -1.0]
    assert repetition(completion_ids=[[1, 2, 3, 4], [5] * 6]) == [0.0, -0.375]  # 1/4 distinct
    (default,) = build_rewards(["overlong"], max_completion_length=20)  # the run's length
    assert (default.max_completion_len, default.soft_punish_cache) == (20, 5)
    (tinyzero,) = build_rewards(["tinyzero:format_score=0.2"])
    assert tinyzero(["<answer>1+1</answer>"], nums=[[1, 2]], target=[3]) == [0.2]


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("no_such_module_xyz:fn", "no module named 'no_such_module_xyz'"),
        ("{m}:missing", "has no 'missing'"),
        ("{m}:NOT_CALLABLE", "is not callable"),
        ("{m}:SomeClass", "is a class"),
        ("{m}:two_args", "neither TRL's reward arguments"),
        ("{b}:fn", "importing '{b}' failed: RuntimeError: broken on import"),
        ("magic", "unknown reward 'magic'"),
        ("overlong:bogus=1", "unknown: bogus"),
        ("repetition:max_penalty=2", "should not be positive"),
        ("repetition:ngram_size", "key=value"),
        ("{m}:", "expected MODULE:FUNCTION"),
    ],
)
def test_a_bad_reward_is_one_line_before_the_model_loads(
    spec: str, says: str, tmp_path: Path, user_module: tuple[str, Path], capsys
) -> None:
    module, _ = user_module
    broken = f"broken_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{broken}.py").write_text("raise RuntimeError('broken on import')\n")
    spec, says = spec.format(m=module, b=broken), says.format(m=module, b=broken)
    run = tmp_path / "run"
    assert main(["train", "--output-dir", str(run), *FAST, "--rewards", "correctness", spec]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert says in err and spec.split(":")[0] in err
    assert not run.exists()  # refused before anything was made or loaded


def test_two_rewards_with_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="two rewards are named 'correctness_reward'"):
        build_rewards(["correctness", "correctness:extractor=bare"])


def test_reward_weights_line_up_with_the_rewards(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--output-dir",
                str(run),
                *FAST,
                "--rewards",
                "correctness",
                "repetition",
                "--reward_weights",
                "1",
            ]
        )
        == 2
    )
    assert "--reward_weights has 1 values for 2 rewards" in capsys.readouterr().err
    assert not run.exists()
