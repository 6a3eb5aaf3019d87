"""One operation at a time: the moves a person makes, and a depth-first search over them.

:func:`pair_results` lists what one operation can make from two numbers under the rules (the
step game uses it to tell whether any move is left); :func:`dfs_nodes` counts how much of a
person-style search is needed before the first solution, a difficulty figure.
"""

from __future__ import annotations

import time

from countdown_env.errors import SolverTimeoutError
from verifiers.arithmetic import Value, moves
from verifiers.rules import Rules

__all__ = ["dfs_nodes", "pair_results"]


def pair_results(a: Value, b: Value, rules: Rules) -> list[Value]:
    """Every value one operation can make from ``a`` and ``b`` (either order) under the rules.

    The operations and their checks are :func:`verifiers.arithmetic.moves`'s, the checker's own.

    >>> from verifiers.rules import TV_RULES
    >>> pair_results(6, 3, TV_RULES)
    [9, 18, 3, 2]
    """
    return [value for value, _op, _a_first in moves(a, b, rules)]


class _Stop(Exception):
    """Raised inside :func:`dfs_nodes` when the node cap is reached."""


def dfs_nodes(
    key: tuple[int, ...],
    target: int,
    rules: Rules,
    cap: int = 100_000,
    *,
    deadline: float | None = None,
) -> int:
    """States a memoised depth-first search expands before its first solution (at most ``cap``).

    ``deadline``: a :func:`time.monotonic` time after which
    :class:`~countdown_env.errors.SolverTimeoutError` is raised (checked every 1,000 states).

    The search combines two numbers at a time, as a person (or Stream-of-Search) would; the count
    is a difficulty figure: a small number means a solution lies near the start of the search.

    >>> dfs_nodes((1, 2, 3), 6, Rules())
    3
    """
    dead: set[tuple[Value, ...]] = set()
    count = 0

    def expand(vals: tuple[Value, ...]) -> bool:
        nonlocal count
        if vals in dead:
            return False
        count += 1
        if count >= cap:
            raise _Stop
        if deadline is not None and count % 1000 == 0 and time.monotonic() > deadline:
            raise SolverTimeoutError("the search-node count ran out of time")
        if rules.exact_use:
            if len(vals) == 1:
                return vals[0] == target
        elif target in vals:
            return True
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                rest = vals[:i] + vals[i + 1 : j] + vals[j + 1 :]
                for v in pair_results(vals[i], vals[j], rules):
                    if expand(tuple(sorted((*rest, v)))):
                        return True
        dead.add(vals)
        return False

    try:
        expand(key)
    except _Stop:
        return cap
    return count
