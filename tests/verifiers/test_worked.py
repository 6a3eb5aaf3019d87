"""Worked answers: the steps extractor checks every step and composes the equation."""

from __future__ import annotations

import pytest

from verifiers import verify
from verifiers.extract import extract_steps


def test_a_worked_answer_is_checked_as_the_equation_it_describes() -> None:
    assert extract_steps("3*7=21\n21 5>26:21+5") == "(3*7)+5"
    assert verify("3*7=21\n21 5>26:21+5", [3, 7, 5], 26, extractor="steps").correct
    false_step = verify("3*7=20\n20 5>25:20+5", [3, 7, 5], 25, extractor="steps")
    assert false_step.status.value == "no_answer"
    assert "step" in false_step.reason
    # True steps that miss the target, or use a number twice, are judged as always.
    missed = verify("3*7=21\n21 5>26:21-5", [3, 7, 5], 26, extractor="steps")
    assert missed.status.value == "wrong_value"
    assert not verify("3*7=21\n21 7>28:21+7", [3, 7, 5], 28, extractor="steps").correct


def test_one_line_is_the_answer_itself() -> None:
    assert extract_steps("  25*4-3 \n") == "25*4-3"
    assert extract_steps("") is None and extract_steps("\n \n") is None


@pytest.mark.parametrize(
    "completion",
    [
        "3*7=21\n21 5>26:20+6",  # the step's result is never used
        "3*7=21\n21*5",  # no task-left prefix
        "3*7=21\n21 5>26:",  # empty answer
        "3 7=21\n21 5>26:21+5",  # no operator
        "21 5>26:21+5",  # a task-left line with no step before it
        "7/2=3\n3 5>8:3+5",  # 7/2 is not 3
        "3*7=21\n21 5 1>26:21+5=26\n26 1>27:26+1",  # two targets
        "3*7=021\n21 5>26:21+5",  # a leading zero
    ],
)
def test_broken_worked_answers_are_no_answer(completion: str) -> None:
    assert extract_steps(completion) is None


def test_longer_chains_compose() -> None:
    completion = "10+5=15\n15 3 2>90:15*3=45\n45 2>90:45*2"
    assert extract_steps(completion) == "((10+5)*3)*2"
    assert verify(completion, [10, 5, 3, 2], 90, extractor="steps").correct
    # Results may be combined with each other: (a+b)*(c+d).
    pairs = "1+2=3\n3 4 5>27:4+5=9\n3 9>27:3*9"
    assert extract_steps(pairs) == "(1+2)*(4+5)"


def test_hostile_worked_answers_are_refused_fast() -> None:
    assert extract_steps("1+1=2\n" * 100_000 + "2 2>4:2+2") is None  # too many lines
    assert extract_steps("9" * 100_000 + "-1=8\n8 1>9:8+1") is None  # huge number
    assert extract_steps("6/0=0\n0 7>7:0+7") is None  # division by zero is no true step
