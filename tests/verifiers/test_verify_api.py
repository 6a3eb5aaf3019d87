"""The public checking API: extraction, ``verify``, input validation, the cache, the protocol."""

import pickle

import numpy as np
import pytest

import verifiers
from verifiers import (
    CountdownVerifier,
    Status,
    Verifier,
    extract_answer,
    extract_bare,
    extract_boxed,
    verify,
    verify_equation,
)
from verifiers.extract import get_extractor, has_answer_format


def test_extract_last_block_multiline_and_trailing_text():
    completion = (
        "<think>Maybe <answer>1+2</answer>? No.</think>\n"
        "<answer>\n  (25 + 50)\n  * 4\n</answer>\nThat is my answer. Bye."
    )
    assert extract_answer(completion) == "(25 + 50)\n  * 4"
    assert verify(completion, [4, 25, 50], 300).correct


def test_extract_edge_cases():
    assert extract_answer("no tags at all") is None
    assert extract_answer("<answer></answer>") == ""
    assert extract_answer("</answer> <answer>") is None
    assert extract_answer("<answer>4*6</answer> then <answer>5+") == "4*6"  # unclosed ignored
    assert extract_answer("<answer>5+3") is None
    assert extract_answer("<answer><answer>5+3</answer>") == "5+3"
    with pytest.raises(TypeError):
        extract_answer(None)  # type: ignore[arg-type]


def test_extract_boxed_and_bare():
    assert extract_boxed(r"\boxed{1} then \boxed{ (2+3)*4 }") == "(2+3)*4"
    assert extract_boxed(r"\boxed{\frac{1}{2}}") == r"\frac{1}{2}"
    assert extract_boxed(r"\boxed{12") is None
    assert extract_boxed("nothing") is None
    assert extract_bare("  3*5 \n") == "3*5"
    assert extract_bare(" \n ") is None
    assert get_extractor("bare") is extract_bare
    with pytest.raises(verifiers.ConfigError):
        get_extractor("first")


def test_verify_statuses_and_extractors():
    assert verify("I think it is 8", [5, 3], 8).status is Status.NO_ANSWER
    assert verify("<answer></answer>", [5, 3], 8).status is Status.MALFORMED
    assert verify(r"so \boxed{5+3}", [5, 3], 8, extractor="boxed").correct
    assert verify("5+3", [5, 3], 8, extractor="bare").correct
    assert verify("", [5, 3], 8, extractor="bare").status is Status.NO_ANSWER
    assert verify("ANSWER: 5+3", [5, 3], 8, extractor=lambda t: t.split(":")[1]).correct
    missing = verify("x", [5, 3], 8, extractor=lambda t: None)
    assert missing.status is Status.NO_ANSWER and missing.expression is None


def test_length_applies_to_the_extracted_answer():
    thinking = "x" * 50_000
    assert verify(f"<think>{thinking}</think><answer>5+3</answer>", [5, 3], 8).correct


@pytest.mark.parametrize("bad", [None, 5, b"5+3", ["5+3"]])
def test_non_str_raises_type_error(bad):
    with pytest.raises(TypeError):
        verify_equation(bad, [5, 3], 8)
    with pytest.raises(TypeError):
        verify(bad, [5, 3], 8)


@pytest.mark.parametrize(
    ("nums", "target", "error"),
    [
        ([5, True], 8, TypeError),
        ([5, 3.0], 8, TypeError),
        ("53", 8, TypeError),
        ({5: 1}, 8, TypeError),
        ({5, 3}, 8, TypeError),
        (5, 8, TypeError),
        ([5, -3], 8, ValueError),
        ([5, 3], 8.0, TypeError),
        ([5, 3], True, TypeError),
        ([5, 3], "8", TypeError),
    ],
)
def test_bad_task_raises(nums, target, error):
    with pytest.raises(error):
        verify_equation("5+3", nums, target)
    with pytest.raises(error):
        verify("no answer here", nums, target)


def test_numpy_and_tuple_tasks_are_accepted():
    assert verify_equation("5+3", np.array([5, 3]), np.int64(8)).correct
    assert verify_equation("5+3", (5, 3), 8).correct
    assert verify_equation("5+3", iter([5, 3]), 8).correct


def test_cache_hits_and_bypass():
    verifiers.clear_cache()
    first = verify_equation("25*4", [25, 4], 100)
    second = verify_equation("25*4", [25, 4], 100)
    assert first is second
    assert verifiers.cache_info().hits >= 1
    fresh = verify_equation("25*4", [25, 4], 100, cache=False)
    assert fresh == first and fresh is not first
    # Different rules are different keys.
    assert verify_equation("25", [25, 4], 25, exact_use=False).correct
    assert not verify_equation("25", [25, 4], 25).correct
    verifiers.clear_cache()
    assert verifiers.cache_info().currsize == 0


def test_too_long_is_never_cached():
    verifiers.clear_cache()
    verify_equation("1" * 5000, [1], 1)
    assert verifiers.cache_info().currsize == 0


def test_countdown_verifier_is_a_picklable_verifier():
    check = CountdownVerifier(extractor="boxed", exact_use=False)
    assert isinstance(check, Verifier)
    copy = pickle.loads(pickle.dumps(check))
    assert copy(r"\boxed{25*4}", [25, 4, 3], 100).correct
    assert "boxed" in repr(copy)
    with pytest.raises(verifiers.RulesError):
        CountdownVerifier(no_such_rule=True)


def test_has_answer_format():
    assert has_answer_format("<think>a</think>\n<answer>1+2</answer>\n")
    assert has_answer_format("thinking...</think><answer>1+2</answer>")  # implicit <think>
    assert not has_answer_format(
        "thinking...</think><answer>1+2</answer>", allow_implicit_think=False
    )
    assert not has_answer_format("<answer>1+2</answer>")
    assert has_answer_format("<answer>1+2</answer>", require_think=False)
    assert not has_answer_format("<think>a</think><answer> </answer>")
    assert not has_answer_format("<think>a</think><answer>1</answer><answer>2</answer>")
    assert not has_answer_format("<think>a</think><answer>1</answer> trailing words")
    assert not has_answer_format("<think>a</think> words <answer>1</answer>")
    assert not has_answer_format("<answer>1</answer><think>a</think>")
    assert not has_answer_format("<think>a</think><think>b</think><answer>1</answer>")
    assert not has_answer_format("preamble <think>a</think><answer>1</answer>")


def test_package_exports_and_light_import():
    import subprocess
    import sys

    code = (
        "import sys, verifiers; "
        "heavy = {'numpy', 'torch', 'sympy', 'hypothesis', 'atheris', 'transformers'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    for name in verifiers.__all__:
        assert hasattr(verifiers, name)
    assert callable(verifiers.rewards.correctness_reward)


def test_nested_and_stray_answer_tags_give_the_innermost_block():
    assert extract_answer("<answer><answer>1</answer></answer>") == "1"
    assert extract_answer("<answer>1+2</answer></answer>") == "1+2"
    assert extract_answer("<answer>9<answer>2+1</answer> x </answer>") == "2+1"
    assert extract_answer("<answer>4*6</answer> and <answer>5+3</answer>") == "5+3"
    assert verify("<answer><answer>1+2</answer></answer>", [1, 2], 3).correct
    assert not has_answer_format("<think>x</think><answer><answer>1+2</answer></answer>")


def test_unicode_spaces_are_read_as_spaces():
    # No-break and thin spaces appear in model output; "whitespace is accepted" covers them.
    from verifiers import verify_equation

    for space in ("\u00a0", "\u2009", "\u202f", "\u3000"):
        assert verify_equation(f"3{space}+{space}4", [3, 4], 7).correct
    glued = verify_equation("3\u00a04", [3, 4], 34)  # a space between digits: not 34
    assert not glued.correct and "glued numbers" in glued.reason


def test_a_claim_may_carry_either_sign():
    # '= -49' was read as a claim while '= +49' was malformed (found against a sympy oracle).
    from verifiers import verify_equation

    assert verify_equation("50-1 = +49", [1, 50], 49).correct
    assert verify_equation("50-1 = -49", [1, 50], 49).status.value == "wrong_value"
    assert verify_equation("50-1 = +-49", [1, 50], 49).status.value == "malformed"
