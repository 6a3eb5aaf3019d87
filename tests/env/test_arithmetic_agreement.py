"""The solver, the generator and the step game agree with the checker's arithmetic.

All three compute through :mod:`verifiers.arithmetic` (the solver's table builders inline its
operations for speed); these differential tests hold them to it and to the checker itself.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from countdown_env import generate, solve, solve_all
from countdown_env._config import GeneratorConfig
from countdown_env._search import Search, format_tree, splits
from countdown_env._stepwise import pair_results
from countdown_env._task import Task
from countdown_env.envs.steps import CountdownStepsEnv
from verifiers import verify_equation
from verifiers._evaluate import evaluate
from verifiers.arithmetic import combine, moves
from verifiers.rules import DEFAULT_RULES, TV_RULES, Rules

RULES = [
    DEFAULT_RULES,
    TV_RULES,
    Rules(integer_intermediates=True),
    Rules(operators="+*"),
    Rules(operators="-/"),
    Rules(operators="+-*", integer_intermediates=True),
]


def _closure(key, rules, memo):
    """Every value of an expression using each number of ``key`` once, by the core's moves."""
    if key not in memo:
        if len(key) == 1:
            memo[key] = {key[0]}
        else:
            found = set()
            for left, right in splits(key):
                for a in _closure(left, rules, memo):
                    for b in _closure(right, rules, memo):
                        found.update(value for value, _op, _first in moves(a, b, rules))
            memo[key] = found
    return memo[key]


@settings(max_examples=60, deadline=None)
@given(
    nums=st.lists(st.integers(0, 9), min_size=1, max_size=4).map(lambda n: tuple(sorted(n))),
    rules=st.sampled_from(RULES),
)
@example(nums=(0, 0, 3), rules=TV_RULES)  # 0 + 0 and 0 * 3 are not positive
@example(nums=(0, 2, 2), rules=DEFAULT_RULES)  # 2 / 0 is no value, 0 / 2 is
def test_the_solvers_values_are_the_cores(nums, rules):
    search = Search(rules)
    table = search.values(nums)
    assert set(table) == _closure(nums, rules, {})
    exact = Rules(operators=rules.operators, integer_intermediates=rules.integer_intermediates)
    for value, tree in table.items():
        text = format_tree(tree)
        assert evaluate(text, exact) == value, (nums, text)
        if type(value) is int and value >= 0:
            found = search.find(nums, value)
            verdict = verify_equation(format_tree(found), list(nums), value, rules=exact)
            assert verdict.correct, (nums, value, verdict)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    preset=st.sampled_from([{}, {"preset": "tv"}, {"operators": "+-", "exact_use": False}]),
)
def test_every_expression_the_generator_builds_checks_to_its_target(seed, preset):
    config = {"min_numbers": 3, "max_numbers": 5, "rate": False, **preset}
    rules = GeneratorConfig.from_kwargs(**config).rules
    for task in generate(5, seed=seed, **config):
        verdict = verify_equation(task.solution, task.nums, task.target, rules=rules)
        assert verdict.correct, (task, verdict)


@settings(max_examples=150, deadline=None)
@given(a=st.integers(1, 40), b=st.integers(1, 40), op=st.sampled_from("+-*/"))
def test_the_step_game_accepts_a_move_exactly_when_the_checker_does(a, b, op):
    env = CountdownStepsEnv(tasks=[Task([a, b, 997], 998)], check_solvable=False)
    env.reset(seed=0)
    _obs, _reward, _done, _cut, info = env.step(f"{a} {op} {b}")
    value = combine(op, a, b, TV_RULES)
    checker = verify_equation(
        f"{a} {op} {b}", [a, b], 1 if value is None else value, rules=TV_RULES, cache=False
    )
    assert info["valid_move"] == checker.correct == (value is not None), (info, checker)
    if value is not None:
        assert info["board"][-1] == value
        assert value in pair_results(a, b, TV_RULES)


def test_pair_results_are_the_cores_moves():
    for rules in RULES:
        for a, b in [(6, 3), (3, 6), (4, 4), (0, 5), (Fraction(1, 2), 2)]:
            if rules.integer_intermediates and type(a) is not int:
                continue
            expected = [value for value, _op, _first in moves(a, b, rules)]
            assert pair_results(a, b, rules) == expected


def test_solutions_with_zeros_check_under_integer_rules():
    # The solver wrote "0+0+3", which the checker reads as (0+0)+3: a zero intermediate.
    for nums, target in [([0, 0, 3], 3), ([0, 0, 2, 1], 3), ([1, 0, 3, 0], 2)]:
        rules = Rules(integer_intermediates=True)
        answers = [solve(nums, target, rules=rules), *solve_all(nums, target, rules=rules)]
        for answer in answers:
            verdict = verify_equation(answer, nums, target, rules=rules)
            assert verdict.correct, (nums, answer, verdict.reason)
