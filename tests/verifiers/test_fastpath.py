"""The fast path decides exactly as the general path; lazily built verdicts behave as eager ones.

Differential: every verdict is computed twice, through ``_check(..., fast_path=True)`` (the
shipped checker) and ``fast_path=False`` (the general tokenizer and shunting-yard alone), on
generated valid answers, hostile text, and plain-ASCII token soup built to hit the fast path's
edges; status, value, expression and reason must be identical.
"""

import copy
import dataclasses
import itertools
import pickle
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers import DEFAULT_RULES, TV_RULES, Rules, Status, Verdict, verify, verify_equation
from verifiers._check import _check
from verifiers._fastpath import decide_fast, run_fast
from verifiers._grammar import run_unchecked
from verifiers.errors import ExpressionError
from verifiers.strategies import expressions, hostile_strings

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RULES = [
    DEFAULT_RULES,
    TV_RULES,
    Rules(exact_use=False),
    Rules(operators="+*"),
    Rules(operators="-/", exact_use=False),
    Rules(allow_unary_minus=True),
    Rules(max_depth=2, max_digits=2),
    Rules(max_digits=1),
]

# Plain-ASCII fragments: everything the fast path reads, and its neighbours that it must decline.
SOUP = [
    "(", ")", "+", "-", "*", "/", " ", " ", "=", "0", "1", "2", "3", "7", "10", "25", "100", "05",
    "999", "1000", "999999999999", "9999999999999", "\t", "\n", "\x0c", "\x0b", "\x1c", ".",
    "a", "e", "**", "//", "%", "−", "×",
]  # fmt: skip

EDGE_CASES = [
    "", " ", "()", "(1)", "((1))", "(((2)))*3", "1 2", "2(3)", "(1)(2)", "(1)2", "1)", "(1", ")1(",
    "1+", "+1", "-1", "1--1", "1-(-1)", "1+-2", "1**2", "1//2", "1*/2", "05", "0", "00", "0+1",
    "1/0", "0/1", "1/(1-1)", "1/(2-2)*0", "1/3*3", "7/2", "2-3", "1/(2-3)", "6/(1-3/4)",
    "1 = 1", "= 1", "1 = ", "1 = -1", "1 = - 1", "1 = 1 = 1", "1 = 01", "1 = +1", "1 =1",
    "3 = 3 4", "1\t+2", "1\x0c+2", "1\x1c+2", "1 + 2\n", "1+2+3+4+5", "1*2*3*4*5",
    "999999999999", "9999999999999", "99+1", "100-1", "1000-1", "12.5", "1e3", "0x10", "1_0",
    "(" * 64 + "1" + ")" * 64, "(" * 65 + "1" + ")" * 65, "((1+2)", "(1+2))",
    "25 + 50 * 4 - 3", "(25 + 50) * 4 - 3", "((25 + 50) * (4 - 3))", "100/(5-3)*2",
    # Refusals the fast path words itself, and their neighbours it must leave alone.
    "(3+4)*2", "1+2+3+4+x", "1+2+3+4**5", "1+2+3+4//5", "1+2+3+4 \\times 5", "1+2+3+4 × 5",
    "1+2+3+4 = 10", "1+2+3+4 = x", "1+2+3+4 = 1 = 1", "1+2+3+4)", "1+2+3+4\t", "1+2+3+(4",
    "44*3/", "3+", "(", "3+(", "(3", "((3)", "3+4=", "3+ = 3", "(1+ = 3", "(1 = 1", "3 4>7:",
    ":::::::::::::::::444", "3 ^ 2", "1+2**", "1+//", "1\\div 2", "1 ÷ 2 %", "3+4\x00",
]  # fmt: skip

TASKS = [((1, 2, 3), 6), ((0, 1, 2), 1), ((3, 4, 25, 50), 297), ((1, 1, 7), 7), ((2,), 2)]


def assert_same(text, nums, target, rules):
    fast = _check(text, tuple(nums), target, rules, fast_path=True)
    general = _check(text, tuple(nums), target, rules, fast_path=False)
    assert (fast.status, fast.value, fast.expression, fast.reason) == (
        general.status,
        general.value,
        general.expression,
        general.reason,
    ), (text, nums, target, rules)
    assert fast == general and hash(fast) == hash(general)
    assert fast.correct is general.correct is (fast.status is Status.CORRECT)
    refusal = decide_fast(text.strip(), rules, len(nums))
    if refusal is not None and len(refusal) == 2:
        # A refusal the fast path words itself is the general path's, word for word.
        with pytest.raises(ExpressionError) as raised:
            run_unchecked(text.strip(), rules, len(nums))
        assert (raised.value.status, raised.value.reason) == refusal, text
        assert (fast.status, fast.reason) == refusal
    decided = run_fast(text.strip(), rules, len(nums))
    assert decided is None or decided == refusal
    if decided is not None:
        n, d, used, claimed = decided
        gn, gd, gused, gclaimed, failure = run_unchecked(text.strip(), rules, len(nums))
        assert (n, d, sorted(used), claimed, failure) == (gn, gd, sorted(gused), gclaimed, None)
    return fast, decided is not None


@pytest.mark.parametrize("rules", RULES, ids=repr)
def test_edge_cases_agree(rules):
    for text in EDGE_CASES:
        for nums, target in TASKS:
            assert_same(text, nums, target, rules)


def test_every_short_string_agrees():
    # Exhaustive over a small alphabet: every string of up to 4 of these characters.
    alphabet = "(1)+-*/ 0=2"
    for size in range(5):
        for chars in itertools.product(alphabet, repeat=size):
            assert_same("".join(chars), (1, 2), 3, DEFAULT_RULES)


@FAST
@given(expressions(fancy=False), st.sampled_from(RULES), st.integers(-2, 2))
def test_valid_plain_answers_agree_and_take_the_fast_path(drawn, rules, offset):
    target = int(drawn.value) + offset
    verdict, fast = assert_same(drawn.text, drawn.nums, target, rules)
    # A plain legal answer must not fall back (that is the speed-up) unless these rules refuse it
    # for its digits or depth, or need the general path (integer intermediates, fewer operators).
    # A literal past max_digits that the task gives is accepted by the general path only.
    refused = verdict.status is Status.TOO_LONG
    long_literal = any(len(str(n)) > rules.max_digits for n in drawn.numbers)
    if not (refused or long_literal or rules.integer_intermediates or rules.operators != "*+-/"):
        assert fast
    if verdict.status in (Status.CORRECT, Status.WRONG_VALUE):
        assert verdict.value == drawn.value


@FAST
@given(
    st.sampled_from(RULES).flatmap(
        lambda rules: st.tuples(expressions(rules=rules), st.just(rules))
    )
)
def test_valid_fancy_answers_agree(drawn_rules):
    drawn, rules = drawn_rules
    value = drawn.value
    verdict, _ = assert_same(drawn.text, drawn.nums, int(value), rules)
    if verdict.status is not Status.TOO_LONG:  # max_digits / max_depth rules may refuse it
        assert verdict.value == value


@FAST
@given(
    st.lists(st.sampled_from(SOUP), max_size=25).map("".join),
    st.sampled_from(TASKS),
    st.sampled_from(RULES),
)
def test_ascii_soup_agrees(text, task, rules):
    nums, target = task
    assert_same(text, nums, target, rules)


@FAST
@given(
    hostile_strings(), st.lists(st.integers(0, 100), min_size=1, max_size=6), st.integers(-5, 500)
)
def test_hostile_strings_agree(text, nums, target):
    if len(text) <= DEFAULT_RULES.max_length:
        assert_same(text, nums, target, DEFAULT_RULES)


def test_the_fast_path_declines_what_it_cannot_word():
    rules = DEFAULT_RULES
    for text in ["2 ** 3", "1 2", "-1", "05", "1/0", "1 × 2", "1\t+ 2", "1+2+3+4", "3 = x", "(1"]:
        assert run_fast(text, rules, 3) is None, text
    assert run_fast("(1 + 2) * 3 = 9", rules, 3) == (9, 1, [1, 2, 3], 9)
    assert run_fast("1 / (2 - 4)", rules, 3) == (-1, 2, [1, 2, 4], None)
    assert run_fast("1 + 2", TV_RULES, 3) is None  # integer intermediates: general path


def test_the_fast_path_words_common_refusals():
    # The refusals an untrained model writes most are decided without the general path.
    rules = DEFAULT_RULES
    assert decide_fast("(3+4)*2", rules, 2) == (
        Status.WRONG_NUMBERS, "the answer uses more numbers than the 2 given"
    )  # fmt: skip
    assert decide_fast("(3+4)*2 x", rules, 2) is None  # the general path finds the 'x' first
    assert decide_fast("44*3/", rules, 2) == (
        Status.MALFORMED,
        "the expression ends with an operator",
    )
    assert decide_fast("(4+3", rules, 2) == (Status.MALFORMED, "a '(' is never closed")
    assert decide_fast("", rules, 2) is None and decide_fast("= 3", rules, 2) is None
    verdict = verify(":::::::::::::::::444", [3, 4], 7, extractor="bare", cache=False)
    assert (verdict.status, verdict.reason) == (
        Status.FORBIDDEN, "character ':' at position 0 is not allowed"
    )  # fmt: skip
    assert verify("3 4>7:", [3, 4], 7, extractor="bare").reason == (
        "character '>' at position 3 is not allowed"
    )


def test_lazy_verdicts_behave_like_eager_ones():
    lazy = verify_equation("7 / 2", [7, 2], 3, cache=False)
    eager = Verdict(
        False,
        Status.WRONG_VALUE,
        Fraction(7, 2),
        "7 / 2",
        "the expression equals 7/2, not the target 3",
    )
    assert type(lazy) is Verdict
    assert repr(lazy) == repr(eager)
    fresh = verify_equation("7 / 2", [7, 2], 3, cache=False)
    assert fresh == eager and hash(fresh) == hash(eager)  # before value/reason were ever read
    assert lazy.to_dict() == eager.to_dict()
    for clone in (pickle.loads(pickle.dumps(fresh)), copy.copy(fresh), copy.deepcopy(fresh)):
        assert clone == eager and type(clone) is Verdict
    assert dataclasses.asdict(lazy) == dataclasses.asdict(eager)
    assert [f.name for f in dataclasses.fields(Verdict)] == [
        "correct", "status", "value", "expression", "reason"
    ]  # fmt: skip
    changed = dataclasses.replace(lazy, reason="other")
    assert changed.value == Fraction(7, 2) and changed.reason == "other"
    for name in ("correct", "status", "value", "expression", "reason"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(lazy, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(lazy, name)
    with pytest.raises(AttributeError):  # no room for attributes of one's own
        lazy.anything = None  # type: ignore[attr-defined]
    assert lazy == eager


def test_public_constructor_keeps_any_value_as_given():
    # A tuple is not a recipe when a user passes it: it comes back unchanged.
    odd = Verdict(False, Status.MALFORMED, (1, 2), None, ("why", "not"))  # type: ignore[arg-type]
    assert odd.value == (1, 2) and odd.reason == ("why", "not")
    assert pickle.loads(pickle.dumps(odd)) == odd


def test_reasons_of_lazy_verdicts():
    assert verify("<answer>25*4</answer>", [4, 25], 100, cache=False).reason == (
        "the expression equals 100"
    )
    assert verify_equation("1 + 2 = 4", [1, 2], 4, cache=False).reason == (
        "the left side equals 3, not the claimed 4"
    )
    assert verify_equation("1 + 2 = 3", [1, 2], 4, cache=False).reason == (
        "the answer claims 3 but the target is 4"
    )
    verdict = verify_equation("1 + 1", [1, 2], 2, cache=False)
    assert verdict.status is Status.WRONG_NUMBERS and verdict.value == 2
    assert verdict.reason == (
        "the answer uses 1 2 times but it is given 1 time(s); leaves out 2 "
        "(each of [1, 2] must be used exactly once)"
    )
    assert verify_equation("1 + 2", [1, 2, 5], 3, exact_use=False, cache=False).correct
    assert not verify_equation("1 + 1", [1, 2, 5], 2, exact_use=False, cache=False).correct


def test_long_legal_answers_stay_fast_and_agree():
    # The fast path's unreduced pairs on the largest answers it takes (2,000 characters).
    rules = Rules(max_length=2_000, max_depth=200)
    shapes = [
        "*".join(["9"] * 1_000),
        "+".join(f"1/{p}" for p in [997, 991, 983, 977, 971, 967] * 60),
        "(999999999989/999999999959+" * 70 + "1" + ")" * 70,
        "/".join(["999999999989"] * 150),
        "-".join(["1/(7-8)"] * 250),
    ]
    for text in shapes:
        text = text[: rules.max_length]
        text = text.rstrip("+-*/(")
        text += ")" * (text.count("(") - text.count(")"))
        assert len(text) <= 2_000
        nums = [int(n) for n in text.replace("(", " ").replace(")", " ").replace("/", " ")
                .replace("*", " ").replace("+", " ").replace("-", " ").split()]  # fmt: skip
        seconds = []
        for _ in range(3):  # the fastest of three: other processes only ever add time
            start = time.perf_counter()
            verdict = verify_equation(text, nums, 1, rules=rules, cache=False)
            seconds.append(time.perf_counter() - start)
        assert min(seconds) < 0.01, text[:30]
        assert run_fast(text, rules, len(nums)) is not None, text[:30]
        assert verdict.status in (Status.WRONG_VALUE, Status.CORRECT), verdict.reason
        assert_same(text, nums, 1, rules)
