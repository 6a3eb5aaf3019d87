"""``countdown eval`` end to end, and policy loading by spec (agents.models.load_policy)."""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents.cli import main
from agents.models import (
    cache_dir,
    default_model_path,
    load_policy,
    register_default_model,
)
from agents.policies import RandomPolicy, SamplingConfig, SolverPolicy
from verifiers.errors import ConfigError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own COUNTDOWN_HOME, so no registered checkpoint leaks in."""
    monkeypatch.setenv("COUNTDOWN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_eval_solver_writes_report_samples_and_plots(tmp_path, capsys):
    out = tmp_path / "solver"
    code = main(["eval", "--policy", "solver", "-n", "25", "--seed", "7",
                 "--output-dir", str(out)])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["n"] == 25 and report["accuracy"] == 1.0
    assert report["status_counts"] == {"correct": 25}
    assert report["metadata"]["task_source"]["seed"] == 7
    lines = (out / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 25
    row = json.loads(lines[0])
    assert {"nums", "target", "prompt", "completion", "status", "correct", "length",
            "aha_phrases"} <= set(row)
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["aha.png", "difficulty.png", "length.png", "status.png"]
    assert all((out / p).read_bytes()[:8] == PNG_MAGIC for p in pngs)
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "100.0%" in printed


def test_eval_random_with_samples_then_compare(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["eval", "--policy", "solver", "-n", "20", "--seed", "1", "--quiet",
                 "--no-plots", "--output-dir", str(a)]) == 0
    assert main(["eval", "--policy", "random", "-n", "20", "--seed", "1", "--samples", "4",
                 "--template", "compact", "--min-numbers", "2", "--max-numbers", "2",
                 "--max-value", "20", "--quiet", "--no-plots", "--output-dir", str(b)]) == 0
    report = json.loads((b / "report.json").read_text())
    assert report["n_samples"] == 4 and set(report["pass_at_k"]) == {"1", "2", "4"}
    assert report["sampling"]["temperature"] == 1.0
    assert report["template"] == "compact"
    assert set(report["by_difficulty"]["n_nums"]) == {"2"}
    capsys.readouterr()
    assert main(["eval", "--compare", str(a / "report.json"), str(b)]) == 0
    table = capsys.readouterr().out
    assert "accuracy" in table and "B - A" in table and "pass_at_k.1" in table


def test_eval_reads_a_task_file(tmp_path):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"nums": [3, 7, 25], "target": 46}\n{"nums": [1, 2], "target": 3}\n'
                     '{"nums": [100, 25, 3], "target": 75}\n')
    out = tmp_path / "file"
    assert main(["eval", "--policy", "solver", "--tasks", str(tasks), "--quiet",
                 "--output-dir", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    # A file may hold tasks unsolvable under the rules: 75 from 100, 25, 3 each used once.
    assert report["n"] == 3 and report["accuracy"] == pytest.approx(2 / 3)
    assert report["status_counts"] == {"correct": 2, "no_answer": 1}
    assert report["metadata"]["task_source"] == {"tasks_file": str(tasks)}
    # TV rules: numbers may be left out, so the task becomes solvable.
    assert main(["eval", "--policy", "solver", "--tasks", str(tasks), "-n", "3", "--rules", "tv",
                 "--template", "compact", "--quiet", "--output-dir", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert rows[2]["correct"] and rows[2]["completion"] in ("100-25", "3*25")
    assert json.loads((out / "report.json").read_text())["rules"]["exact_use"] is False
    assert main(["eval", "--tasks", str(tasks), "--min-numbers", "3", "--quiet"]) == 2
    assert main(["eval", "--policy", "solver", "--tasks", str(tasks), "--quiet", "--no-plots",
                 "--aha-phrases", "found it, hmm", "--output-dir", str(out)]) == 0
    aha = json.loads((out / "report.json").read_text())["aha"]
    assert aha["phrases"] == ["found it", "hmm"]
    assert aha["phrase_counts"] == {"found it": 2}  # the oracle writes "Found it." when it solves


def test_eval_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["eval", "--policy", "someone/some-model", "-n", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "HF_HUB_OFFLINE" in err and len(err.strip().splitlines()) == 1
    assert main(["eval", "--policy", "solver", "-n", "0", "--quiet"]) == 2
    assert main(["eval", "--compare", str(tmp_path / "x.json"), str(tmp_path / "y.json")]) == 2


def test_load_policy_names_and_paths(tmp_path):
    assert isinstance(load_policy("solver"), SolverPolicy)
    assert isinstance(load_policy("Random"), RandomPolicy)
    with pytest.raises(ConfigError, match="not a policy name"):
        load_policy(str(tmp_path / "missing-dir"))
    with pytest.raises(ConfigError, match="not a policy name"):
        load_policy("model.gguf")
    with pytest.raises(ConfigError, match="HF_HUB_OFFLINE"):
        load_policy("HuggingFaceTB/SmolLM2-135M-Instruct")
    with pytest.raises(ConfigError):
        load_policy("")


def test_default_is_the_embedded_model_until_a_checkpoint_is_registered(tmp_path):
    pytest.importorskip("transformers")
    assert cache_dir() == tmp_path / "home" and default_model_path() is None
    untrained = load_policy("default", device="cpu")
    assert untrained.name == "default (untrained)" and untrained.default_template == "compact"
    saved = tmp_path / "checkpoint"
    untrained.model.save_pretrained(saved)
    untrained.tokenizer.save_pretrained(saved)
    pointer = register_default_model(saved)
    assert pointer.parent == cache_dir() and default_model_path() == saved.resolve()
    trained = load_policy("default", device="cpu")
    assert str(saved.resolve()) in trained.name
    assert trained.default_template == "compact"  # recognised from the character vocabulary
    prompts, short = ["3 7 25>46:"], SamplingConfig(max_new_tokens=8)
    assert trained.generate(prompts, sampling=short) == untrained.generate(prompts, sampling=short)
    directory = load_policy(str(saved), device="cpu")
    assert directory.name == str(saved)
    register_default_model(saved, template="tinyzero")  # the template it was trained with
    assert load_policy("default", device="cpu").default_template == "tinyzero"
    with pytest.raises(ConfigError, match="template"):
        register_default_model(saved, template="nope")
    with pytest.raises(ConfigError, match=r"config\.json"):
        register_default_model(tmp_path)
