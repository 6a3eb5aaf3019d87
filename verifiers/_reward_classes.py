"""The reward classes behind :mod:`verifiers.rewards`: how one batch of completions is scored.

Each class is a small picklable callable with TRL's reward signature and a fixed ``__name__``
(TRL logs each reward under that name). Users normally get them from the ``get_*`` factories
in :mod:`verifiers.rewards`, which re-exports every public name here; this module holds the
scoring itself, that one the public functions.

>>> CorrectnessReward()(["<answer>6*4</answer>"], nums=[[4, 6]], target=[24])
[1.0]
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from verifiers._check import Verifier, verify, verify_equation
from verifiers._completions import completion_text, task_columns
from verifiers._values import show_repr
from verifiers._verdict import Status
from verifiers.errors import ConfigError
from verifiers.extract import Extractor, get_extractor, has_answer_format
from verifiers.rules import Rules

__all__ = [
    "CombinedReward",
    "CorrectnessReward",
    "FormatReward",
    "PartialCreditReward",
    "TinyZeroReward",
    "VerifierReward",
]


def _completion_list(name: str, completions: object) -> Sequence[object]:
    if isinstance(completions, (str, bytes)) or not isinstance(completions, Sequence):
        raise TypeError(
            f"{name}: completions must be a list (one entry per completion), "
            f"got {type(completions).__name__}"
        )
    return completions


def _finite(value: object) -> bool:
    """Whether ``value`` is a real number (not a bool) that fits a finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int or Fraction beyond the float range
        return False


def _score(name: str, value: object) -> float:
    """``value`` as a finite float (numpy scalars included); bools, text, NaN, infinities and
    numbers beyond the float range are a :class:`ConfigError`."""
    if not _finite(value):
        raise ConfigError(f"{name} must be a finite number, got {show_repr(value)}")
    return float(value)  # type: ignore[arg-type]


def _closeness(value: Fraction, target: int) -> float:
    """``max(0, 1 - |value - target| / max(|target|, 1))`` as a float, exactly and safely.

    Compared as fractions before any float is made, so a value or target of any size (far
    beyond the float range) or any tininess gives a number in ``[0, 1]``, never an
    ``OverflowError``.

    >>> _closeness(Fraction(95), 100), _closeness(Fraction(-10**300), 1)
    (0.95, 0.0)
    """
    scale = max(abs(target), 1)
    distance = abs(value - target)
    if distance >= scale:
        return 0.0
    return float(1 - distance / scale)  # a Fraction in (0, 1]: float() cannot overflow


def _whole(name: str, column: str, row: int, value: Any) -> Any:
    """A whole float (``3.0``, as pandas or parquet may give) as an ``int``; other values as
    they are (the checker judges them). A fractional float is a data bug: ``ValueError``."""
    if type(value) is int or isinstance(value, numbers.Integral):
        return value
    if not isinstance(value, numbers.Real):
        return value
    number = float(value)
    if not number.is_integer():
        raise ValueError(
            f"{name}: {column}[{row}] is {value!r}, not a whole number; Countdown tasks hold "
            "integers (check how the dataset column was built)"
        )
    return int(number)


def _task_values(name: str, row: int, nums: Any, target: Any) -> tuple[Any, Any]:
    """One row's ``nums`` and ``target`` with whole floats turned into ints (see :func:`_whole`)."""
    target = _whole(name, "target", row, target)
    if isinstance(nums, (list, tuple)) and all(type(v) is int for v in nums):
        return nums, target
    if isinstance(nums, (str, bytes)) or not hasattr(nums, "__iter__"):
        return nums, target  # the checker refuses it with a clear TypeError
    return [_whole(name, f"nums[{row}]", i, v) for i, v in enumerate(nums)], target


class _TaskReward(abc.ABC):
    """Shared loop of the rewards that check each completion against its task."""

    __name__ = "reward"

    def _set_checking(
        self, extractor: str | Extractor, rules: Rules | None, overrides: dict
    ) -> None:
        get_extractor(extractor)
        self.extractor = extractor
        self.rules = Rules.from_kwargs(rules, **overrides)

    def __call__(
        self, completions: Sequence[object], nums: Any = None, target: Any = None, **kwargs: Any
    ) -> list[float]:
        items = _completion_list(self.__name__, completions)
        nums, target = task_columns(self.__name__, len(items), nums, target)
        return [
            self._score_text(text, *_task_values(self.__name__, row, task_nums, task_target))
            for row, (text, task_nums, task_target) in enumerate(
                zip(map(completion_text, items), nums, target, strict=True)
            )
        ]

    @abc.abstractmethod
    def _score_text(self, text: str | None, nums: Any, target: Any) -> float:
        """The score of one completion's text (``None``: the completion had no text)."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "__name__")
        return f"{type(self).__name__}({fields})"


class CorrectnessReward(_TaskReward):
    """1.0 when the extracted answer is correct under the rules, else 0.0."""

    __name__ = "correctness_reward"

    def __init__(
        self,
        extractor: str | Extractor = "answer",
        rules: Rules | None = None,
        overrides: dict | None = None,
    ) -> None:
        self._set_checking(extractor, rules, overrides or {})

    def _score_text(self, text: str | None, nums: Any, target: Any) -> float:
        if text is None:
            return 0.0
        verdict = verify(text, nums, target, rules=self.rules, extractor=self.extractor)
        return 1.0 if verdict.correct else 0.0


class TinyZeroReward(_TaskReward):
    """TinyZero's scores: 0.0 no answer found, ``format_score`` answer present but not correct,
    ``correct_score`` correct; checked exactly and safely (no ``eval``, no 1e-5 tolerance, and
    the answer may be anywhere, not only on the last line)."""

    __name__ = "tinyzero_reward"

    def __init__(
        self,
        format_score: float = 0.1,
        correct_score: float = 1.0,
        extractor: str | Extractor = "answer",
        rules: Rules | None = None,
        overrides: dict | None = None,
    ) -> None:
        self._set_checking(extractor, rules, overrides or {})
        self.format_score = _score("format_score", format_score)
        self.correct_score = _score("correct_score", correct_score)

    def _score_text(self, text: str | None, nums: Any, target: Any) -> float:
        if text is None:
            return 0.0
        answer = get_extractor(self.extractor)(text)
        if answer is None:
            return 0.0
        verdict = verify_equation(answer, nums, target, rules=self.rules)
        return self.correct_score if verdict.correct else self.format_score


class PartialCreditReward(_TaskReward):
    """Distance-based partial credit for legal answers that miss the target.

    Formula: 1.0 when correct; for a ``wrong_value`` verdict (legal expression, right numbers,
    value ``v``) ``cap * max(0, 1 - |v - target| / max(|target|, 1))``; 0.0 for everything else
    (no answer, refused, wrong numbers, division by zero, bad intermediate).
    """

    __name__ = "partial_credit_reward"

    def __init__(
        self,
        cap: float = 0.5,
        extractor: str | Extractor = "answer",
        rules: Rules | None = None,
        overrides: dict | None = None,
    ) -> None:
        self._set_checking(extractor, rules, overrides or {})
        self.cap = _score("cap", cap)
        if not 0.0 <= self.cap < 1.0:
            raise ConfigError(f"cap must be in [0, 1) so a near miss never ties a hit, got {cap}")

    def _score_text(self, text: str | None, nums: Any, target: Any) -> float:
        if text is None:
            return 0.0
        verdict = verify(text, nums, target, rules=self.rules, extractor=self.extractor)
        if verdict.correct:
            return 1.0
        if verdict.status is not Status.WRONG_VALUE or verdict.value is None:
            return 0.0
        return self.cap * _closeness(verdict.value, int(target))


class FormatReward:
    """1.0 when the completion has the think-then-answer shape, else 0.0.

    See :func:`~verifiers.extract.has_answer_format` for the exact rule (exactly one non-empty
    answer block; an implicit ``<think>`` is accepted for TinyZero-style prompts). Thinking that
    a chat parser moved to ``reasoning_content`` is put back in front before checking.
    """

    __name__ = "format_reward"

    def __init__(self, require_think: bool = True, allow_implicit_think: bool = True) -> None:
        self.require_think = bool(require_think)
        self.allow_implicit_think = bool(allow_implicit_think)

    def __call__(self, completions: Sequence[object], **kwargs: Any) -> list[float]:
        items = _completion_list(self.__name__, completions)
        scores = []
        for item in items:
            text = completion_text(item, with_reasoning=True)
            ok = text is not None and has_answer_format(
                text,
                require_think=self.require_think,
                allow_implicit_think=self.allow_implicit_think,
            )
            scores.append(1.0 if ok else 0.0)
        return scores

    def __repr__(self) -> str:
        return (
            f"FormatReward(require_think={self.require_think}, "
            f"allow_implicit_think={self.allow_implicit_think})"
        )


class VerifierReward(_TaskReward):
    """Any :class:`~verifiers._check.Verifier` as a reward: ``correct_score`` when its verdict is
    correct, else ``wrong_score``. The verifier sees the completion text (it extracts itself).

    The verifier must return a :class:`~verifiers._verdict.Verdict` (or an object with a bool
    ``correct``); anything else, a bare ``True`` included, raises ``TypeError`` naming what it
    returned, since a silently coerced value would hide a broken verifier.
    """

    def __init__(
        self,
        verifier: Verifier,
        name: str = "verifier_reward",
        correct_score: float = 1.0,
        wrong_score: float = 0.0,
    ) -> None:
        if not callable(verifier):
            raise TypeError(f"verifier must be callable, got {type(verifier).__name__}")
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"name must be an identifier (TRL logs under it), got {name!r}")
        self.verifier = verifier
        self.__name__ = name
        self.correct_score = _score("correct_score", correct_score)
        self.wrong_score = _score("wrong_score", wrong_score)

    def _score_text(self, text: str | None, nums: Any, target: Any) -> float:
        if text is None:
            return 0.0
        verdict = self.verifier(text, nums, target)
        correct = getattr(verdict, "correct", None)
        if not isinstance(correct, bool):
            raise TypeError(
                f"{self.__name__}: the verifier {_name(self.verifier)} returned "
                f"{type(verdict).__name__} {show_repr(verdict)}, expected a verifiers.Verdict "
                "(or an object with a bool .correct)"
            )
        return self.correct_score if correct else self.wrong_score


def _name(function: object) -> str:
    """What to call a user's callable in a message: its qualified name, else its type's."""
    name = getattr(function, "__qualname__", None)
    return name if isinstance(name, str) else type(function).__name__


class CombinedReward:
    """Weighted sum of several rewards, for one logged curve instead of several.

    A ``None`` from a component ("not applicable", as TRL allows) adds nothing; when every
    component gives ``None`` for a completion the sum is ``None`` too.
    """

    def __init__(self, components: Sequence[tuple[Callable[..., list], float]], name: str) -> None:
        checked = []
        for entry in components:
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise ConfigError(f"combine_rewards takes (reward, weight) pairs, got {entry!r}")
            function, weight = entry
            if not callable(function):
                raise TypeError(f"reward must be callable, got {type(function).__name__}")
            checked.append((function, _score("weight", weight)))
        if not checked:
            raise ConfigError("combine_rewards needs at least one (reward, weight) pair")
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"name must be an identifier (TRL logs under it), got {name!r}")
        self.components = tuple(checked)
        self.__name__ = name

    def __call__(
        self, completions: Sequence[object], nums: Any = None, target: Any = None, **kwargs: Any
    ) -> list[float | None]:
        items = _completion_list(self.__name__, completions)
        if nums is not None:
            kwargs["nums"] = nums
        if target is not None:
            kwargs["target"] = target
        totals: list[float | None] = [None] * len(items)
        for function, weight in self.components:
            label = f"{self.__name__}: component {getattr(function, '__name__', function)!r}"
            scores = function(completions=items, **kwargs)
            if len(scores) != len(items):
                raise ValueError(
                    f"{label} returned {len(scores)} scores for {len(items)} completions"
                )
            for i, score in enumerate(scores):
                if score is None:
                    continue
                # A NaN or a string here would poison the whole GRPO group's baseline.
                if not _finite(score):
                    raise ValueError(
                        f"{label} returned {show_repr(score)} for completion {i}; "
                        "a reward must be a finite number or None"
                    )
                totals[i] = (totals[i] or 0.0) + weight * float(score)
        return totals

    def __repr__(self) -> str:
        return f"CombinedReward({list(self.components)!r}, name={self.__name__!r})"
