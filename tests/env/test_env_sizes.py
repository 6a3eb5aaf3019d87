"""Requests too large to serve and runs too long to sit through in silence (issue 14, items 4
and 12): refused up front with one clear line, or given progress and a time limit."""

from __future__ import annotations

import time

import pytest

import countdown_env
from agents.cli import main
from countdown_env import TaskSpaceExhaustedError, generate, make_splits
from countdown_env.errors import SolverTimeoutError
from verifiers.errors import ConfigError


def _err_lines(capsys) -> list[str]:
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(err)
    return err


# ----- item 4: sizes checked against the task space and the memory -------------------------------
@pytest.mark.parametrize("n", [10**20, 10**12, 2**63 - 1])
def test_generate_refuses_more_tasks_than_the_space_can_hold(n):
    started = time.monotonic()
    with pytest.raises(TaskSpaceExhaustedError, match="holds at most 459297500") as caught:
        generate(n, seed=0)
    assert time.monotonic() - started < 10
    assert caught.value.asked == n and caught.value.bound == 459_297_500


def test_the_tv_bound_counts_distinct_card_sets():
    with pytest.raises(TaskSpaceExhaustedError) as caught:
        generate(10**9, seed=0, preset="tv")
    # 13,243 distinct six-card hands (4 large cards once, 1-10 twice) times 900 targets.
    assert caught.value.bound == 13_243 * 900


def test_generate_refuses_tasks_that_cannot_fit_in_memory():
    with pytest.raises(ConfigError, match="of memory") as caught:
        generate(10**12, seed=0, unique=False)
    assert not isinstance(caught.value, TaskSpaceExhaustedError)
    with pytest.raises(ConfigError, match="of memory"):
        make_splits(10**12, 10, seed=0, unique=False)


@pytest.mark.parametrize(
    "extra", [[], ["--quiet"], ["--allow-duplicates", "--quiet"]], ids=["plain", "quiet", "dup"]
)
@pytest.mark.parametrize("n", ["99999999999999999999", str(10**12), str(2**63 - 1)])
def test_cli_generate_too_many_is_one_line_and_exit_2(tmp_path, capsys, n, extra):
    out = tmp_path / "t.jsonl"
    assert main(["generate", "-n", n, "-o", str(out), *extra]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and err[0].startswith("countdown generate: error:")
    assert ("memory" in err[0]) if "--allow-duplicates" in extra else ("at most" in err[0])
    assert not out.exists()


# ----- item 12: a time limit on rating, progress on long phases ----------------------------------
def test_rating_has_a_time_limit_per_task():
    started = time.monotonic()
    with pytest.raises(SolverTimeoutError, match=r"rate_timeout=0\.3 s"):
        generate(2, seed=0, min_numbers=8, max_numbers=8, rate=True, rate_timeout=0.3)
    assert time.monotonic() - started < 30
    assert countdown_env._generator.DEFAULT_RATE_TIMEOUT == 10.0
    rated = generate(2, seed=0, rate=True)  # 3-4 numbers: well inside the default
    assert all(t.n_solutions for t in rated)


def test_cli_rate_timeout_stops_with_one_line(tmp_path, capsys):
    out = tmp_path / "t.jsonl"
    argv = ["generate", "-n", "2", "--min-numbers", "8", "--max-numbers", "8", "--rate"]
    assert main([*argv, "--rate-timeout", "0.3", "-o", str(out), "--quiet"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and "--rate-timeout" in err[0] and not out.exists()


def test_cli_holdout_runs_show_progress_for_both_sides_unless_quiet(tmp_path, capsys):
    argv = [
        "generate",
        "-n",
        "30",
        "--test-num",
        "5",
        "--holdout",
        "target",
        "--holdout-fraction",
        "0.05",
        "-o",
        str(tmp_path / "a.jsonl"),
        "--test-output",
        str(tmp_path / "b.jsonl"),
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "test set" in err and "training set" in err and "5/5" in err and "30/30" in err
    assert main([*argv, "--force", "--quiet"]) == 0
    assert "test set" not in capsys.readouterr().err


def test_a_target_holdout_that_reserves_no_target_is_refused_at_once():
    fractions = [f / 1000 for f in range(1, 10)]
    # Find a small fraction that reserves none of the targets 1..100 for seed 0.
    empty = next(
        f
        for f in fractions
        if not any(
            countdown_env._splits.is_held_out(
                countdown_env.Task([1], t), holdout="target", fraction=f, seed=0
            )
            for t in range(1, 101)
        )
    )
    started = time.monotonic()
    with pytest.raises(ConfigError, match="reserves 0 of the 100 targets"):
        make_splits(10, 10, seed=0, holdout="target", holdout_fraction=empty)
    assert time.monotonic() - started < 2


def test_a_target_holdout_builds_and_rates_only_tasks_with_a_kept_target(monkeypatch):
    from countdown_env import _generator as generator
    from countdown_env import _splits as splits

    rated = []
    real = generator.rate_task
    monkeypatch.setattr(
        generator, "rate_task", lambda task, *a, **k: rated.append(task) or real(task, *a, **k)
    )
    _, test = make_splits(0, 20, seed=1, holdout="target", holdout_fraction=0.05, rate=True)
    assert len(test) == 20 and all(t.n_solutions for t in test)
    # Drawing whole tasks and throwing away 95% of them rated ~400 tasks for these 20.
    assert len(rated) < 40

    # The same stream as the plain filter on whole tasks, only cheaper.
    def keep(task):
        return splits.is_held_out(task, holdout="target", fraction=0.05, seed=1)

    plain = generator.iter_tasks(1, stream=splits._TEST_STREAM, keep=keep, rate=True)
    assert [next(plain) for _ in range(20)] == test
