"""verl / TinyZero drop-in: :func:`compute_score`, the exact checker behind verl's reward hook.

verl loads a custom reward function from a file or module (``custom_reward_function.path`` and
``.name``) and calls it once per response as ``compute_score(data_source=..., solution_str=...,
ground_truth=..., extra_info=...)``, with the decoded response as ``solution_str`` and the row's
``reward_model.ground_truth`` as ``ground_truth``. The returned dict's ``score`` is the reward;
verl logs every other key of the dict beside it (so every call returns the same keys).

Compared with TinyZero's own ``countdown.py`` scorer this one

* finds the answer without a chat marker: current verl passes the response alone, and TinyZero's
  extractor, which wants ``"Assistant:"`` or ``"<|im_start|>assistant"``, scores 0 there;
* scores the last complete ``<answer>`` block wherever it is (TinyZero's looked at the last line
  only);
* checks exactly and safely (no ``eval``, exact fractions instead of a 1e-5 tolerance).

When a chat marker is present (an older reward manager decoded prompt and response together),
only the text after the first marker is read, so the example answer in TinyZero's prompt
(``<answer> (1 + 2) / 3 </answer>``) never earns the format score.

Importing this module loads only the standard library and :mod:`verifiers`; verl is not needed.

>>> result = compute_score("countdown", "<think>4*6=24</think> <answer>4 * 6</answer>",
...                        {"target": 24, "numbers": [4, 6]})
>>> result
{'score': 1.0, 'acc': 1.0, 'status': 'correct'}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any, SupportsInt, cast

from verifiers._check import verify_equation
from verifiers._verdict import Status
from verifiers.errors import ConfigError
from verifiers.extract import extract_answer
from verifiers.rules import Rules

__all__ = ["CHAT_MARKERS", "compute_score", "task_from_ground_truth"]

CHAT_MARKERS: tuple[str, ...] = ("Assistant:", "<|im_start|>assistant")
"""The markers TinyZero's extractor looked for; text before the first one is prompt."""

_NUMS_KEYS = ("numbers", "nums")


def _whole(value: object, where: str, keys: list[str]) -> int:
    """``value`` as an int: integers (numpy ones too) and whole floats such as ``3.0``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        return int(cast(SupportsInt, value))  # float, Fraction, numpy floats: int() works
    raise ValueError(
        f"compute_score: ground_truth {where} is {value!r}, not a whole number "
        f"(the row's ground_truth has keys {keys})"
    )


def task_from_ground_truth(ground_truth: object) -> tuple[list[int], int]:
    """``(nums, target)`` from a ``ground_truth`` as verl loads it from parquet.

    Accepts TinyZero's ``{"target", "numbers"}`` and ours ``{"target", "nums"}``; the numbers
    may be a list, a tuple or a numpy array, and whole floats (``3.0``) count as integers.
    Anything else is a data bug, and a :class:`ValueError` names what the row holds.

    >>> import numpy as np
    >>> task_from_ground_truth({"target": np.int64(24), "numbers": np.array([4, 6])})
    ([4, 6], 24)
    >>> task_from_ground_truth({"answer": "24"})
    Traceback (most recent call last):
    ...
    ValueError: compute_score: ground_truth needs 'target' and 'numbers' (TinyZero) or 'nums', \
got a dict with keys ['answer']
    """
    if not isinstance(ground_truth, Mapping):
        raise ValueError(
            "compute_score: ground_truth must be a dict with 'target' and 'numbers' (TinyZero) "
            f"or 'nums', got {type(ground_truth).__name__}"
        )
    keys = sorted(map(str, ground_truth))
    nums_key = next((key for key in _NUMS_KEYS if key in ground_truth), None)
    if nums_key is None or "target" not in ground_truth:
        raise ValueError(
            "compute_score: ground_truth needs 'target' and 'numbers' (TinyZero) or 'nums', "
            f"got a dict with keys {keys}"
        )
    raw = ground_truth[nums_key]
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Iterable):
        raise ValueError(
            f"compute_score: ground_truth {nums_key!r} must be a list of numbers, got "
            f"{type(raw).__name__} (the row's ground_truth has keys {keys})"
        )
    nums = [_whole(value, f"{nums_key}[{i}]", keys) for i, value in enumerate(raw)]
    negative = [value for value in nums if value < 0]
    if negative:
        raise ValueError(
            f"compute_score: ground_truth {nums_key!r} holds {negative[0]}; Countdown numbers "
            f"are non-negative (the row's ground_truth has keys {keys})"
        )
    return nums, _whole(ground_truth["target"], "'target'", keys)


def _response(solution_str: str) -> str:
    """The text after the first chat marker, or all of it when there is none."""
    starts = [(solution_str.find(marker), marker) for marker in CHAT_MARKERS]
    found = [start + len(marker) for start, marker in starts if start >= 0]
    return solution_str[min(found) :] if found else solution_str


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"compute_score: {name} must be a finite number, got {value!r}")
    return float(value)


def _rules(rules: Rules | Mapping[str, Any] | None) -> Rules | None:
    if rules is None or isinstance(rules, Rules):
        return rules
    if isinstance(rules, Mapping):  # a section of verl's YAML (``reward_kwargs.rules``)
        return Rules.from_kwargs(None, **{str(key): value for key, value in rules.items()})
    raise ConfigError(
        f"compute_score: rules must be a Rules or a dict of rule fields, got {type(rules).__name__}"
    )


def compute_score(
    data_source: object,
    solution_str: object,
    ground_truth: object,
    extra_info: object = None,
    *,
    format_score: float = 0.1,
    correct_score: float = 1.0,
    rules: Rules | Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Score one response to a Countdown task as verl's reward managers ask.

    Args:
        data_source: the row's ``data_source`` (any value; not used).
        solution_str: the decoded response. Anything that is not a ``str`` scores 0.
        ground_truth: ``{"target": int, "numbers": list | numpy array}`` (TinyZero's layout,
            what ``countdown generate --format tinyzero`` writes) or ``{"target", "nums"}``.
        extra_info: the row's ``extra_info`` (not used).
        format_score: the score of a complete ``<answer>`` block that is not correct
            (TinyZero's 0.1; 0.0 gives a plain 0/1 reward).
        correct_score: the score of a correct answer (TinyZero's 1.0).
        rules: a :class:`~verifiers.rules.Rules`, or a dict of its fields such as
            ``{"exact_use": False}`` (default: each number exactly once, ``+ - * /``).
        **kwargs: other keywords verl passes (``reward_router_address``, ...), ignored.
            ``format_score``, ``correct_score`` and ``rules`` come from verl's
            ``custom_reward_function.reward_kwargs``.

    Returns:
        ``{"score": float, "acc": float, "status": str}``: ``score`` is 0.0 without a complete
        ``<answer>`` block, ``format_score`` with one that is not correct and ``correct_score``
        when correct; ``acc`` is 1.0 or 0.0; ``status`` is the verdict's
        :class:`~verifiers._verdict.Status` value (``"correct"``, ``"no_answer"``,
        ``"wrong_value"``, ...). verl logs ``acc`` and ``status`` beside the score.

    Raises:
        ValueError: ``ground_truth`` is not a Countdown task (see :func:`task_from_ground_truth`):
            a data bug that zeros would hide. Never raised for any ``solution_str``.
        ConfigError: ``format_score``, ``correct_score`` or ``rules`` is not usable.

    >>> truth = {"target": 10, "numbers": [5, 3, 2]}
    >>> [compute_score("countdown", text, truth)["score"] for text in
    ...  ["no tags", "<answer>5*2+3</answer>", "Assistant: <answer>5+3+2</answer>", None]]
    [0.0, 0.1, 1.0, 0.0]
    >>> compute_score("countdown", "<answer>5+3</answer>", truth, format_score=0.0)
    {'score': 0.0, 'acc': 0.0, 'status': 'wrong_numbers'}
    """
    nums, target = task_from_ground_truth(ground_truth)
    format_value = _finite("format_score", format_score)
    correct_value = _finite("correct_score", correct_score)
    checked_rules = _rules(rules)
    answer = extract_answer(_response(solution_str)) if isinstance(solution_str, str) else None
    if answer is None:
        return {"score": 0.0, "acc": 0.0, "status": Status.NO_ANSWER.value}
    verdict = verify_equation(answer, nums, target, rules=checked_rules)
    return {
        "score": correct_value if verdict.correct else format_value,
        "acc": 1.0 if verdict.correct else 0.0,
        "status": verdict.status.value,
    }
