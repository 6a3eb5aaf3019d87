"""Finding the answer inside a model completion.

Three extractors, each ``(completion: str) -> str | None`` (``None``: no answer found), all
linear-time with no backtracking regular expression:

* :func:`extract_answer`: the LAST complete ``<answer>...</answer>`` block. It may span lines
  and be followed by more text (TinyZero searched only the last line, so an answer followed by
  one more line scored 0). Tags are case-sensitive, as in TinyZero and TRL's recipes.
  *Nested or stray tags*: the block is the last ``<answer>`` that is closed, up to its first
  ``</answer>``, so the answer never contains a tag: ``<answer><answer>1</answer></answer>``
  gives the innermost ``'1'``.
  *Unclosed tag*: an ``<answer>`` never closed (typically a completion cut at
  ``max_completion_length``) is ignored; the last complete block before it, if any, is the
  answer, as TinyZero's regex reads it; we never guess where a cut answer would have ended.
* :func:`extract_boxed`: the LAST ``\\boxed{...}``, braces balanced; the closing brace is
  looked for among the next :data:`MAX_BOXED_BRACES` braces only, so hostile text (ten million
  ``{``) costs no more than a normal answer.
* :func:`extract_bare`: the whole completion, stripped, for compact prompts where the completion
  is the expression.
* :func:`extract_steps`: the equation a worked answer's checked steps describe (the
  ``compact-steps`` template; see :func:`extract_steps`), ``None`` when a step is false.
* :func:`extract_tries`: the equation of an answer with tries, its first try marked as a hit or
  else its last line (the ``compact-tries`` template; see :func:`extract_tries`), ``None`` when
  a step is false.

>>> extract_answer("<think>try <answer>1+2</answer>?</think> <answer> 5 + 3 </answer> done")
'5 + 3'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from verifiers._tries import ABOVE_MARK, BELOW_MARK, HIT_MARK, tried_equation
from verifiers._worked import Step, worked_equation, worked_steps
from verifiers.errors import ConfigError

__all__ = [
    "ABOVE_MARK",
    "BELOW_MARK",
    "EXTRACTORS",
    "HIT_MARK",
    "MAX_BOXED_BRACES",
    "Extractor",
    "Step",
    "extract_answer",
    "extract_bare",
    "extract_boxed",
    "extract_steps",
    "extract_tries",
    "get_extractor",
    "has_answer_format",
    "worked_steps",
]

Extractor = Callable[[str], "str | None"]
"""What an extractor is: completion text in, answer text (or ``None``) out."""

_OPEN = "<answer>"
_CLOSE = "</answer>"
_BOXED = "\\boxed{"
_BRACE = re.compile(r"[{}]")

MAX_BOXED_BRACES = 10_000
"""Most braces :func:`extract_boxed` reads after the last ``\\boxed{`` looking for its closing
brace; a box not closed by then counts as unclosed (``None``). A Countdown answer holds a few
braces at most (``\\frac{}{}``), so only hostile text reaches the limit, and reading a brace
costs a Python step: uncapped, ten million of them took seconds."""


def _require_str(completion: object) -> None:
    if not isinstance(completion, str):
        raise TypeError(f"completion must be a str, got {type(completion).__name__}")


def extract_answer(completion: str) -> str | None:
    """Content of the last complete ``<answer>...</answer>`` block, stripped, else ``None``.

    An empty block gives ``''`` (a tag was written; the checker calls that malformed). The block
    starts at the last ``<answer>`` before the last ``</answer>`` and ends at the first
    ``</answer>`` after it, so nested tags give the innermost block and the answer never holds
    a tag (a format reward still refuses such completions, see :func:`has_answer_format`).

    >>> extract_answer("<answer>\\n(1 + 2) * 3\\n</answer>\\nI hope that is right.")
    '(1 + 2) * 3'
    >>> extract_answer("<answer>4*6</answer> then <answer>5+") # unclosed last tag is ignored
    '4*6'
    >>> extract_answer("<answer><answer>1</answer></answer>")  # nested: the innermost block
    '1'
    >>> extract_answer("no tags") is None
    True
    """
    _require_str(completion)
    close = completion.rfind(_CLOSE)
    if close < 0:
        return None
    start = completion.rfind(_OPEN, 0, close)
    if start < 0:
        return None
    begin = start + len(_OPEN)
    return completion[begin : completion.find(_CLOSE, begin)].strip()


def extract_boxed(completion: str) -> str | None:
    """Content of the last ``\\boxed{...}`` with balanced braces, stripped, else ``None``.

    >>> extract_boxed(r"so \\boxed{(1+2)*3} and finally \\boxed{ 6*4 }.")
    '6*4'
    >>> extract_boxed(r"\\boxed{12") is None
    True
    >>> extract_boxed("\\boxed{" + "{" * MAX_BOXED_BRACES + "}" * (MAX_BOXED_BRACES + 1)) is None
    True
    """
    _require_str(completion)
    start = completion.rfind(_BOXED)
    if start < 0:
        return None
    begin = start + len(_BOXED)
    depth = 1
    # One step per brace, found by the C scanner; the text between braces is never walked
    # in Python, and at most MAX_BOXED_BRACES braces are read.
    for count, match in enumerate(_BRACE.finditer(completion, begin)):
        if count == MAX_BOXED_BRACES:
            return None
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return completion[begin : match.start()].strip()
    return None


def extract_bare(completion: str) -> str | None:
    """The whole completion stripped; ``None`` when it is empty or only whitespace.

    >>> extract_bare("  25*4-3\\n")
    '25*4-3'
    """
    _require_str(completion)
    text = completion.strip()
    return text or None


def extract_steps(completion: str) -> str | None:
    """The equation a worked answer describes, when every step holds; else ``None``.

    A worked answer does one operation a line (``a op b = r``), then names the task left,
    with ``r`` among its numbers, and so on until it answers with an expression::

        3*7=21
        21 5>26:21+5

    Each step's arithmetic is checked exactly; the answer is the equation the lines describe,
    ``(3*7)+5`` (each ``r`` replaced by its operation), which the verifier then checks against
    the task. A single line is the answer itself. Details: :mod:`verifiers._worked`.

    >>> extract_steps("3*7=21\\n21 5>26:21+5")
    '(3*7)+5'
    >>> extract_steps("3*7=20\\n20 5>25:20+5") is None  # 3*7 is 21: a false step
    True
    """
    _require_str(completion)
    return worked_equation(completion)


def extract_tries(completion: str) -> str | None:
    """The equation of an answer with tries, when its every step holds.

    The model tries equations one a line, each a chain of exact steps (``3*7=21+5=26`` is
    ``(3*7)+5``) that may end with a mark comparing its result with the target (`` =`` hit,
    `` +`` above, `` -`` below). The answer is the first try marked `` =``, else the last
    line; the other lines are scratch work and are not read, and the mark is never trusted. A
    single line without ``=`` is the answer itself. Details: :mod:`verifiers._tries`.

    >>> extract_tries("3+7=10*5=50\\n3*7=21+5=26")
    '(3*7)+5'
    >>> extract_tries("3+7=10*5=50 +\\n3*7=21+5=26 =\\n3*7=21-5=16 -")
    '(3*7)+5'
    >>> extract_tries("3*7=20+5=25") is None  # 3*7 is 21: a false step
    True
    """
    _require_str(completion)
    return tried_equation(completion)


def has_answer_format(
    completion: str, *, require_think: bool = True, allow_implicit_think: bool = True
) -> bool:
    """Whether a completion has the ``<think>...</think>`` then ``<answer>...</answer>`` shape.

    True only when:

    * there is exactly ONE ``<answer>`` and ONE ``</answer>`` in the whole completion, in that
      order, with a non-blank answer between them (several answer blocks, or an empty one, are
      known ways to farm a format reward, open-r1#359);
    * the think block comes first: at most one ``<think>`` and exactly one ``</think>``, with
      nothing but whitespace before ``<think>`` and between ``</think>`` and ``<answer>``;
    * nothing but whitespace follows ``</answer>``.

    *Implicit think*: TinyZero's prompt ends with ``<think>``, so its completions start inside
    the thinking and hold only ``</think>``. With ``allow_implicit_think`` (default) a missing
    ``<think>`` is accepted and everything before ``</think>`` counts as thinking. With
    ``require_think=False`` a completion that is only the answer block also passes.

    >>> has_answer_format("<think>3+5 is 8</think>\\n<answer>3+5</answer>")
    True
    >>> has_answer_format("5 and 3 make 8</think> <answer>3+5</answer>")  # TinyZero style
    True
    >>> has_answer_format("<think>x</think><answer>1</answer><answer>3+5</answer>")
    False
    """
    _require_str(completion)
    if completion.count(_OPEN) != 1 or completion.count(_CLOSE) != 1:
        return False
    start = completion.find(_OPEN)
    close = completion.find(_CLOSE)
    if close < start or not completion[start + len(_OPEN) : close].strip():
        return False
    if completion[close + len(_CLOSE) :].strip():
        return False
    head = completion[:start]
    opens, closes = completion.count("<think>"), completion.count("</think>")
    if closes == 0 and opens == 0:
        return not require_think and not head.strip()
    if closes != 1 or opens > 1:
        return False
    think_end = head.find("</think>")
    if think_end < 0 or head[think_end + len("</think>") :].strip():
        return False
    if opens == 0:
        return allow_implicit_think
    think_start = head.find("<think>")
    return 0 <= think_start < think_end and not head[:think_start].strip()


EXTRACTORS: dict[str, Extractor] = {
    "answer": extract_answer,
    "boxed": extract_boxed,
    "bare": extract_bare,
    "steps": extract_steps,
    "tries": extract_tries,
}
"""The built-in extractors by name."""


def get_extractor(extractor: str | Extractor) -> Extractor:
    """Resolve an extractor name (``"answer"``, ``"boxed"``, ``"bare"``,
    ``"steps"``, ``"tries"``) or pass a callable on.

    >>> get_extractor("boxed") is extract_boxed
    True
    """
    if isinstance(extractor, str):
        try:
            return EXTRACTORS[extractor]
        except KeyError:
            raise ConfigError(
                f"extractor must be one of {sorted(EXTRACTORS)} or a callable, got {extractor!r}"
            ) from None
    if not callable(extractor):
        raise TypeError(f"extractor must be a name or a callable, got {type(extractor).__name__}")
    return extractor
