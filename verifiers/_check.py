"""The checker: :func:`verify_equation`, :func:`verify`, the :class:`Verifier` protocol.

Order of decisions for one expression (the first that fails gives the verdict):

1. length (``too_long``), before any other work;
2. glyph mapping and the ASCII allow-list (``forbidden``);
3. grammar, nesting depth and digits per number (``malformed``, ``forbidden``, ``too_long``;
   ``max_digits`` never refuses a number the task gives, in ``nums`` or as the target);
4. number use as a multiset: repeated values in ``nums`` are separate numbers
   (``wrong_numbers``; the value is still reported when it can be computed). An answer with
   more number literals than ``nums`` holds is refused as soon as the extra literal is read
   (during step 3, without a value): this caps the work on long answers at the task's size;
5. exact evaluation (``division_by_zero``, ``bad_intermediate``, ``too_long`` for values beyond
   :data:`~verifiers._evaluate.MAX_VALUE_BITS`);
6. the value against the target, and against the ``N`` of a trailing ``= N`` (``wrong_value``).

Speed: most answers are short, plain ASCII and legal. :func:`~verifiers._fastpath.run_fast`
decides those in one tight pass (and words the commonest refusals); a character refusal is then
one regex search; anything else goes to the general path above, which finds and words the
refusal. The two give the same verdict on every input; both compute with the rules of
:mod:`verifiers.arithmetic` (the fast path inlines them, and a differential test holds it).
The verdict's ``value`` and ``reason`` are built on first read
(:class:`~verifiers._verdict.Later`), since a reward reads only ``correct``.

Cache: GRPO samples several completions per prompt and they often agree, so verdicts are
memoised in one process-wide cache (:mod:`verifiers._verdict_cache`; oldest entries dropped first)
of at most :data:`CACHE_SIZE` entries and :data:`CACHE_BYTES` estimated bytes, keyed on
``(expression, nums, target, rules)``: the extracted answer, not the whole completion, so long
thinking does not bloat the keys. The key is built from exact ``str`` and ``int`` copies of
the inputs, so a subclass with a lying ``__hash__`` or ``__eq__`` cannot make one answer's
verdict serve another. Expressions over ``max_length`` are refused before the cache and never
stored. Pass ``cache=False`` to bypass it; see :func:`cache_info` and :func:`clear_cache`.
Verdicts are immutable, so sharing them is safe.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, Protocol, SupportsIndex, cast, runtime_checkable

from verifiers._fastpath import decide_fast
from verifiers._grammar import run_unchecked, too_long_reason
from verifiers._recipes import (
    equals_target,
    false_claim,
    fits,
    fraction,
    misses_target,
    numbers_problem,
    wrong_claim,
)
from verifiers._tokens import character_refusal, normalise
from verifiers._values import show_int, show_repr
from verifiers._verdict import Later, Status, Verdict
from verifiers._verdict_cache import CacheInfo, VerdictCache
from verifiers.errors import ExpressionError
from verifiers.extract import EXTRACTORS, Extractor, get_extractor
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = [
    "CACHE_BYTES",
    "CACHE_SIZE",
    "CountdownVerifier",
    "Verifier",
    "cache_info",
    "clear_cache",
    "verify",
    "verify_equation",
]

CACHE_SIZE = 32_768
"""Most entries in the verdict cache (at most ``max_length`` characters of key each)."""

CACHE_BYTES = 32 * 2**20
"""Most bytes the verdict cache may keep alive, estimated per entry from its expression, nums
and target (:func:`~verifiers._verdict_cache.entry_bytes`); ordinary tasks never reach it."""

# Statuses as module constants: reading an Enum member off its class goes through a
# descriptor (~0.09 us on Python 3.11), a cost per answer in the checker's hot path.
_CORRECT = Status.CORRECT
_WRONG_VALUE = Status.WRONG_VALUE
_WRONG_NUMBERS = Status.WRONG_NUMBERS
_FORBIDDEN = Status.FORBIDDEN
_TOO_LONG = Status.TOO_LONG
_NO_ANSWER = Status.NO_ANSWER

_NO_ANSWER_REASONS = {
    "answer": "no complete <answer>...</answer> block was found",
    "boxed": "no complete \\boxed{...} was found",
    "bare": "the completion is empty",
    "steps": "no worked answer whose every step holds was found",
    "tries": "no last line whose every step holds was found",
}


@runtime_checkable
class Verifier(Protocol):
    """Anything that turns ``(completion, nums, target)`` into a :class:`Verdict`.

    The rewards, the environments and ``python -m verifiers.fuzz --verifier`` accept any object
    of this shape, so a project can plug in its own checker. The environments read every field
    of the verdict (status, value, reason go into ``info`` and the feedback) and refuse anything
    but a :class:`Verdict`; the rewards read only ``correct``, so there any object with a bool
    ``correct`` will do.

    >>> isinstance(CountdownVerifier(), Verifier)
    True
    """

    def __call__(self, completion: str, nums: Sequence[int], target: int) -> Verdict: ...


def _as_int(value: object, what: str) -> int:
    """``value`` as a plain int; numpy integers are fine, bools and floats are not."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(
            f"{what} must be an integer, got {show_repr(value)} ({type(value).__name__})"
        )
    return operator.index(cast(SupportsIndex, value))  # __index__ checked above


def _as_nums(nums: Iterable[int]) -> tuple[int, ...]:
    """Validate ``nums``: an iterable of non-negative integers, as a tuple of plain ints."""
    kind = type(nums)
    if kind is tuple:
        values = cast("tuple[int, ...]", nums)
    elif kind is list:
        values = tuple(nums)
    elif isinstance(nums, (str, bytes, bytearray, Mapping, Set)) or not hasattr(nums, "__iter__"):
        raise TypeError(f"nums must be a sequence of integers, got {kind.__name__}")
    else:
        values = tuple(nums)
    for n in values:
        if type(n) is not int or n < 0:
            break
    else:
        return values
    converted = tuple(_as_int(n, "every element of nums") for n in values)
    negative = [n for n in converted if n < 0]
    if negative:
        raise ValueError(
            f"nums must be non-negative integers, got {show_int(negative[0])} in "
            f"{show_repr(list(converted))}"
        )
    return converted


def _as_target(target: object) -> int:
    return target if type(target) is int else _as_int(target, "target")


def _rules(rules: Rules | None, overrides: dict[str, Any]) -> Rules:
    if rules is None and not overrides:
        return DEFAULT_RULES
    return Rules.from_kwargs(rules, **overrides)


def _check(
    expression: str, nums: tuple[int, ...], target: int, rules: Rules, fast_path: bool = True
) -> Verdict:
    """The uncached checker; ``nums``/``target`` are validated and ``len`` is within limits.

    Plain answers are decided by :func:`~verifiers._fastpath.run_fast`; anything it declines
    (and everything when ``fast_path`` is false, which the tests use to compare the two) goes
    through :func:`~verifiers._grammar.run_unchecked`. Values and reasons are handed to the
    verdict as :class:`~verifiers._verdict.Later`, built only if read.
    """
    text = expression.strip()
    fast = decide_fast(text, rules, len(nums)) if fast_path else None
    n: int | None  # None after a division by zero (run_unchecked)
    if fast is not None:
        if len(fast) == 2:
            return Verdict(False, fast[0], None, text, fast[1])
        n, d, used, claimed = fast
        failure = None
    else:
        if fast_path:
            # The general path's first check, without raising its exception.
            refusal = character_refusal(normalise(text))
            if refusal is not None:
                return Verdict(False, _FORBIDDEN, None, text, refusal)
        try:
            n, d, used, claimed, failure = run_unchecked(text, rules, len(nums), nums, target)
        except ExpressionError as refusal:
            return Verdict(False, refusal.status, None, text, refusal.reason)
    # Multiset comparison: repeated values in nums are separate numbers (order is irrelevant
    # from here on, so the list is sorted in place).
    used.sort()
    if used != sorted(nums) and (rules.exact_use or not fits(used, nums)):
        return Verdict(
            False,
            _WRONG_NUMBERS,
            None if n is None else Later(fraction, n, d),
            text,
            Later(numbers_problem, used, nums, rules.exact_use),
        )
    if failure is not None:
        return Verdict(False, failure[0], None, text, failure[1])
    if claimed is not None:
        if claimed != target:
            reason = Later(wrong_claim, claimed, target)
            return Verdict(False, _WRONG_VALUE, Later(fraction, n, d), text, reason)
        if d != 1 or n != claimed:
            reason = Later(false_claim, n, d, claimed)
            return Verdict(False, _WRONG_VALUE, Later(fraction, n, d), text, reason)
    if d == 1 and n == target:
        # Built at once: the target's Fraction and sentence come from small memos, cheaper
        # than deferring them.
        return Verdict(True, _CORRECT, fraction(n, 1), text, equals_target(target))
    reason = Later(misses_target, n, d, target)
    return Verdict(False, _WRONG_VALUE, Later(fraction, n, d), text, reason)


_CACHE = VerdictCache(CACHE_SIZE, CACHE_BYTES)
_cache_lookup = _CACHE.lookup


def _too_long(expression: str, rules: Rules) -> Verdict:
    return Verdict(False, _TOO_LONG, None, expression, too_long_reason(expression, rules))


def verify_equation(
    expression: str,
    nums: Sequence[int],
    target: int,
    *,
    rules: Rules | None = None,
    cache: bool = True,
    **rule_overrides: Any,
) -> Verdict:
    """Check a bare expression against ``nums`` and ``target``; never raises on a ``str``.

    Args:
        expression: the answer, e.g. ``"(25 + 50) * 4"``; surrounding whitespace is ignored.
        nums: the numbers of the task (non-negative integers; repeated values are separate).
        target: the number to reach.
        rules: a :class:`~verifiers.rules.Rules` (default :data:`~verifiers.rules.DEFAULT_RULES`).
        cache: use the process-wide verdict cache (see the module docstring).
        **rule_overrides: any ``Rules`` field, e.g. ``exact_use=False``.

    Raises:
        TypeError: ``expression`` is not a ``str``, or ``nums``/``target`` are not integers.
        ValueError: a number in ``nums`` is negative.
        RulesError: an unknown rule name or a bad rule value.

    >>> verify_equation("(25 + 50) * 4", [4, 25, 50], 300).correct
    True
    >>> verify_equation("81*1", [1, 81, 1, 1], 81).status
    <Status.WRONG_NUMBERS: 'wrong_numbers'>
    >>> verify_equation("7/2", [7, 2], 3).reason
    'the expression equals 7/2, not the target 3'
    """
    if type(expression) is not str:
        if not isinstance(expression, str):
            raise TypeError(f"expression must be a str, got {type(expression).__name__}")
        # An exact copy: a subclass's own __hash__/__eq__ must not reach the cache's key.
        expression = str.__str__(expression)
    checked_rules = (
        DEFAULT_RULES if rules is None and not rule_overrides else _rules(rules, rule_overrides)
    )
    # The usual list of plain non-negative ints is accepted here without a call.
    checked_nums = tuple(nums) if type(nums) is list else None
    if checked_nums is not None:
        for value in checked_nums:
            if type(value) is not int or value < 0:
                checked_nums = _as_nums(checked_nums)
                break
    else:
        checked_nums = _as_nums(nums)
    if type(target) is not int:
        target = _as_int(target, "target")
    if len(expression) > checked_rules.max_length:
        return _too_long(expression, checked_rules)
    if cache and type(checked_rules) is Rules:  # a subclass could hash or compare unlike it
        key = (expression, checked_nums, target, checked_rules)
        verdict = _cache_lookup(key)
        if verdict is None:
            verdict = _check(expression, checked_nums, target, checked_rules)
            _CACHE.store(key, verdict)  # counts the miss
        else:
            _CACHE.hits += 1
        return verdict
    return _check(expression, checked_nums, target, checked_rules)


def verify(
    completion: str,
    nums: Sequence[int],
    target: int,
    *,
    rules: Rules | None = None,
    extractor: str | Extractor = "answer",
    cache: bool = True,
    **rule_overrides: Any,
) -> Verdict:
    """Find the answer in a model completion and check it; never raises on a ``str``.

    Args:
        completion: the model's text.
        nums, target, rules, cache, rule_overrides: as for :func:`verify_equation`.
        extractor: ``"answer"`` (the last ``<answer>...</answer>`` block, the default),
            ``"boxed"`` (the last ``\\boxed{...}``), ``"bare"`` (the whole completion),
            ``"steps"`` (the equation a worked answer's checked steps describe), ``"tries"``
            (the chain on the last line of an answer with tries) or a callable
            ``(str) -> str | None``.

    No answer found gives status ``no_answer``.

    >>> verify("<think>50+50=100, minus 1</think>\\n<answer>50 + 50 - 1</answer>", [1, 50, 50], 99)
    Verdict(correct=True, status=<Status.CORRECT: 'correct'>, value=Fraction(99, 1), \
expression='50 + 50 - 1', reason='the expression equals 99')
    >>> verify("I give up", [1, 2], 3).status
    <Status.NO_ANSWER: 'no_answer'>
    """
    if not isinstance(completion, str):
        raise TypeError(f"completion must be a str, got {type(completion).__name__}")
    if extractor == "bare":
        # What extract_bare does, inline: the commonest extractor for compact prompts.
        answer = completion.strip() or None
    else:
        extract = EXTRACTORS.get(extractor) if isinstance(extractor, str) else None
        if extract is None:
            extract = get_extractor(extractor)
        answer = extract(completion)
    if answer is None:
        _rules(rules, rule_overrides)
        _as_nums(nums)
        _as_target(target)
        reason = "the extractor found no answer"
        if isinstance(extractor, str):
            reason = _NO_ANSWER_REASONS[extractor]
        return Verdict(False, _NO_ANSWER, None, None, reason)
    if rule_overrides:
        return verify_equation(answer, nums, target, rules=rules, cache=cache, **rule_overrides)
    return verify_equation(answer, nums, target, rules=rules, cache=cache)


def cache_info() -> CacheInfo:
    """Counters of the verdict cache: ``hits``, ``misses``, ``maxsize``, ``currsize`` (as
    ``functools``' ``CacheInfo``), plus ``bytes`` (estimated) and ``maxbytes``."""
    return _CACHE.info()


def clear_cache() -> None:
    """Empty the verdict cache and reset its counters (for example between benchmark runs)."""
    _CACHE.clear()


class CountdownVerifier:
    """The built-in :class:`Verifier`: an extractor plus fixed rules; picklable.

    Args:
        rules: base rules (default :data:`~verifiers.rules.DEFAULT_RULES`).
        extractor: ``"answer"``, ``"boxed"``, ``"bare"`` or a module-level callable.
        cache: use the process-wide verdict cache.
        **rule_overrides: ``Rules`` fields to change, e.g. ``integer_intermediates=True``.

    >>> check = CountdownVerifier(extractor="boxed", exact_use=False)
    >>> check(r"\\boxed{25 * 4}", [25, 4, 3], 100).correct
    True
    """

    def __init__(
        self,
        rules: Rules | None = None,
        *,
        extractor: str | Extractor = "answer",
        cache: bool = True,
        **rule_overrides: Any,
    ) -> None:
        self.rules = Rules.from_kwargs(rules, **rule_overrides)
        get_extractor(extractor)
        self.extractor = extractor
        self.cache = bool(cache)

    def __call__(self, completion: str, nums: Sequence[int], target: int) -> Verdict:
        return verify(
            completion, nums, target, rules=self.rules, extractor=self.extractor, cache=self.cache
        )

    def __repr__(self) -> str:
        return (
            f"CountdownVerifier(rules={self.rules!r}, extractor={self.extractor!r}, "
            f"cache={self.cache})"
        )
