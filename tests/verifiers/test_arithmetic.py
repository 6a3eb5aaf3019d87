"""The arithmetic core (verifiers.arithmetic) against Python's Fraction, and the checker against it.

Everything that computes with Countdown numbers (the checker, the solver, the generator, the
step game) goes through this module, so these tests pin its arithmetic to an independent
reference and the checker's verdicts to its refusals.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers import verify_equation
from verifiers._evaluate import evaluate_postfix
from verifiers._verdict import Status
from verifiers.arithmetic import (
    calculate,
    combine,
    divide,
    exact,
    moves,
    negate,
    refusal,
)
from verifiers.errors import ExpressionError
from verifiers.rules import DEFAULT_RULES, TV_RULES, Rules

values = st.one_of(
    st.integers(-50, 50),
    st.builds(Fraction, st.integers(-50, 50), st.integers(1, 12)).map(exact),
)
ops = st.sampled_from("+-*/")
all_rules = st.sampled_from(
    [DEFAULT_RULES, TV_RULES, Rules(operators="+*"), Rules(operators="-/", exact_use=False)]
)

_REFERENCE = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: Fraction(a) / b,
}


@given(op=ops, a=values, b=values)
def test_calculate_is_exact_and_whole_values_are_ints(op, a, b):
    if op == "/" and b == 0:
        with pytest.raises(ZeroDivisionError):
            calculate(op, a, b)
        return
    value = calculate(op, a, b)
    assert value == _REFERENCE[op](a, b)
    # Whole values are ints, so equal values hash alike in the solver's tables.
    assert type(value) is int or value.denominator != 1


@given(op=ops, a=values, b=values, rules=all_rules)
def test_combine_refuses_exactly_what_refusal_words(op, a, b, rules):
    value = combine(op, a, b, rules)
    why = refusal(op, a, b, rules)
    assert (value is None) == (why is not None)
    if value is None:
        expected = {
            Status.FORBIDDEN: op not in rules.operators,
            Status.DIVISION_BY_ZERO: op in rules.operators and op == "/" and b == 0,
        }
        if why.status in expected:
            assert expected[why.status]
        else:
            assert why.status is Status.BAD_INTERMEDIATE and rules.integer_intermediates
    else:
        assert value == calculate(op, a, b)
        if rules.integer_intermediates:
            assert type(value) is int and value > 0


@given(a=values, b=values, rules=all_rules)
def test_moves_are_every_allowed_operation_in_either_order(a, b, rules):
    found = {(value, op, first) for value, op, first in moves(a, b, rules)}
    expected = set()
    for op in "+-*/":
        for first, (x, y) in ((True, (a, b)), (False, (b, a))):
            if not first and (op in "+*" or (rules.integer_intermediates and a == b)):
                continue
            value = combine(op, x, y, rules)
            if value is not None:
                expected.add((value, op, first))
    assert found == expected


@settings(max_examples=200)
@given(
    a=st.integers(0, 60),
    b=st.integers(0, 60),
    op=ops,
    rules=st.sampled_from([DEFAULT_RULES, Rules(integer_intermediates=True)]),
)
def test_the_checker_accepts_one_operation_exactly_when_the_core_does(a, b, op, rules):
    value = combine(op, a, b, rules)
    target = value if type(value) is int else 1_000_003
    verdict = verify_equation(f"{a} {op} {b}", [a, b], target, rules=rules, cache=False)
    if value is None:
        why = refusal(op, a, b, rules)
        assert (verdict.status, verdict.reason) == (why.status, why.reason)
    else:
        assert verdict.value == value
        assert verdict.correct == (type(value) is int)


def test_refusals_are_worded_as_verdicts():
    assert refusal("/", Fraction(7, 2), 0).reason == "division by zero (7/2 / 0)"
    assert refusal("-", 3, 5, TV_RULES).reason == (
        "the intermediate result 3 - 5 = -2 is not a positive integer (integer_intermediates=True)"
    )
    assert refusal("*", 3, 5, Rules(operators="+")).reason == (
        "multiplication (*) is not allowed by these rules (operators='+')"
    )
    assert negate(Fraction(1, 2)) == (Fraction(-1, 2), None)
    assert divide(6, 3) == 2 and type(divide(6, 3)) is int


def test_evaluate_postfix_words_a_negation_as_the_checker_does():
    # It used to say "the intermediate result 0 neg 5 = -5 ...", unlike the checker.
    rules = Rules(integer_intermediates=True, allow_unary_minus=True)
    checker = verify_equation("-5 + 9", [5, 9], 4, rules=rules, cache=False)
    with pytest.raises(ExpressionError) as raised:
        evaluate_postfix([5, "neg", 9, "+"], integer_intermediates=True)
    assert raised.value.reason == checker.reason
    assert checker.reason == (
        "the negation -(5) is not a positive integer (integer_intermediates=True)"
    )
