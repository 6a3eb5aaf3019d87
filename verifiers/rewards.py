"""TRL-compatible reward functions for Countdown.

Every reward has TRL's signature ``fn(completions, nums=None, target=None, **kwargs)`` and
returns one float per completion. ``completions`` holds strings or message lists (the last
assistant message is scored, see :func:`~verifiers._completions.completion_text`); ``nums`` and
``target`` are the dataset columns. Extra keywords TRL passes (``prompts``, ``completion_ids``,
``trainer_state``, ``log_extra``, ``log_metric``, ``environments``, other columns) are ignored.

* A completion that is ``None`` or has no text scores 0.0; a reward never raises on a completion.
* A missing ``nums``/``target`` column or a column of the wrong length raises ``ValueError``:
  that is a wiring bug, and zeros would hide it.
* A whole float in ``target`` or ``nums`` (``3.0``, as a pandas or parquet round trip may give)
  counts as that integer; a fractional one (``3.5``) raises ``ValueError`` naming the row, a
  data bug like a missing column.
* Parameterised rewards come from ``get_*`` factories returning small picklable classes with a
  fixed ``__name__`` (TRL logs each reward under that name).

>>> from verifiers import rewards
>>> rewards.correctness_reward(
...     ["<answer>6*4</answer>", [{"role": "assistant", "content": "<answer>6+4</answer>"}], None],
...     nums=[[4, 6]] * 3, target=[24] * 3, prompts=["..."] * 3)
[1.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# The ``X as X`` imports keep names this module always offered as attributes (a user's
# ``except rewards.ConfigError``) since the reward classes moved to verifiers._reward_classes.
from verifiers._check import Verifier
from verifiers._check import verify as verify
from verifiers._check import verify_equation as verify_equation
from verifiers._completions import completion_text as completion_text
from verifiers._completions import task_columns as task_columns
from verifiers._reward_classes import (
    CombinedReward,
    CorrectnessReward,
    FormatReward,
    PartialCreditReward,
    TinyZeroReward,
    VerifierReward,
)
from verifiers._verdict import Status as Status
from verifiers.errors import ConfigError as ConfigError
from verifiers.extract import Extractor
from verifiers.extract import get_extractor as get_extractor
from verifiers.extract import has_answer_format as has_answer_format
from verifiers.rules import Rules

__all__ = [
    "CombinedReward",
    "CorrectnessReward",
    "FormatReward",
    "PartialCreditReward",
    "RewardFunction",
    "TinyZeroReward",
    "VerifierReward",
    "combine_rewards",
    "correctness_reward",
    "format_reward",
    "get_correctness_reward",
    "get_format_reward",
    "get_partial_credit_reward",
    "get_tinyzero_reward",
    "get_verifier_reward",
    "tinyzero_reward",
]

RewardFunction = Callable[..., list]
"""TRL's reward shape: ``fn(completions, **columns) -> list[float | None]``."""


def get_correctness_reward(
    extractor: str | Extractor = "answer", rules: Rules | None = None, **rule_overrides: Any
) -> CorrectnessReward:
    """A 1.0/0.0 correctness reward with a chosen extractor and rules.

    >>> reward = get_correctness_reward("boxed", exact_use=False)
    >>> reward([r"\\boxed{25*4}"], nums=[[25, 4, 7]], target=[100])
    [1.0]
    """
    return CorrectnessReward(extractor, rules, rule_overrides)


def get_tinyzero_reward(
    format_score: float = 0.1,
    correct_score: float = 1.0,
    extractor: str | Extractor = "answer",
    rules: Rules | None = None,
    **rule_overrides: Any,
) -> TinyZeroReward:
    """TinyZero's 0 / ``format_score`` / ``correct_score`` reward (``compute_score`` in its
    ``countdown.py``), exact and safe.

    >>> get_tinyzero_reward(format_score=0.2)(["<answer>1+1</answer>", "1+2"], nums=[[1, 2]] * 2,
    ...                                       target=[3, 3])
    [0.2, 0.0]
    """
    return TinyZeroReward(format_score, correct_score, extractor, rules, rule_overrides)


def get_format_reward(
    require_think: bool = True, allow_implicit_think: bool = True
) -> FormatReward:
    """The think-then-answer format reward (see :class:`FormatReward`).

    >>> get_format_reward(require_think=False)(["<answer>3+5</answer>"])
    [1.0]
    """
    return FormatReward(require_think, allow_implicit_think)


def get_partial_credit_reward(
    cap: float = 0.5,
    extractor: str | Extractor = "answer",
    rules: Rules | None = None,
    **rule_overrides: Any,
) -> PartialCreditReward:
    """Distance-based partial credit (formula in :class:`PartialCreditReward`).

    >>> get_partial_credit_reward(cap=0.5)(["<answer>90+5</answer>"], nums=[[5, 90]], target=[100])
    [0.475]
    """
    return PartialCreditReward(cap, extractor, rules, rule_overrides)


def get_verifier_reward(
    verifier: Verifier,
    name: str = "verifier_reward",
    correct_score: float = 1.0,
    wrong_score: float = 0.0,
) -> VerifierReward:
    """Turn any :class:`~verifiers._check.Verifier` into a TRL reward.

    ``verifier(completion, nums, target)`` must return a :class:`~verifiers._verdict.Verdict`;
    a plain ``bool`` is refused with ``TypeError`` when the reward is called.

    >>> from verifiers import CountdownVerifier
    >>> reward = get_verifier_reward(CountdownVerifier(extractor="bare"), name="bare_reward")
    >>> reward.__name__, reward(["3*5"], nums=[[3, 5]], target=[15])
    ('bare_reward', [1.0])
    """
    return VerifierReward(verifier, name, correct_score, wrong_score)


def combine_rewards(
    components: Sequence[tuple[Callable[..., list], float]], name: str = "combined_reward"
) -> CombinedReward:
    """Weighted sum of rewards: ``sum(weight * fn(completions, **columns))`` per completion.

    >>> both = combine_rewards([(correctness_reward, 1.0), (format_reward, 0.5)])
    >>> both(["<think>ok</think><answer>2*3</answer>"], nums=[[2, 3]], target=[6])
    [1.5]
    """
    return CombinedReward(components, name)


_CORRECTNESS = CorrectnessReward()
_TINYZERO = TinyZeroReward()
_FORMAT = FormatReward()


def correctness_reward(
    completions: Sequence[object], nums: Any = None, target: Any = None, **kwargs: Any
) -> list[float]:
    """1.0 when the last ``<answer>`` block is correct under the default rules, else 0.0.

    >>> correctness_reward(["<answer>3 × 4</answer>"], nums=[[3, 4]], target=[12])
    [1.0]
    """
    return _CORRECTNESS(completions, nums, target)


def tinyzero_reward(
    completions: Sequence[object], nums: Any = None, target: Any = None, **kwargs: Any
) -> list[float]:
    """TinyZero's scores (0 no answer tag, 0.1 tag but wrong, 1.0 correct), exact and safe.

    >>> tinyzero_reward(["<answer>2**3</answer>", "<answer>\\n4*2\\n</answer>\\nDone."],
    ...                 nums=[[2, 3], [4, 2]], target=[8, 8])
    [0.1, 1.0]
    """
    return _TINYZERO(completions, nums, target)


def format_reward(completions: Sequence[object], **kwargs: Any) -> list[float]:
    """1.0 for ``<think>...</think>`` then exactly one non-empty ``<answer>...</answer>``.

    >>> format_reward(["<think>hm</think>\\n<answer>1+2</answer>", "<answer></answer>"])
    [1.0, 0.0]
    """
    return _FORMAT(completions)
