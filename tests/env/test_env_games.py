"""What each game does: rewards, feedback, moves, penalties, limits, hints."""

from __future__ import annotations

import gymnasium as gym
import pytest

import countdown_env  # noqa: F401 - registers the ids
from countdown_env import CountdownEnv, CountdownStepsEnv, generate
from verifiers import rewards
from verifiers.rules import Rules

TASK = {"nums": [3, 7, 25], "target": 46}


def play(env, action, task=TASK):
    env.reset(seed=0, options=task)
    return env.step(action)


@pytest.mark.parametrize(
    "completion",
    [
        "<think>3*7=21, 21+25=46</think><answer>25 + 3*7</answer>",
        "<answer>\n(25 + 3 * 7)\n</answer>\nDone.",
        "<answer>25+21</answer>",
        "<answer>2**3</answer>",
        "the answer is 46",
        "<answer></answer>",
        "<answer>25 × 3 − 7 + 0</answer>",
    ],
)
def test_default_reward_is_tinyzero_reward(completion):
    env = gym.make("Countdown-v0")
    _, reward, terminated, truncated, info = play(env, completion)
    expected = rewards.tinyzero_reward([completion], nums=[TASK["nums"]], target=[TASK["target"]])
    assert reward == expected[0] and terminated and not truncated
    assert info["correct"] is (reward == 1.0)


def test_single_turn_info_and_end():
    env = gym.make("Countdown-v0")
    _, reward, _, _, info = play(env, "<answer>25+3*7</answer>")
    assert (reward, info["status"], info["value"], info["correct"]) == (1.0, "correct", "46", True)
    with pytest.raises(gym.error.ResetNeeded):
        env.step("<answer>25+3*7</answer>")
    _, reward, _, _, info = play(env, "<answer>25+3+7</answer>")
    assert (reward, info["status"], info["value"]) == (0.1, "wrong_value", "35")


def test_injected_reward_and_templates():
    env = gym.make(
        "Countdown-v0",
        template="compact",
        reward_fn=rewards.get_correctness_reward(extractor="bare"),
    )
    observation, info = env.reset(seed=0, options=TASK)
    assert observation == "3 7 25>46:" and info["answer_format"] == "bare"
    assert env.step("25+3*7")[1] == 1.0
    assert play(env, "25+3")[1] == 0.0

    seen = {}

    def my_reward(completions, nums, target, prompts, **kwargs):
        seen.update(completions=completions, nums=nums, target=target, prompts=prompts)
        return [0.5]

    env = gym.make("Countdown-v0", template="chat", reward_fn=my_reward)
    _, info = env.reset(seed=0, options=TASK)
    assert info["prompt"][0]["role"] == "user"
    assert env.step("<answer>1</answer>")[1] == 0.5
    assert seen["nums"] == [[3, 7, 25]] and seen["target"] == [46]
    assert seen["prompts"][0][0]["content"].startswith("Using the numbers [3, 7, 25]")


def test_rules_reach_the_verifier():
    env = gym.make("Countdown-v0", exact_use=False)
    assert play(env, "<answer>25+21</answer>", {"nums": [25, 21, 4], "target": 46})[1] == 1.0
    env = gym.make("Countdown-v0", rules=Rules(integer_intermediates=True))
    _, _, _, _, info = play(
        env, "<answer>(3-7+25)*46/21</answer>", {"nums": [3, 7, 25, 46, 21], "target": 46}
    )
    assert info["status"] == "bad_intermediate"


def test_refused_actions_get_the_documented_reward():
    env = gym.make("Countdown-v0", refused_reward=-1.0, max_action_length=100)
    _, reward, terminated, _, info = play(env, "<answer>25+3*7</answer>" + " " * 100)
    assert (reward, terminated, info["status"], info["refused"]) == (-1.0, True, "too_long", True)
    _, reward, _, _, info = play(env, "<answer>25+3*7</answer>\x00")
    assert (reward, info["status"]) == (-1.0, "forbidden") and "U+0000" in info["reason"]
    wide = gym.make("Countdown-v0", action_charset="0123456789+*<>/answer 中")
    assert play(wide, "<answer>25+3*7</answer>中")[1] == 1.0


def test_multi_turn_feedback_and_limits():
    env = gym.make("CountdownMultiTurn-v0", max_attempts=3)
    env.reset(seed=0, options=TASK)
    observation, reward, terminated, truncated, info = env.step("<answer>25+3+7</answer>")
    assert "evaluates to 35, not 46" in observation and "2 attempts left" in observation
    assert (reward, terminated, truncated, info["attempt"]) == (0.0, False, False, 1)
    observation, *_ = env.step("<answer>25*3**7</answer>")
    assert "refused (forbidden)" in observation
    observation, reward, terminated, truncated, info = env.step("no answer at all")
    assert (terminated, truncated, info["attempts_left"]) == (False, True, 0)
    assert "No attempts left" in observation
    with pytest.raises(gym.error.ResetNeeded):
        env.step("<answer>25+3*7</answer>")
    env.reset(seed=0, options=TASK)
    env.step("<answer>1</answer>")
    _, reward, terminated, truncated, _ = env.step("<answer>25+3*7</answer>")
    assert (reward, terminated, truncated) == (1.0, True, False)


def test_multi_turn_attempt_penalty():
    env = gym.make("CountdownMultiTurn-v0", attempt_penalty=0.2)
    env.reset(seed=0, options=TASK)
    assert env.step("<answer>1</answer>")[1] == pytest.approx(-0.2)


def test_steps_game_win_invalid_moves_and_undo():
    env = gym.make("CountdownSteps-v0")
    observation, info = env.reset(seed=0, options={"nums": [25, 4, 3, 7, 50, 2], "target": 104})
    assert "Target: 104" in observation and info["board"] == [25, 4, 3, 7, 50, 2]
    checks = [
        ("25 * 5", "5 is not among the numbers left"),
        ("7 - 25", "not a positive number"),
        ("7 / 2", "not a whole number"),
        ("25 * 4 = 90", "is 100, not 90"),
        ("25 ^ 4", "write two numbers"),
        ("3 3 3", "write two numbers"),
    ]
    for move, why in checks:
        _, reward, terminated, truncated, info = env.step(move)
        assert (reward, terminated, truncated, info["valid_move"]) == (-0.1, False, False, False)
        assert why in info["reason"], (move, info["reason"])
    _, reward, _, _, info = env.step("<think>hmm</think><answer>25 × 4</answer>")
    assert (reward, info["valid_move"], info["board"]) == (0.0, True, [3, 7, 50, 2, 100])
    assert "Took back 25 * 4 = 100" in env.unwrapped.undo()
    assert env.unwrapped.board == [25, 4, 3, 7, 50, 2] and env.unwrapped.undo() is None
    env.step("25 * 4")
    env.step("7 - 3")
    _, reward, terminated, _, info = env.step("100 + 4")
    assert (reward, terminated, info["correct"], info["status"]) == (1.0, True, True, "won")
    assert info["history"] == ["25 * 4 = 100", "7 - 3 = 4", "100 + 4 = 104"]


def test_steps_hints_lead_to_a_win():
    for task in generate(5, seed=3, preset="tv"):
        env = CountdownStepsEnv()
        env.reset(seed=0, options={"task": task})
        for _ in range(6):
            move = env.hint()
            _, reward, terminated, _, info = env.step(move)
            if terminated:
                break
        assert info["status"] == "won" and reward == 1.0


def test_steps_limit_loss_and_closeness():
    env = gym.make("CountdownSteps-v0", max_steps=2, closeness_reward=True)
    env.reset(seed=0, options={"nums": [25, 4, 3, 7, 50, 2], "target": 104})
    env.step("nonsense")
    _, reward, terminated, truncated, info = env.step("50 * 2")
    assert (terminated, truncated, info["status"]) == (False, True, "truncated")
    assert reward == pytest.approx(1 - 4 / 1000)  # best was 100, four away
    exact = gym.make("CountdownSteps-v0", rules=Rules(exact_use=True, integer_intermediates=True))
    exact.reset(seed=0, options={"nums": [4, 5, 6], "target": 26})
    _, reward, terminated, _, info = exact.step("4 * 5")
    assert not terminated
    _, reward, terminated, _, info = exact.step("20 + 6")
    assert (reward, info["status"]) == (1.0, "won")
    exact.reset(seed=0, options={"nums": [4, 5, 6], "target": 26})
    exact.step("4 + 5")
    _, reward, terminated, _, info = exact.step("9 + 6")
    assert (reward, terminated, info["status"]) == (0.0, True, "lost")


def test_env_reset_draws_from_generator_config_with_variants():
    env = CountdownEnv(preset="two-numbers", template="compact")
    for seed in range(5):
        _, info = env.reset(seed=seed)
        assert len(info["nums"]) == 2 and all(1 <= v <= 50 for v in info["nums"])
