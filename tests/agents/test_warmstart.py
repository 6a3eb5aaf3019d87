"""The warm start teaches the answer format only, never target-hitting solutions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from agents.training._warmstart import WarmStartConfig, format_only_texts
from verifiers import verify_equation
from verifiers.errors import ConfigError


def test_texts_use_each_prompt_number_once() -> None:
    nums = [[3, 7, 25], [4, 4], [1, 2, 3, 4]]
    pairs = format_only_texts(["a", "b", "c"], nums, random.Random(0))
    for (_, expression), row in zip(pairs, nums):
        verdict = verify_equation(expression, row, 10**9)  # no target can be this value
        assert verdict.status.value in ("wrong_value", "division_by_zero"), verdict


def test_completions_do_not_depend_on_the_target() -> None:
    """Same numbers, different targets, same random stream: identical completions.

    So nothing in the warm start links what the model writes to the target.
    """
    nums = [[5, 9, 12]] * 50
    low = format_only_texts(["5 9 12>1:"] * 50, nums, random.Random(3))
    high = format_only_texts(["5 9 12>99:"] * 50, nums, random.Random(3))
    assert [c for _, c in low] == [c for _, c in high]


def test_random_equations_rarely_solve_their_task() -> None:
    """On 3-number tasks a random equation hits the target only by chance."""
    from countdown_env import generate

    tasks = generate(200, seed=5, min_numbers=3, max_numbers=3, min_value=1, max_value=10)
    pairs = format_only_texts(["p"] * len(tasks), [t.nums for t in tasks], random.Random(0))
    hits = sum(verify_equation(c, t.nums, t.target).correct for (_, c), t in zip(pairs, tasks))
    assert hits / len(tasks) < 0.2


@pytest.mark.parametrize(
    "field, value",
    [
        ("seconds", -1.0),
        ("seconds", float("inf")),
        ("batch_size", 0),
        ("learning_rate", 0.0),
        ("lr_schedule", "cosine"),
    ],
)
def test_bad_config_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ConfigError, match=field):
        WarmStartConfig(**{field: value})


def test_warm_start_trains_in_the_chosen_precision() -> None:
    pytest.importorskip("transformers")
    from agents.policies._tiny import build_model, build_tokenizer
    from agents.training._warmstart import warm_start

    tokenizer = build_tokenizer()
    for bf16 in (False, True):  # bf16 autocast only where the CPU has it natively
        model = build_model(tokenizer, seed=0)
        info = warm_start(
            model,
            tokenizer,
            ["3 7>21:"] * 4,
            [[3, 7]] * 4,
            WarmStartConfig(seconds=60, max_steps=2, batch_size=4, bf16=bf16),
        )
        assert info["steps"] == 2 and "stopped_by" not in info
        assert next(model.parameters()).dtype.is_floating_point
    info = warm_start(
        model,
        tokenizer,
        ["3 7>21:"] * 4,
        [[3, 7]] * 4,
        WarmStartConfig(seconds=1e-9, max_steps=50, batch_size=4),
    )
    assert info["stopped_by"] == "time" and info["steps"] < 50


def test_linear_schedule_decays_to_zero_by_steps_or_time() -> None:
    """The learning rate ends near 0 however the budget ends: by steps, or by the time cap
    on a slow machine (whichever is nearer to running out)."""
    from agents.training._warmstart import _learning_rate

    by_steps = WarmStartConfig(
        seconds=1000, max_steps=100, learning_rate=1e-3, lr_schedule="linear"
    )
    assert _learning_rate(by_steps, 0, 0.0) == pytest.approx(1e-3)
    assert _learning_rate(by_steps, 50, 10.0) == pytest.approx(5e-4)
    assert _learning_rate(by_steps, 50, 900.0) == pytest.approx(1e-4)  # the time cap is nearer
    assert _learning_rate(by_steps, 100, 10.0) == 0.0
    constant = WarmStartConfig(seconds=1000, max_steps=100, learning_rate=1e-3)
    assert _learning_rate(constant, 99, 999.0) == pytest.approx(1e-3)


def test_train_refuses_an_unknown_warm_start_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agents.cli import main

    code = main(["train", "--output-dir", str(tmp_path), "--warmstart_lr_schedule", "cosine"])
    assert code == 2
    assert "warmstart_lr_schedule must be one of ['constant', 'linear']" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
