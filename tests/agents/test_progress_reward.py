"""The ``progress`` reward: credit for worked steps that keep a task solvable, checked
against an oracle that tries every way to finish the numbers left."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from agents.training import ProgressReward
from agents.training._rewards import build_rewards, reward_name
from verifiers.errors import ConfigError
from verifiers.extract import Step, worked_steps


def _reachable(values: list[Fraction], target: int) -> bool:
    """Oracle: can ``values`` (every one used) make ``target`` with + - * /?"""
    if len(values) == 1:
        return values[0] == target
    for i, j in itertools.permutations(range(len(values)), 2):
        rest = [v for k, v in enumerate(values) if k not in (i, j)]
        a, b = values[i], values[j]
        made = [a + b, a - b, a * b] + ([a / b] if b else [])
        if any(_reachable([*rest, m], target) for m in made):
            return True
    return False


def test_scores_correct_then_solvable_then_nothing() -> None:
    reward = ProgressReward(step_score=0.25)
    completions = [
        "3*7=21\n21 5>26:21+5",  # correct
        "3*7=21\n21 5>26:21*5",  # 21 and 5 still make 26: the step was right
        "3+5=8\n8 7>26:8*7",  # 8 and 7 cannot make 26
        "3*7=20\n20 5>25:20+5",  # a false step earns nothing
        "9*7=63\n63 5>26:63-5",  # 9 is not at hand
        "3*5+7",  # a one-line wrong answer: no step
        None,
    ]
    assert reward(completions, nums=[[3, 7, 5]] * 7, target=[26] * 7) == [
        1.0,
        0.25,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ]
    assert reward_name(reward) == "progress_reward"


def test_agrees_with_a_brute_force_oracle() -> None:
    rng = random.Random(7)
    reward = ProgressReward(step_score=0.5)
    checked = 0
    for _ in range(300):
        nums = [rng.randint(1, 10) for _ in range(3)]
        target = rng.randint(1, 120)
        i, j = rng.sample(range(3), 2)
        a, b = nums[i], nums[j]
        op = rng.choice("+-*")
        r = {"+": a + b, "-": a - b, "*": a * b}[op]
        if r < 0:
            continue
        (c,) = [v for k, v in enumerate(nums) if k not in (i, j)]
        text = f"{a}{op}{b}={r}\n{r} {c}>{target}:{r}+{c}"
        expected = 1.0 if r + c == target else 0.5 * _reachable([Fraction(r), Fraction(c)], target)
        assert reward([text], nums=[nums], target=[target]) == [expected], text
        checked += 1
    assert checked > 200


def test_four_numbers_earn_per_step() -> None:
    reward = ProgressReward(step_score=0.5)
    # Each step earns half the credit while the numbers left still reach the target.
    nums, target = [2, 3, 4, 5], 24
    text = "2*3=6\n6 4 5>24:4*5=20\n20 6>24:20+6"
    steps = worked_steps(text)
    assert steps == [Step(2, "*", 3, 6), Step(4, "*", 5, 20)]
    first = _reachable([Fraction(v) for v in (6, 4, 5)], target)
    second = _reachable([Fraction(v) for v in (6, 20)], target)
    expected = 0.5 * (first + (first and second)) / 2
    assert reward([text], nums=[nums], target=[target]) == [expected]


def test_two_number_tasks_score_as_correctness() -> None:
    reward = ProgressReward()
    assert reward(["3*7", "3+7"], nums=[[3, 7]] * 2, target=[21] * 2) == [1.0, 0.0]


def test_whole_float_columns_count_and_bad_wiring_raises() -> None:
    reward = ProgressReward(step_score=0.25)
    assert reward(["3*7=21\n21 5>26:21*5"], nums=[[3.0, 7.0, 5.0]], target=[26.0]) == [0.25]
    with pytest.raises(ValueError):
        reward(["3*7"], nums=None, target=[21])
    with pytest.raises(ValueError):
        reward(["3*7", "3+7"], nums=[[3, 7]], target=[21])


@pytest.mark.parametrize("step_score", [-0.1, 1.0, 2.0])
def test_a_step_score_out_of_range_is_refused(step_score: float) -> None:
    with pytest.raises(ConfigError, match="step_score"):
        ProgressReward(step_score=step_score)


def test_by_name_with_parameters() -> None:
    (reward,) = build_rewards(["progress:step_score=0.4"])
    assert isinstance(reward, ProgressReward) and reward.step_score == 0.4
    with pytest.raises(ConfigError, match="unknown: size"):
        build_rewards(["progress:size=2"])


def test_hostile_text_is_cheap_and_scores_zero() -> None:
    reward = ProgressReward()
    text = "1+1=2\n" * 10_000
    assert reward([text, "=" * 100_000], nums=[[1, 1, 5]] * 2, target=[7] * 2) == [0.0, 0.0]


def test_tasks_the_solver_refuses_earn_no_step_credit() -> None:
    reward = ProgressReward()
    ten = list(range(1, 11))  # nine numbers left after a step: more than the solver takes
    assert reward(["1+2=3\n3 3 4>9:3+3"], nums=[ten], target=[55]) == [0.0]
    # A negative number is a data bug, refused as the correctness reward refuses it.
    with pytest.raises(ValueError, match="non-negative"):
        reward(["3*7=21\n21 5>16:21-5"], nums=[[3, 7, -5]], target=[16])
