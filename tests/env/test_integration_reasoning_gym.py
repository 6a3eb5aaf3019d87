"""countdown_env.integrations.reasoning_gym: our tasks as a reasoning-gym dataset.

Runs against the real reasoning-gym (it needs Python 3.11+); skipped when it is not installed.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info < (3, 11):
    pytest.skip("reasoning-gym needs Python 3.11 or newer", allow_module_level=True)
reasoning_gym = pytest.importorskip("reasoning_gym")

from reasoning_gym.coaching import CurriculumAttributeConfig, CurriculumExperiment  # noqa: E402
from reasoning_gym.coaching.curriculum_config import CurriculumExperimentConfig  # noqa: E402
from reasoning_gym.composite import CompositeConfig, CompositeDataset, DatasetSpec  # noqa: E402
from reasoning_gym.dataset import ReseedingDataset  # noqa: E402
from reasoning_gym.factory import create_curriculum  # noqa: E402
from reasoning_gym.utils import extract_answer  # noqa: E402

from countdown_env import GeneratorOptionError, task_at  # noqa: E402
from countdown_env.integrations.reasoning_gym import (  # noqa: E402
    DATASET_NAME,
    CountdownRLConfig,
    CountdownRLDataset,
    register,
)

ROOT = Path(__file__).resolve().parents[2]


def test_items_are_our_tasks_by_seed_and_index_in_any_order() -> None:
    data = reasoning_gym.create_dataset(DATASET_NAME, seed=11, size=30)
    assert len(data) == 30
    backwards = [data[i] for i in reversed(range(30))][::-1]
    assert backwards == list(data)
    for index, item in enumerate(data):
        task = task_at(11, index)
        meta = item["metadata"]
        assert (meta["nums"], meta["target"]) == (task.nums, task.target)
        assert item["answer"] == task.solution
        assert (meta["source_dataset"], meta["source_index"]) == (DATASET_NAME, index)
        assert str(task.target) in item["question"] and isinstance(item["question"], str)


def test_score_answer_is_our_exact_verifier() -> None:
    data = reasoning_gym.create_dataset(DATASET_NAME, seed=5, size=40)
    for item in data:
        assert data.score_answer(item["answer"], item) == 1.0
    item = data[0]
    nums, target = item["metadata"]["nums"], item["metadata"]["target"]
    every = "+".join(map(str, nums))
    assert data.score_answer(every, item) == (1.0 if sum(nums) == target else 0.0)
    for wrong in [None, "", f"{target}", f"{nums[0]}**2", "__import__('os')", 7]:
        assert data.score_answer(wrong, item) == 0.0  # a bare target uses no numbers
    # reasoning-gym's own countdown accepts 1e-6 float closeness; ours is exact: 1/3*3 is 1.
    exact = {"question": "", "answer": "", "metadata": {"nums": [1, 3, 3], "target": 1}}
    assert data.score_answer("1/3*3", exact) == 1.0
    assert data.score_answer("1/3*3 + 1/1000000000000", exact) == 0.0


def test_rules_travel_with_the_item() -> None:
    loose = reasoning_gym.create_dataset(DATASET_NAME, seed=2, size=5, exact_use=False)
    strict = reasoning_gym.create_dataset(DATASET_NAME, seed=2, size=5)
    for data, expected in [(loose, 1.0), (strict, 0.0)]:
        item = data[0]
        assert item["metadata"]["rules"]["exact_use"] is (expected == 0.0)
        item["metadata"].update(nums=[4, 6, 1], target=24)
        assert data.score_answer("4*6", item) == expected  # the 1 left out


def test_a_full_completion_through_reasoning_gyms_extractor() -> None:
    data = reasoning_gym.create_dataset(DATASET_NAME, seed=9, size=3)
    item = data[2]
    completion = f"<think>searching</think>\n<answer>{item['answer']}</answer>"
    assert data.score_answer(extract_answer(completion), item) == 1.0
    assert data.score_answer(extract_answer("no answer"), item) == 0.0


def test_composite_mixes_and_scores_by_source() -> None:
    config = CompositeConfig(
        size=40,
        seed=3,
        datasets=[
            DatasetSpec(name=DATASET_NAME, weight=1.0, config={"max_numbers": 5}),
            DatasetSpec(name="basic_arithmetic", weight=1.0, config={}),
        ],
    )
    composite = CompositeDataset(config)
    ours = [item for item in composite if item["metadata"]["source_dataset"] == DATASET_NAME]
    assert 0 < len(ours) < 40
    for item in ours:
        assert composite.score_answer(item["answer"], item) == 1.0
        assert composite.score_answer("0", item) == 0.0
    composite.update_dataset_config(DATASET_NAME, {"min_numbers": 5, "max_numbers": 5})
    harder = [item for item in composite if item["metadata"]["source_dataset"] == DATASET_NAME]
    assert harder and all(len(item["metadata"]["nums"]) == 5 for item in harder)


def test_curriculum_levels_make_harder_tasks() -> None:
    curriculum = create_curriculum(DATASET_NAME)
    easy = reasoning_gym.create_dataset(
        DATASET_NAME, **{**curriculum.generate_configuration().__dict__, "seed": 1, "size": 20}
    )
    assert {len(item["metadata"]["nums"]) for item in easy} <= {3, 4}
    for attribute in ("numbers", "value", "target"):
        assert curriculum.increment_attr_level(attribute)
    config = curriculum.generate_configuration({"seed": 1, "size": 20})
    assert (config.max_numbers, config.max_value, config.max_target) == (5, 1000, 1000)
    hard = CountdownRLDataset(config)
    assert max(len(item["metadata"]["nums"]) for item in hard) == 5
    for item in hard:
        assert hard.score_answer(item["answer"], item) == 1.0


def test_curriculum_experiment_runs_our_dataset() -> None:
    experiment = CurriculumExperiment(
        name="countdown",
        config=CurriculumExperimentConfig(
            curricula={DATASET_NAME: CurriculumAttributeConfig(attribute_levels={"*": 1})}
        ),
        size=8,
        seed=4,
    )
    item = experiment.composite[0]
    assert item["metadata"]["source_dataset"] == DATASET_NAME
    assert experiment.composite.score_answer(item["answer"], item) == 1.0


def test_reseeding_and_copies_keep_working() -> None:
    data = CountdownRLDataset(CountdownRLConfig(seed=2**32 - 1, size=3))
    endless = iter(ReseedingDataset(data, chunk_size=2))
    items = [next(endless) for _ in range(5)]
    assert all(data.score_answer(item["answer"], item) == 1.0 for item in items)
    assert copy.deepcopy(data)[1] == data[1]


def test_bad_config_names_the_field() -> None:
    with pytest.raises(GeneratorOptionError, match="max_numbers"):
        reasoning_gym.create_dataset(DATASET_NAME, min_numbers=5, max_numbers=4)


def test_register_is_idempotent_and_refuses_a_taken_name() -> None:
    register()
    register(DATASET_NAME)
    with pytest.raises(ValueError, match="already registered"):
        register("countdown")  # reasoning-gym's own, sympy-scored dataset


def test_without_reasoning_gym_the_import_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['reasoning_gym'] = None\n"
        "import countdown_env.integrations.reasoning_gym"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "DependencyError" in last and "pip install reasoning-gym" in last
