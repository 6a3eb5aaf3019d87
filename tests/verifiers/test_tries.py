"""Answers with tries: the first try marked as a hit is the answer, else the last line; a chain
whose every step must hold."""

from __future__ import annotations

import pytest

from verifiers import verify
from verifiers.extract import extract_tries, get_extractor


def test_the_last_line_is_the_answer_and_earlier_tries_are_not_read() -> None:
    completion = "3+7=10*5=50\n7-3=4*5=20\n3*7=21+5=26"
    assert extract_tries(completion) == "(3*7)+5"
    assert verify(completion, [3, 7, 5], 26, extractor="tries").correct
    # A try that hit, followed by one more: the answer is the last line, which misses.
    overshot = verify("3*7=21+5=26\n3*7=21-5=16", [3, 7, 5], 26, extractor="tries")
    assert overshot.status.value == "wrong_value"
    # A false try before the answer is scratch work and does not matter.
    assert verify("3*7=20+5=25\n3*7=21+5=26", [3, 7, 5], 26, extractor="tries").correct
    assert get_extractor("tries") is extract_tries


def test_the_chain_is_judged_as_the_equation_it_describes() -> None:
    assert extract_tries("9/3=3*2=6*4=24") == "((9/3)*2)*4"
    assert verify("9/3=3*2=6*4=24", [9, 3, 2, 4], 24, extractor="tries").correct
    # True steps that reuse a number or leave one out are judged as always.
    assert not verify("3*7=21+7=28", [3, 7, 5], 28, extractor="tries").correct
    assert verify("3*7=21", [3, 7, 5], 21, extractor="tries").status.value == "wrong_numbers"
    assert verify(" 7 * 3 = 21 + 5 = 26 ", [3, 7, 5], 26, extractor="tries").correct


def test_the_hit_mark_is_dropped_and_never_trusted() -> None:
    assert extract_tries("3+7=10*5=50\n3*7=21+5=26 =") == "(3*7)+5"
    assert verify("3*7=21+5=26 =", [3, 7, 5], 26, extractor="tries").correct
    # The mark is the model's claim; the equation decides.
    claimed = verify("3*7=21-5=16 =", [3, 7, 5], 26, extractor="tries")
    assert claimed.status.value == "wrong_value"
    assert extract_tries("3*7=21+5= =") is None
    assert extract_tries("3*7=21-5=16 -\n3*7=21*5=105 +") == "(3*7)*5"


def test_the_first_try_marked_as_a_hit_is_the_answer() -> None:
    nums, target = [3, 7, 5], 26
    named = "3+7=10*5=50 +\n3*7=21+5=26 =\n3*7=21-5=16 -"
    assert extract_tries(named) == "(3*7)+5"
    assert verify(named, nums, target, extractor="tries").correct  # tries after it are not read
    # A false claim is the answer: the model cannot claim twice and keep the better one.
    false_claim = verify("3*7=21-5=16 =\n3*7=21+5=26 =", nums, target, extractor="tries")
    assert false_claim.status.value == "wrong_value"
    assert not verify("3*7=21-5=16 =\n3*7=21+5=26", nums, target, extractor="tries").correct
    # A marked try with a false step is no answer, even if a later line hits.
    assert verify("3*7=20+5=25 =\n3*7=21+5=26", nums, target, extractor="tries").status.value == (
        "no_answer"
    )
    # Other marks do not name the answer: the last line is read.
    assert extract_tries("3*7=21+5=26 +\n3+7=10*5=50 -") == "(3+7)*5"
    # A marked plain expression answers; a cut try after it does not matter.
    assert extract_tries("25*4-3 =\n3*7") == "25*4-3"
    assert extract_tries("3*7=21+5=26 =\n3*7=21-") == "(3*7)+5"


def test_a_single_line_without_equals_is_the_answer_itself() -> None:
    assert extract_tries("  25*4-3 \n") == "25*4-3"
    assert extract_tries("") is None and extract_tries("\n \n") is None


@pytest.mark.parametrize(
    "completion",
    [
        "3*7=20+5=25",  # 3*7 is 21
        "3*7=21+5=25",  # 21+5 is 26
        "3+7=10*5=50\n3*7",  # the last line was cut before its '=': never guessed
        "3+7=10*5=50\n3*7=21+5=2",  # cut inside the last result
        "7/2=3+5=8",  # 7/2 is not whole
        "3-7=0+4=4",  # no negative results
        "6/0=0+7=7",  # division by zero is no true step
        "7*3==21",
        "7*3=21+=26",
        "1+2=3=3",
        "=5",
        "3*7=021+5=26",  # a leading zero
        "3*7=21+5+1=27",  # one operation a step
    ],
)
def test_broken_last_lines_are_no_answer(completion: str) -> None:
    assert extract_tries(completion) is None
    verdict = verify(completion, [3, 7, 5, 1, 2, 4, 6, 10], 26, extractor="tries")
    assert verdict.status.value == "no_answer"
    assert "step" in verdict.reason


def test_hostile_tries_are_refused_fast() -> None:
    assert extract_tries("1+1=2\n" * 100_000 + "1+2=3") == "1+2"  # only the last line is read
    assert extract_tries("1+1=2 -\n" * 100_000 + "1+2=3 =\n" + "1+1=2\n" * 100_000) == "1+2"
    from verifiers._tries import MAX_CHAIN_STEPS

    def chain(steps: int) -> str:
        return "1" + "".join(f"+1={n + 2}" for n in range(steps))

    assert extract_tries(chain(MAX_CHAIN_STEPS)) is not None
    assert extract_tries(chain(MAX_CHAIN_STEPS + 1)) is None  # too many steps in one chain
    assert extract_tries(chain(100_000)) is None
    assert extract_tries("9" * 100_000 + "-1=8+1=9") is None  # a huge number
