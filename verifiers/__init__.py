"""Safe, exact reward verification for the Countdown numbers game.

Check a model completion against a task (``nums``, ``target``) without ever evaluating model text
as code: a hand-written tokenizer and iterative parser, exact rational arithmetic, limits checked
before any work, and a verdict that says what was wrong.

>>> import verifiers
>>> verifiers.verify("<answer>(25 + 50) * 4</answer>", [4, 25, 50], 300).correct
True
>>> verifiers.verify_equation("2 ** 3", [2, 3], 8).status
<Status.FORBIDDEN: 'forbidden'>
>>> verifiers.rewards.tinyzero_reward(["<answer>5*2</answer>"], nums=[[5, 3]], target=[10])
[0.1]

The implementation lives in private modules; the public surface is this package, plus
:mod:`verifiers.rules` (the rules dataclass), :mod:`verifiers.extract` (answer extractors),
:mod:`verifiers.arithmetic` (the exact arithmetic every wing shares), :mod:`verifiers.rewards`
(TRL reward functions), :mod:`verifiers.errors`, :mod:`verifiers.strategies` and
:mod:`verifiers.fuzz` (fuzz-testing a checker) and :mod:`verifiers.integrations` (verl, ...).

Importing this package loads only the standard library.
"""

from __future__ import annotations

from verifiers import rewards
from verifiers._check import (
    CACHE_BYTES,
    CACHE_SIZE,
    CountdownVerifier,
    Verifier,
    cache_info,
    clear_cache,
    verify,
    verify_equation,
)
from verifiers._completions import completion_text
from verifiers._evaluate import evaluate
from verifiers._grammar import Parsed, parse
from verifiers._tokens import UNICODE_SPACES, normalise
from verifiers._verdict import Status, Verdict
from verifiers.errors import (
    ConfigError,
    CountdownError,
    DependencyError,
    ExpressionError,
    RulesError,
)
from verifiers.extract import (
    extract_answer,
    extract_bare,
    extract_boxed,
    extract_steps,
    extract_tries,
)
from verifiers.rules import DEFAULT_RULES, OPERATORS, TV_RULES, Rules

__all__ = [
    "CACHE_BYTES",
    "CACHE_SIZE",
    "DEFAULT_RULES",
    "OPERATORS",
    "TV_RULES",
    "UNICODE_SPACES",
    "ConfigError",
    "CountdownError",
    "CountdownVerifier",
    "DependencyError",
    "ExpressionError",
    "Parsed",
    "Rules",
    "RulesError",
    "Status",
    "Verdict",
    "Verifier",
    "cache_info",
    "clear_cache",
    "completion_text",
    "evaluate",
    "extract_answer",
    "extract_bare",
    "extract_boxed",
    "extract_steps",
    "extract_tries",
    "normalise",
    "parse",
    "rewards",
    "verify",
    "verify_equation",
]
