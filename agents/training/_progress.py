"""A process reward for worked answers: credit for steps that keep the task solvable.

The exact-hit reward says nothing until a completion hits the target. On 3-number Countdown a
small model's first step is where most answers are lost: after a random first step the two
numbers left reach the target about one time in six (measured on the ``cpu-tiny-3`` recipe's
held-out tasks), and when they do the model finishes the job about half the time. A step that
keeps the task solvable is right, and the solver knows it exactly; :class:`ProgressReward` pays
for such steps, so the policy learns to choose its first operation by the target.

It cannot be farmed the way distance-based partial credit can (that one taught "always add",
see the shared cpu-learning notes): a step earns only when the numbers left can still reach
the target, which no target-blind habit achieves often.

Scores, per completion (``n`` numbers in the task):

* ``correct_score`` (1.0) when the worked answer is correct (the ``steps`` extractor and the
  verifier, as ``correctness`` scores it);
* for a legal answer that misses the target (every step true and used, each number once:
  the verdict ``wrong_value``), ``step_score * k / (n - 2)``, where ``k`` counts its leading
  steps (at most ``n - 2``) that each leave numbers that still reach the target
  (:func:`countdown_env.solve` under the same rules; a task left that the solver refuses or
  cannot settle in :data:`SOLVER_SECONDS` earns nothing);
* 0.0 for anything else: no text, a broken or unfinished worked answer, numbers misused, or
  a task of two numbers.

Only finished, legal answers earn step credit. Paying any true opening step (the first
version) was farmed within 400 GRPO steps: the policy kept a good first step and stopped
finishing, completions ran to the length cap and the hit rate fell to zero.

>>> from agents.training import ProgressReward
>>> reward = ProgressReward(step_score=0.25)
>>> reward(["3*7=21\\n21 5>26:21+5", "3*7=21\\n21 5>26:21*5", "3+5=8\\n8 7>26:8*7",
...         "3*7=21\\n21 5>26:21+"], nums=[[3, 7, 5]] * 4, target=[26] * 4)
[1.0, 0.25, 0.0, 0.0]
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any

from countdown_env import solve
from countdown_env.errors import SolverTimeoutError, TaskError
from verifiers import Status, verify
from verifiers.errors import ConfigError
from verifiers.extract import worked_steps
from verifiers.rewards import completion_text, get_correctness_reward, task_columns
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = ["SOLVER_SECONDS", "ProgressReward"]


_MISSED = Status.WRONG_VALUE

SOLVER_SECONDS = 2.0
"""Longest the solver may think about one task left; past it the step earns nothing (tasks of
up to six numbers take milliseconds)."""


@functools.lru_cache(maxsize=1 << 16)
def _reaches(hand: tuple[int, ...], target: int, rules: Rules) -> bool:
    try:
        return solve(hand, target, rules=rules, timeout=SOLVER_SECONDS) is not None
    except (SolverTimeoutError, TaskError):  # too many numbers, or a task the solver refuses
        return False


def _whole(value: Any) -> int | None:
    """An integer column value (a whole float counts), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return operator.index(value)
    number = float(value)
    return int(number) if math.isfinite(number) and number.is_integer() else None


class ProgressReward:
    """1.0 for a correct worked answer, else credit for the steps that keep it solvable.

    Args:
        step_score: the score of a wrong answer whose every step (``n - 2`` of them) keeps the
            task solvable; fewer such steps earn in proportion. In ``[0, correct_score)``.
        correct_score: the score of a correct answer.
        rules: the rules of both the verdict and the solver (default: the standard rules).

    Raises:
        ConfigError: a score out of range.
    """

    __name__ = "progress_reward"

    def __init__(
        self, step_score: float = 0.25, correct_score: float = 1.0, rules: Rules | None = None
    ) -> None:
        if not 0.0 <= step_score < correct_score:
            raise ConfigError(
                f"progress: step_score must be in [0, correct_score={correct_score}), "
                f"got {step_score!r}"
            )
        self.step_score = float(step_score)
        self.correct_score = float(correct_score)
        self.rules = rules or DEFAULT_RULES
        self._correct = get_correctness_reward("steps", self.rules)

    def solvable_steps(self, text: str, nums: Sequence[int], target: int) -> int:
        """How many of ``text``'s leading steps (at most ``len(nums) - 2``) use numbers at
        hand and leave a task the solver can still finish.

        >>> ProgressReward().solvable_steps("3*7=21\\n21 5>26:21*5", [3, 7, 5], 26)
        1
        """
        hand = list(nums)
        count = 0
        for step in worked_steps(text)[: max(len(hand) - 2, 0)]:
            for used in (step.a, step.b):
                if used not in hand:
                    return count
                hand.remove(used)
            hand.append(step.r)
            if not _reaches(tuple(sorted(hand)), target, self.rules):
                return count
            count += 1
        return count

    def _missed(self, text: str | None, task_nums: Any, task_target: Any) -> float:
        """The step credit of an answer that is not correct."""
        nums = [n for n in (_whole(v) for v in task_nums) if n is not None]
        target = _whole(task_target)
        if text is None or target is None or len(nums) != len(task_nums) or len(nums) < 3:
            return 0.0
        verdict = verify(text, nums, target, rules=self.rules, extractor="steps")
        if verdict.status is not _MISSED:
            return 0.0  # step credit only for a finished, legal answer
        return self.step_score * self.solvable_steps(text, nums, target) / (len(nums) - 2)

    def __call__(
        self, completions: Sequence[object], nums: Any = None, target: Any = None, **kwargs: Any
    ) -> list[float]:
        correct = self._correct(completions, nums=nums, target=target)
        nums, target = task_columns(self.__name__, len(correct), nums, target)
        scores = []
        for completion, hit, task_nums, task_target in zip(
            completions, correct, nums, target, strict=True
        ):
            if hit:
                scores.append(self.correct_score)
            else:
                scores.append(self._missed(completion_text(completion), task_nums, task_target))
        return scores

    def __repr__(self) -> str:
        return (
            f"ProgressReward(step_score={self.step_score}, correct_score={self.correct_score}, "
            f"rules={self.rules!r})"
        )
