"""The generator: reproducible, solvable, distinct, filtered, and honest about small spaces."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from countdown_env import (
    GeneratorConfig,
    TaskSpaceExhaustedError,
    count_solutions,
    enumerate_tasks,
    generate,
    iter_tasks,
    make_splits,
    rate_task,
    split,
    task_at,
    task_space_size,
)
from countdown_env._config import TV_LARGE
from verifiers import verify_equation
from verifiers.errors import ConfigError

CONFIGS = [
    {},
    {"min_numbers": 4, "max_numbers": 4},
    {"preset": "two-numbers"},
    {"preset": "three-small"},
    {"min_numbers": 4, "max_numbers": 5, "exact_use": False, "integer_intermediates": True},
    {"operators": "+*", "max_target": None},
    {"draw": "tv", "min_numbers": 6, "max_numbers": 6, "max_target": None},
]


@pytest.mark.parametrize("config", CONFIGS)
def test_same_seed_same_tasks_and_every_solution_verifies(config):
    tasks = generate(60, seed=11, **config)
    assert tasks == generate(60, seed=11, **config)
    assert tasks != generate(60, seed=12, **config)
    rules = GeneratorConfig.from_kwargs(**config).rules
    for task in tasks:
        verdict = verify_equation(task.solution, task.nums, task.target, rules=rules)
        assert verdict.correct, (task, verdict.reason)
    assert len({t.key for t in tasks}) == len(tasks)
    assert len({t.id for t in tasks}) == len(tasks)


def test_items_are_reproducible_alone_and_sets_are_prefixes():
    tasks = generate(40, seed=5)
    assert generate(25, seed=5) == tasks[:25]
    for task in tasks[::7]:
        assert task_at(5, task.index) == task


def test_ranges_are_respected():
    cfg = {
        "min_numbers": 3,
        "max_numbers": 5,
        "min_value": 10,
        "max_value": 20,
        "min_target": 30,
        "max_target": 60,
    }
    for task in generate(100, seed=1, **cfg):
        assert 3 <= len(task.nums) <= 5
        assert all(10 <= v <= 20 for v in task.nums)
        assert 30 <= task.target <= 60


def test_tv_draw_uses_the_cards():
    for task in generate(30, seed=2, preset="tv", large_count=2):
        large = [v for v in task.nums if v in TV_LARGE and v > 10]
        small = Counter(v for v in task.nums if v <= 10)
        assert len(task.nums) == 6 and len(large) == 2 and len(set(large)) == 2
        assert all(count <= 2 for count in small.values())
        assert 100 <= task.target <= 999 and task.target not in task.nums


def test_small_space_is_exhausted_with_a_clear_error():
    cfg = {"min_numbers": 2, "max_numbers": 2, "max_value": 10, "max_target": None}
    assert task_space_size(**cfg) == 170
    assert len({t.key for t in enumerate_tasks(**cfg)}) == 170
    assert len(generate(170, seed=0, **cfg)) == 170
    # Small enough to count: refused before any task is drawn.
    with pytest.raises(TaskSpaceExhaustedError, match="holds only 170") as info:
        generate(171, seed=0, **cfg)
    assert (info.value.asked, info.value.size, info.value.found) == (171, 170, None)
    # Drawing finds it out too (the path taken for spaces too large to count up front).
    with pytest.raises(TaskSpaceExhaustedError, match="holds exactly 170") as info:
        list(itertools.islice(iter_tasks(0, **cfg), 171))
    assert (info.value.size, info.value.found) == (170, 170)
    assert len(generate(300, seed=0, unique=False, **cfg)) == 300


def test_three_small_space_matches_the_measured_size():
    assert task_space_size(preset="three-small") == 3130


def test_rating_and_difficulty_filters():
    rated = generate(20, seed=4, rate=True)
    for task in rated:
        assert task.n_solutions == count_solutions(task.nums, task.target) >= 1
        assert task.min_ops == len(task.nums) - 1
        assert task.search_nodes >= 1
    assert rate_task(rated[0]).n_solutions == rated[0].n_solutions
    hard = generate(20, seed=4, max_solutions=1)
    assert all(t.n_solutions == 1 for t in hard)
    deep = generate(20, seed=4, exact_use=False, min_numbers=4, max_numbers=4, min_ops=2)
    assert all(t.min_ops >= 2 for t in deep)


def test_target_from_range():
    tasks = generate(
        10, seed=8, min_numbers=4, max_numbers=4, target_from="range", min_target=50, max_target=60
    )
    assert all(50 <= t.target <= 60 for t in tasks)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_numbers": 1}, "min_numbers"),
        ({"min_numbers": 4, "max_numbers": 3}, "max_numbers"),
        ({"max_numbers": 9}, "max_numbers"),
        ({"draw": "cards"}, "draw"),
        ({"min_value": 0}, "min_value"),
        ({"min_value": 5, "max_value": 4}, "max_value"),
        ({"large_count": 2}, "large_count"),
        ({"draw": "tv", "large_count": 5}, "large_count"),
        ({"min_target": 0}, "min_target"),
        ({"min_target": 10, "max_target": 5}, "max_target"),
        ({"target_from": "range", "max_target": None}, "max_target"),
        ({"operators": "+^"}, "operators"),
        ({"exact_use": "yes"}, "exact_use"),
        ({"min_solutions": 0}, "min_solutions"),
        ({"min_ops": 9}, "min_ops"),
        ({"max_nums": 3}, "max_nums"),
        ({"preset": "huge"}, "preset"),
    ],
)
def test_bad_configs_name_the_field(kwargs, field):
    with pytest.raises(ConfigError, match=field):
        GeneratorConfig.from_kwargs(**kwargs)


@pytest.mark.parametrize(("n", "seed"), [(-1, 0), (1.5, 0), (1, -3), (1, "1")])
def test_bad_counts_and_seeds(n, seed):
    with pytest.raises(ConfigError):
        generate(n, seed=seed)


def test_unreachable_configuration_stops():
    with pytest.raises(ConfigError, match="widen"):
        generate(
            1,
            seed=0,
            operators="+",
            min_numbers=2,
            max_numbers=2,
            max_value=3,
            min_target=50,
            max_target=60,
        )


@pytest.mark.parametrize("holdout", ["task", "target", "nums"])
def test_splits_never_leak(holdout):
    key = {"task": lambda t: t.key, "target": lambda t: t.target, "nums": lambda t: t.key[0]}
    fraction = None if holdout == "task" else 0.3
    train, test = make_splits(
        1500, 300, seed=3, holdout=holdout, holdout_fraction=fraction, preset="two-numbers"
    )
    assert len(train) == 1500 and len(test) == 300
    assert not {key[holdout](t) for t in train} & {key[holdout](t) for t in test}
    again = make_splits(
        1500, 300, seed=3, holdout=holdout, holdout_fraction=fraction, preset="two-numbers"
    )
    assert again == (train, test)


def test_test_set_does_not_depend_on_train_size():
    _, test_a = make_splits(10, 50, seed=9, preset="three-small")
    more, test_b = make_splits(500, 50, seed=9, preset="three-small")
    assert test_a == test_b
    assert not {t.key for t in more} & {t.key for t in test_b}


def test_splitting_too_small_a_pool_says_what_to_change():
    with pytest.raises(TaskSpaceExhaustedError, match="holdout_fraction"):
        make_splits(
            10,
            200,
            seed=0,
            holdout="target",
            holdout_fraction=0.1,
            min_numbers=2,
            max_numbers=2,
            max_value=20,
            max_target=None,
        )


def test_split_existing_tasks_keeps_copies_together():
    tasks = generate(300, seed=1, preset="two-numbers")
    tasks = tasks + tasks[:50]
    train, test = split(tasks, holdout="task", holdout_fraction=0.2, seed=4)
    assert len(train) + len(test) == len(tasks)
    assert not {t.key for t in train} & {t.key for t in test}
    with pytest.raises(ConfigError, match="holdout"):
        split(tasks, holdout="digits")


def test_numpy_counts_are_accepted_like_everywhere_else():
    assert generate(np.int64(3), seed=0) == generate(3, seed=0)
    train, test = make_splits(np.int64(6), np.int32(2), seed=np.int64(1), preset="three-small")
    assert (len(train), len(test)) == (6, 2)
    with pytest.raises(ConfigError, match="n must be a non-negative integer"):
        generate(np.int64(-1), seed=0)
    with pytest.raises(ConfigError, match="n must be a non-negative integer"):
        generate(np.float64(3), seed=0)


def test_splits_larger_than_a_small_space_fail_before_drawing():
    import time

    start = time.perf_counter()
    with pytest.raises(TaskSpaceExhaustedError, match="holds only 3930") as info:
        make_splits(5000, 500, seed=0, preset="two-numbers")
    assert time.perf_counter() - start < 5
    assert (info.value.asked, info.value.size) == (5500, 3930)
    train, test = make_splits(3000, 500, seed=0, preset="two-numbers")
    assert len(train) == 3000 and len(test) == 500


@pytest.mark.parametrize(
    ("kwargs", "python", "flags"),
    [
        (
            {"min_solutions": 10, "max_solutions": 2},
            "max_solutions must be >= min_solutions (10), got 2",
            "--max-solutions must be >= --min-solutions (10), got 2",
        ),
        (
            {"draw": "tv", "large_count": 4},
            "large_count must be <= min_numbers (3), got 4",
            "--large-count must be <= --min-numbers (3), got 4",
        ),
        (
            {"min_numbers": 5, "max_numbers": 3},
            "max_numbers must be >= min_numbers (5), got 3",
            "--max-numbers must be >= --min-numbers (5), got 3",
        ),
        (
            {"max_value": {"a": 1}},
            "max_value must be an integer in 1..1000000, got {'a': 1}",
            "--max-value must be an integer in 1..1000000, got {'a': 1}",
        ),
        (
            {"target_from": "range", "max_target": None},
            "target_from='range' needs max_target",
            "--target-from range needs a finite --max-target",
        ),
    ],
)
def test_config_errors_read_well_in_python_and_as_flags(kwargs, python, flags):
    import pickle

    from countdown_env.errors import GeneratorOptionError

    with pytest.raises(GeneratorOptionError) as info:
        GeneratorConfig.from_kwargs(**kwargs)
    assert str(info.value).startswith(python) and "or None" not in str(info.value)
    assert info.value.describe(lambda f: "--" + f.replace("_", "-")).startswith(flags)
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) and again.describe(str.upper) == info.value.describe(
        str.upper
    )
