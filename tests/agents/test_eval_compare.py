"""``countdown eval --compare``: different task sets are warned about, blanks are explained."""

from __future__ import annotations

import json

import pytest

from agents.cli import main
from agents.evaluation._reports import format_comparison, task_set_id, task_set_warnings
from countdown_env import generate


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTDOWN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _eval(out, *flags):
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(out),
                *flags,
            ]
        )
        == 0
    )
    return json.loads((out / "report.json").read_text())


def test_report_records_what_identifies_its_task_set(tmp_path):
    report = _eval(tmp_path / "a", "-n", "12", "--seed", "3", "--preset", "three-small")
    meta = report["metadata"]
    assert meta["task_set"] == task_set_id(generate(12, seed=3, preset="three-small"))
    assert meta["task_set"]["n"] == 12 and len(meta["task_set"]["sha256"]) == 64
    assert meta["task_source"]["seed"] == 3 and meta["task_source"]["preset"] == "three-small"


def test_compare_warns_when_the_task_sets_differ(tmp_path, capsys):
    a = _eval(tmp_path / "a", "-n", "10", "--seed", "0")
    b = _eval(tmp_path / "b", "-n", "10", "--seed", "1")
    capsys.readouterr()
    assert main(["eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("warning: the reports were run on different task sets")
    assert "seed 0 vs 1" in first
    # The same tasks from a file compare cleanly with the generated run.
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        "".join(
            json.dumps({"nums": list(t.nums), "target": t.target}) + "\n"
            for t in generate(10, seed=0)
        )
    )
    c = _eval(tmp_path / "c", "--tasks", str(tasks))
    assert task_set_warnings(a, c) == []
    assert task_set_warnings(a, a) == [] and task_set_warnings(a, b)


def test_compare_warns_on_other_preset_or_file_for_reports_without_a_hash():
    a = {"n": 5, "accuracy": 1.0, "metadata": {"task_source": {"tasks_file": "x.jsonl"}}}
    b = {"n": 5, "accuracy": 1.0, "metadata": {"task_source": {"tasks_file": "y.jsonl"}}}
    (warning,) = task_set_warnings(a, b)
    assert "tasks file x.jsonl vs y.jsonl" in warning
    c = {"n": 5, "accuracy": 1.0, "metadata": {"task_source": {"seed": 0, "preset": "tv"}}}
    d = {"n": 5, "accuracy": 1.0, "metadata": {"task_source": {"seed": 0, "preset": None}}}
    assert "preset tv vs None" in task_set_warnings(c, d)[0]


def test_a_blank_metric_says_why_in_a_footnote(tmp_path):
    one = _eval(tmp_path / "one", "-n", "6")
    assert (
        main(
            [
                "eval",
                "--policy",
                "random",
                "-n",
                "6",
                "--samples",
                "2",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(tmp_path / "two"),
            ]
        )
        == 0
    )
    text = format_comparison(one, tmp_path / "two")
    row = next(line for line in text.splitlines() if line.startswith("pass_at_k.2"))
    number = row.split("- [")[1].split("]")[0]
    assert f"  [{number}] pass@2 needs at least 2 samples per task; that report has 1" in text
    tokens = next(line for line in text.splitlines() if line.startswith("length.tokens"))
    assert "n/a [" in tokens and "no token counts" in text
    assert "'-': the report lacks the metric; 'n/a': it is undefined there" in text


def test_reports_without_a_recorded_task_set_are_told_apart_by_their_samples(tmp_path, capsys):
    # Training stages (and reports of older versions) record no task source at all.
    for name, seed in (("before", 0), ("after", 0), ("other", 1)):
        _eval(tmp_path / name, "-n", "8", "--seed", str(seed))
        path = tmp_path / name / "report.json"
        report = json.loads(path.read_text())
        report["metadata"] = {}
        path.write_text(json.dumps(report))
    assert task_set_warnings(tmp_path / "before", tmp_path / "after") == []
    (warning,) = task_set_warnings(tmp_path / "before", tmp_path / "other" / "report.json")
    assert "task content differs" in warning
    capsys.readouterr()
    assert main(["eval", "--compare", str(tmp_path / "before"), str(tmp_path / "other")]) == 0
    assert capsys.readouterr().out.startswith("warning: the reports were run on different")


def test_compare_refuses_a_report_that_is_a_fifo_at_once(tmp_path):
    """A named pipe in report.json's place would block the reader forever."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    other = tmp_path / "other.json"
    other.write_text('{"accuracy": 0.5, "n": 1}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "agents.cli", "eval", "--compare", str(fifo), str(other)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
