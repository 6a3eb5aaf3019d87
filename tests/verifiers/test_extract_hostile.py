"""Extractors on hostile completions: linear time, same answers on normal text (issue 14, 29)."""

import time

import pytest

from verifiers import verify
from verifiers._completions import completion_text
from verifiers.extract import (
    MAX_BOXED_BRACES,
    extract_answer,
    extract_bare,
    extract_boxed,
    has_answer_format,
)

TEN_MB = 10**7

HOSTILE = {
    "boxed-then-open-braces": "\\boxed{" + "{" * TEN_MB,
    "boxed-then-brace-pairs": "\\boxed{" + "{}" * (TEN_MB // 2),
    "many-boxes": "\\boxed{1}" * (TEN_MB // 9),
    "open-answer-tags": "<answer>" * (TEN_MB // 8) + "</answer>",
    "close-answer-tags": "<answer>" + "</answer>" * (TEN_MB // 9),
    "half-tags": "<answe" * (TEN_MB // 6) + "</answer>",
    "think-tags": "<think>" * (TEN_MB // 7) + "</think><answer>1</answer>",
}


def _slowest(function, text, tries=2):
    """The faster of two runs, so one pause of a shared machine does not fail the test."""
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize(
    "function", [extract_answer, extract_boxed, extract_bare, has_answer_format, completion_text]
)
def test_ten_megabyte_hostile_completions_are_read_in_linear_time(name, function):
    # Uncapped, the boxed extractor took about 5 s on the first shape; linear scans take ms.
    assert _slowest(function, HOSTILE[name]) < 1.0


def test_an_unclosed_box_with_millions_of_braces_is_no_answer():
    assert extract_boxed(HOSTILE["boxed-then-open-braces"]) is None
    verdict = verify(HOSTILE["boxed-then-open-braces"], [1, 2], 3, extractor="boxed")
    assert verdict.status.value == "no_answer"


def test_boxed_answers_keep_their_meaning_below_the_cap():
    assert extract_boxed(r"so \boxed{(1+2)*3} and finally \boxed{ 6*4 }.") == "6*4"
    assert extract_boxed(r"\boxed{\frac{6}{2} + 1}") == r"\frac{6}{2} + 1"
    assert extract_boxed(r"\boxed{12") is None
    nested = "{" * (MAX_BOXED_BRACES // 2 - 1) + "1" + "}" * (MAX_BOXED_BRACES // 2 - 1)
    assert extract_boxed("\\boxed{" + nested + "} tail") == nested
    too_deep = "{" * MAX_BOXED_BRACES + "1" + "}" * MAX_BOXED_BRACES
    assert extract_boxed("\\boxed{" + too_deep + "}") is None
    assert verify(r"\boxed{25 \times 4}", [25, 4], 100, extractor="boxed").correct
