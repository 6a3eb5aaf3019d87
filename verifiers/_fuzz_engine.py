"""The fuzzing engine: bytes become Countdown inputs, checked against the invariants.

:func:`make_target` turns fuzzer bytes into a task and a completion (the same bytes, the same
input) and checks the verdict with :func:`~verifiers._invariants.check_invariants`;
:func:`run_random` feeds it seeded random bytes; :func:`load_verifier` imports the verifier to
fuzz. The command line around them is :mod:`verifiers.fuzz`.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable

from verifiers._check import Verifier
from verifiers._invariants import add_note, call_verifier, check_invariants, not_a_verdict
from verifiers._near_miss import NEAR_MISS_KINDS, near_miss
from verifiers._verdict import Verdict
from verifiers.errors import ConfigError
from verifiers.rules import DEFAULT_RULES, Rules
from verifiers.strategies import PIECES

__all__ = ["load_verifier", "make_target", "run_random"]


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
                add_note(err, f"near-miss kind {kind!r}: {NEAR_MISS_KINDS[kind]}")
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
                add_note(err, f"random engine: input {run} of {runs} (--seed {seed})")
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
    probe = call_verifier(found, "<answer>1+2</answer>", [1, 2], 3)
    if not isinstance(probe, Verdict):
        raise ConfigError(f"--verifier {spec}: {not_a_verdict(attribute, probe)}")
    return found
