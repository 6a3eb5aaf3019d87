"""The checker's fast path: plain ASCII answers that are legal, parsed and valued in one tight pass.

Most answers a model writes are short, plain ASCII and well formed (``(25 + 50) * 4 - 3``). For
those, :func:`run_fast` gives exactly what :func:`verifiers._grammar.run_unchecked` gives, in less
than half the time: the same value in lowest terms, the same number literals in the same order
and the same ``= N`` claim. Its only refusals (through :func:`decide_fast`) are the commonest
ones, worded exactly as the general path words them: a literal beyond the task's numbers and an
answer that ends with an operator or leaves a ``(`` open. Otherwise, at the first sign of something
else (a glyph, a character outside the allow-list, a tab or newline inside the answer, a sign
where an operand belongs, ``**``, implicit multiplication, a leading zero, too many digits,
nesting past ``max_depth``, more literals than the task has numbers, a division by zero, a
claim that is not a plain integer, rules with ``integer_intermediates`` or a subset of the
operators) it returns ``None`` and the checker runs the general path, which finds the refusal
and words it. ``tests/verifiers/test_fastpath.py`` checks that the two paths agree, on
generated valid answers, on hostile text and on every short string of a small alphabet.

Why it is faster: ``str.isascii`` and ``str.isprintable`` (two C scans) stand in for the
allow-list regex; the tokens are split as in :mod:`verifiers._tokens`; literals up to 999 are
read by one dict lookup; and the value is computed with a two-level accumulator (the running
sum, and the running product of the current term, saved on a small stack at each ``(``) on
unreduced integer (numerator, denominator) pairs, so the loop builds no operator stack and
calls no ``gcd`` until the one at the end.

Unreduced pairs stay small: both parts are sums of products of the answer's literals, each
literal at most once per product, with at most ``2 ** operators`` terms, so a part has at most
the literals' bits plus one bit per operator. Answers longer than
:data:`~verifiers._values.UNCHECKED_LENGTH` characters, the only ones whose values could reach
:data:`~verifiers._values.MAX_VALUE_BITS`, take the general path, which checks value sizes.

>>> run_fast("(25 + 50) * 4 - 3", DEFAULT_RULES, 4)
(297, 1, [25, 50, 4, 3], None)
>>> run_fast("6 / (1 - 3/4) = 24", DEFAULT_RULES, 4)
(24, 1, [6, 1, 3, 4], 24)
>>> run_fast("2 ** 3", DEFAULT_RULES, 2) is None  # the general path says why
True
"""

from __future__ import annotations

from math import gcd

from verifiers._grammar import MAX_LITERAL_DIGITS
from verifiers._tokens import character_refusal, space_operators
from verifiers._values import UNCHECKED_LENGTH
from verifiers._verdict import Status
from verifiers.rules import DEFAULT_RULES, Rules

__all__ = ["decide_fast", "run_fast"]

_ENDS_WITH_OPERATOR = (Status.MALFORMED, "the expression ends with an operator")
_NEVER_CLOSED = (Status.MALFORMED, "a '(' is never closed")

_ALL_OPERATORS = "*+-/"  # Rules.operators is stored sorted
_DEFAULT_DEPTH = DEFAULT_RULES.max_depth
_DEFAULT_DIGITS = min(DEFAULT_RULES.max_digits, MAX_LITERAL_DIGITS)

# Literals 0..999 by their spelling: one dict lookup replaces the digit, leading-zero and length
# checks and int() for the numbers Countdown uses. Only "0" itself starts with a zero here.
_SMALL_DIGITS = 3
_SMALL: dict[str, int] = {str(value): value for value in range(10**_SMALL_DIGITS)}
_NOTHING: dict[str, int] = {}


def _rules_fit(text: str, rules: Rules) -> bool:
    """Whether rules other than the defaults leave ``text`` to the fast path."""
    if rules.integer_intermediates:
        return False  # the general path words which intermediate failed
    if rules.operators != _ALL_OPERATORS:
        left = text.partition("=")[0]  # a claim "= -5" may hold a minus sign whatever the rules
        return not any(op not in rules.operators and op in left for op in _ALL_OPERATORS)
    return True


def _claim(right: str, max_digits: int) -> int | None:
    """The ``N`` of ``= N`` when it is a plain (optionally signed) integer literal, else None."""
    right = right.strip()
    sign = 1
    if right[:1] in ("-", "+"):
        sign, right = (-1 if right[0] == "-" else 1), right[1:].lstrip()
    if not right.isdigit() or (len(right) > 1 and (right[0] == "0" or len(right) > max_digits)):
        return None
    return sign * int(right)


def run_fast(
    text: str, rules: Rules, max_numbers: int
) -> tuple[int, int, list[int], int | None] | None:
    """Parse and value a plain answer: ``(numerator, denominator, numbers used, claimed N)``.

    ``text`` is the stripped answer, already within ``rules.max_length``. The value is in lowest
    terms with a positive denominator, as :func:`verifiers._grammar.run_unchecked` returns it.
    ``None`` means "not decided here": the caller must run the general path, which gives the
    verdict (usually a refusal) and its reason.
    """
    decided = decide_fast(text, rules, max_numbers)
    return decided if decided is not None and len(decided) == 4 else None


def _extra_number(text: str, max_numbers: int) -> tuple[Status, str] | None:
    """The general path's verdict on a literal beyond ``max_numbers``, once the rest is legal.

    The general tokenizer reads the whole text before the parser meets that literal, so a
    forbidden character or ``**`` anywhere after it still wins.
    """
    if "\\" in text or character_refusal(text) is not None:
        return None
    return Status.WRONG_NUMBERS, f"the answer uses more numbers than the {max_numbers} given"


def decide_fast(
    text: str, rules: Rules, max_numbers: int
) -> tuple[int, int, list[int], int | None] | tuple[Status, str] | None:
    """:func:`run_fast`, plus the two refusals it can word itself: ``(status, reason)``.

    Those are the general path's verdicts, word for word: a ``wrong_numbers`` refusal for a
    literal beyond ``max_numbers`` (only when the whole text passes the allow-list) and the
    ``malformed`` endings (a trailing operator or ``(``, an unclosed ``(``).

    It is long on purpose: the fast path reads the answer in one pass with no function call per
    character, as measured in ``benchmarks/bench_verifiers.py``; helpers would add those calls.

    >>> decide_fast("(3+4)*2", DEFAULT_RULES, 2)
    (<Status.WRONG_NUMBERS: 'wrong_numbers'>, 'the answer uses more numbers than the 2 given')
    >>> decide_fast("44*3/", DEFAULT_RULES, 2)
    (<Status.MALFORMED: 'malformed'>, 'the expression ends with an operator')
    """
    whole = text
    # Printable ASCII has no tab, newline or other control character, so str.split() below
    # splits on spaces only, as the general tokenizer does once its allow-list has passed.
    if not (text.isascii() and text.isprintable()) or len(text) > UNCHECKED_LENGTH:
        return None
    if rules is DEFAULT_RULES:
        max_depth, max_digits = _DEFAULT_DEPTH, _DEFAULT_DIGITS
    elif _rules_fit(text, rules):
        max_depth, max_digits = rules.max_depth, min(rules.max_digits, MAX_LITERAL_DIGITS)
    else:
        return None
    claimed = None
    if "=" in text:
        text, _, right = text.partition("=")
        claimed = _claim(right, max_digits)
        if claimed is None:
            return None
    tokens = space_operators(text).split()
    used: list[int] = []
    use = used.append
    small = _SMALL.get if max_digits >= _SMALL_DIGITS else _NOTHING.get
    # The value so far is  acc <addop> term , with  term = product-so-far <mulop> next operand.
    # addop: 0 no sum yet, 1 plus, 2 minus; mulop: 0 no product yet, 1 times, 2 divided by.
    an, ad, addop = 0, 1, 0  # the running sum, as numerator / denominator
    tn, td, mulop = 0, 1, 0  # the running product of the current term
    saved: list[tuple[int, int, int, int, int, int]] = []  # the state outside each open "("
    room = max_numbers
    expect_operand = True
    for token in tokens:
        if expect_operand:
            value = small(token)
            if value is None:
                if token == "(":
                    if len(saved) >= max_depth:
                        return None
                    saved.append((an, ad, addop, tn, td, mulop))
                    addop = mulop = 0
                    continue
                # Not a digit run (a sign, a dangling operator, ')' after an operator, a
                # letter), a leading zero or too many digits.
                if (
                    not token.isdigit()
                    or (token[0] == "0" and len(token) > 1)
                    or len(token) > max_digits
                ):
                    return None
                value = int(token)
            use(value)
            room -= 1
            if room < 0:
                return _extra_number(whole, max_numbers)
            if mulop == 0:
                tn, td = value, 1
            elif mulop == 1:
                tn *= value
            elif value:
                td *= value
            else:
                return None  # division by zero: the general path reports it
            expect_operand = False
        elif token in "+-":  # tokens are never empty, so this is "+" or "-"
            if addop == 0:
                an, ad = tn, td
            elif addop == 1:
                an = an * td + tn * ad
                ad *= td
            else:
                an = an * td - tn * ad
                ad *= td
            addop = 1 if token == "+" else 2
            mulop = 0
            expect_operand = True
        elif token in "*/":
            mulop = 1 if token == "*" else 2
            expect_operand = True
        elif token == ")" and saved:
            # The group's value becomes the operand of the term outside it.
            if addop == 0:
                vn, vd = tn, td
            elif addop == 1:
                vn, vd = an * td + tn * ad, ad * td
            else:
                vn, vd = an * td - tn * ad, ad * td
            an, ad, addop, tn, td, mulop = saved.pop()
            if mulop == 0:
                tn, td = vn, vd
            elif mulop == 1:
                tn *= vn
                td *= vd
            elif vn:
                tn *= vd
                td *= vn
            else:
                return None
        else:
            # An operand right after an operand (implicit multiplication), or a stray ')'.
            return None
    if expect_operand:
        # All tokens (and any claim) were read, so every character passed the allow-list.
        return _ENDS_WITH_OPERATOR if used or saved else None  # else empty: general path
    if saved:
        return _NEVER_CLOSED
    if addop == 0:
        n, d = tn, td
    elif addop == 1:
        n, d = an * td + tn * ad, ad * td
    else:
        n, d = an * td - tn * ad, ad * td
    if d != 1:
        if d < 0:
            n, d = -n, -d
        g = gcd(n, d)
        if g != 1:
            n //= g
            d //= g
    return n, d, used, claimed
