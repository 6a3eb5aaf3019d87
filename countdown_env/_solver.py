"""The exact Countdown solver: one solution, all distinct solutions, or how many there are.

All functions honour the shared :class:`~verifiers.rules.Rules` (exact or at-most-once use, the
operator subset, integer intermediates), so every expression they return passes
:func:`verifiers.verify_equation` under the same rules. Arithmetic is exact; repeated values in
``nums`` are separate numbers. Solutions never use unary minus, so they are legal whether or not
the rules allow it (and ``None`` means no expression with binary operators reaches the target).

Speed (2-core VM, TV-game instances of 6 numbers and targets 100-999 under TV rules): one solution
in a few milliseconds (median), all solutions well under a second; see ``benchmarks/bench_env.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from countdown_env._search import Search, Tree, format_tree, submultisets
from countdown_env._task import as_int
from countdown_env.errors import TaskError, shown
from verifiers.rules import Rules

__all__ = [
    "MAX_SOLVER_NUMBERS",
    "accepted_solution",
    "count_solutions",
    "first_move",
    "min_operations",
    "solve",
    "solve_all",
    "solve_tree",
]

MAX_SOLVER_NUMBERS = 8
"""Most numbers the solver accepts; search time grows steeply past six."""


def _rules(rules: Rules | None, exact_use: bool | None, overrides: dict[str, Any]) -> Rules:
    if exact_use is not None:
        overrides = {**overrides, "exact_use": exact_use}
    return Rules.from_kwargs(rules, **overrides)


def _key(nums: Sequence[int], target: int) -> tuple[tuple[int, ...], int]:
    if isinstance(nums, (str, bytes)) or not hasattr(nums, "__iter__"):
        raise TaskError(f"nums must be a sequence of integers, got {shown(nums)}")
    key = tuple(sorted(as_int(v, f"nums[{i}]") for i, v in enumerate(nums)))
    if not key:
        raise TaskError("nums must hold at least one number, got []")
    if key[0] < 0:
        raise TaskError(f"nums must be non-negative integers, got {list(nums)}")
    if len(key) > MAX_SOLVER_NUMBERS:
        raise TaskError(f"the solver takes at most {MAX_SOLVER_NUMBERS} numbers, got {len(key)}")
    return key, as_int(target, "target")


def _reachable(key: tuple[int, ...], target: int, rules: Rules) -> bool:
    return not rules.integer_intermediates or target > 0 or (target in key)


def solve_tree(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    timeout: float | None = None,
    **rule_overrides: Any,
) -> Tree | None:
    """Like :func:`solve` but returns the expression tree: an ``int`` leaf or ``(op, left, right)``.

    With at-most-once use the tree uses as few numbers as possible.

    >>> solve_tree([3, 7, 25], 46)
    ('+', 25, ('*', 3, 7))
    """
    r = _rules(rules, exact_use, rule_overrides)
    key, target = _key(nums, target)
    search = Search(r, timeout=timeout)
    if not _reachable(key, target, r):
        return None
    if r.exact_use:
        return search.find(key, target)
    for subset in submultisets(key):
        tree = search.find(subset, target)
        if tree is not None:
            return tree
    return None


def solve(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    timeout: float | None = None,
    **rule_overrides: Any,
) -> str | None:
    """One expression over ``nums`` that equals ``target`` under the rules, or ``None``.

    Args:
        nums: the numbers (non-negative integers, at most :data:`MAX_SOLVER_NUMBERS`).
        target: the value to reach.
        exact_use: use every number exactly once (``True``) or at most once (``False``);
            ``None`` (default) takes it from ``rules``, whose default is exact use.
        rules: a :class:`~verifiers.rules.Rules` object (default ``DEFAULT_RULES``).
        timeout: give up after this many seconds (``None``: no limit). Six numbers take
            milliseconds; 7 or 8 numbers with an unreachable target can take minutes.
        **rule_overrides: single rule fields, e.g. ``operators="+*"`` or
            ``integer_intermediates=True``.

    Raises:
        SolverTimeoutError: ``timeout`` passed before the search ended.
        TaskError: ``nums`` or ``target`` is not a task the solver takes.

    With at-most-once use the returned expression uses as few numbers as possible.

    >>> solve([3, 7, 25], 46)
    '25+3*7'
    >>> solve([2, 3], 7) is None
    True
    >>> solve([25, 50, 75, 100, 3, 6], 952, exact_use=False, integer_intermediates=True)
    '25+(3+100)*6*75/50'
    """
    tree = solve_tree(
        nums, target, exact_use=exact_use, rules=rules, timeout=timeout, **rule_overrides
    )
    return None if tree is None else format_tree(tree)


def _solutions(
    nums: Sequence[int],
    target: int,
    rules: Rules,
    limit: int | None = None,
    timeout: float | None = None,
) -> dict[str, Tree]:
    """Canonical text -> one tree, for every distinct solution (see
    :mod:`countdown_env._search`)."""
    key, target = _key(nums, target)
    search = Search(rules, timeout=timeout)
    if not _reachable(key, target, rules):
        return {}
    found: dict[str, Tree] = {}
    for subset in (key,) if rules.exact_use else submultisets(key):
        for text, node in search.find_all(subset, target).items():
            found.setdefault(text, node[4])
        if limit is not None and len(found) >= limit:
            break
    return found


def solve_all(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    limit: int | None = None,
    timeout: float | None = None,
    **rule_overrides: Any,
) -> list[str]:
    """Every distinct solution, up to commutativity and associativity, shortest first.

    Expressions that differ only by the order of operands of ``+`` and ``*``, by grouping, or by
    where a subtraction or division is written (``a-(b-c)`` and ``a+c-b``) count once, and one
    expression is shown for each. Distributing (``a*(b+c)`` vs ``a*b+a*c``) gives different
    solutions. With at-most-once use, solutions over different sub-multisets of ``nums`` are all
    included. Every expression verifies under the same rules.

    Args:
        limit: stop after about this many solutions (``None``: all); at most ``limit`` are
            returned, shortest first among those found.
        timeout: give up after this many seconds (``None``: no limit); raises
            :class:`~countdown_env.errors.SolverTimeoutError`, no partial list.
        nums, target, exact_use, rules, rule_overrides: as for :func:`solve`.

    >>> solve_all([1, 2, 3], 6)
    ['1*2*3', '1+2+3', '2*3/1']
    >>> solve_all([4, 4], 1, exact_use=False)
    ['4/4']
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise TaskError(f"limit must be an integer >= 1 or None, got {shown(limit)}")
    r = _rules(rules, exact_use, rule_overrides)
    allowed = set(r.operators)
    # The canonical text is the tidiest spelling and stays legal (positive terms first, divisions
    # last) unless it needs an operator the rules forbid; then the tree found is shown as it is.
    expressions = [
        text if allowed.issuperset(c for c in text if c in "+-*/") else format_tree(tree)
        for text, tree in _solutions(nums, target, r, limit, timeout).items()
    ]
    expressions.sort(key=lambda s: (len(s), s))
    return expressions if limit is None else expressions[:limit]


def accepted_solution(
    nums: Sequence[int],
    target: int,
    *,
    rules: Rules | None = None,
    timeout: float | None = None,
) -> tuple[str | None, str]:
    """Whether the task is solvable *for the verifier*: ``(solution, why)``.

    The exact solver looks for a solution; :func:`verifiers.verify_equation` then checks it under
    the same ``rules``, so a task counts as solvable only when the verifier accepts the solver's
    answer (its limits on digits, length and depth included; they are not repeated here).
    ``solution`` is that answer, or ``None`` with ``why`` saying what is wrong: no solution, or
    the verifier's reason for refusing the one found.

    Raises:
        SolverTimeoutError: ``timeout`` seconds passed before the search ended.
        TaskError: ``nums`` or ``target`` is not a task the solver takes.

    >>> accepted_solution([3, 7, 25], 46)
    ('25+3*7', 'solvable')
    >>> accepted_solution([2, 3], 7)
    (None, 'is unsolvable (no solution under these rules)')
    """
    from verifiers import verify_equation

    r = Rules.from_kwargs(rules)
    tree = solve_tree(nums, target, rules=r, timeout=timeout)
    if tree is None:
        return None, "is unsolvable (no solution under these rules)"
    solution = format_tree(tree)
    verdict = verify_equation(solution, list(nums), target, rules=r)
    if not verdict.correct:
        return None, (
            f"is solvable only by an answer the verifier refuses under these rules "
            f"({verdict.status.value}: {verdict.reason})"
        )
    return solution, "solvable"


def count_solutions(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    timeout: float | None = None,
    **rule_overrides: Any,
) -> int:
    """How many distinct solutions :func:`solve_all` finds (0 when the task is unsolvable).

    ``timeout``: give up after this many seconds (``None``: no limit), raising
    :class:`~countdown_env.errors.SolverTimeoutError`.

    >>> count_solutions([1, 2, 3], 6)
    3
    """
    r = _rules(rules, exact_use, rule_overrides)
    return len(_solutions(nums, target, r, timeout=timeout))


def min_operations(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    **rule_overrides: Any,
) -> int | None:
    """The fewest operations a solution needs, or ``None`` when unsolvable.

    >>> min_operations([5, 3, 100], 100, exact_use=False)
    0
    >>> min_operations([5, 3, 100], 102)
    2
    """
    tree = solve_tree(nums, target, exact_use=exact_use, rules=rules, **rule_overrides)
    return None if tree is None else _count_ops(tree)


def _count_ops(tree: Tree) -> int:
    if type(tree) is int:
        return 0
    return 1 + _count_ops(tree[1]) + _count_ops(tree[2])  # type: ignore[index]


def first_move(
    nums: Sequence[int],
    target: int,
    *,
    exact_use: bool | None = None,
    rules: Rules | None = None,
    **rule_overrides: Any,
) -> str | None:
    """A hint: one operation ``"a op b"`` on two of ``nums`` that keeps the task solvable.

    ``None`` when the task is unsolvable or already solved (the target is among ``nums`` under
    at-most-once use).

    >>> first_move([25, 50, 75, 100, 3, 6], 952, exact_use=False, integer_intermediates=True)
    '3 + 100'
    """
    tree = solve_tree(nums, target, exact_use=exact_use, rules=rules, **rule_overrides)
    while tree is not None and type(tree) is not int:
        op, left, right = tree  # type: ignore[misc]
        if type(left) is int and type(right) is int:
            return f"{left} {op} {right}"
        tree = left if type(left) is not int else right
    return None
