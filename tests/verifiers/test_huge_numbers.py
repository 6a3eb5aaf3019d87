"""Numbers a task may hold that are far past the usual sizes (issue 14, items 9, 17 and 18)."""

import json
from fractions import Fraction

import pytest

from verifiers import Status, Verdict, rewards, verify, verify_equation
from verifiers._check import _check
from verifiers.fuzz import FuzzFailure, check_invariants
from verifiers.rules import DEFAULT_RULES

BIG = 10**20
HUGE = 10**5000  # past CPython's 4,300-digit int-to-str limit


@pytest.mark.parametrize("fast_path", [True, False])
def test_max_digits_never_refuses_a_number_the_task_gives(fast_path):
    text = f"{BIG}*{BIG}"
    verdict = _check(text, (BIG, BIG), BIG**2, DEFAULT_RULES, fast_path)
    assert verdict.correct, verdict.reason
    assert verify_equation(text, [BIG, BIG], BIG**2).correct
    assert verify_equation(f"{BIG}*{BIG} = {BIG**2}", [BIG, BIG], BIG**2).correct
    assert verify(f"<answer>{BIG} + 3</answer>", [3, BIG], BIG + 3).correct


def test_max_digits_still_refuses_absurd_literals_not_in_the_task():
    verdict = verify_equation(f"{BIG + 1}*{BIG}", [BIG, BIG], BIG**2)
    assert verdict.status is Status.TOO_LONG
    assert "max_digits" in verdict.reason
    # A claim may spell the target at any length, but no other long number.
    assert verify_equation(f"{BIG}*1 = {BIG**2}", [BIG, 1], BIG).status is Status.TOO_LONG
    assert verify_equation("1" * 13, [1], 1).status is Status.TOO_LONG


@pytest.mark.parametrize(
    ("expression", "nums", "target"),
    [
        ("1+2", [1, 2], HUGE),
        ("1+2=3", [1, 2], HUGE),
        ("1+2", [1, HUGE], 3),
        ("1*2", [1, 2, HUGE], -HUGE),
        ("1+2", [1, 2], 3),
    ],
    ids=["huge-target", "huge-target-claim", "huge-num", "huge-negative-target", "small"],
)
def test_reasons_and_values_of_huge_tasks_never_raise(expression, nums, target):
    for cache in (True, False):
        verdict = verify_equation(expression, nums, target, cache=cache)
        assert verdict.reason and len(verdict.reason) < 400, verdict.reason
        json.dumps(verdict.to_dict())
        repr(verdict)
        str(verdict.status)
    if HUGE in nums or target == HUGE:
        assert "(5001 digits)" in verify_equation(expression, nums, target).reason


def test_a_verdict_with_a_huge_value_prints_and_serialises():
    verdict = Verdict(False, Status.WRONG_VALUE, Fraction(HUGE, 3), "x", "made by hand")
    assert verdict.to_dict()["value"] == "1000...000 (5001 digits)/3"
    assert "5001 digits" in repr(verdict)


def test_refusals_that_echo_huge_numbers_never_raise_value_error():
    with pytest.raises(ValueError, match="non-negative") as caught:
        verify_equation("1", [-HUGE], 1)
    assert "5001 digits" in str(caught.value)
    with pytest.raises(TypeError, match="integer"):
        verify_equation("1", [1], Fraction(HUGE, 7))
    from verifiers import ExpressionError, Rules, RulesError
    from verifiers._evaluate import evaluate_postfix

    with pytest.raises(RulesError, match="5001 digits"):
        Rules(max_depth=-HUGE)
    with pytest.raises(ExpressionError, match="too large to print"):
        evaluate_postfix([1, Fraction(HUGE, 3)])


def test_fuzz_failure_messages_show_huge_tasks():
    def liar(completion, nums, target):
        return Verdict(True, Status.CORRECT, None, completion, "trust me")

    with pytest.raises(FuzzFailure, match=r"target=1000\.\.\.000 \(5001 digits\)"):
        check_invariants(liar, "<answer>1</answer>", [1, HUGE], HUGE)


WIDE = 999_999_999_999  # the most a 12-digit literal can be


@pytest.mark.parametrize(
    ("answer", "nums", "target", "expected"),
    [
        ("*".join([str(WIDE)] * 26), [WIDE] * 26, 1, 0.0),  # value ~1e312, far past a float
        ("*".join([str(WIDE)] * 26), [WIDE] * 26, -1, 0.0),
        ("/".join([str(WIDE)] * 26), [WIDE] * 26, 1, pytest.approx(0.0, abs=1e-9)),  # ~1e-288
        ("/".join([str(WIDE)] * 26), [WIDE] * 26, 0, pytest.approx(0.5)),  # near 0, target 0
        ("1/" + "/".join([str(WIDE)] * 25), [1] + [WIDE] * 25, WIDE, pytest.approx(0.0, abs=1e-9)),
        ("90+5", [5, 90], 100, 0.475),
        ("90-95", [90, 95], -10, 0.25),  # -5 against -10
        ("90-95", [90, 95], -(WIDE**27), pytest.approx(0.0, abs=1e-9)),  # a huge negative target
        ("*".join([str(WIDE)] * 26), [WIDE] * 26, WIDE**26 + 1, pytest.approx(0.5)),  # close
    ],
    ids=[
        "huge",
        "huge-negative-target",
        "tiny",
        "tiny-target-0",
        "tiny-big-target",
        "near",
        "negative",
        "huge-target",
        "huge-close",
    ],
)
def test_partial_credit_never_overflows(answer, nums, target, expected):
    reward = rewards.get_partial_credit_reward(cap=0.5)
    completion = f"<answer>{answer}</answer>"
    assert reward([completion], nums=[nums], target=[target]) == [expected]
    both = rewards.combine_rewards([(reward, 1.0), (rewards.correctness_reward, 1.0)])
    assert both([completion], nums=[nums], target=[target]) == [expected]


def test_a_reward_weight_past_the_float_range_is_a_clear_error():
    from verifiers.errors import ConfigError

    with pytest.raises(ConfigError, match="finite number"):
        rewards.get_partial_credit_reward(cap=10**400)
    with pytest.raises(ConfigError, match="finite number"):
        rewards.combine_rewards([(rewards.correctness_reward, HUGE)])
