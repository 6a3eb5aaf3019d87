"""The exact solver against an independent brute force, and every answer against the verifier."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from countdown_env import TaskError, count_solutions, first_move, solve, solve_all
from countdown_env._search import canonical_text
from countdown_env._solver import _solutions, min_operations, solve_tree
from verifiers import verify_equation
from verifiers.rules import TV_RULES, Rules


def brute_force(nums, target, rules):
    """Canonical forms of every expression, by trying every pair and operator (no memo)."""
    found = set()

    def walk(items):
        if rules.exact_use:
            if len(items) == 1 and items[0][0] == target:
                found.add(canonical_text(items[0][1]))
        else:
            found.update(canonical_text(tree) for value, tree in items if value == target)
        for i, (a, ta) in enumerate(items):
            for j, (b, tb) in enumerate(items):
                if i == j:
                    continue
                rest = [items[k] for k in range(len(items)) if k not in (i, j)]
                for op in rules.operators:
                    if op in "+*" and i > j:
                        continue
                    if op == "/" and b == 0:
                        continue
                    value = (
                        {"+": a + b, "-": a - b, "*": a * b}.get(op)
                        if op != "/"
                        else Fraction(a) / b
                    )
                    if rules.integer_intermediates and (
                        value <= 0 or Fraction(value).denominator != 1
                    ):
                        continue
                    walk([*rest, (value, (op, ta, tb))])

    walk([(n, n) for n in nums])
    return found


def random_rules(rng):
    return Rules(
        exact_use=rng.random() < 0.5,
        integer_intermediates=rng.random() < 0.5,
        operators=rng.choice(["+-*/", "+*", "-/", "+-*", "*/"]),
    )


def test_matches_brute_force_on_small_instances():
    rng = random.Random(1)
    for _ in range(150):
        nums = [rng.randint(0, 7) for _ in range(rng.randint(1, 4))]
        target = rng.randint(-3, 14)
        rules = random_rules(rng)
        expected = brute_force(nums, target, rules)
        assert set(_solutions(nums, target, rules)) == expected, (nums, target, rules)
        assert len(solve_all(nums, target, rules=rules)) == len(expected)
        assert (solve(nums, target, rules=rules) is None) == (not expected)
        assert count_solutions(nums, target, rules=rules) == len(expected)


def test_every_answer_verifies_under_the_same_rules():
    rng = random.Random(2)
    for _ in range(120):
        nums = [rng.randint(1, 12) for _ in range(rng.randint(2, 5))]
        target = rng.randint(1, 60)
        rules = random_rules(rng)
        for expression in [solve(nums, target, rules=rules), *solve_all(nums, target, rules=rules)]:
            if expression is not None:
                verdict = verify_equation(expression, nums, target, rules=rules)
                assert verdict.correct, (expression, nums, target, rules, verdict.reason)


def test_tv_game_instance():
    nums = [25, 50, 75, 100, 3, 6]
    answer = solve(nums, 952, rules=TV_RULES)
    assert verify_equation(answer, nums, 952, rules=TV_RULES).correct
    assert verify_equation(solve(nums, 952), nums, 952).correct  # exact use also works here
    every = solve_all(nums, 952, rules=TV_RULES)
    assert answer is not None and every
    assert all(verify_equation(e, nums, 952, rules=TV_RULES).correct for e in every)


def test_unsolvable_and_repeated_numbers():
    assert solve([1, 1], 5) is None
    assert solve_all([1, 1], 5) == []
    assert solve([4, 4], 1) == "4/4"  # two separate fours
    assert solve([5], 5) == "5"
    assert solve([5], 25) is None  # one five cannot be used twice
    assert sorted(solve_all([5, 5, 5], 15)) == ["5+5+5"]


def test_fractions_and_integer_intermediates():
    # The classic 24 from 1 5 5 5 needs 1/5 on the way.
    assert verify_equation(solve([1, 5, 5, 5], 24), [1, 5, 5, 5], 24).correct
    assert solve([1, 5, 5, 5], 24, integer_intermediates=True) is None


def test_at_most_once_uses_subsets_and_fewest_numbers():
    assert solve([100, 3, 7], 100, exact_use=False) == "100"
    assert min_operations([100, 3, 7], 103, exact_use=False) == 1
    assert min_operations([100, 3, 7], 103) is None or min_operations([100, 3, 7], 103) == 2
    assert solve([2, 3, 50], 5, exact_use=False) in ("2+3", "3+2")


def test_operator_subset():
    assert solve([3, 4], 12, operators="+-") is None
    assert solve([3, 4], 12, operators="*") == "3*4"


def test_commutativity_and_associativity_are_one_solution():
    assert canonical_text(("-", 10, ("-", 7, 3))) == canonical_text(("-", ("+", 10, 3), 7))
    assert canonical_text(("*", 2, ("*", 3, 4))) == canonical_text(("*", ("*", 4, 2), 3))
    assert canonical_text(("*", 2, ("+", 3, 4))) != canonical_text(("+", ("*", 2, 3), ("*", 2, 4)))
    assert len(solve_all([1, 2, 3, 4], 10)) == len(set(solve_all([4, 3, 2, 1], 10)))


def test_limit_and_first_move():
    assert len(solve_all([1, 2, 3, 4, 5], 15, limit=3)) == 3
    nums, target = [25, 50, 75, 100, 3, 6], 952
    move = first_move(nums, target, rules=TV_RULES)
    a, op, b = move.split()
    board = list(nums)
    board.remove(int(a))
    board.remove(int(b))
    value = {"+": int(a) + int(b), "-": int(a) - int(b), "*": int(a) * int(b)}.get(op)
    if value is None:
        value = int(a) // int(b)
    assert solve([*board, value], target, rules=TV_RULES) is not None
    assert first_move([100, 3], 100, exact_use=False) is None  # already solved


@pytest.mark.parametrize(
    ("nums", "target", "message"),
    [
        ([1] * 9, 9, "at most 8"),
        ([-1, 2], 1, "non-negative"),
        ([True, 2], 3, "integer"),
        ([1, 2], 3.0, "integer"),
        ("12", 3, "sequence"),
        ([], 3, "at least one"),
    ],
)
def test_bad_input_is_refused(nums, target, message):
    with pytest.raises(TaskError, match=message):
        solve(nums, target)


def test_solve_tree_is_the_same_answer():
    assert solve_tree([3, 7, 25], 46) is not None
    assert solve_tree([2, 3], 7) is None


def test_none_is_refused_with_a_task_error():
    with pytest.raises(TaskError, match="nums must be a sequence of integers, got None"):
        solve(None, 3)
    with pytest.raises(TaskError, match="got 5"):
        solve_all(5, 3)


def test_timeout_stops_a_long_search_and_leaves_short_ones_alone():
    import time

    from countdown_env.errors import SolverTimeoutError
    from verifiers.errors import ConfigError

    start = time.perf_counter()
    with pytest.raises(SolverTimeoutError, match=r"gave up after 0\.3 s"):
        solve([1, 2, 3, 4, 5, 6, 7, 8], 99991, timeout=0.3)
    with pytest.raises(SolverTimeoutError):
        solve_all([100, 75, 50, 25, 10, 9, 8, 7], 10**12, timeout=0.3)
    assert time.perf_counter() - start < 10
    assert solve([25, 50, 75, 100, 3, 6], 952, timeout=30) == solve([25, 50, 75, 100, 3, 6], 952)
    assert solve_all([1, 2, 3], 6, timeout=30) == solve_all([1, 2, 3], 6)
    for bad in (0, -1, float("nan"), True, "5"):
        with pytest.raises(ConfigError, match="timeout must be"):
            solve([1, 2], 3, timeout=bad)
