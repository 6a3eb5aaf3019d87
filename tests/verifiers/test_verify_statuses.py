"""Every status and every rule option of the checker, on small hand-made answers."""

from fractions import Fraction

import pytest

from verifiers import (
    DEFAULT_RULES,
    TV_RULES,
    ExpressionError,
    Rules,
    RulesError,
    Status,
    Verdict,
    evaluate,
    parse,
    verify_equation,
)


@pytest.mark.parametrize(
    ("expression", "nums", "target", "value"),
    [
        ("(25 + 50) * 4", [4, 25, 50], 300, 300),
        ("1/3*3", [1, 3, 3], 1, 1),
        ("6 / (1 - 3/4)", [6, 1, 3, 4], 24, 24),
        ("  100 - 75\n", [75, 100], 25, 25),
        ("((((7))))", [7], 7, 7),
        ("8 - 10", [8, 10], -2, -2),
        ("0 + 5", [0, 5], 5, 5),
        ("5 + 3 = 8", [5, 3], 8, 8),
        ("5 − 3 × 2 ÷ 1", [5, 3, 2, 1], -1, -1),
        ("6 · 4", [6, 4], 24, 24),
        ("6 ⋅ 4", [6, 4], 24, 24),
        (r"6 \times 4 \div 2 \cdot 1", [6, 4, 2, 1], 12, 12),
        ("100-(75-25)", [100, 75, 25], 50, 50),
        ("100/(5*4)", [100, 5, 4], 5, 5),
    ],
)
def test_correct(expression, nums, target, value):
    verdict = verify_equation(expression, nums, target)
    assert verdict.correct, verdict.reason
    assert verdict.status is Status.CORRECT
    assert verdict.value == Fraction(value)
    assert isinstance(verdict.value, Fraction)
    assert verdict.expression == expression.strip()


def test_wrong_value_reports_exact_value():
    verdict = verify_equation("7/2", [7, 2], 3)
    assert verdict.status is Status.WRONG_VALUE
    assert verdict.value == Fraction(7, 2)
    assert "7/2" in verdict.reason and "3" in verdict.reason


def test_near_miss_is_not_within_a_tolerance():
    # TinyZero's 1e-5 float compare passes this; exact arithmetic must not.
    verdict = verify_equation("23+1/(50*60*70)", [23, 1, 50, 60, 70], 23)
    assert verdict.status is Status.WRONG_VALUE
    assert verdict.value == 23 + Fraction(1, 210000)


@pytest.mark.parametrize(
    ("expression", "nums", "fragment"),
    [
        ("81*1", [1, 81, 1, 1], "leaves out 1, 1"),  # reasoning-gym's set-check bug
        ("5*5", [5, 3], "uses 5 2 times"),
        ("7+1", [5, 3], "uses 7"),
        ("53", [5, 3], "uses 53"),  # concatenation
        ("5", [5, 3], "leaves out 3"),
    ],
)
def test_wrong_numbers(expression, nums, fragment):
    verdict = verify_equation(expression, nums, 8)
    assert verdict.status is Status.WRONG_NUMBERS
    assert fragment in verdict.reason


def test_wrong_numbers_still_reports_the_value():
    assert verify_equation("5*5", [5, 3], 25).value == 25
    assert verify_equation("5/0", [5, 0, 1], 1).value is None


def test_repeated_values_are_separate_numbers():
    assert verify_equation("81*1*1*1", [1, 81, 1, 1], 81).correct
    assert verify_equation("2+2", [2, 2], 4).correct
    assert verify_equation("2+2+2", [2, 2], 6).status is Status.WRONG_NUMBERS


def test_at_most_once():
    assert verify_equation("25*4", [25, 4, 3], 100, exact_use=False).correct
    reused = verify_equation("25*4*4", [25, 4, 3], 400, exact_use=False)
    assert reused.status is Status.WRONG_NUMBERS
    assert verify_equation("25*4", [25, 4, 3], 100).status is Status.WRONG_NUMBERS


def test_division_by_zero_is_a_verdict():
    verdict = verify_equation("5/(3-3)", [5, 3, 3], 1)
    assert verdict.status is Status.DIVISION_BY_ZERO
    assert verdict.value is None and not verdict.correct


def test_integer_intermediates():
    ok = verify_equation("(7-2)*4", [7, 2, 4], 20, integer_intermediates=True)
    assert ok.correct
    frac = verify_equation("7/2*2", [7, 2, 2], 7, integer_intermediates=True)
    assert frac.status is Status.BAD_INTERMEDIATE and "7/2" in frac.reason
    negative = verify_equation("2-7+9", [2, 7, 9], 4, integer_intermediates=True)
    assert negative.status is Status.BAD_INTERMEDIATE
    zero = verify_equation("5-5+3", [5, 5, 3], 3, integer_intermediates=True)
    assert zero.status is Status.BAD_INTERMEDIATE
    # The same answers are fine without the option.
    assert verify_equation("7/2*2", [7, 2, 2], 7).correct


def test_tv_rules():
    assert verify_equation("(100 - 4) * 10", [100, 4, 10, 7], 960, rules=TV_RULES).correct
    assert verify_equation("100/8*10", [100, 8, 10], 125, rules=TV_RULES).status is (
        Status.BAD_INTERMEDIATE
    )


def test_unary_minus_only_when_allowed():
    refused = verify_equation("-5+13", [5, 13], 8)
    assert refused.status is Status.FORBIDDEN and "allow_unary_minus" in refused.reason
    assert verify_equation("-5+13", [5, 13], 8, allow_unary_minus=True).correct
    assert verify_equation("13*-(5-6)", [13, 5, 6], 13, allow_unary_minus=True).correct
    assert verify_equation("+5+3", [5, 3], 8, allow_unary_minus=True).correct
    assert verify_equation("-(2+3)", [2, 3], -5, allow_unary_minus=True).correct
    assert verify_equation("-2*3", [2, 3], -6, allow_unary_minus=True).value == -6
    negated = verify_equation(
        "-5+13", [5, 13], 8, allow_unary_minus=True, integer_intermediates=True
    )
    assert negated.status is Status.BAD_INTERMEDIATE


def test_operator_subset_is_forbidden():
    verdict = verify_equation("6/2", [6, 2], 3, operators="+-*")
    assert verdict.status is Status.FORBIDDEN and "division" in verdict.reason
    assert verify_equation("6*2", [6, 2], 12, operators="*").correct


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("()", "')'"),
        ("1+", "ends with an operator"),
        ("*1", "no left operand"),
        ("(1", "never closed"),
        ("1)", "no matching"),
        ("1+*2", "no left operand"),
        ("= 8", "nothing before"),
        ("5+3 = 8 = 8", "more than one"),
        ("5+3 = 4+4", "only an integer"),
        ("5+3 =", "only an integer"),
    ],
)
def test_malformed(expression, fragment):
    verdict = verify_equation(expression, [5, 3], 8)
    assert verdict.status is Status.MALFORMED
    assert fragment in verdict.reason


def test_trailing_claim():
    assert verify_equation("5+3 = 8", [5, 3], 8).correct
    assert verify_equation("5+3=8", [5, 3], 8).correct
    lie = verify_equation("5+2 = 8", [5, 2], 8)
    assert lie.status is Status.WRONG_VALUE and "claimed" in lie.reason and lie.value == 7
    other = verify_equation("5+3 = 8", [5, 3], 9)
    assert other.status is Status.WRONG_VALUE and "claims 8" in other.reason
    # N is a claim, not a used number: it is not counted against nums.
    assert verify_equation("10-3 = 7", [10, 3], 7).correct
    assert verify_equation("3-10 = -7", [10, 3], -7).correct
    assert verify_equation("5+3 = 08", [5, 3], 8).status is Status.FORBIDDEN


def test_limits_are_too_long():
    assert verify_equation("1+" * 600 + "1", [1], 1).status is Status.TOO_LONG  # 1201 chars
    deep = "(" * 65 + "1" + ")" * 65
    assert verify_equation(deep, [1], 1).status is Status.TOO_LONG
    assert verify_equation(deep, [1], 1, max_depth=65).correct
    # max_digits refuses long literals the task does not give; the task's own are fine.
    assert verify_equation("1234567890123", [1], 1234567890123).status is Status.TOO_LONG
    assert verify_equation("1234567890123", [1234567890123], 1234567890123).correct
    assert verify_equation("123", [123], 123, max_digits=3).correct
    assert verify_equation("5+3", [5, 3], 8, max_length=2).status is Status.TOO_LONG


def test_value_cap_with_raised_length():
    huge = "*".join(["999999999999"] * 300)  # ~3,600 digits when multiplied out
    verdict = verify_equation(huge, [999999999999] * 300, 1, max_length=10_000)
    assert verdict.status is Status.TOO_LONG and "bits" in verdict.reason


def test_leading_zero_refused_but_zero_fine():
    verdict = verify_equation("05+3", [5, 3], 8)
    assert verdict.status is Status.FORBIDDEN and "leading zero" in verdict.reason
    assert verify_equation("0*5+3", [0, 5, 3], 3).correct


def test_parse_and_evaluate_building_blocks():
    parsed = parse("(25 + 50) * 4 = 300")
    assert parsed.postfix == (25, 50, "+", 4, "*")
    assert parsed.numbers == (25, 50, 4) and parsed.claimed == 300
    assert evaluate("1/3 + 1/6") == Fraction(1, 2)
    with pytest.raises(ExpressionError) as info:
        evaluate("1/0")
    assert info.value.status is Status.DIVISION_BY_ZERO
    with pytest.raises(ExpressionError) as info:
        parse("x" * 2000)
    assert info.value.status is Status.TOO_LONG
    with pytest.raises(TypeError):
        parse(b"1+2")


def test_verdict_to_dict_and_bool():
    verdict = verify_equation("7/2", [7, 2], 3)
    assert verdict.to_dict() == {
        "correct": False,
        "status": "wrong_value",
        "value": "7/2",
        "expression": "7/2",
        "reason": "the expression equals 7/2, not the target 3",
    }
    assert not verdict and verify_equation("7", [7], 7)
    with pytest.raises(AttributeError):
        verdict.correct = True  # type: ignore[misc]
    assert isinstance(verdict, Verdict)


def test_rules_objects_and_overrides():
    rules = Rules(exact_use=False)
    assert verify_equation("5", [5, 3], 5, rules=rules).correct
    assert verify_equation("5", [5, 3], 5, rules=rules, exact_use=True).status is (
        Status.WRONG_NUMBERS
    )
    with pytest.raises(RulesError, match="exact_uses"):
        verify_equation("5", [5], 5, exact_uses=False)
    with pytest.raises(RulesError):
        verify_equation("5", [5], 5, max_depth=0)
    assert DEFAULT_RULES.exact_use and not TV_RULES.exact_use


def test_more_literals_than_nums_stop_early():
    verdict = verify_equation("1+1+1+1+" * 100 + "1", [1, 1], 2)
    assert verdict.status is Status.WRONG_NUMBERS and verdict.value is None
    assert "more numbers than the 2 given" in verdict.reason


def test_postfix_program_and_its_evaluation():
    from verifiers._evaluate import evaluate_postfix

    rules = Rules(allow_unary_minus=True)
    parsed = parse("-(2 + 3) * 4 / +5", rules)
    assert parsed.postfix == (2, 3, "+", "neg", 4, "*", 5, "/")
    assert evaluate(parsed, rules) == -4
    assert evaluate_postfix(parse("7/2").postfix) == (7, 2)
    with pytest.raises(ExpressionError) as info:
        evaluate_postfix([1, "+"])
    assert info.value.status is Status.MALFORMED
    with pytest.raises(ExpressionError) as info:
        evaluate(parse("7/2*2"), Rules(integer_intermediates=True))
    assert info.value.status is Status.BAD_INTERMEDIATE
    with pytest.raises(TypeError):
        evaluate(12)  # type: ignore[arg-type]


def test_expression_error_pickles():
    import pickle

    error = ExpressionError(Status.FORBIDDEN, "powers (**) are not allowed")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.status is Status.FORBIDDEN and str(copy) == error.reason
