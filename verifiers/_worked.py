"""Worked answers: a Countdown task solved one checked operation a line.

The shape (the ``compact-steps`` template of :mod:`countdown_env` asks for it)::

    3*7=21           one operation on two of the numbers, and its result
    21 5>26:21+5     the task that is left (numbers > target :), and its answer

Each line but the last is a *step* ``a op b = r``: two of the numbers still at hand (the
task's, or results of earlier steps) and the exact result. From the second line on, a line
starts with the task left, ``nums>target:``, in the compact prompt's own spelling: the numbers
at hand with ``r`` in place of ``a`` and ``b``. The last line answers the task left with an
expression.

:func:`worked_equation` checks every step's arithmetic exactly and gives back the one
equation the lines describe, each step's ``r`` replaced by its operation: ``(3*7)+5``. The
verifier then checks that equation against the task like any other answer, so the numbers
used and the value are judged as always. A false step, a result no later line uses, a line of
another shape or lines that name different targets give ``None``: a worked answer is only as
good as its every step.

A single line without ``>`` is the answer itself (two numbers need no step).
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from verifiers._tokens import space_operators

__all__ = ["MAX_STEP_LINES", "Step", "read_step", "worked_equation", "worked_steps"]

MAX_STEP_LINES = 64
"""Most lines a worked answer may have; a longer one is not read (``None``), so hostile text
costs no more than a real answer (one line per number of the task)."""

_MAX_DIGITS = 30  # a step's numbers; Countdown values are far smaller


def _number(text: str) -> int | None:
    """A plain non-negative integer literal (no sign, no leading zero), else ``None``."""
    text = text.strip()
    if not text.isdigit() or not text.isascii() or len(text) > _MAX_DIGITS:
        return None
    if len(text) > 1 and text[0] == "0":
        return None
    return int(text)


class Step(NamedTuple):
    """One true step ``a op b = r`` of a worked answer."""

    a: int
    op: str
    b: int
    r: int


def read_step(text: str) -> Step | None:
    """The step ``a op b = r`` when its arithmetic is exact, else ``None``."""
    left, equals, right = text.partition("=")
    r = _number(right)
    if not equals or r is None:
        return None
    for op in "+-*/":
        a_text, found, b_text = left.partition(op)
        if found:
            break
    else:
        return None
    a, b = _number(a_text), _number(b_text)
    if a is None or b is None:
        return None
    if op == "/":
        true = b != 0 and Fraction(a, b) == r
    else:
        true = {"+": a + b, "-": a - b, "*": a * b}[op] == r
    return Step(a, op, b, r) if true else None


def _put(expression: str, r: int, operation: str) -> str | None:
    """``expression`` with its first literal ``r`` replaced by ``operation``, else ``None``."""
    tokens = space_operators(expression).split()
    wanted = str(r)
    for index, token in enumerate(tokens):
        if token == wanted:
            tokens[index] = operation
            return "".join(tokens)
    return None


def _lines(completion: str) -> list[str] | None:
    parts = completion.strip().split("\n", MAX_STEP_LINES)
    if len(parts) > MAX_STEP_LINES:
        return None
    return [line.strip() for line in parts if line.strip()]


def worked_steps(completion: str) -> list[Step]:
    """The true steps a worked answer opens with, up to its first line that is not one.

    Each line's task-left head (``nums>target:``) is skipped, not checked; whether the steps
    use numbers at hand is the caller's question (a process reward asks it, see
    ``progress`` reward of ``countdown train``). The answer line ends the list.

    >>> worked_steps("3*7=21\\n21 5>26:21+5")
    [Step(a=3, op='*', b=7, r=21)]
    >>> worked_steps("10+5=15\\n15 3 2>90:15*3=45\\n45 2>90:45*2")
    [Step(a=10, op='+', b=5, r=15), Step(a=15, op='*', b=3, r=45)]
    >>> worked_steps("3*7=20\\n20 5>25:20+5")  # 3*7 is 21: no true step
    []
    """
    steps: list[Step] = []
    for line in _lines(completion) or []:
        step = read_step(line.rpartition(":")[2])  # the line after its task-left head
        if step is None:
            break
        steps.append(step)
    return steps


def worked_equation(completion: str) -> str | None:
    """The equation a worked answer describes, or ``None`` when a step fails.

    >>> worked_equation("3*7=21\\n21 5>26:21+5")
    '(3*7)+5'
    >>> worked_equation("10+5=15\\n15 3 2>90:15*3=45\\n45 2>90:45*2")
    '((10+5)*3)*2'
    >>> worked_equation("3*7=20\\n20 5>25:20+5") is None  # 3*7 is 21
    True
    >>> worked_equation("3*7=21\\n3 5>8:3+5") is None  # the 21 is never used
    True
    >>> worked_equation("25*4-3")  # one line: the answer itself
    '25*4-3'
    """
    lines = _lines(completion)
    if not lines:
        return None
    if len(lines) == 1:
        return None if ">" in lines[0] else lines[0]
    steps: list[Step] = []
    targets = set()
    for index, line in enumerate(lines):
        if index:
            head, colon, line = line.partition(":")
            target = _number(head.rpartition(">")[2])
            if not colon or ">" not in head or target is None:
                return None
            targets.add(target)
        if index < len(lines) - 1:
            step = read_step(line)
            if step is None:
                return None
            steps.append(step)
    if len(targets) > 1 or not line.strip():
        return None
    expression = line.strip()
    for step in reversed(steps):
        put = _put(expression, step.r, f"({step.a}{step.op}{step.b})")
        if put is None:
            return None
        expression = put
    return expression
