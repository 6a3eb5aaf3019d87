"""The invariants every verdict of a Countdown verifier must keep, checked on one input.

:func:`check_invariants` runs a verifier once and raises :class:`FuzzFailure` when the verdict
is malformed, slow, or calls an answer correct that is not (see :mod:`verifiers.fuzz`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from verifiers._check import CountdownVerifier, Verifier, verify_equation  # noqa: F401 (doctest)
from verifiers._tokens import normalise
from verifiers._values import show_int, show_repr
from verifiers._verdict import Status, Verdict
from verifiers.errors import CountdownError
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = ["FuzzFailure", "add_note", "call_verifier", "check_invariants", "not_a_verdict"]

_DIGITS = re.compile(r"[0-9]+")
_VALUELESS = {
    Status.NO_ANSWER,
    Status.MALFORMED,
    Status.FORBIDDEN,
    Status.TOO_LONG,
    Status.DIVISION_BY_ZERO,
    Status.BAD_INTERMEDIATE,
}


class FuzzFailure(CountdownError, AssertionError):
    """A verifier broke an invariant; the message holds the input that shows it."""


def _shown(completion: str, nums: Sequence[int], target: int) -> str:
    # Through show_int: a task may hold numbers past CPython's 4,300-digit str() limit.
    shown_nums = ", ".join(map(show_repr, nums))
    return f"  completion={completion[:500]!r}\n  nums=[{shown_nums}] target={show_repr(target)}"


def _fail(message: str, completion: str, nums: Sequence[int], target: int) -> FuzzFailure:
    return FuzzFailure(f"{message}\n{_shown(completion, nums, target)}")


def add_note(err: BaseException, note: str) -> None:
    """``err.add_note(note)``; on Python 3.10 the note is kept where 3.11 keeps it."""
    if hasattr(err, "add_note"):
        err.add_note(note)
    else:  # pragma: no cover - Python 3.10
        err.__notes__ = [*getattr(err, "__notes__", ()), note]  # type: ignore[attr-defined]


def call_verifier(
    verifier: Verifier, completion: str, nums: Sequence[int], target: int, who: str = "verifier"
) -> Verdict:
    """``verifier(completion, nums, target)``; an exception leaves with the input in a note."""
    try:
        return verifier(completion, nums, target)
    except Exception as err:
        add_note(err, f"raised by the {who} on\n{_shown(completion, nums, target)}")
        raise


def _name(verifier: object) -> str:
    """What to call a verifier in a message: its qualified name, else its type's."""
    name = getattr(verifier, "__qualname__", None)
    return name if isinstance(name, str) else type(verifier).__name__


def not_a_verdict(name: str, returned: object) -> str:
    return (
        f"{name} returned {type(returned).__name__} {show_repr(returned)}, expected a "
        "verifiers.Verdict (build one with Verdict(correct=..., status=Status...., value=..., "
        "expression=..., reason=...), or return what verifiers.verify gives)"
    )


def _timed(
    verifier: Verifier, completion: str, nums: Sequence[int], target: int
) -> tuple[Verdict, float]:
    start = time.perf_counter()
    verdict = call_verifier(verifier, completion, nums, target)
    return verdict, (time.perf_counter() - start) * 1e3


def check_invariants(
    verifier: Verifier,
    completion: str,
    nums: Sequence[int],
    target: int,
    *,
    rules: Rules = DEFAULT_RULES,
    reference: Verifier | None = None,
    max_ms: float = 200.0,
) -> Verdict:
    """Run ``verifier`` once and check every invariant; returns the verdict.

    ``rules`` are the rules the verifier is meant to apply (used for the number cross-check on
    answers it calls correct). With ``reference``, ``correct`` must agree with it.

    Raises:
        FuzzFailure: an invariant does not hold. An exception from the verifier propagates
            with a note holding ``completion``, ``nums`` and ``target``.

    >>> check_invariants(CountdownVerifier(), "<answer>2*3</answer>", [2, 3], 6).correct
    True
    """
    verdict, elapsed_ms = _timed(verifier, completion, nums, target)
    if elapsed_ms > max_ms:
        # A shared machine can pause any call; only a second slow run counts as a failure.
        verdict, elapsed_ms = _timed(verifier, completion, nums, target)
        if elapsed_ms > max_ms:
            raise _fail(
                f"took {elapsed_ms:.1f} ms twice (limit {max_ms} ms)", completion, nums, target
            )
    if not isinstance(verdict, Verdict):
        raise _fail(not_a_verdict(_name(verifier), verdict), completion, nums, target)
    if verdict.correct != (verdict.status is Status.CORRECT):
        raise _fail(
            f"correct={verdict.correct} with status {verdict.status}", completion, nums, target
        )
    if not isinstance(verdict.reason, str) or not verdict.reason:
        raise _fail("empty reason", completion, nums, target)
    if verdict.status in _VALUELESS and verdict.value is not None:
        raise _fail(f"status {verdict.status} carries a value", completion, nums, target)
    if verdict.status is Status.WRONG_VALUE and verdict.value is None:
        raise _fail("wrong_value without a value", completion, nums, target)
    if verdict.correct:
        _check_correct(verdict, completion, nums, target, rules)
    if reference is not None:
        expected = call_verifier(reference, completion, nums, target, "reference")
        if expected.correct != verdict.correct:
            raise _fail(
                f"disagrees with the reference:\n  yours: {verdict.status} ({verdict.reason})"
                f"\n  ours:  {expected.status} ({expected.reason})",
                completion,
                nums,
                target,
            )
    return verdict


def _check_correct(
    verdict: Verdict, completion: str, nums: Sequence[int], target: int, rules: Rules
) -> None:
    if verdict.value != target:
        raise _fail(
            f"correct but value {show_repr(verdict.value)} != target", completion, nums, target
        )
    expression = verdict.expression
    if expression is None:
        raise _fail("correct without an expression", completion, nums, target)
    again = verify_equation(expression, nums, target, rules=rules, cache=False)
    if not again.correct:
        raise _fail(
            f"correct, but its expression re-verifies as {again.status}: {again.reason}",
            completion,
            nums,
            target,
        )
    # Independent of the parser: the digit runs left of any '=' are the numbers used.
    used = sorted(int(d) for d in _DIGITS.findall(normalise(expression).partition("=")[0]))
    pool = sorted(nums)
    if rules.exact_use and used != pool:
        raise _fail(
            f"correct but uses {show_repr(used, 500)}, not exactly {show_repr(pool, 500)}",
            completion,
            nums,
            target,
        )
    remaining = list(pool)
    for number in used:
        if number not in remaining:
            raise _fail(
                f"correct but uses {show_int(number)} beyond {show_repr(pool, 500)}",
                completion,
                nums,
                target,
            )
        remaining.remove(number)
