"""Policies: anything that turns Countdown prompts into completions.

A policy has a ``name`` and one batched method::

    generate(requests, *, sampling=None) -> list[str]

``requests`` is a list whose items are a :class:`Request` (prompt text or chat messages plus the
task's ``nums`` and ``target`` and the answer format the prompt asks for), or just a prompt (a
string or a list of ``{"role", "content"}`` messages) for policies that only read text. The
result holds ``sampling.num_samples`` completions per request, request-major: the samples of
request 0, then those of request 1, and so on (Hugging Face's ``num_return_sequences`` order).
Completions are the generated text only, never the prompt.

Three policies ship here:

- :class:`SolverPolicy`: the oracle; answers with :func:`countdown_env.solve`, so it scores 100%
  on solvable tasks. A sanity check of the harness and the upper bound of any plot.
- :class:`RandomPolicy`: a random well-formed expression over the prompt's numbers: the floor a
  learner must beat (measured: about 23% on the ``two-numbers`` preset, 7% on
  ``three-small``, 2-9% on the default 3-4 numbers from 1-100).
- :class:`~agents.policies.TransformersPolicy` (in its own module, as it needs torch): any
  Hugging Face causal LM and its tokenizer.

>>> req = Request("3 7 25>46:", nums=(3, 7, 25), target=46, answer_format="bare")
>>> SolverPolicy().generate([req])
['25+3*7']
>>> RandomPolicy().generate([req], sampling=SamplingConfig(num_samples=2, temperature=1.0))
['(7+25)/3', '3*7*25']
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from countdown_env import ANSWER_FORMATS
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = [
    "Completion",
    "Policy",
    "Prompt",
    "RandomPolicy",
    "Request",
    "SamplingConfig",
    "SolverPolicy",
    "as_request",
    "format_answer",
    "random_expression",
]


Prompt = str | list[dict[str, str]]
"""A prompt: plain text, or chat messages (dicts with ``role`` and ``content``)."""


class Completion(str):
    """A completion's text that also knows how many tokens the model generated for it.

    It is a ``str`` (so every policy still returns ``list[str]``); ``num_tokens`` counts the
    generated tokens up to and including EOS, or is ``None`` when the policy does not know.

    >>> c = Completion("25+3*7", num_tokens=7)
    >>> c == "25+3*7", c.num_tokens
    (True, 7)
    """

    num_tokens: int | None

    def __new__(cls, text: str, num_tokens: int | None = None) -> Completion:
        self = super().__new__(cls, text)
        self.num_tokens = num_tokens
        return self


@dataclass(frozen=True)
class Request:
    """One prompt for a policy, with the task it was made from.

    Policies that read only text (language models) use ``prompt``; the oracle and the random
    policy use ``nums``, ``target`` and ``answer_format``.

    >>> Request("3 7 25>46:", nums=[3, 7, 25], target=46, answer_format="bare").nums
    (3, 7, 25)
    """

    prompt: Prompt = field(metadata={"help": "Prompt text or chat messages."})
    nums: tuple[int, ...] = field(default=(), metadata={"help": "The task's numbers."})
    target: int | None = field(default=None, metadata={"help": "The task's target."})
    answer_format: str = field(
        default="answer_tag",
        metadata={
            "help": "How the prompt asks for the answer: 'answer_tag' (a <think> block, "
            "then <answer>...</answer>) or 'bare' (the expression alone)."
        },
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "nums", tuple(map(int, self.nums)))
        if self.answer_format not in ANSWER_FORMATS:
            raise ConfigError(
                f"answer_format must be one of {ANSWER_FORMATS}, got {self.answer_format!r}"
            )
        if not isinstance(self.prompt, (str, list)):
            raise ConfigError(
                f"prompt must be a str or a list of messages, got {type(self.prompt).__name__}"
            )


@dataclass(frozen=True)
class SamplingConfig:
    """How completions are drawn. The defaults are greedy decoding of one completion.

    >>> SamplingConfig(temperature=0.7, num_samples=8).do_sample
    True
    >>> SamplingConfig(num_samples=4)
    Traceback (most recent call last):
    ...
    verifiers.errors.ConfigError: num_samples=4 needs temperature > 0: greedy samples are \
identical; set temperature (e.g. 1.0) or num_samples=1
    """

    temperature: float = field(
        default=0.0, metadata={"help": "Sampling temperature; 0 means greedy decoding."}
    )
    top_p: float = field(
        default=1.0, metadata={"help": "Nucleus sampling mass in (0, 1]; 1 keeps every token."}
    )
    top_k: int = field(
        default=0, metadata={"help": "Keep only the k likeliest tokens; 0 disables the filter."}
    )
    max_new_tokens: int = field(
        default=256, metadata={"help": "Most tokens generated per completion."}
    )
    num_samples: int = field(
        default=1, metadata={"help": "Completions per prompt (n of pass@k); > 1 needs sampling."}
    )
    seed: int = field(default=0, metadata={"help": "Seed of the sampling random generator."})

    def __post_init__(self) -> None:
        checks: dict[str, tuple[bool, str]] = {
            "temperature": (self.temperature >= 0, ">= 0"),
            "top_p": (0 < self.top_p <= 1, "in (0, 1]"),
            "top_k": (self.top_k >= 0, "an integer >= 0"),
            "max_new_tokens": (self.max_new_tokens >= 1, "an integer >= 1"),
            "num_samples": (self.num_samples >= 1, "an integer >= 1"),
        }
        for name, (ok, accepted) in checks.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not ok:
                raise ConfigError(f"{name} must be {accepted}, got {value!r}")
        for name in ("top_k", "max_new_tokens", "num_samples", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be an integer, got {value!r}")
        if self.num_samples > 1 and not self.do_sample:
            raise ConfigError(
                f"num_samples={self.num_samples} needs temperature > 0: greedy samples are "
                "identical; set temperature (e.g. 1.0) or num_samples=1"
            )

    @property
    def do_sample(self) -> bool:
        """Whether tokens are sampled (temperature > 0) rather than chosen greedily."""
        return self.temperature > 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for reports)."""
        return asdict(self)


@runtime_checkable
class Policy(Protocol):
    """Anything that turns prompts into completions (see the module docstring)."""

    name: str

    def generate(
        self, requests: Sequence[Request | Prompt], *, sampling: SamplingConfig | None = None
    ) -> list[str]:
        """``sampling.num_samples`` completions per request, request-major."""
        ...


def as_request(item: Request | Prompt | Mapping[str, Any]) -> Request:
    """A :class:`Request` from a request, a prompt, or a dict of :class:`Request` fields.

    >>> as_request("5 3>8:").prompt
    '5 3>8:'
    """
    if isinstance(item, Request):
        return item
    if isinstance(item, Mapping):
        return Request(**item)
    return Request(item)


def format_answer(
    expression: str | None, answer_format: str, prompt: Prompt = "", thought: str = ""
) -> str:
    """Write ``expression`` as a completion in the template's answer format.

    ``answer_tag`` gives ``<think>thought</think>\\n<answer>expression</answer>``; when the prompt
    already opens ``<think>`` (the TinyZero template does) the completion continues inside it.
    ``None`` (no expression) gives a completion without an answer.

    >>> format_answer("25+3*7", "bare")
    '25+3*7'
    >>> format_answer("1+2", "answer_tag", prompt="Assistant: Let me solve this.\\n<think>")
    ' Found it.</think>\\n<answer>1+2</answer>'
    """
    if answer_format != "answer_tag":  # bare and steps: an expression is a one-line answer
        return expression or ""
    last = prompt if isinstance(prompt, str) else (prompt[-1].get("content", "") if prompt else "")
    opens_think = last.rstrip().endswith("<think>")
    thought = thought or ("Found it." if expression is not None else "No solution found.")
    head = f" {thought}</think>" if opens_think else f"<think>{thought}</think>"
    return head if expression is None else f"{head}\n<answer>{expression}</answer>"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_ATOM = 3


def random_expression(nums: Sequence[int], rng: random.Random, operators: str = "+-*/") -> str:
    """A random well-formed expression using every number once, with minimal parentheses.

    Two random operands are combined with a random operator until one expression is left, so
    every binary tree shape can appear.

    >>> random_expression([4, 5, 6], random.Random(1))
    '5/(4*6)'
    """
    if not nums:
        raise ConfigError("random_expression needs at least one number")
    items: list[tuple[str, int]] = [(str(n), _ATOM) for n in nums]
    while len(items) > 1:
        i, j = rng.sample(range(len(items)), 2)
        (left, left_prec), (right, right_prec) = items[i], items[j]
        for index in sorted((i, j), reverse=True):
            del items[index]
        op = rng.choice(operators)
        prec = _PRECEDENCE[op]
        if left_prec < prec:
            left = f"({left})"
        # a-(b-c) and a/(b*c) need their parentheses; a+(b+c) does not, but keep it simple.
        if right_prec < prec or (right_prec == prec and op in "-/"):
            right = f"({right})"
        items.append((f"{left}{op}{right}", prec))
    return items[0][0]


def _require_task(request: Request, policy: str) -> tuple[tuple[int, ...], int]:
    if not request.nums or request.target is None:
        raise ConfigError(
            f"the {policy} policy needs requests with nums and target "
            "(agents.policies.Request), not bare prompts"
        )
    return request.nums, request.target


class SolverPolicy:
    """The oracle: answers every solvable task correctly with :func:`countdown_env.solve`.

    Unsolvable tasks get a completion without an answer. Sampling settings are ignored (the
    answer is deterministic); ``num_samples`` copies are returned.

    Args:
        rules: the rules to solve under (default TinyZero's: every number exactly once).
        **rule_overrides: single rule fields, e.g. ``exact_use=False``.
    """

    name = "solver"

    def __init__(self, *, rules: Rules | None = None, **rule_overrides: Any) -> None:
        self.rules = Rules.from_kwargs(rules, **rule_overrides)

    def generate(
        self, requests: Sequence[Request | Prompt], *, sampling: SamplingConfig | None = None
    ) -> list[str]:
        """One solver answer per request, repeated ``num_samples`` times."""
        from countdown_env import solve

        samples = (sampling or SamplingConfig()).num_samples
        out: list[str] = []
        for item in requests:
            request = as_request(item)
            nums, target = _require_task(request, self.name)
            expression = solve(list(nums), target, rules=self.rules)
            out.extend([format_answer(expression, request.answer_format, request.prompt)] * samples)
        return out


class RandomPolicy:
    """A random well-formed expression over the prompt's numbers, each used once.

    The floor a learner must beat. Each call is seeded by ``sampling.seed``, so the same call
    gives the same completions.

    Args:
        operators: operators to draw from (default all four).
    """

    name = "random"

    def __init__(self, *, operators: str = "+-*/") -> None:
        if not operators or not set(operators) <= set(_PRECEDENCE):
            raise ConfigError(f"operators must be a non-empty subset of '+-*/', got {operators!r}")
        self.operators = operators

    def generate(
        self, requests: Sequence[Request | Prompt], *, sampling: SamplingConfig | None = None
    ) -> list[str]:
        """``num_samples`` random answers per request."""
        config = sampling or SamplingConfig()
        rng = random.Random(config.seed)
        out: list[str] = []
        for item in requests:
            request = as_request(item)
            nums, _ = _require_task(request, self.name)
            for _ in range(config.num_samples):
                expression = random_expression(nums, rng, self.operators)
                out.append(
                    format_answer(
                        expression,
                        request.answer_format,
                        request.prompt,
                        thought="Trying a random combination.",
                    )
                )
        return out
