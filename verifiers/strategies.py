"""Hypothesis strategies for testing Countdown verifiers (yours or ours).

* :func:`expressions` draws valid answers together with their exact value and the numbers they
  use, spelled in every accepted way (spacing, redundant parentheses, ``×`` ``÷`` ``−``,
  ``\\times``, a trailing ``= N``), so a checker can be tested against known truth.
* :func:`hostile_strings` draws text built to break checkers: code, power towers, deep
  nesting, Unicode digits, NUL bytes, lone surrogates, tag soup.
* :func:`near_misses` draws whole inputs (completion, ``nums``, ``target``) that a checker
  missing one rule gets wrong: a subset, a repeat or a foreign number with the target set to
  the expression's value, several ``<answer>`` blocks, unary signs, ``= N`` claims, fractions.
  :func:`near_miss` builds the same inputs from any source of choices; the fuzzer
  (``python -m verifiers.fuzz``) feeds it fuzzer bytes.

Hypothesis is imported when a strategy is built, not when this module is imported; without it
the call raises :class:`~verifiers.errors.DependencyError` naming the ``pip install``.

>>> from hypothesis import given
>>> from verifiers import verify_equation
>>> @given(expressions(nums=[25, 50, 75, 100, 3, 6]))
... def test_value(drawn):
...     verdict = verify_equation(drawn.text, drawn.nums, 0)
...     assert verdict.value == drawn.value
>>> test_value()
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from verifiers._near_miss import NEAR_MISS_KINDS, Choices, NearMiss, near_miss
from verifiers.errors import DependencyError
from verifiers.rules import DEFAULT_RULES, Rules

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "HOSTILE_EXAMPLES",
    "NEAR_MISS_KINDS",
    "PIECES",
    "Choices",
    "GeneratedExpression",
    "NearMiss",
    "expressions",
    "hostile_strings",
    "near_miss",
    "near_misses",
]

PIECES: tuple[str, ...] = (
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "**",
    "//",
    "%",
    "!",
    "=",
    " ",
    "\n",
    "\t",
    "0",
    "1",
    "7",
    "25",
    "100",
    "05",
    "999999999999",
    ".",
    "e",
    "x",
    "_",
    "j",
    "×",
    "÷",
    "−",
    "·",
    "\\times",
    "\\cdot",
    "\\div",
    "\\frac{1}{2}",
    "٣",
    "３",
    "²",
    "<answer>",
    "</answer>",
    "<think>",
    "</think>",
    "\\boxed{",
    "}",
    "{",
    "\x00",
    "\ud800",
    "__import__",
    "lambda",
    "'",
    '"',
    "[",
    "]",
    ",",
)
"""Fragments :func:`hostile_strings` (and the fuzzer) glue together."""

HOSTILE_EXAMPLES: tuple[str, ...] = (
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "99**98**97",
    "9**9**9",
    "2**3",
    "7//2",
    "1.5*2",
    "1e3",
    "0x10",
    "1_000",
    "2(3+4)",
    "(1+2)(3)",
    "3 4",
    "lambda: 1",
    "sum([1, 2])",
    "abs(-3)",
    "3!",
    "10 % 3",
    "1/0",
    "٣+٤",
    "３+４",
    "1\x00+2",
    "\ud800",
    "(" * 100_000 + "1" + ")" * 100_000,
    "1+" * 500_000 + "1",
    "-" * 1_000_000 + "1",
    "9" * 1_000_000,
    "<answer>" * 100_000,
)
"""Known break-out attempts and worst-case shapes (some are a megabyte long)."""


def _hypothesis() -> Any:
    try:
        import hypothesis.strategies as st
    except ImportError as err:
        raise DependencyError(
            "these strategies need hypothesis: pip install 'countdown-rl[test]' "
            "(or pip install hypothesis)"
        ) from err
    return st


class GeneratedExpression(NamedTuple):
    """A valid answer drawn by :func:`expressions`, with the truth about it."""

    text: str
    """The answer as a model might write it."""
    value: Fraction
    """Its exact value."""
    numbers: tuple[int, ...]
    """The number literals it uses (a sub-multiset of ``nums``; all of them with exact use)."""
    nums: tuple[int, ...]
    """The task's numbers it was built from."""


_GLYPHS = {"*": ("*", "×", "·", "\\times "), "/": ("/", "÷", "\\div "), "-": ("-", "−")}
_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def _apply(op: str, left: Fraction, right: Fraction) -> Fraction:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return left / right


def _legal(op: str, left: Fraction, right: Fraction, rules: Rules) -> bool:
    if op == "/" and right == 0:
        return False
    if not rules.integer_intermediates:
        return True
    result = _apply(op, left, right)
    return result.denominator == 1 and result > 0


_Node = tuple[str, Fraction, int]
"""One subexpression: (text, value, rank); rank 3 means "needs no parentheses anywhere"."""


def _join(draw: Any, st: Any, left: _Node, right: _Node, rules: Rules, fancy: bool) -> _Node:
    """One operation on two subexpressions: a legal operator (the operands swapped when none is
    legal in this order), the parentheses it needs (``fancy``: some it does not), its spelling,
    and now and then a unary minus."""
    from hypothesis import assume

    choices = [op for op in rules.operators if _legal(op, left[1], right[1], rules)]
    if not choices:
        left, right = right, left
        choices = [op for op in rules.operators if _legal(op, left[1], right[1], rules)]
    # Only possible with a narrow operator set (say "-" alone on equal values).
    assume(bool(choices))
    op = draw(st.sampled_from(choices))
    rank = _RANK[op]
    left_text, right_text = left[0], right[0]
    if left[2] < rank or (fancy and draw(st.integers(0, 9)) == 0):
        left_text = f"({left_text})"
    if (
        right[2] < rank
        or (right[2] == rank and op in "-/")
        or (fancy and draw(st.integers(0, 9)) == 0)
    ):
        right_text = f"({right_text})"
    spelled = draw(st.sampled_from(_GLYPHS.get(op, (op,)))) if fancy else op
    space = draw(st.sampled_from(("", " ", "  "))) if fancy else ""
    text = f"{left_text}{space}{spelled}{space}{right_text}"
    value = _apply(op, left[1], right[1])
    if rules.allow_unary_minus and not rules.integer_intermediates and draw(st.integers(0, 7)) == 0:
        return (f"-({text})", -value, 3)
    return (text, value, rank)


def _dress(draw: Any, st: Any, text: str, value: Fraction) -> str:
    """A fancy answer's outside: sometimes a trailing ``= N``, and stray spaces or newlines."""
    if value.denominator == 1 and draw(st.booleans()):
        text = f"{text} = {value.numerator}"
    return draw(st.sampled_from(("", " ", "\n"))) + text + draw(st.sampled_from(("", " ", "\n")))


def expressions(
    nums: Sequence[int] | None = None,
    *,
    rules: Rules = DEFAULT_RULES,
    fancy: bool = True,
) -> SearchStrategy[GeneratedExpression]:
    """A strategy of valid answers under ``rules``, with exact value and numbers used.

    Args:
        nums: the task's numbers; by default each example draws 1-6 numbers in 1..100.
        rules: which operators, exact or at-most-once use, integer intermediates, unary minus.
        fancy: also use redundant parentheses, odd spacing, Unicode/LaTeX operators and a
            trailing ``= N``; ``False`` gives plain ASCII with minimal parentheses.
    """
    st = _hypothesis()
    fixed = None if nums is None else tuple(int(n) for n in nums)
    if fixed == ():
        raise ValueError("nums must hold at least one number (or be None to draw them)")

    @st.composite
    def draw_expression(draw: Any) -> GeneratedExpression:
        task = fixed
        if task is None:
            task = tuple(draw(st.lists(st.integers(1, 100), min_size=1, max_size=6)))
        order = draw(st.permutations(range(len(task))))
        count = len(task) if rules.exact_use else draw(st.integers(1, len(task)))
        chosen = [task[i] for i in order[:count]]
        nodes: list[_Node] = [(str(n), Fraction(n), 3) for n in chosen]
        while len(nodes) > 1:
            i = draw(st.integers(0, len(nodes) - 2))
            nodes[i] = _join(draw, st, nodes[i], nodes.pop(i + 1), rules, fancy)
        text, value, _ = nodes[0]
        if fancy:
            text = _dress(draw, st, text, value)
        return GeneratedExpression(text, value, tuple(chosen), task)

    return draw_expression()


def hostile_strings(*, max_pieces: int = 60) -> SearchStrategy[str]:
    """A strategy of text meant to break a checker: fragments, any Unicode, known attacks.

    Args:
        max_pieces: most fragments of :data:`PIECES` glued into one string.
    """
    st = _hypothesis()
    glued = st.lists(st.sampled_from(PIECES), max_size=max_pieces).map("".join)
    any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=200)
    nested = st.integers(1, 5_000).map(lambda depth: "(" * depth + "1" + ")" * depth)
    towers = st.integers(2, 50).map(lambda height: "**".join(["9"] * height))
    # The megabyte examples stay out: Hypothesis would print them on every failure report.
    known = st.sampled_from([text for text in HOSTILE_EXAMPLES if len(text) <= 10_000])
    return st.one_of(glued, any_text, known, nested, towers)


class _Draws:
    """:class:`Choices` from a Hypothesis ``draw``, so examples shrink like any other."""

    def __init__(self, st: Any, draw: Any) -> None:
        self._st = st
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(self._st.integers(low, high))


def near_misses(*, rules: Rules = DEFAULT_RULES) -> SearchStrategy[NearMiss]:
    """A strategy of :class:`NearMiss` inputs; compare your checker's verdict with ours.

    >>> from hypothesis import given
    >>> from verifiers import CountdownVerifier, verify
    >>> my_verifier = CountdownVerifier(cache=False)  # yours here
    >>> @given(near_misses())
    ... def test_agrees(case):
    ...     mine = my_verifier(case.completion, case.nums, case.target)
    ...     assert mine.correct == verify(case.completion, case.nums, case.target).correct
    >>> test_agrees()
    """
    st = _hypothesis()
    return st.composite(lambda draw: near_miss(_Draws(st, draw), rules=rules))()
