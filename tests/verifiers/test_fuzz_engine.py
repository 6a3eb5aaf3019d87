"""The fuzz input generator catches checkers that each miss one Countdown rule.

Each wrong checker below re-creates a kind found in QA (no ``eval``): no number-use check, numbers
used at most once, the first ``<answer>`` block scored, unary minus allowed. The random engine
runs in-process on a fixed seed, so the number of inputs each needs is deterministic.
"""

import collections
import random

import pytest
from hypothesis import HealthCheck, given, settings

from verifiers import (
    CountdownVerifier,
    ExpressionError,
    Status,
    extract_answer,
    parse,
    verify,
)
from verifiers.fuzz import FuzzFailure, make_target, run_random
from verifiers.strategies import NEAR_MISS_KINDS, near_miss, near_misses

RUNS = 3_000
REFERENCE = CountdownVerifier(cache=False)
# Spaces the checker may read as whitespace or refuse; a refusal only comes from one of them.
UNUSUAL_SPACES = ("\u00a0", "\u2009", "\u200b")


def no_number_check(completion, nums, target):
    """Checks value and grammar, but against the numbers the answer itself uses."""
    answer = extract_answer(completion)
    try:
        used = list(parse(answer).numbers) if answer else []
    except ExpressionError:
        used = []
    return verify(completion, used or nums, target, cache=False)


def first_block(completion):
    """The FIRST complete <answer> block (the project reads the last)."""
    start = completion.find("<answer>")
    end = completion.find("</answer>", start)
    return None if start < 0 or end < 0 else completion[start + len("<answer>") : end].strip()


WRONG_CHECKERS = {
    "no number check": no_number_check,
    "at most once": CountdownVerifier(exact_use=False, cache=False),
    "first block": CountdownVerifier(extractor=first_block, cache=False),
    "unary minus": CountdownVerifier(allow_unary_minus=True, cache=False),
}


def _runs_to_catch(checker, *, differential):
    """How many random-engine inputs it takes to catch ``checker`` (None: not caught)."""
    reference = REFERENCE if differential else None
    target = make_target(checker, reference=reference, max_ms=500)
    try:
        run_random(target, runs=RUNS, seed=0)
    except FuzzFailure as failure:
        note = next(n for n in failure.__notes__ if n.startswith("random engine: input "))
        return int(note.split()[3])
    return None


@pytest.mark.parametrize("name", list(WRONG_CHECKERS))
def test_differential_catches_each_wrong_checker_quickly(name):
    runs = _runs_to_catch(WRONG_CHECKERS[name], differential=True)
    assert runs is not None and runs <= 200, f"{name}: caught after {runs} inputs"


@pytest.mark.parametrize("name", ["no number check", "at most once", "unary minus"])
def test_invariants_alone_catch_number_and_sign_mistakes(name):
    # No reference needed: a correct verdict must re-verify under the rules.
    assert _runs_to_catch(WRONG_CHECKERS[name], differential=False) is not None


def test_the_builtin_checker_passes_the_same_inputs():
    # Cached verifier against the uncached reference: the cache is fuzzed too.
    run_random(make_target(CountdownVerifier(), reference=REFERENCE, max_ms=500), runs=RUNS)


def test_the_failure_report_shows_the_input_both_verdicts_and_the_kind():
    with pytest.raises(FuzzFailure) as info:
        run_random(make_target(WRONG_CHECKERS["first block"], reference=REFERENCE), runs=RUNS)
    message = str(info.value)
    assert "yours: " in message and "ours:  " in message
    assert "completion='" in message and "nums=[" in message and "target=" in message
    assert any(note.startswith("near-miss kind '") for note in info.value.__notes__)


def test_inputs_often_hit_the_target_with_the_wrong_numbers():
    """The point of the generator: value right, number use wrong, many times over."""
    statuses = collections.Counter()
    traps = 0

    def spy(completion, nums, target):
        nonlocal traps
        verdict = REFERENCE(completion, nums, target)
        statuses[verdict.status] += 1
        if verdict.status is Status.WRONG_NUMBERS and no_number_check(completion, nums, target):
            traps += 1
        return verdict

    run_random(make_target(spy), runs=RUNS)
    assert traps >= RUNS // 10, traps
    assert statuses[Status.CORRECT] >= RUNS // 10, statuses
    assert statuses[Status.NO_ANSWER] <= RUNS // 3, statuses


class _Seeded(random.Random):
    def integer(self, low, high):
        return self.randint(low, high)


def test_every_kind_is_built():
    source = _Seeded(1)
    kinds = collections.Counter(near_miss(source).kind for _ in range(400))
    assert set(kinds) == set(NEAR_MISS_KINDS)


def _unusual_space_in(completion):
    return any(space in completion for space in UNUSUAL_SPACES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_misses())
def test_near_misses_set_the_trap_their_kind_names(case):
    verdict = REFERENCE(case.completion, case.nums, case.target)
    if verdict.status is Status.FORBIDDEN and _unusual_space_in(case.completion):
        return  # a space the checker refuses hides the trap; the input is still a test
    if case.kind in ("subset", "repeat", "foreign"):
        assert verdict.status is Status.WRONG_NUMBERS, verdict
        if verdict.value is not None:
            # The value hits the target: only the number check stands between.
            assert no_number_check(case.completion, case.nums, case.target).correct
    elif case.kind == "unary":
        assert verdict.status is Status.FORBIDDEN, verdict
        signed = WRONG_CHECKERS["unary minus"](case.completion, case.nums, case.target)
        assert signed.correct or signed.status is Status.DIVISION_BY_ZERO, signed
    elif case.kind == "blocks":
        first = WRONG_CHECKERS["first block"](case.completion, case.nums, case.target)
        # Never both right on different blocks: one of the two readings is caught.
        assert not (verdict.correct and first.correct) or verdict.expression == first.expression
