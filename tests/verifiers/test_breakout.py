"""Break-out attempts: each must be refused, correctly and fast, and never run anything."""

import time

import pytest

from verifiers import Status, verify, verify_equation
from verifiers.strategies import HOSTILE_EXAMPLES

MB = 1_000_000


def _best_seconds(call, repeat=5):
    """The result of ``call()`` and its fastest of ``repeat`` timings: a bound on the best run
    holds on a busy machine (other processes only ever add time), yet still fails an input that
    is decided by work proportional to its length instead of by the length check."""
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    return result, min(seconds)


def _timed(expression, nums=(1, 2, 3), target=6, **rules):
    return _best_seconds(
        lambda: verify_equation(expression, list(nums), target, cache=False, **rules)
    )


@pytest.mark.parametrize(
    ("expression", "status"),
    [
        ("__import__('os').system('touch /tmp/countdown_pwned')", Status.FORBIDDEN),
        ("().__class__.__bases__[0].__subclasses__()", Status.FORBIDDEN),
        ("eval('1+1')", Status.FORBIDDEN),
        ("open('/etc/passwd').read()", Status.FORBIDDEN),
        ("99**98**97", Status.FORBIDDEN),
        ("9**9**9", Status.FORBIDDEN),
        ("2 ** 3", Status.FORBIDDEN),
        ("7//2", Status.FORBIDDEN),
        ("1.5*2", Status.FORBIDDEN),
        (".5+1", Status.FORBIDDEN),
        ("1e3", Status.FORBIDDEN),
        ("1E3", Status.FORBIDDEN),
        ("0x10", Status.FORBIDDEN),
        ("0o17", Status.FORBIDDEN),
        ("0b101", Status.FORBIDDEN),
        ("1_000", Status.FORBIDDEN),
        ("1j", Status.FORBIDDEN),
        ("2(3+4)", Status.FORBIDDEN),
        ("(1+2)(3)", Status.FORBIDDEN),
        ("(1+2)3", Status.FORBIDDEN),
        ("3 4", Status.FORBIDDEN),
        ("3\n4", Status.FORBIDDEN),
        ("٣+٤", Status.FORBIDDEN),  # Arabic-Indic digits
        ("３+４", Status.FORBIDDEN),  # fullwidth digits
        ("२+३", Status.FORBIDDEN),  # Devanagari digits
        ("2²", Status.FORBIDDEN),  # superscript
        ("1\x00+2", Status.FORBIDDEN),
        ("1+\ud800", Status.FORBIDDEN),
        ("1+2\u200b", Status.FORBIDDEN),  # zero-width space
        ("'1'+'2'", Status.FORBIDDEN),
        ("[1, 2]", Status.FORBIDDEN),
        ("{1}", Status.FORBIDDEN),
        (r"\frac{1}{2}", Status.FORBIDDEN),
        ("1 if 1 else 2", Status.FORBIDDEN),
        ("lambda: 1", Status.FORBIDDEN),
        ("abs(-3)", Status.FORBIDDEN),
    ],
)
def test_refused(expression, status):
    verdict, seconds = _timed(expression)
    assert verdict.status is status, verdict.reason
    assert not verdict.correct and verdict.value is None
    assert seconds < 0.01


def test_nothing_was_executed(tmp_path):
    marker = tmp_path / "pwned"
    verify(f"<answer>__import__('os').system('touch {marker}')</answer>", [1], 1)
    verify_equation(f"open('{marker}', 'w')", [1], 1)
    assert not marker.exists()


def test_number_reuse_and_concatenation():
    assert verify_equation("81*1", [1, 81, 1, 1], 81).status is Status.WRONG_NUMBERS
    assert verify_equation("12+3", [1, 2, 3], 15).status is Status.WRONG_NUMBERS
    assert verify_equation("1 2+3", [1, 2, 3], 15).status is Status.FORBIDDEN
    assert verify_equation("25*25", [25, 4], 625, exact_use=False).status is (Status.WRONG_NUMBERS)
    assert verify_equation("6", [6, 6], 6).status is Status.WRONG_NUMBERS


@pytest.mark.parametrize(
    "shape",
    [
        "(" * (MB // 2) + "1" + ")" * (MB // 2),
        "(" * 100_000 + "1" + ")" * 100_000,
        "1+" * (MB // 2) + "1",
        "-" * MB + "1",
        "9" * MB,
        "9*" * (MB // 2) + "9",
        "1/" * (MB // 2) + "1",
        " " * MB + "1",
        "a" * MB,
        "\ud800" * MB,
        "٣" * MB,
        "\x00" * MB,
    ],
)
def test_megabyte_inputs_decided_fast(shape):
    verdict, seconds = _timed(shape)
    assert verdict.status is Status.TOO_LONG
    assert seconds < 0.005  # far below: the length check comes before any other work


def test_megabyte_completions_decided_linearly():
    for completion in [
        "<answer>" * (MB // 8),
        "x" * MB + "<answer>5+3</answer>",
        "</answer>" * (MB // 9),
        "<answer>" + "(" * MB + "</answer>",
    ]:
        verdict, seconds = _best_seconds(lambda: verify(completion, [5, 3], 8, cache=False), 3)
        assert seconds < 0.05
        assert verdict.status in (Status.NO_ANSWER, Status.CORRECT, Status.TOO_LONG)
    boxed = "\\boxed{" + "{" * MB
    _, seconds = _best_seconds(lambda: verify(boxed, [5, 3], 8, extractor="boxed"), 3)
    assert seconds < 1.0


def test_deep_nesting_with_raised_limits_has_no_recursion_error():
    depth = 100_000
    text = "(" * depth + "1" + ")" * depth
    verdict, _ = _timed(text, nums=[1], target=1, max_length=10 * depth, max_depth=depth)
    assert verdict.correct
    chain, seconds = _timed(
        "-" * 200_000 + "1", nums=[1], target=1, max_length=MB, allow_unary_minus=True
    )
    assert chain.correct and seconds < 2


def test_worst_case_under_default_limits_is_fast():
    worst = 0.0
    shapes = [
        "(" * 64 + "1" + ")" * 64,
        "9*" * 499 + "9",
        "1/" * 499 + "1",
        "999999999999*" * 76 + "1",
        "(1/999999999989+" * 30 + "1" + ")" * 30,
    ]
    for text in shapes:
        _, seconds = _timed(text[:1000])
        worst = max(worst, seconds)
    assert worst < 0.01


def test_known_hostile_examples_never_raise():
    for text in HOSTILE_EXAMPLES:
        verdict = verify_equation(text, [1, 2, 3], 6)
        assert not verdict.correct
        verify(f"<answer>{text}</answer>", [1, 2, 3], 6)
