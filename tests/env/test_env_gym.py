"""Every registered environment: Gymnasium's checker, determinism, pickling, spaces, vectors."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import countdown_env
from countdown_env import InvalidActionError, generate

ENV_IDS = sorted(countdown_env.ENV_IDS)
ACTIONS = {
    "Countdown-v0": ["<think>x</think><answer>1+2</answer>"],
    "CountdownMultiTurn-v0": ["<answer>3*4</answer>", "no idea", "<answer>(1+2)/3</answer>"],
    "CountdownSteps-v0": ["25 * 4", "3 + 6", "nonsense", "10 - 1", "100 + 9"],
}


def rollout(env, seed, actions):
    """(observation, reward, terminated, truncated, info) of each step, from a seeded reset."""
    observation, info = env.reset(seed=seed)
    trace = [(observation, info)]
    for action in actions:
        step = env.step(action)
        trace.append(step)
        assert step[0] in env.observation_space
        if step[2] or step[3]:
            break
    return trace


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_check_env_passes_without_warnings(env_id, capsys):
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_same_seed_same_rollout_and_seeds_matter(env_id):
    first = rollout(gym.make(env_id), 7, ACTIONS[env_id])
    second = rollout(gym.make(env_id), 7, ACTIONS[env_id])
    assert first == second
    prompts = {gym.make(env_id).reset(seed=s)[0] for s in range(6)}
    assert len(prompts) > 1


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_pickle_round_trip_continues_identically(env_id):
    env = gym.make(env_id).unwrapped
    env.reset(seed=3)
    clone = pickle.loads(pickle.dumps(env))
    for action in ACTIONS[env_id][:2]:
        a, b = env.step(action), clone.step(action)
        assert a == b
        if a[2] or a[3]:
            break
    assert env.reset(seed=4) == clone.reset(seed=4)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_observations_stay_in_space_and_info_has_the_contract_keys(env_id):
    env = gym.make(env_id)
    observation, info = env.reset(seed=1)
    assert observation in env.observation_space
    assert {"nums", "target"} <= set(info)
    strange = ["", "\x00\x01 binary", "x" * 10_000, "emoji 😀", "<answer>" * 50, "25 x 4"]
    for action in strange + ACTIONS[env_id]:
        observation, reward, terminated, truncated, info = env.step(action)
        assert observation in env.observation_space
        assert {"nums", "target", "correct"} <= set(info)
        assert isinstance(info["correct"], bool) and isinstance(reward, float)
        if terminated or truncated:
            env.reset()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_non_string_actions_raise_and_the_env_keeps_working(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)
    for action in (None, 42, b"1+2", ["1+2"]):
        with pytest.raises(InvalidActionError, match="must be a str"):
            env.step(action)
    _, _, _, _, info = env.step("x" * 100_000)
    assert info["correct"] is False
    assert "max_action_length" in info["reason"] or "length" in info["reason"]


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_vector_envs(env_id, mode):
    # Gymnasium's AsyncVectorEnv reads Text observations from shared memory only once
    # (Gymnasium#1164), so async runs need shared_memory=False; documented in the README.
    kwargs = {"vector_kwargs": {"shared_memory": False}} if mode == "async" else {}
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode=mode, **kwargs)
    try:
        observations, infos = envs.reset(seed=[5, 6])
        single = gym.make(env_id)
        assert observations[0] == single.reset(seed=5)[0]
        assert observations[1] == single.reset(seed=6)[0]
        action = ACTIONS[env_id][0]
        for step in range(3):
            observations, rewards, _, _, infos = envs.step((action, action))
            assert len(rewards) == 2 and all(
                o in envs.single_observation_space for o in observations
            )
            # After an episode ends, the next vector step is an autoreset with reset's info.
            assert {"nums", "target"} | ({"correct"} if step == 0 else set()) <= set(infos)
    finally:
        envs.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_options_choose_the_task_and_unsolvable_tasks_are_refused(env_id):
    env = gym.make(env_id)
    _, info = env.reset(seed=0, options={"nums": [25, 4, 3, 7], "target": 104})
    assert info["nums"] == [25, 4, 3, 7] and info["target"] == 104
    _, info = env.reset(seed=0, options={"task": {"nums": [100, 2, 3], "target": 106}})
    assert info["target"] == 106
    with pytest.raises(countdown_env.TaskError, match="unsolvable"):
        env.reset(options={"nums": [1, 1], "target": 997})
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset(options={"numbers": [1, 2]})


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_task_lists_and_renders(env_id):
    pool = generate(5, seed=2, preset="tv") if "Steps" in env_id else generate(5, seed=2)
    env = gym.make(env_id, tasks=pool, render_mode="ansi")
    observation, info = env.reset(seed=1)
    assert (info["nums"], info["target"]) in [(t.nums, t.target) for t in pool]
    assert env.render() == observation
    env.reset(options={"task_index": 4})
    assert env.unwrapped.task == pool[4]
    with pytest.raises(ValueError, match="task_index"):
        env.reset(options={"task_index": 5})
    with pytest.raises(countdown_env.TaskError, match="unsolvable"):
        gym.make(env_id, tasks=[{"nums": [1, 1], "target": 500}]).reset(seed=0)
    unchecked = gym.make(env_id, tasks=[{"nums": [1, 1], "target": 500}], check_solvable=False)
    assert unchecked.reset(seed=0)[1]["target"] == 500


def test_bad_env_arguments():
    with pytest.raises(ValueError, match="render_mode"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gymnasium warns about the mode before we refuse it
        gym.make("Countdown-v0", render_mode="rgb_array")
    with pytest.raises(ValueError, match="min_numbers"):
        gym.make("Countdown-v0", min_numbers=0)
    with pytest.raises(ValueError, match="tasks= replaces the generator"):
        gym.make("Countdown-v0", tasks=generate(2, seed=0), min_numbers=2)
    with pytest.raises(ValueError, match="max_attempts"):
        gym.make("CountdownMultiTurn-v0", max_attempts=0)
    with pytest.raises(ValueError, match="integer_intermediates"):
        gym.make("CountdownSteps-v0", rules=countdown_env._solver.Rules())
    with pytest.raises(ValueError, match="template"):
        gym.make("CountdownSteps-v0", template="chat")


def test_import_is_light():
    import subprocess
    import sys

    code = "import countdown_env, sys; print('datasets' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_bad_scoring_objects_and_reset_options_are_config_errors():
    # A non-callable reward_fn used to pass construction and fail at the first step().
    from verifiers.errors import ConfigError

    with pytest.raises(ConfigError, match="reward_fn must be"):
        gym.make("Countdown-v0", reward_fn=5)
    with pytest.raises(ConfigError, match="verifier must be callable"):
        gym.make("Countdown-v0", verifier="mine")
    env = gym.make("Countdown-v0")
    with pytest.raises(ConfigError, match="reset options must be a dict"):
        env.reset(seed=0, options=[1, 2])


def test_async_vector_env_with_shared_memory_fails_loudly():
    # Gymnasium reads Text observations from shared memory once (Gymnasium#1164): every
    # observation, the first included, came back as the empty buffer, without a word.
    from verifiers.errors import ConfigError

    with pytest.raises(ConfigError, match="shared_memory"):
        gym.make_vec("Countdown-v0", num_envs=2, vectorization_mode="async")


def test_a_custom_verifier_must_return_a_verdict():
    env = gym.make("Countdown-v0", verifier=lambda completion, nums, target: True)
    env.reset(seed=0)
    with pytest.raises(TypeError, match=r"must return a verifiers\.Verdict"):
        env.step("<answer>1</answer>")


def test_steps_env_is_won_when_the_target_is_on_the_board():
    # At-most-once rules: a target among the given numbers is reached by any legal move.
    env = gym.make("CountdownSteps-v0")
    env.reset(seed=0, options={"nums": [100, 7, 3, 2], "target": 100})
    _, reward, terminated, _, info = env.step("7 + 3")
    assert terminated and reward == 1.0 and info["status"] == "won"


def test_task_index_takes_numpy_integers_and_refuses_bools():
    import numpy as np

    from verifiers.errors import ConfigError

    env = gym.make(
        "Countdown-v0", tasks=[{"nums": [3, 7, 25], "target": 46}, {"nums": [2, 3], "target": 6}]
    )
    assert env.reset(options={"task_index": np.int64(1)})[1]["target"] == 6
    with pytest.raises(ConfigError, match="task_index"):
        env.reset(options={"task_index": True})
