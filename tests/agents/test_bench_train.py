"""The training bar's model-free references (benchmarks/bench_train.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from countdown_env import generate

_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_train.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_train", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tasks(n: int = 60) -> list[dict]:
    tasks = generate(n, seed=3, min_numbers=3, max_numbers=3, min_value=1, max_value=10)
    return [{"nums": list(t.nums), "target": t.target} for t in tasks]


def test_search_with_check_grows_with_tries_and_finds_every_chain_solution(bench) -> None:
    from agents.training._tries import chains_from

    tasks = _tasks()
    shares = [bench.search_with_check(tasks, tries) for tries in (1, 4, 1_000)]
    assert shares[0] <= shares[1] <= shares[2]
    # With every chain tried, the search finds exactly the tasks some chain solves.
    chain_solved = sum(
        any(int(c.rpartition("=")[2]) == t["target"] for c in chains_from(t["nums"], [0, 1, 2]))
        for t in tasks
    )
    assert shares[2] == chain_solved / len(tasks)
    assert shares[0] < 0.5 < shares[2]


def test_best_target_blind_finds_the_program_that_always_works(bench) -> None:
    tasks = [{"nums": [a, b], "target": a * b} for a, b in ((3, 4), (5, 6), (7, 2), (9, 9))]
    program, share = bench.best_target_blind(tasks)
    assert share == 1.0
    assert program in ("(n0*n1)", "(n1*n0)")


def test_seeds_and_a_seed_flag_together_are_refused(bench, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        bench.main(["--seeds", "0", "1", "--", "--seed", "3"])
    assert stop.value.code == 2
    assert "--seeds" in capsys.readouterr().err
