"""Hostile values and files: huge integers, deep nesting, devices, slow solvability checks
(issue 14, items 5, 18, 20, 21, 25, 26 and the steps env's operator spellings)."""

from __future__ import annotations

import json
import os
import time

import gymnasium as gym
import pytest

import countdown_env
from countdown_env import GeneratorConfig, Task, TaskError, errors, read_tasks
from countdown_env import _datasets as datasets
from countdown_env._prompts import get_template
from countdown_env.envs.steps import parse_move
from countdown_env.errors import TaskFileError
from verifiers import verify_equation
from verifiers.errors import ConfigError
from verifiers.rules import TV_RULES

ENV_IDS = sorted(countdown_env.ENV_IDS)
HUGE = 10**5000


# ----- item 18: integers too long for str() ------------------------------------------------------
@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize(
    "options",
    [{"nums": [1, 2], "target": HUGE}, {"nums": [HUGE, 2], "target": 3}],
    ids=["target", "nums"],
)
def test_reset_with_a_giant_integer_is_a_task_error_naming_it(env_id, options):
    env = gym.make(env_id, disable_env_checker=True)
    with pytest.raises(TaskError, match="5001 digits, more than the 4300"):
        env.reset(options=options)


def test_giant_integers_give_project_errors_everywhere_they_are_read():
    with pytest.raises(TaskError, match="target has 5001 digits"):
        Task([1, 2], HUGE)
    with pytest.raises(TaskError, match=r"nums\[1\] has 5001 digits"):
        countdown_env.solve([1, HUGE], 3)
    with pytest.raises(TaskError, match="target has 5001 digits"):
        get_template("tinyzero").format([1, 2], HUGE)
    with pytest.raises(countdown_env.GeneratorOptionError, match="an integer of 5001 digits"):
        GeneratorConfig(max_value=HUGE)
    env = gym.make("Countdown-v0", tasks=[Task([1, 2], 3)], disable_env_checker=True)
    with pytest.raises(ConfigError, match="an integer of 5001 digits"):
        env.reset(options={"task_index": HUGE})


# ----- items 5 and 20: task files ----------------------------------------------------------------
def _deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"nums": ' + _deep_list(100_000) + ', "target": 3}', "nested too deeply"),
        ('{"nums": [1, 2], "target": ' + "9" * 5001 + "}", "line 2"),
        ('{"reward_model": "x"}', "reward_model must be a mapping"),
        ('{"reward_model": {"ground_truth": 5}}', "reward_model must be a mapping"),
        ('{"nums": 5, "target": 3}', "nums must be a list"),
        ('{"nums": "123", "target": 3}', "nums must be a list"),
        ('{"nums": {"a": 1}, "target": 3}', "nums must be a list"),
        ('{"nums": [[[[1]]]], "target": 3}', r"nums\[0\] must be an integer"),
        ('{"nums": [1, 2], "target": 3, "solution": ' + _deep_list(500) + "}", "solution must"),
        ('{"nums": [1, 2], "target": 3, "id": 7}', "id must be a str"),
        ('{"nums": [1, 2], "target": 3.5}', "target must be an integer"),
        ('{"nums": [1, 2], "target": 1e400}', "target must be an integer"),
        ('{"nums": [1, 2]}', "needs 'nums' and 'target'"),
        ("[1, 2, 3]", "must be a mapping"),
        ("5", "must be a mapping"),
        ("{", "not a JSON object"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_every_malformed_jsonl_row_is_a_task_error_naming_file_and_line(tmp_path, line, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"nums": [1, 2], "target": 3}\n' + line + "\n")
    with pytest.raises(TaskError, match=problem) as caught:
        read_tasks(path)
    assert f"{path} line 2" in str(caught.value)
    assert len(str(caught.value)) < 500  # the row is named, not printed whole


def test_giant_values_in_a_parquet_row_are_named_by_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"nums": [[1, 2], [1, 2]], "target": ["x" * 10_000, "3"]}), path)
    with pytest.raises(TaskError, match=r"bad.parquet row 1: target must be an integer") as caught:
        read_tasks(path)
    assert len(str(caught.value)) < 500


def test_devices_and_pipes_are_refused_at_once(tmp_path):
    with pytest.raises(TaskFileError, match="not a regular file"):
        read_tasks("/dev/zero")
    fifo = tmp_path / "tasks.jsonl"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(TaskFileError, match="not a regular file"):
        read_tasks(fifo)  # opening a FIFO with no writer would block
    assert time.monotonic() - started < 5


def test_an_endless_line_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "long.jsonl"
    blank = " " * (datasets.MAX_TASK_LINE_CHARS + 10)
    path.write_text('{"nums": [1, 2], "target": 3}\n' + blank + "\n")
    with pytest.raises(TaskError, match=r"long\.jsonl line 2 is longer than"):
        read_tasks(path)


def test_eval_tasks_from_a_device_is_one_line_and_exit_2(capsys):
    from agents.cli import main

    assert main(["eval", "--policy", "solver", "--tasks", "/dev/zero"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "/dev/zero is not a regular file" in err[0]


# ----- item 21: solvable means the verifier accepts the solver's answer --------------------------
def test_a_task_only_solvable_by_an_answer_the_verifier_refuses_is_refused():
    nums, target = [10**20, 3], 10**20 + 3
    solution, why = countdown_env._solver.accepted_solution(nums, target)
    verdict = verify_equation(countdown_env.solve(nums, target), nums, target)
    # One source of truth: accepted exactly when the verifier accepts the solver's answer.
    assert (solution is not None) == verdict.correct
    if not verdict.correct:
        assert verdict.status.value in why
        env = gym.make("Countdown-v0", disable_env_checker=True)
        with pytest.raises(TaskError, match="verifier refuses"):
            env.reset(options={"nums": nums, "target": target})


def test_the_solvability_check_follows_the_verifiers_limits():
    from verifiers.rules import Rules

    # The solver's answer "100+3" has 5 characters: refused under max_length=4.
    strict = Rules(max_length=4)
    env = gym.make("Countdown-v0", rules=strict, tasks=[Task([100, 3], 103)])
    with pytest.raises(TaskError, match=r"verifier refuses.*max_length") as caught:
        env.reset(seed=0)
    assert "check_solvable=False" in str(caught.value)
    env = gym.make("Countdown-v0", rules=Rules(max_length=5), tasks=[Task([100, 3], 103)])
    assert env.reset(seed=0)[1]["target"] == 103


def test_read_tasks_drops_tasks_whose_solution_the_verifier_refuses(tmp_path):
    from verifiers.rules import Rules

    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"nums": [100, 3], "target": 103}) + "\n")
    assert read_tasks(path, unsolvable="drop", rules=Rules(max_length=4)) == []
    with pytest.raises(TaskError, match=r"t\.jsonl line 1: .*verifier refuses"):
        read_tasks(path, unsolvable="raise", rules=Rules(max_length=4))
    assert len(read_tasks(path, unsolvable="raise", rules=Rules(max_length=5))) == 1


# ----- item 26: a time limit on the solvability check --------------------------------------------
def test_the_solvability_check_has_a_time_limit_and_says_how_to_lift_it():
    env = gym.make("Countdown-v0", solvable_timeout=0.2, disable_env_checker=True)
    started = time.monotonic()
    with pytest.raises(errors.SolvabilityTimeoutError, match=r"solvable_timeout=0\.2") as caught:
        env.reset(options={"nums": [2, 3, 5, 7, 11, 13, 17, 19], "target": 1000003})
    assert time.monotonic() - started < 10
    assert isinstance(caught.value, TaskError) and "check_solvable=False" in str(caught.value)
    assert env.unwrapped.solvable_timeout == 0.2
    assert gym.make("Countdown-v0").unwrapped.solvable_timeout == 5.0


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "5", True])
def test_solvable_timeout_is_checked(bad):
    with pytest.raises(ConfigError, match="solvable_timeout must be a number of seconds"):
        gym.make("Countdown-v0", solvable_timeout=bad)


# ----- item 25: the steps env with many numbers --------------------------------------------------
def _big_board() -> Task:
    return Task(list(range(1, 701)), 1000)


def test_steps_env_with_many_numbers_never_raises_from_step():
    env = gym.make("CountdownSteps-v0", check_solvable=False, max_observation_length=4096)
    observation, _ = env.reset(options={"task": _big_board()})
    assert observation in env.observation_space
    for action in ["999 + 998", "1 + 2", "banana", "700 * 699", "3 - 3"]:
        observation, _, terminated, _, info = env.step(action)
        assert observation in env.observation_space
        if terminated:
            break
    assert info["steps"] == 5 or terminated


def test_steps_env_refuses_at_reset_a_board_too_long_for_its_observations():
    env = gym.make("CountdownSteps-v0", check_solvable=False, max_observation_length=1000)
    with pytest.raises(TaskError, match="max_observation_length=1000; pass"):
        env.reset(options={"task": _big_board()})


def test_a_step_that_raises_is_not_counted():
    env = gym.make("CountdownSteps-v0", disable_env_checker=True)
    env.reset(options={"nums": [25, 4, 3, 7], "target": 107})
    with pytest.raises(countdown_env.InvalidActionError):
        env.step(42)
    assert env.step("25 * 4")[4]["steps"] == 1


# ----- issue 13: the steps env reads operators as the verifier does ------------------------------
@pytest.mark.parametrize("move", ["25 × 4", "25 · 4", "25 ⋅ 4", r"25 \times 4", r"25 \cdot 4"])
def test_steps_env_takes_the_verifiers_multiplication_signs(move):
    assert verify_equation(move, [25, 4], 100).correct
    assert parse_move(move) == (25, "*", 4, None)


@pytest.mark.parametrize("move", ["25 x 4", "25 X 4"])
def test_steps_env_refuses_a_letter_x_as_the_verifier_does(move):
    assert not verify_equation(move, [25, 4], 100).correct
    env = gym.make("CountdownSteps-v0", rules=TV_RULES, tasks=[Task([25, 4, 3], 100)])
    env.reset(seed=0)
    _, reward, _, _, info = env.step(move)
    assert not info["valid_move"] and reward < 0


def test_steps_env_echoes_division_sign_as_ascii():
    env = gym.make("CountdownSteps-v0", rules=TV_RULES, tasks=[Task([10, 3, 7], 21)])
    env.reset(seed=0)
    observation = env.step("10 ÷ 3")[0]
    assert "10 / 3" in observation and "?" not in observation.splitlines()[0]


def test_a_task_too_big_for_the_solver_says_how_to_play_it_unchecked():
    env = gym.make("CountdownSteps-v0", disable_env_checker=True)
    with pytest.raises(TaskError, match=r"at most 8 numbers.*check_solvable=False"):
        env.reset(options={"nums": list(range(1, 20)), "target": 5})
