"""Property tests: no str input raises, values are exact, number rules hold, sympy agrees."""

import re
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers import TV_RULES, Rules, Status, Verdict, verify, verify_equation
from verifiers._tokens import normalise
from verifiers.strategies import expressions, hostile_strings

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
nums_lists = st.lists(st.integers(0, 100), min_size=1, max_size=6)


@FAST
@given(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=300),
    nums_lists,
    st.integers(-1000, 1000),
)
def test_no_str_input_raises(text, nums, target):
    for verdict in (
        verify_equation(text, nums, target),
        verify(text, nums, target),
        verify(f"<answer>{text}</answer>", nums, target, exact_use=False),
        verify(text, nums, target, extractor="boxed", allow_unary_minus=True),
    ):
        assert isinstance(verdict, Verdict)
        assert verdict.correct == (verdict.status is Status.CORRECT)


@FAST
@given(hostile_strings(), nums_lists, st.integers(-1000, 1000))
def test_hostile_strings_never_raise_or_pass_wrongly(text, nums, target):
    verdict = verify_equation(text, nums, target)
    if verdict.correct:
        assert verdict.value == target
        used = sorted(int(d) for d in re.findall(r"[0-9]+", normalise(text).partition("=")[0]))
        assert used == sorted(nums)


@FAST
@given(expressions())
def test_generated_values_are_exact(drawn):
    verdict = verify_equation(drawn.text, drawn.nums, 0)
    assert verdict.value == drawn.value, (drawn, verdict)


@FAST
@given(expressions(fancy=False))
def test_generated_answers_are_correct_for_their_value(drawn):
    target = drawn.value.numerator if drawn.value.denominator == 1 else None
    verdict = verify_equation(drawn.text, drawn.nums, target if target is not None else 0)
    if target is not None:
        assert verdict.correct, verdict
    else:
        assert verdict.status is Status.WRONG_VALUE


@FAST
@given(expressions(rules=TV_RULES))
def test_tv_rules_answers_verify(drawn):
    assert verify_equation(drawn.text, drawn.nums, drawn.value.numerator, rules=TV_RULES).correct


@FAST
@given(expressions(rules=Rules(allow_unary_minus=True)))
def test_unary_minus_values(drawn):
    assert verify_equation(drawn.text, drawn.nums, 0, allow_unary_minus=True).value == drawn.value


@FAST
@given(expressions(fancy=False), st.data())
def test_number_use_rule_is_a_multiset_rule(drawn, data):
    """Drop or add one number: exact use must then fail, at-most-once only when over-using."""
    nums = list(drawn.nums)
    extra = data.draw(st.integers(1, 100))
    target = drawn.value.numerator if drawn.value.denominator == 1 else 0
    with_extra = verify_equation(drawn.text, [*nums, extra], target)
    assert with_extra.status is Status.WRONG_NUMBERS
    relaxed = verify_equation(drawn.text, [*nums, extra], target, exact_use=False)
    assert relaxed.status is not Status.WRONG_NUMBERS
    if len(nums) > 1:
        fewer = nums[:-1]
        over = verify_equation(drawn.text, fewer, target, exact_use=False)
        used, available = Counter(drawn.numbers), Counter(fewer)
        assert (over.status is Status.WRONG_NUMBERS) == bool(used - available)


@FAST
@given(expressions(fancy=False))
def test_differential_against_sympy(drawn):
    """sympy as an oracle, only on the project's own generated (trusted) expressions."""
    sympy = pytest.importorskip("sympy")
    oracle = sympy.sympify(drawn.text, rational=True)
    assert Fraction(int(oracle.p), int(oracle.q)) == drawn.value
    assert verify_equation(drawn.text, drawn.nums, 0).value == drawn.value


@FAST
@given(expressions(rules=Rules(allow_unary_minus=True)))
def test_postfix_evaluation_agrees_with_the_checker(drawn):
    from verifiers import evaluate, parse
    from verifiers._evaluate import evaluate_postfix

    rules = Rules(allow_unary_minus=True)
    text = drawn.text.partition("=")[0]
    n, d = evaluate_postfix(parse(text, rules).postfix)
    assert Fraction(n, d) == drawn.value == evaluate(text, rules)
