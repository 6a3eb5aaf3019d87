"""Features that must stay unsupported: if one of these starts passing, a rule was loosened."""

import pytest

from verifiers import Status, verify_equation

UNSUPPORTED = {
    "power": "2**3",
    "caret power": "2^3",
    "floor division": "7//2",
    "modulo": "7%2",
    "factorial": "3!",
    "decimal": "1.5*2",
    "scientific notation": "8e0",
    "hex literal": "0x8",
    "underscore literal": "8_0",
    "unary minus": "-2+10",
    "unary plus": "+8",
    "function call": "abs(8)",
    "sqrt": "sqrt(64)",
    "name": "x",
    "attribute": "(8).real",
    "string": "'8'",
    "implicit multiplication": "2(4)",
    "implicit multiplication of groups": "(2)(4)",
    "juxtaposed numbers": "2 4",
    "leading zero": "08",
    "comparison": "8 == 8",
    "brackets": "[8]",
    "comma": "8,0",
    "bitwise": "8|0",
    "shift": "1<<3",
    "LaTeX fraction": r"\frac{16}{2}",
    "non-ASCII digits": "٨",
    "absolute value bars": "|8|",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_stays_unsupported(name):
    expression = UNSUPPORTED[name]
    nums = [int(c) for c in expression if c in "0123456789"] or [8]
    verdict = verify_equation(expression, nums, 8)
    assert not verdict.correct, f"{name} is accepted: {expression!r}"
    assert verdict.status in (Status.FORBIDDEN, Status.MALFORMED), verdict


def test_number_outside_nums_is_never_accepted():
    assert verify_equation("8", [4, 4], 8).status is Status.WRONG_NUMBERS
    assert verify_equation("44/4-3", [4, 4, 4, 3], 8).status is Status.WRONG_NUMBERS
