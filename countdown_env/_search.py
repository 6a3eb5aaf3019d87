"""The search engine behind :mod:`countdown_env._solver`: value tables over multisets of numbers.

Everything here is exact: values are :mod:`verifiers.arithmetic`'s (``int`` or
:class:`fractions.Fraction`; a whole fraction is turned back into an ``int``, so equal values hash
and compare equal). The table builders inline that module's operations and checks for speed
(they run for every pair of values); ``tests/env/test_arithmetic_agreement.py`` holds every table
to :func:`verifiers.arithmetic.moves`, the checker's own arithmetic.

How it works. For a multiset ``S`` of numbers (a sorted tuple, so repeated values are separate
numbers but equal sub-multisets are searched once), ``values(S)`` maps every value an expression
using each number of ``S`` exactly once can take to one expression tree for it; it is built
bottom-up from the tables of the two halves of every split of ``S``. To decide whether a target
``t`` is reachable from ``S`` the full table of ``S`` is never built: for every split ``(A, B)``
and every ``a`` in the smaller table, the one ``b`` each operator would need is computed and looked
up in the other table. A tree is ``int`` (a leaf) or ``(op, left, right)``.

Canonical forms (for counting distinct solutions) flatten ``+``/``-`` into signed terms and
``*``/``/`` into numerator and denominator factors, each list sorted by text, so expressions that
differ only by commutativity and associativity (``a-(b-c)`` and ``a+c-b``) get one form. Each form
keeps the first tree found for it, which is what a solver shows: the canonical text may use an
operator the rules forbid (``a/(b/c)`` flattens to ``a*c/b``), the tree never does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from time import monotonic

from countdown_env.errors import SolverTimeoutError, shown
from verifiers.arithmetic import Value, divide, exact
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = ["Search", "Tree", "Value", "canonical_text", "format_tree", "splits", "submultisets"]

Tree = int | tuple[str, "Tree", "Tree"]

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_LEAF, _SUM, _PROD = 0, 1, 2
# A canonical node: (text, kind, positive terms or numerator factors, negative terms or
# denominators, one tree with this form).
Canon = tuple[str, int, tuple, tuple, "Tree"]


@lru_cache(maxsize=4096)
def splits(key: tuple[int, ...]) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Every way to cut the multiset ``key`` into two non-empty parts, each unordered pair once.

    >>> splits((1, 2, 2))
    (((1,), (2, 2)), ((1, 2), (2,)))
    """
    n = len(key)
    seen: set[tuple[int, ...]] = set()
    out = []
    for mask in range(1, (1 << n) - 1):
        left = tuple(key[i] for i in range(n) if mask >> i & 1)
        if left in seen:
            continue
        seen.add(left)
        right = tuple(key[i] for i in range(n) if not mask >> i & 1)
        if left <= right:
            out.append((left, right))
    # Balanced splits first: their tables are small, so a reachable target is usually found
    # before any table of a large sub-multiset is built.
    out.sort(key=lambda pair: len(pair[1]) if len(pair[1]) > len(pair[0]) else len(pair[0]))
    return tuple(out)


@lru_cache(maxsize=4096)
def submultisets(key: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The distinct non-empty sub-multisets of ``key``, smallest first."""
    n = len(key)
    found = {tuple(key[i] for i in range(n) if mask >> i & 1) for mask in range(1, 1 << n)}
    return tuple(sorted(found, key=lambda s: (len(s), s)))


def format_tree(tree: Tree) -> str:
    """Render a tree with the parentheses its value and legality need (left-to-right parsing).

    >>> format_tree(("-", 10, ("-", 7, 3)))
    '10-(7-3)'
    >>> format_tree(("*", ("+", 1, 2), 3))
    '(1+2)*3'
    """
    return _fmt(tree)[0]


def _fmt(tree: Tree) -> tuple[str, int]:
    if type(tree) is int:
        return str(tree), 3
    op, left, right = tree  # type: ignore[misc]
    prec = _PREC[op]
    lt, lp = _fmt(left)
    rt, rp = _fmt(right)
    if lp < prec:
        lt = f"({lt})"
    if rp < prec or (rp == prec and op in "-/"):
        rt = f"({rt})"
    return f"{lt}{op}{rt}", prec


def _leaf(v: int) -> Canon:
    return (str(v), _LEAF, (), (), v)


def _combine(op: str, x: Canon, y: Canon) -> Canon:
    kind = _SUM if op in "+-" else _PROD
    xp, xn = (x[2], x[3]) if x[1] == kind else ((x,), ())
    yp, yn = (y[2], y[3]) if y[1] == kind else ((y,), ())
    if op in "+*":
        pos, neg = xp + yp, xn + yn
    else:
        pos, neg = xp + yn, xn + yp
    # A zero term goes last among the added ones: "3+0" is legal under integer rules, where
    # "0+3..." starts with a zero intermediate when more terms follow.
    pos = tuple(sorted(pos, key=_zero_last) if kind == _SUM else sorted(pos))
    neg = tuple(sorted(neg))
    if kind == _SUM:
        text = "+".join(p[0] for p in pos) + "".join("-" + q[0] for q in neg)
    else:
        text = "*".join(_factor(p) for p in pos) + "".join("/" + _factor(q) for q in neg)
    return (text, kind, pos, neg, (op, x[4], y[4]))


def _zero_last(node: Canon) -> tuple[bool, Canon]:
    return node[0] == "0", node


def _factor(node: Canon) -> str:
    return f"({node[0]})" if node[1] == _SUM else node[0]


def canonical_text(tree: Tree) -> str:
    """The canonical form of a tree, as an expression text (see the module docstring).

    >>> canonical_text(("-", 10, ("-", 7, 3))) == canonical_text(("-", ("+", 3, 10), 7))
    True
    >>> canonical_text(("/", ("*", 3, ("+", 2, 1)), 9))
    '(1+2)*3/9'
    """
    return _canon(tree)[0]


def _canon(tree: Tree) -> Canon:
    if type(tree) is int:
        return _leaf(tree)
    op, left, right = tree  # type: ignore[misc]
    return _combine(op, _canon(left), _canon(right))


class Search:
    """Value tables and target searches for one rule set (operators, integer intermediates).

    One instance keeps its tables, so several questions about the same numbers share work.
    With ``timeout`` (seconds, counted from construction) a search that runs longer raises
    :class:`~countdown_env.errors.SolverTimeoutError`; the clock is read once per outer loop
    step, so the check costs nothing measurable and the search stops within a fraction of a
    second of the limit.

    >>> s = Search(Rules())
    >>> format_tree(s.find((3, 7, 25), 46))
    '25+3*7'
    >>> s.find((2, 3), 7) is None
    True
    """

    def __init__(self, rules: Rules, *, timeout: float | None = None) -> None:
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigError(
                f"timeout must be a number of seconds > 0 or None, got {shown(timeout)}"
            )
        self._timeout = timeout
        self._deadline = None if timeout is None else monotonic() + timeout
        ops = rules.operators
        self._add, self._sub = "+" in ops, "-" in ops
        self._mul, self._div = "*" in ops, "/" in ops
        self._integer = rules.integer_intermediates
        self._tables: dict[tuple[int, ...], dict[Value, Tree]] = {}
        self._canon: dict[tuple[tuple[int, ...], Value], dict[str, Canon]] = {}

    def _out_of_time(self) -> SolverTimeoutError:
        return SolverTimeoutError(
            f"the solver gave up after {self._timeout:g} s (timeout={self._timeout:g}); "
            "searches over 7 or 8 numbers can take minutes"
        )

    # ----- value tables -------------------------------------------------------------------
    def values(self, key: tuple[int, ...]) -> dict[Value, Tree]:
        """Every value reachable from ``key`` (each number used exactly once) -> one tree."""
        table = self._tables.get(key)
        if table is not None:
            return table
        if len(key) == 1:
            table = {key[0]: key[0]}
        else:
            table = {}
            combine = self._combine_int if self._integer else self._combine_rational
            for left, right in splits(key):
                combine(self.values(left), self.values(right), table)
        self._tables[key] = table
        return table

    def _combine_int(self, va: dict, vb: dict, out: dict) -> None:
        add, sub, mul, div = self._add, self._sub, self._mul, self._div
        deadline = self._deadline
        for a, ta in va.items():
            if deadline is not None and monotonic() > deadline:
                raise self._out_of_time()
            for b, tb in vb.items():
                if add:
                    v = a + b
                    if v > 0 and v not in out:
                        # A zero goes on the right: format_tree drops the parentheses of
                        # "0+(0+3)", and "0+0+3" is checked as (0+0)+3, a zero intermediate.
                        out[v] = ("+", ta, tb) if a else ("+", tb, ta)
                if mul:
                    v = a * b
                    if v > 0 and v not in out:
                        out[v] = ("*", ta, tb)
                if sub:
                    if a > b:
                        v = a - b
                        if v not in out:
                            out[v] = ("-", ta, tb)
                    elif b > a:
                        v = b - a
                        if v not in out:
                            out[v] = ("-", tb, ta)
                if div:
                    if b and a % b == 0 and a // b > 0:
                        v = a // b
                        if v not in out:
                            out[v] = ("/", ta, tb)
                    if a and b % a == 0 and b // a > 0:
                        v = b // a
                        if v not in out:
                            out[v] = ("/", tb, ta)

    def _combine_rational(self, va: dict, vb: dict, out: dict) -> None:
        add, sub, mul, div = self._add, self._sub, self._mul, self._div
        deadline = self._deadline
        for a, ta in va.items():
            if deadline is not None and monotonic() > deadline:
                raise self._out_of_time()
            a_int = type(a) is int
            for b, tb in vb.items():
                both_int = a_int and type(b) is int
                if add:
                    v = a + b if both_int else exact(a + b)
                    if v not in out:
                        out[v] = ("+", ta, tb)
                if mul:
                    v = a * b if both_int else exact(a * b)
                    if v not in out:
                        out[v] = ("*", ta, tb)
                if sub:
                    v = a - b if both_int else exact(a - b)
                    if v not in out:
                        out[v] = ("-", ta, tb)
                    if -v not in out:
                        out[-v] = ("-", tb, ta)
                if div:
                    if b:
                        v = divide(a, b)
                        if v not in out:
                            out[v] = ("/", ta, tb)
                    if a:
                        v = divide(b, a)
                        if v not in out:
                            out[v] = ("/", tb, ta)

    # ----- reaching one target ------------------------------------------------------------
    def _needs(self, a: Value, t: Value) -> Iterator[tuple[Value, str, bool]]:
        """For ``a`` on one side, the ``b`` each operator needs so that the result is ``t``.

        Yields ``(b, op, a_first)``; ``a_first`` says whether ``a`` is the left operand.
        Zero cases (``a == 0`` or ``t == 0`` with ``*`` or ``/``) are left to the caller.
        """
        if self._integer:
            if self._add and t > a:
                yield t - a, "+", True
            if self._sub:
                if a > t:
                    yield a - t, "-", True
                yield t + a, "-", False
            if self._mul and a and t % a == 0:
                yield t // a, "*", True
            if self._div:
                if t and a % t == 0:
                    yield a // t, "/", True
                yield t * a, "/", False
            return
        if self._add:
            yield exact(t - a), "+", True
        if self._sub:
            yield exact(a - t), "-", True
            yield exact(t + a), "-", False
        if self._mul and a:
            yield divide(t, a), "*", True
        if self._div:
            if t:
                yield divide(a, t), "/", True
            if a:
                yield exact(t * a), "/", False

    def _zero_matches(self, a: Value, t: Value, vb: dict) -> Iterator[tuple[Value, str, bool]]:
        """Rational rules only: ``0*b`` and ``0/b`` reach ``t == 0`` for any usable ``b``."""
        if t != 0 or a != 0 or self._integer:
            return
        for b in vb:
            if self._mul:
                yield b, "*", True
            if self._div and b:
                yield b, "/", True

    def _matches(
        self, key: tuple[int, ...], t: Value
    ) -> Iterator[tuple[tuple, Value, tuple, Value, str, bool]]:
        """Every ``(A, a, B, b, op, a_first)``: ``a`` from ``A`` and ``b`` from ``B`` make ``t``."""
        deadline = self._deadline
        for left, right in splits(key):
            va, vb = self.values(left), self.values(right)
            if len(va) > len(vb):
                left, right, va, vb = right, left, vb, va
            for a in va:
                if deadline is not None and monotonic() > deadline:
                    raise self._out_of_time()
                for b, op, a_first in self._needs(a, t):
                    if b in vb and (op != "/" or (b if a_first else a)):
                        yield left, a, right, b, op, a_first
                yield from (
                    (left, a, right, b, op, first) for b, op, first in self._zero_matches(a, t, vb)
                )

    def _left_first(self, op: str, a: Value, b: Value, a_first: bool) -> bool:
        """Whether ``a`` goes on the left; under integer rules a zero goes right of a ``+``.

        :func:`format_tree` drops the parentheses of ``0+(0+3)``, and ``0+0+3`` is checked as
        ``(0+0)+3``, a zero intermediate; ``3+0+0`` is checked as written.
        """
        if op == "+" and self._integer and (a if a_first else b) == 0:
            return not a_first
        return a_first

    def find(self, key: tuple[int, ...], t: Value) -> Tree | None:
        """One tree using every number of ``key`` exactly once with value ``t``, or ``None``."""
        if len(key) == 1:
            return key[0] if key[0] == t else None
        for left, a, right, b, op, a_first in self._matches(key, t):
            ta, tb = self.values(left)[a], self.values(right)[b]
            a_first = self._left_first(op, a, b, a_first)
            return (op, ta, tb) if a_first else (op, tb, ta)
        return None

    def find_all(self, key: tuple[int, ...], t: Value) -> dict[str, Canon]:
        """Every canonical form using each number of ``key`` exactly once with value ``t``."""
        memo_key = (key, t)
        found = self._canon.get(memo_key)
        if found is not None:
            return found
        found = {}
        if len(key) == 1:
            if key[0] == t:
                leaf = _leaf(key[0])
                found[leaf[0]] = leaf
        else:
            for left, a, right, b, op, a_first in self._matches(key, t):
                a_first = self._left_first(op, a, b, a_first)
                for ca in self.find_all(left, a).values():
                    for cb in self.find_all(right, b).values():
                        node = _combine(op, ca, cb) if a_first else _combine(op, cb, ca)
                        found[node[0]] = node
        self._canon[memo_key] = found
        return found
