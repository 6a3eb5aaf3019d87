"""Answers with tries: equations tried one a line; the first try marked as a hit is the
answer, else the last line.

The shape (the ``compact-tries`` template of :mod:`countdown_env` asks for it)::

    3+7=10*5=50 +    a try, marked above the target 26
    3*7=21+5=26 =    a try marked as a hit: the answer
    3*7=21-5=16 -    after the answer: not read

Each line is a *chain*: two numbers and their exact result, then that result with the next
number and their result, and so on (``3*7=21+5=26`` is ``(3*7)+5``: each ``=`` closes the
step before it). A try may end with a mark, the model's own note on its result: `` =`` the
target, `` +`` above it, `` -`` below it. The answer is the first line marked `` =`` (the
model says "this one"), or the last line when no line is so marked; every other line is
scratch work, like a ``<think>`` block, and is not read. So a model that checks its tries can
stop searching with its answer named, and one that marks a wrong try as a hit has answered
with that try: it cannot claim twice. The answer line counts only when each of its steps holds
exactly (whole, non-negative results; ``a/b`` only when ``b`` divides ``a``), as in a worked
answer (:mod:`verifiers._worked`): ``3*7=20+5=25`` gives ``None``. The mark is dropped and
never trusted: the verifier checks the equation the chain describes, ``(3*7)+5``, against the
task like any other answer.

A completion of one line without ``=`` is the answer itself (a plain expression), so any
policy can answer in this format; so is a line without ``=`` marked as a hit. A last line
without ``=`` after other lines and no marked line is not read (a completion cut at its length
limit ends like that; a cut answer is never guessed).

A chain reads its numbers left to right, so it describes ``((a op b) op c) op d`` only: a task
whose every solution needs another shape (``(1+2)*(3+4)``) cannot be answered with a chain.

Why the mark names the answer (issue 10, BENCHMARKS.md "cpu-tiny-3"): when only the last line
counted, GRPO had to learn to *stop* on a hit from a reward that also punished a correctly
marked hit followed by one more try; a small model took off on some seeds only. With the mark
naming the answer, a right `` =`` is rewarded wherever it stands.
"""

from __future__ import annotations

from verifiers._worked import read_step

__all__ = ["ABOVE_MARK", "BELOW_MARK", "HIT_MARK", "MARKS", "MAX_CHAIN_STEPS", "tried_equation"]

HIT_MARK = " ="
"""What a try may end with to say that its result is the target; never checked."""
ABOVE_MARK = " +"
"""What a try may end with to say that its result is above the target; never checked."""
BELOW_MARK = " -"
"""What a try may end with to say that its result is below the target; never checked."""
MARKS = (HIT_MARK, ABOVE_MARK, BELOW_MARK)

_OPS = "+-*/"

MAX_CHAIN_STEPS = 32
"""Most steps one chain may have; a longer last line is not read (``None``), so hostile text
costs no more than a real answer (one step per number of the task)."""


def _chain_equation(line: str) -> str | None:
    """``3*7=21+5=26`` -> ``(3*7)+5`` when every step holds, else ``None``."""
    parts = line.split("=", MAX_CHAIN_STEPS + 1)
    if len(parts) > MAX_CHAIN_STEPS + 1:
        return None
    expression = ""
    for index in range(len(parts) - 1):
        # A step is one part ("a op b") and the result that starts the next part ("21+5"
        # begins with 21), or the whole last part. The next step's "a" is that same text.
        result = parts[index + 1]
        if index + 2 < len(parts):
            result = result.strip()
            result = result[: next((i for i, ch in enumerate(result) if ch in _OPS), 0)]
        step = read_step(f"{parts[index]}={result}")
        if step is None:
            return None
        expression = f"({expression}){step.op}{step.b}" if index else f"{step.a}{step.op}{step.b}"
    return expression


def tried_equation(completion: str) -> str | None:
    """The equation of an answer with tries: its first line marked `` =``, else its last line;
    ``None`` when that line is no true chain.

    >>> tried_equation("3+7=10*5=50\\n3*7=21+5=26")
    '(3*7)+5'
    >>> tried_equation("3+7=10*5=50 +\\n3*7=21+5=26 =\\n3*7=21-5=16 -")  # the marked try
    '(3*7)+5'
    >>> tried_equation("3+7=10*5=50 =\\n3*7=21+5=26 =")  # the first claim is the answer
    '(3+7)*5'
    >>> tried_equation("3*7=20+5=25") is None  # 3*7 is 21: a false step
    True
    >>> tried_equation("6+2=8")  # two numbers: one step
    '6+2'
    >>> tried_equation("25*4-3")  # one line without '=': the answer itself
    '25*4-3'
    >>> tried_equation("3+7=10*5=50\\n3*7") is None  # a cut last line is not guessed
    True
    """
    text = completion.strip()
    if not text:
        return None
    lines = text.split("\n")
    marked = next((i for i, line in enumerate(lines) if line.rstrip().endswith(HIT_MARK)), None)
    index = len(lines) - 1 if marked is None else marked
    answer = lines[index].strip()
    for mark in MARKS:
        if answer.endswith(mark):
            answer = answer[: -len(mark)].rstrip()
            break
    if "=" not in answer:
        # A plain expression answers when it is alone or marked; an unmarked last line
        # without '=' after other tries is a cut chain, never guessed.
        return None if index and marked is None else answer
    return _chain_equation(answer)
