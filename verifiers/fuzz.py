"""Coverage-guided fuzzing of a Countdown verifier: ``python -m verifiers.fuzz --runs N``.

Every input becomes a task (``nums``, ``target``) and a completion: raw bytes as text, text
wrapped in ``<answer>`` tags, text glued from hostile :data:`~verifiers.strategies.PIECES`, or
(five inputs in eight) a :func:`~verifiers._near_miss.near_miss`: a valid answer, or one that
a checker missing a rule calls correct (a subset, a repeat or a foreign number with the target
set to its value, several ``<answer>`` blocks, unary signs, ``= N`` claims, fractions; see
:data:`~verifiers.strategies.NEAR_MISS_KINDS`). Each verdict must
satisfy :func:`check_invariants`: no exception, a well-formed verdict whose ``correct`` agrees
with its status, a correct verdict equals the target, uses the numbers as the rules demand
(cross-checked with a plain digit scan, independent of the parser), and verifies again; a
decision takes at most ``--max-ms`` milliseconds (timed twice before it counts, since a
shared machine can pause any single call).

Fuzz your own verifier (anything following :class:`~verifiers._check.Verifier`; a class is
instantiated with no arguments). It must return a :class:`verifiers.Verdict` (build one with
``Verdict(correct=..., status=Status...., value=..., expression=..., reason=...)`` or return
what :func:`verifiers.verify` gives); it is tried once on a simple task before fuzzing, and
anything else is refused with one line naming the callable and what it returned::

    python -m verifiers.fuzz --runs 100000 --verifier mypackage.rewards:MyVerifier --differential

``--differential`` also fails when your verifier's ``correct`` disagrees with ours; the report
shows the input and both verdicts. An exception from your verifier is re-raised with the input
in a note (and, with the random engine, which run it was). The engine is
atheris (libFuzzer; ``pip install atheris``); ``--engine random`` feeds seeded random bytes
through the same harness where atheris is unavailable; Ctrl-C stops it with a one-line
summary of the inputs that ran (exit code 130). Arguments after ``--`` go to libFuzzer
(for example ``-- -max_len=4096 corpus_dir``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import re
import sys
import time
import types
from collections.abc import Callable, Sequence
from typing import Any

from verifiers._check import CountdownVerifier, Verifier, verify_equation
from verifiers._near_miss import NEAR_MISS_KINDS, near_miss
from verifiers._tokens import normalise
from verifiers._values import show_int, show_repr
from verifiers._verdict import Status, Verdict
from verifiers.errors import ConfigError, CountdownError, DependencyError
from verifiers.rules import DEFAULT_RULES, Rules
from verifiers.strategies import PIECES

__all__ = [
    "FuzzFailure",
    "check_invariants",
    "load_verifier",
    "main",
    "make_target",
    "run_random",
]

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


def _add_note(err: BaseException, note: str) -> None:
    """``err.add_note(note)``; on Python 3.10 the note is kept where 3.11 keeps it."""
    if hasattr(err, "add_note"):
        err.add_note(note)
    else:  # pragma: no cover - Python 3.10
        err.__notes__ = [*getattr(err, "__notes__", ()), note]  # type: ignore[attr-defined]


def _call(
    verifier: Verifier, completion: str, nums: Sequence[int], target: int, who: str = "verifier"
) -> Verdict:
    """``verifier(completion, nums, target)``; an exception leaves with the input in a note."""
    try:
        return verifier(completion, nums, target)
    except Exception as err:
        _add_note(err, f"raised by the {who} on\n{_shown(completion, nums, target)}")
        raise


def _name(verifier: object) -> str:
    """What to call a verifier in a message: its qualified name, else its type's."""
    name = getattr(verifier, "__qualname__", None)
    return name if isinstance(name, str) else type(verifier).__name__


def _not_a_verdict(name: str, returned: object) -> str:
    return (
        f"{name} returned {type(returned).__name__} {show_repr(returned)}, expected a "
        "verifiers.Verdict (build one with Verdict(correct=..., status=Status...., value=..., "
        "expression=..., reason=...), or return what verifiers.verify gives)"
    )


def _timed(
    verifier: Verifier, completion: str, nums: Sequence[int], target: int
) -> tuple[Verdict, float]:
    start = time.perf_counter()
    verdict = _call(verifier, completion, nums, target)
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
        raise _fail(_not_a_verdict(_name(verifier), verdict), completion, nums, target)
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
        expected = _call(reference, completion, nums, target, "reference")
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


class _ByteReader:
    """Turns fuzzer bytes into choices, deterministically (the same bytes, the same input).

    A :class:`~verifiers._near_miss.Choices`, so :func:`~verifiers._near_miss.near_miss` reads
    its choices from the bytes too.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def _take(self, count: int) -> bytes:
        chunk = self._data[self._at : self._at + count]
        self._at += len(chunk)
        return chunk

    def integer(self, low: int, high: int) -> int:
        """A number in ``low..high`` from the next bytes (``low`` once they run out)."""
        span = high - low
        if 0 < span < 256:  # one byte, the commonest choice: inline for speed
            at = self._at
            if at < len(self._data):
                self._at = at + 1
                return low + self._data[at] % (span + 1)
            return low
        raw = int.from_bytes(self._take((span.bit_length() + 7) // 8), "little")
        return low + raw % (span + 1)

    def text(self, max_chars: int) -> str:
        """ASCII, Latin-1 or any code point (lone surrogates included), by the next byte."""
        kind = self.integer(0, 2)
        if kind == 0:
            return bytes(b & 0x7F for b in self._take(max_chars)).decode("ascii")
        if kind == 1:
            return self._take(max_chars).decode("latin-1")
        raw = self._take(3 * max_chars)
        return "".join(
            chr(int.from_bytes(raw[i : i + 3], "little") % 0x110000)
            for i in range(0, len(raw) - 2, 3)
        )


def make_target(
    verifier: Verifier,
    *,
    rules: Rules = DEFAULT_RULES,
    reference: Verifier | None = None,
    max_ms: float = 200.0,
) -> Callable[[bytes], None]:
    """The ``TestOneInput(data)`` function for atheris (or any bytes-driven engine).

    The bytes choose the input (the same bytes, the same input): three in eight are raw or
    glued text, five in eight a :func:`~verifiers._near_miss.near_miss`, sometimes after a
    thinking block of raw text. A failure carries a note naming the near-miss kind.
    """

    def test_one_input(data: bytes) -> None:
        reader = _ByteReader(data)
        mode = reader.integer(0, 7)
        kind = None
        if mode >= 3:
            case = near_miss(reader, rules=rules)
            kind, completion, target = case.kind, case.completion, case.target
            nums = list(case.nums)
            if mode == 3:
                completion = f"<think>{reader.text(64)}</think>\n{completion}"
        else:
            nums = [reader.integer(0, 100) for _ in range(reader.integer(1, 6))]
            target = reader.integer(-1000, 1000)
            if mode == 0:
                completion = reader.text(4096)
            elif mode == 1:
                completion = f"<answer>{reader.text(512)}</answer>"
            else:
                count = reader.integer(0, 64)
                last = len(PIECES) - 1
                completion = "".join(PIECES[reader.integer(0, last)] for _ in range(count))
        try:
            check_invariants(
                verifier, completion, nums, target, rules=rules, reference=reference, max_ms=max_ms
            )
        except Exception as err:
            if kind is not None:
                _add_note(err, f"near-miss kind {kind!r}: {NEAR_MISS_KINDS[kind]}")
            raise

    return test_one_input


def run_random(test_one_input: Callable[[bytes], None], *, runs: int, seed: int = 0) -> None:
    """The random engine: ``runs`` seeded random byte strings (0-600 bytes) through
    ``test_one_input`` (from :func:`make_target`); the same seed gives the same inputs.

    Raises:
        FuzzFailure: an invariant does not hold; a note says which input (1-based) it was,
            as does one on any exception from the verifier.
        KeyboardInterrupt: Ctrl-C; its ``completed_runs`` attribute counts the inputs that
            were checked in full before it.
    """
    generator = random.Random(seed)
    run = 0
    try:
        for run in range(1, runs + 1):
            data = generator.randbytes(generator.randint(0, 600))
            try:
                test_one_input(data)
            except Exception as err:
                _add_note(err, f"random engine: input {run} of {runs} (--seed {seed})")
                raise
    except KeyboardInterrupt as stop:
        # Inputs before this one all kept the invariants; main() reports how many.
        stop.completed_runs = max(run - 1, 0)  # type: ignore[attr-defined]
        raise


def load_verifier(spec: str) -> Verifier:
    """Import ``module:attribute``; a class is instantiated with no arguments.

    The verifier is called once on a simple task (``<answer>1+2</answer>``, ``[1, 2]``,
    ``3``) to check that it returns a :class:`~verifiers._verdict.Verdict`; an exception there
    propagates with the input in a note.

    Raises:
        ConfigError: ``spec`` has no ``:``, its module cannot be imported, it has no such
            attribute, the attribute is not callable, or it returns something other than a
            ``Verdict``.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"--verifier must look like 'package.module:callable', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ConfigError(
            f"--verifier {spec}: cannot import {module_name} ({err}); is it on PYTHONPATH?"
        ) from err
    try:
        found = getattr(module, attribute)
    except AttributeError:
        raise ConfigError(f"--verifier {spec}: module {module_name} has no {attribute!r}") from None
    if isinstance(found, type):
        found = found()
    if not callable(found):
        raise ConfigError(f"--verifier {spec}: {attribute} is not callable")
    probe = _call(found, "<answer>1+2</answer>", [1, 2], 3)
    if not isinstance(probe, Verdict):
        raise ConfigError(f"--verifier {spec}: {_not_a_verdict(attribute, probe)}")
    return found


def _instrument(atheris: Any, packages: set[str]) -> None:
    """Coverage counters in the functions of ``packages`` only.

    ``atheris.instrument_all`` would patch every loaded function, taking many seconds; the
    verifier's own code is what the coverage should guide.
    """
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType):
            module = getattr(obj, "__module__", None) or ""
            if module.split(".")[0] in packages:
                atheris.instrument_func(obj)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verifiers.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=10_000, help="inputs to try (default 10000)")
    parser.add_argument(
        "--verifier",
        default=None,
        help="module:callable to fuzz (default: the built-in CountdownVerifier)",
    )
    parser.add_argument(
        "--differential",
        action="store_true",
        help="fail when the verifier's 'correct' disagrees with the built-in one",
    )
    parser.add_argument(
        "--engine",
        choices=("atheris", "random"),
        default="atheris",
        help="atheris (coverage-guided, default) or random (seeded bytes)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random engine")
    parser.add_argument(
        "--max-ms",
        type=float,
        default=200.0,
        help="slowest accepted decision in milliseconds (default 200; a slow "
        "call is timed twice before it counts)",
    )
    parser.add_argument("libfuzzer", nargs="*", help="arguments after -- go to libFuzzer")
    return parser


def _print_notes_before_python_311(err: BaseException) -> None:
    """Python 3.10 tracebacks do not show notes; print them (3.11 shows them itself)."""
    if sys.version_info < (3, 11):  # pragma: no cover - Python 3.10
        print("\n".join(getattr(err, "__notes__", ())), file=sys.stderr)


def _printing_notes(target: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """``target``, printing an exception's notes to stderr (atheris's report leaves them out)."""

    def test_one_input(data: bytes) -> None:
        try:
            target(data)
        except Exception as err:
            notes = getattr(err, "__notes__", ())
            if notes:
                print("\n".join(notes), file=sys.stderr, flush=True)
            raise

    return test_one_input


def _error(message: str) -> int:
    print(f"python -m verifiers.fuzz: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns 0 when every run kept the invariants, 2 for bad arguments and 130
    when Ctrl-C stopped the random engine (after a one-line summary on stderr)."""
    args = _parser().parse_args(argv)
    if args.runs < 1:
        _parser().error("--runs must be >= 1")
    if not args.max_ms > 0:  # also refuses NaN
        return _error(
            f"--max-ms must be a positive number of milliseconds, got {args.max_ms:g} "
            "(every decision would count as too slow)"
        )
    try:
        return _run(args)
    except KeyboardInterrupt as stop:
        done = getattr(stop, "completed_runs", None)
        if args.engine != "random" or done is None:
            print("fuzz: interrupted", file=sys.stderr)
        else:
            print(
                f"fuzz: interrupted after {done} of {args.runs} random inputs "
                f"(--seed {args.seed}); every invariant held on those",
                file=sys.stderr,
            )
        return 130


def _run(args: argparse.Namespace) -> int:
    """:func:`main` after its argument checks."""
    try:
        verifier = load_verifier(args.verifier) if args.verifier else CountdownVerifier(cache=False)
    except ConfigError as err:
        return _error(str(err))
    reference = CountdownVerifier(cache=False) if args.differential else None
    target = make_target(verifier, reference=reference, max_ms=args.max_ms)
    if args.engine == "random":
        print(
            f"fuzz: checking {args.runs} random inputs (--seed {args.seed}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            run_random(target, runs=args.runs, seed=args.seed)
        except Exception as err:
            _print_notes_before_python_311(err)
            raise
        print(f"fuzz: {args.runs} random inputs, every invariant held")
        return 0
    try:
        import atheris
    except ImportError as err:
        raise DependencyError(
            "coverage-guided fuzzing needs atheris: pip install 'countdown-rl[fuzz]' "
            "(or use --engine random)"
        ) from err
    packages = {"verifiers"} | (
        {args.verifier.partition(":")[0].split(".")[0]} if args.verifier else set()
    )
    _instrument(atheris, packages)
    atheris.Setup([sys.argv[0], f"-runs={args.runs}", *args.libfuzzer], _printing_notes(target))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
