"""countdown train's generator and template options: GeneratorConfig is their one source.

Parse only (TRL's parser, as ``countdown train`` runs it); no model loads.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.cli.train import _parse, resolve_argv
from agents.training._data import RunLayout, choose_holdout_fraction, load_or_make_tasks
from countdown_env import GeneratorConfig, PromptTemplate, register_template

# A value other than the default for every GeneratorConfig field, all valid together.
NOT_DEFAULT = {
    "min_numbers": 5,
    "max_numbers": 6,
    "draw": "tv",
    "min_value": 2,
    "max_value": 40,
    "large_count": 2,
    "min_target": 100,
    "max_target": 999,
    "target_from": "range",
    "operators": "+*",
    "exact_use": False,
    "integer_intermediates": True,
    "min_solutions": 2,
    "max_solutions": 50,
    "min_ops": 1,
    "rate": True,
    "unique": False,
}


@pytest.fixture
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates registered by a test stay in that test."""
    from countdown_env import _prompts as prompts

    monkeypatch.setattr(prompts, "_REGISTRY", dict(prompts._REGISTRY))


def _script(*extra: str):
    argv, _ = resolve_argv(["--output-dir", "x", *extra])
    return _parse(argv)[0]


def _flag_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_every_generator_option_is_a_train_flag() -> None:
    names = {f.name for f in dataclasses.fields(GeneratorConfig)}
    assert names == set(NOT_DEFAULT)  # a new GeneratorConfig field gets a value here
    argv = [item for name, v in NOT_DEFAULT.items() for item in (f"--{name}", _flag_value(v))]
    script = _script(*argv)
    assert script.generator_config() == GeneratorConfig(**NOT_DEFAULT)
    for name, value in NOT_DEFAULT.items():
        assert script.generator_config().to_dict()[name] != getattr(GeneratorConfig(), name)


def test_every_generator_option_is_a_recipe_key(tmp_path: Path) -> None:
    import yaml

    config = tmp_path / "recipe.yaml"
    config.write_text(
        yaml.safe_dump({"use_cpu": True, "bf16": False, "max_target": None, **NOT_DEFAULT})
    )
    argv, _ = resolve_argv(["--config", str(config), "--output-dir", "x"])
    assert _parse(argv)[0].generator_config() == GeneratorConfig(**NOT_DEFAULT)


def test_defaults_are_tinyzero_countdown_and_the_recipes_keep_their_spaces() -> None:
    argv = ["--output_dir", "x", "--model_name_or_path", "m", "--use_cpu", "true"]
    script = _parse([*argv, "--bf16", "false"])[0]
    assert script.generator_config() == GeneratorConfig()  # 3-4 numbers 1..100, targets 1..100
    default = _script().generator_config()  # cpu-tiny-3: real Countdown, 3 numbers from 1..10
    assert (default.min_numbers, default.max_numbers, default.max_value) == (3, 3, 10)
    assert _script().template == "compact-tries"
    tiny = _script("--recipe", "cpu-tiny").generator_config()
    assert (tiny.min_numbers, tiny.max_numbers, tiny.max_value, tiny.max_target) == (2, 2, 50, None)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--min_numbers", "1"], "--min_numbers must be an integer in 2..8, got 1"),
        (["--large_count", "2"], "--large_count applies only to --draw tv"),
        (["--operators", "+%"], "--operators must be a non-empty subset of '+-*/', got '+%'"),
        (["--min_numbers", "4", "--max_numbers", "3"], "--max_numbers must be >= --min_numbers"),
        (["--draw", "dice"], "--draw must be one of ['uniform', 'tv'], got 'dice'"),
        (["--template", "nope"], "--template: template must be one of"),
        (["--template", "no_such_module_xyz:T"], "--template: cannot import 'no_such_module_xyz'"),
    ],
)
def test_a_refused_option_is_one_line_naming_the_flag_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], message: str
) -> None:
    out = tmp_path / "run"
    assert main(["train", "--output-dir", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()


def test_a_refused_recipe_value_names_the_option(tmp_path: Path, capsys) -> None:
    config = tmp_path / "recipe.yaml"
    config.write_text("use_cpu: true\nbf16: false\nmin_value: 0\n")
    assert main(["train", "--config", str(config), "--output-dir", str(tmp_path / "r")]) == 2
    assert "--min_value must be an integer in 1..1000000, got 0" in capsys.readouterr().err


def test_a_registered_template_is_accepted(own_registry: None) -> None:
    register_template(PromptTemplate("train-opts-demo", "{nums_spaced} -> {target}", "bare"))
    assert _script("--template", "train-opts-demo").template == "train-opts-demo"


def test_a_module_template_is_imported_and_registered(
    own_registry: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_train_templates.py").write_text(
        "from countdown_env import PromptTemplate\n"
        "TERSE = PromptTemplate('train-opts-terse', '{nums_spaced} to {target}', 'bare')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "my_train_templates", raising=False)
    script = _script("--template", "my_train_templates:TERSE")
    assert script.template == "train-opts-terse"  # the registered name the run records
    from countdown_env import format_prompt

    assert format_prompt(script.template, [3, 5], 8) == "3 5 to 8"


def test_tasks_are_drawn_with_every_generator_option(tmp_path: Path) -> None:
    script = _script(
        "--min_numbers", "5", "--max_numbers", "5", "--draw", "tv", "--operators", "+*",
        "--max_target", "none", "--train_tasks", "30", "--heldout_tasks", "5",
    )  # fmt: skip
    layout = RunLayout(tmp_path / "run")
    layout.make()
    train, heldout = load_or_make_tasks(script, layout)
    cards = {25, 50, 75, 100, *range(1, 11)}  # the TV draw's cards
    for task in [*train, *heldout]:
        assert len(task.nums) == 5 and set(task.nums) <= cards
    assert {t.key for t in train}.isdisjoint(t.key for t in heldout)


def _sum_minus_share(tasks: list) -> float:
    """The share of tasks some ``a+b-c`` solves."""
    return sum(
        any(a + b - c == t.target for a, b, c in itertools.permutations(t.nums)) for t in tasks
    ) / len(tasks)


def _unsplit(*argv: str) -> Any:
    """A parsed script without a holdout fraction (the default recipe sets one)."""
    return dataclasses.replace(_script(*argv), holdout_fraction=None)


SMALL = ("--min_numbers", "3", "--max_numbers", "3", "--max_value", "10", "--max_target",
         "none", "--heldout_tasks", "500", "--train_tasks")  # fmt: skip


def test_a_small_space_is_split_by_a_hash_so_both_sides_look_alike(tmp_path: Path) -> None:
    from countdown_env import is_held_out, make_splits

    # The first distinct tasks drawn are the frequent ones: on a nearly exhausted space the
    # plain split gives them all to the held-out side.
    script = _unsplit(*SMALL, "2400")
    train, heldout = make_splits(2400, 500, seed=1234, config=script.generator_config())
    assert _sum_minus_share(heldout) - _sum_minus_share(train) > 0.1

    script = _unsplit(*SMALL, "2000")  # 2,500 of 3,130 tasks
    note = choose_holdout_fraction(script)
    assert script.holdout_fraction == 0.2
    assert note is not None and "--holdout_fraction overrides" in note
    layout = RunLayout(tmp_path / "run")
    layout.make()
    train, heldout = load_or_make_tasks(script, layout)
    assert len(train) == 2000 and len(heldout) == 500
    fraction, seed = script.holdout_fraction, script.task_seed
    assert all(is_held_out(t, fraction=fraction, seed=seed) for t in heldout)
    assert not any(is_held_out(t, fraction=fraction, seed=seed) for t in train)
    assert abs(_sum_minus_share(train) - _sum_minus_share(heldout)) < 0.05


def test_the_split_choice_leaves_large_spaces_and_given_fractions_alone() -> None:
    given = _script(*SMALL, "2000", "--holdout_fraction", "0.3")
    assert choose_holdout_fraction(given) is None and given.holdout_fraction == 0.3
    large = _unsplit(*SMALL[:5], "100", *SMALL[6:], "2000")  # 3 numbers from 1..100
    assert choose_holdout_fraction(large) is None and large.holdout_fraction is None
    nearly_all = _unsplit(*SMALL, "2400")  # 2,900 of 3,130: a hash split could run short
    note = choose_holdout_fraction(nearly_all)
    assert note is not None and "warning" in note and nearly_all.holdout_fraction is None


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.2"])
def test_a_holdout_fraction_outside_0_1_is_refused(tmp_path: Path, capsys, value: str) -> None:
    out = tmp_path / "run"
    assert main(["train", "--output-dir", str(out), "--holdout_fraction", value]) == 2
    assert "holdout_fraction must be a number strictly between 0 and 1" in capsys.readouterr().err
    assert not out.exists()
