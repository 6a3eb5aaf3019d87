"""The compact-tries answer format: equations tried one a line, the first marked as a hit or
else the last the answer, as the warm start writes them."""

from __future__ import annotations

import random
import re
from itertools import permutations, product

import pytest

from agents.training._tries import chains_from, random_tries_answer
from agents.training._warmstart import WarmStartConfig, format_only_texts
from countdown_env import generate, get_template
from verifiers import evaluate, verify, verify_equation
from verifiers.errors import ConfigError
from verifiers.extract import extract_tries


def _true_chain_numbers(line: str) -> list[int]:
    """The numbers a chain line uses, after checking each of its steps exactly."""
    tokens = re.split(r"([-+*/=])", line)  # 7*3=21+5=26: 7 * 3 = 21 + 5 = 26
    value, used = int(tokens[0]), [int(tokens[0])]
    for index in range(1, len(tokens) - 1, 4):
        op, b, equals, result = tokens[index : index + 4]
        assert equals == "=" and evaluate(f"{value}{op}{b}") == int(result) >= 0, line
        value = int(result)
        used.append(int(b))
    return used


def test_the_template_asks_for_tries() -> None:
    template = get_template("compact-tries")
    assert template.format([3, 7, 5], 26) == "3 7 5>26:"
    assert template.extractor == "tries"
    assert verify("3+7=10*5=50\n3*7=21+5=26", [3, 7, 5], 26, extractor="tries").correct


def test_the_enumeration_holds_every_legal_chain_once() -> None:
    nums = [6, 3, 2]
    legal = set()
    for order in permutations(range(3)):
        for ops in product("+-*/", repeat=2):
            a, b, c = (nums[i] for i in order)
            first = evaluate(f"{a}{ops[0]}{b}")
            if first is None or first < 0 or first != int(first):
                continue
            second = evaluate(f"{int(first)}{ops[1]}{c}")
            if second is None or second < 0 or second != int(second):
                continue
            legal.add(f"{a}{ops[0]}{b}={int(first)}{ops[1]}{c}={int(second)}")
    for order, first_ops in (([0, 1, 2], 0), ([2, 0, 1], 5), ([1, 2, 0], 15)):
        chains = list(chains_from(nums, order, first_ops))
        assert len(chains) == len(set(chains)) == len(legal)
        assert set(chains) == legal
    with pytest.raises(ConfigError):
        list(chains_from([5], [0]))


@pytest.mark.parametrize("seed", range(3))
def test_random_tries_are_true_consecutive_chains_that_rarely_hit(seed: int) -> None:
    rng = random.Random(seed)
    tasks = generate(150, seed=seed, min_numbers=3, max_numbers=4, min_value=1, max_value=12)
    hits, counts = 0, set()
    for task in tasks:
        nums = list(task.nums)
        completion = random_tries_answer(nums, rng, max_tries=5)
        lines = completion.split("\n")
        counts.add(len(lines))
        for line in lines:
            assert sorted(_true_chain_numbers(line)) == sorted(nums), line
        assert len(set(lines)) == len(lines)
        if len(set(nums)) == len(nums):
            # Consecutive in the fixed enumeration: a greedy model can walk it.
            window = list(chains_from(nums, list(range(len(nums)))))
            start = window.index(lines[0])
            assert (window + window)[start : start + len(lines)] == lines
        equation = extract_tries(completion)
        assert equation is not None
        assert verify_equation(equation, nums, 10**9).status.value == "wrong_value"
        hits += verify(completion, nums, task.target, extractor="tries").correct
    assert counts == {1, 2, 3, 4, 5}
    assert hits < len(tasks) * 0.25  # the last chain hits only by chance


def test_the_target_only_marks_hits_and_never_chooses_the_tries() -> None:
    """The warm start's tries are the same whatever the target; only the marks differ."""
    for seed in range(40):
        plain = random_tries_answer([3, 7, 5], random.Random(seed), max_tries=6)
        for target in (26, 38, 15, 999):
            marked = random_tries_answer([3, 7, 5], random.Random(seed), max_tries=6, target=target)
            lines = marked.split("\n")
            assert [line[:-2] for line in lines] == plain.split("\n")
            for line in lines:
                value = int(line[:-2].rpartition("=")[2])
                expected = " =" if value == target else (" +" if value > target else " -")
                assert line[-2:] == expected, line


def test_warm_start_texts_follow_the_template() -> None:
    tasks = generate(20, seed=1, min_numbers=3, max_numbers=3, min_value=1, max_value=10)
    prompts = [get_template("compact-tries").format(t.nums, t.target) for t in tasks]
    nums = [list(t.nums) for t in tasks]
    pairs = format_only_texts(prompts, nums, random.Random(0), answer_format="tries", max_tries=3)
    assert all(1 <= completion.count("\n") + 1 <= 3 for _, completion in pairs)
    assert all(extract_tries(completion) is not None for _, completion in pairs)
    with pytest.raises(ConfigError, match="max_tries"):
        WarmStartConfig(max_tries=0)
    with pytest.raises(ConfigError, match="max_tries"):
        random_tries_answer([1, 2], random.Random(0), max_tries=0)


def test_the_solver_answers_in_the_tries_format() -> None:
    """Any policy answers a compact-tries prompt with a one-line expression, which the
    extractor reads as the answer itself."""
    from agents.evaluation import evaluate as evaluate_policy
    from agents.policies import SolverPolicy

    tasks = generate(30, seed=3, min_numbers=3, max_numbers=4, min_value=1, max_value=10)
    report = evaluate_policy(SolverPolicy(), tasks, template="compact-tries")
    assert report.accuracy == 1.0
