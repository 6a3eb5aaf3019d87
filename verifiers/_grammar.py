"""The Countdown grammar: from answer text to a postfix program, without recursion.

Grammar (whitespace between tokens is free; ``N`` is a run of ASCII digits)::

    answer     := expression [ "=" ["-"] N ]
    expression := term { ("+" | "-") term }
    term       := factor { ("*" | "/") factor }
    factor     := N | "(" expression ")" | ("-" | "+") factor    # signs: allow_unary_minus

It is parsed by an iterative shunting-yard over the token list, so nesting depth costs heap, not
the interpreter's stack, and a refusal comes in time proportional to the length. The same pass
evaluates exactly through :mod:`verifiers.arithmetic` (the one arithmetic core, with the rules'
checks), which is what the checker uses; :func:`parse` returns the project's small intermediate
form, a postfix program (:class:`Parsed`): number literals are ``int`` items and operators are
the strings ``"+" "-" "*" "/"`` and ``"neg"`` (unary minus). A unary plus changes nothing and
leaves no item.

Decisions a reader may look for:

* A number literal with a leading zero (``05``, ``00``) is refused as ``forbidden``, as Python
  and TinyZero's checker refuse it: a model writing ``05`` has usually glued digits together,
  and reading it as 5 would let two answers spell one number. ``0`` itself is fine.
* A trailing ``= N`` is kept as :attr:`Parsed.claimed`; ``N`` is a claim, not a used number.
  Only one ``=`` is accepted and only an integer may follow it (a minus sign is allowed there
  because targets may be negative).
* Two operands with nothing between them (``3 4``, ``2(3+4)``, ``(1+2)(3)``) are implicit
  multiplication and refused as ``forbidden``.

>>> parse("(25 + 50) * 4 = 300")
Parsed(postfix=(25, 50, '+', 4, '*'), numbers=(25, 50, 4), claimed=300)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from verifiers._tokens import tokenize
from verifiers._values import needs_size_check
from verifiers._verdict import Status
from verifiers.arithmetic import (
    TOO_BIG_REASON,
    Value,
    bad_intermediate,
    calculate,
    division_by_zero,
    fits_rules,
    forbidden_operator,
    negate,
    too_big,
)
from verifiers.errors import ExpressionError
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = [
    "MAX_LITERAL_DIGITS",
    "Parsed",
    "check_length",
    "parse",
    "run_unchecked",
    "too_long_reason",
]

MAX_LITERAL_DIGITS = 3_000
"""Hard ceiling on digits in one literal whatever ``Rules.max_digits`` says: it keeps every
literal below the evaluator's value cap and below CPython's 4,300-digit ``int()`` limit."""

# Binding strength; "neg" (prefix minus) binds tightest, as in ordinary arithmetic.
# ")" and the end sentinel rank 0: they reduce everything back to their "(".
_END = ""
_PRECEDENCE: dict[str, int] = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, ")": 0, _END: 0}


class Parsed(NamedTuple):
    """A parsed answer: a postfix program, the number literals it uses, and any ``= N`` claim."""

    postfix: tuple[int | str, ...]
    """Literals (``int``) and operators (``"+" "-" "*" "/" "neg"``) in evaluation order."""
    numbers: tuple[int, ...]
    """Every number literal, in order of appearance (the claim ``N`` is not among them)."""
    claimed: int | None
    """The ``N`` of a trailing ``= N``, else ``None``."""


def _literal(token: str, rules: Rules, given: Collection[int] = ()) -> int:
    """The value of a digit-run token, after the leading-zero and digit-count rules.

    ``max_digits`` guards against absurd literals, so a number in ``given`` (the task's own
    numbers, or its target after ``=``) passes it whatever its length, up to
    :data:`MAX_LITERAL_DIGITS`.
    """
    if len(token) > MAX_LITERAL_DIGITS or (
        len(token) > rules.max_digits and int(token) not in given
    ):
        raise ExpressionError(
            Status.TOO_LONG,
            f"a number has {len(token)} digits, more than the limit of "
            f"{min(rules.max_digits, MAX_LITERAL_DIGITS)} (max_digits)",
        )
    if token[0] == "0" and len(token) > 1:
        raise ExpressionError(
            Status.FORBIDDEN, f"numbers with a leading zero are not allowed (found {token!r})"
        )
    return int(token)


def _claim(tokens: list[str], rules: Rules, target: int | None = None) -> int:
    """The integer after ``=``: the tokens ``[N]``, ``["-", N]`` or ``["+", N]``."""
    if len(tokens) == 2 and tokens[0] in ("-", "+"):
        sign, tokens = (-1 if tokens[0] == "-" else 1), tokens[1:]
    else:
        sign = 1
    if len(tokens) != 1 or not tokens[0].isdigit():
        if "=" in tokens:
            raise ExpressionError(Status.MALFORMED, "more than one '=' in the answer")
        raise ExpressionError(
            Status.MALFORMED, "only an integer (the target) may follow '=' in the answer"
        )
    return sign * _literal(tokens[0], rules, () if target is None else (abs(target),))


def _unary(token: str, rules: Rules, ops: list[str]) -> None:
    """A sign where an operand was expected: a prefix operator, a refusal or a dangling op."""
    if token == "+" or token == "-":
        if not rules.allow_unary_minus:
            raise ExpressionError(
                Status.FORBIDDEN,
                f"a sign before a number or group (unary {token}) is not allowed "
                "(allow_unary_minus=False)",
            )
        if token == "-":
            ops.append("neg")
        return
    if token == ")":
        raise ExpressionError(
            Status.MALFORMED, "')' follows an operator or '(' with no operand between"
        )
    if token == _END:
        raise ExpressionError(Status.MALFORMED, "the expression ends with an operator")
    raise ExpressionError(Status.MALFORMED, f"operator {token!r} has no left operand")


def _run(
    tokens: list[str],
    rules: Rules,
    check_size: bool,
    postfix: list[int | str] | None = None,
    max_numbers: int | None = None,
    given: Sequence[int] = (),
) -> tuple[int | None, int, list[int], tuple[Status, str] | None]:
    """Parse and evaluate ``tokens`` (no ``=`` among them) in one iterative shunting-yard pass.

    Returns ``(numerator, denominator, numbers used, failure)``. Grammar errors and limits raise
    :class:`ExpressionError` at once; evaluation failures (division by zero, a bad
    intermediate) are only recorded in ``failure``, so the whole answer is still read and the
    checker can rank a broken grammar or wrong numbers first. After a division by zero the
    numerator is ``None``. With ``postfix`` the postfix program is appended to it. With
    ``max_numbers``, reading one literal more than that refuses the answer as ``wrong_numbers``
    at once, which caps the work on long answers at the size of the task. A literal longer
    than ``max_digits`` is accepted when its value is in ``given`` (the task's numbers).

    This is the checker's hot loop: the reduction code appears once, reached by operators,
    ``)`` and the end sentinel alike, so nothing here is a function call per token. It is long
    on purpose: one pass with no call per token is what ``benchmarks/bench_verifiers.py``
    measures, and splitting it into helpers would add those calls back.
    """
    if not tokens:
        raise ExpressionError(Status.MALFORMED, "the expression is empty")
    tokens.append(_END)
    # Values: exact (see verifiers.arithmetic, which does all the arithmetic and its checks).
    stack: list[Value] = []
    ops: list[str] = ["("]  # the bottom "(" pairs with the end sentinel
    used: list[int] = []
    room = len(tokens) if max_numbers is None else max_numbers  # literals still allowed
    rank_of = _PRECEDENCE
    allowed = rules.operators
    max_depth = rules.max_depth
    max_digits = min(rules.max_digits, MAX_LITERAL_DIGITS)
    integer_only = rules.integer_intermediates
    failure: tuple[Status, str] | None = None
    long_given: frozenset[int] | None = None
    zero_division = False
    expect_operand = True
    depth = 0
    for token in tokens:
        if token.isdigit():
            if not expect_operand:
                raise ExpressionError(
                    Status.FORBIDDEN,
                    f"implicit multiplication or glued numbers before {token!r} "
                    "(write an operator)",
                )
            if len(token) > 1 and (token[0] == "0" or len(token) > max_digits):
                if long_given is None:
                    long_given = frozenset(given)
                _literal(token, rules, long_given)  # raises with the reason, if any
            value = int(token)
            stack.append(value)
            used.append(value)
            room -= 1
            if room < 0:
                raise ExpressionError(
                    Status.WRONG_NUMBERS,
                    f"the answer uses more numbers than the {max_numbers} given",
                )
            if postfix is not None:
                postfix.append(value)
            expect_operand = False
            continue
        if token == "(":
            if not expect_operand:
                raise ExpressionError(
                    Status.FORBIDDEN, "implicit multiplication before '(' (write an operator)"
                )
            depth += 1
            if depth > max_depth:
                raise ExpressionError(
                    Status.TOO_LONG,
                    f"parentheses nest deeper than the limit of {max_depth} (max_depth)",
                )
            ops.append("(")
            continue
        rank = rank_of.get(token)
        if rank is None:
            raise ExpressionError(Status.MALFORMED, f"unexpected {token!r}")
        if expect_operand:
            _unary(token, rules, ops)
            continue
        if token == ")":
            if depth == 0:
                raise ExpressionError(Status.MALFORMED, "')' has no matching '('")
        elif rank and token not in allowed:
            raise ExpressionError(*forbidden_operator(token, rules))
        top = ops[-1]
        while top != "(" and rank_of[top] >= rank:
            ops.pop()
            if postfix is not None:
                postfix.append(top)
            b = stack.pop()
            if top == "neg":
                result, refused = negate(b, rules)
                if refused is not None and failure is None:
                    failure = refused
            else:
                a = stack.pop()
                if top == "/" and b == 0:
                    if failure is None or failure[0] is not Status.DIVISION_BY_ZERO:
                        failure = division_by_zero(a)
                    zero_division = True
                    result = 0
                else:
                    result = calculate(top, a, b)
                    if check_size and too_big(result):
                        raise ExpressionError(Status.TOO_LONG, TOO_BIG_REASON)
                    if integer_only and failure is None and not fits_rules(result, rules):
                        failure = bad_intermediate(top, a, b, result)
            stack.append(result)
            top = ops[-1]
        if token == ")":
            ops.pop()
            depth -= 1
        elif rank:
            ops.append(token)
            expect_operand = True
    if len(ops) != 1:
        raise ExpressionError(Status.MALFORMED, "a '(' is never closed")
    if zero_division:
        # A division by zero outranks a bad intermediate: it is reported even if found later.
        return None, 1, used, failure
    result = stack[0]
    if type(result) is int:
        return result, 1, used, failure
    return result.numerator, result.denominator, used, failure


def _split_claim(
    text: str, rules: Rules, target: int | None = None
) -> tuple[list[str], int | None]:
    tokens = tokenize(text)
    if "=" not in tokens:
        return tokens, None
    at = tokens.index("=")
    claimed = _claim(tokens[at + 1 :], rules, target)
    if at == 0:
        raise ExpressionError(Status.MALFORMED, "nothing before '='")
    return tokens[:at], claimed


def run_unchecked(
    text: str,
    rules: Rules,
    max_numbers: int | None = None,
    nums: Sequence[int] = (),
    target: int | None = None,
) -> tuple[int | None, int, list[int], int | None, tuple[Status, str] | None]:
    """Parse and evaluate in one pass, without the length check (the checker's entry point).

    Returns ``(numerator, denominator, numbers used, claimed N, failure)``; see :func:`_run`
    (also for ``max_numbers``). ``nums`` and ``target``, the task's, are the numbers a literal
    may spell with more than ``max_digits`` digits (the task gave them, so they are not
    absurd). Callers must have compared ``len(text)`` with ``rules.max_length`` first; anyone
    else should call :func:`parse` or :func:`verifiers._evaluate.evaluate`.
    """
    tokens, claimed = _split_claim(text, rules, target)
    n, d, used, failure = _run(tokens, rules, needs_size_check(text), None, max_numbers, nums)
    return n, d, used, claimed, failure


def too_long_reason(expression: str, rules: Rules) -> str:
    """The sentence of a ``too_long`` refusal: the expression is over ``rules.max_length``."""
    return (
        f"the expression has {len(expression)} characters, more than the limit of "
        f"{rules.max_length} (max_length)"
    )


def check_length(expression: str, rules: Rules) -> None:
    """Raise a ``too_long`` :class:`ExpressionError` for an expression over ``max_length``:
    the first check of every entry point, before any other work."""
    if len(expression) > rules.max_length:
        raise ExpressionError(Status.TOO_LONG, too_long_reason(expression, rules))


def parse(expression: str, rules: Rules = DEFAULT_RULES) -> Parsed:
    """Parse one answer expression under ``rules`` into a :class:`Parsed` postfix program.

    Checks run in this order: length (``max_length``, before anything else), glyph mapping and
    the ASCII allow-list, then the grammar with the depth and digit limits. Number use and the
    value are not checked here (see :func:`verifiers.verify_equation`).

    Raises:
        TypeError: ``expression`` is not a ``str``.
        ExpressionError: the expression is refused; its ``status`` says which rule.

    >>> parse("6 / (1 - 3/4)").postfix
    (6, 1, 3, 4, '/', '-', '/')
    >>> parse("2(3+4)")
    Traceback (most recent call last):
    ...
    verifiers.errors.ExpressionError: implicit multiplication before '(' (write an operator)
    """
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a str, got {type(expression).__name__}")
    check_length(expression, rules)
    tokens, claimed = _split_claim(expression, rules)
    postfix: list[int | str] = []
    _n, _d, numbers, _failure = _run(tokens, rules, needs_size_check(expression), postfix)
    return Parsed(tuple(postfix), tuple(numbers), claimed)
