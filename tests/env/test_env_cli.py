"""``countdown generate``, ``solve`` and ``play`` through the real command-line entry point."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from agents.cli import main
from countdown_env import read_tasks
from verifiers import TV_RULES, verify_equation


def test_generate_jsonl_and_refuse_overwrite(tmp_path, capsys):
    out = tmp_path / "tasks.jsonl"
    assert main(["generate", "-n", "100", "--seed", "1", "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 100 and {"nums", "target"} <= set(rows[0])
    before = out.read_text()
    assert main(["generate", "-n", "5", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == before
    assert main(["generate", "-n", "5", "-o", str(out), "--force", "--quiet"]) == 0
    assert len(out.read_text().splitlines()) == 5


def test_generate_formats_options_and_holdout(tmp_path):
    parquet, test = tmp_path / "train.parquet", tmp_path / "test.parquet"
    args = [
        "generate",
        "-n",
        "40",
        "--seed",
        "2",
        "-o",
        str(parquet),
        "--test-output",
        str(test),
        "--test-num",
        "10",
        "--min-numbers",
        "2",
        "--max-numbers",
        "2",
        "--max-value",
        "50",
        "--max-target",
        "none",
        "--template",
        "compact",
    ]
    assert main(args) == 0
    train, held = read_tasks(parquet), read_tasks(test)
    assert len(train) == 40 and len(held) == 10
    assert not {t.key for t in train} & {t.key for t in held}
    assert all(len(t.nums) == 2 and max(t.nums) <= 50 for t in train)
    folder = tmp_path / "hf"
    assert (
        main(
            [
                "generate",
                "-n",
                "8",
                "-o",
                str(folder),
                "--format",
                "hf",
                "--quiet",
                "--preset",
                "tv",
            ]
        )
        == 0
    )
    assert len(read_tasks(folder, rules=TV_RULES)) == 8


def test_generate_errors_exit_2(tmp_path, capsys):
    assert main(["generate", "-n", "5", "-o", str(tmp_path / "x.csv")]) == 2
    assert "--format" in capsys.readouterr().err
    small = [
        "--min-numbers",
        "2",
        "--max-numbers",
        "2",
        "--max-value",
        "10",
        "--max-target",
        "none",
    ]
    assert main(["generate", "-n", "500", "-o", str(tmp_path / "s.jsonl"), "--quiet", *small]) == 2
    assert "exhausted" in capsys.readouterr().err
    assert main(["generate", "-n", "5", "-o", str(tmp_path / "t.jsonl"), "--min-numbers", "1"]) == 2
    assert "min_numbers" in capsys.readouterr().err


def test_solve_prints_a_solution(capsys):
    assert main(["solve", "25", "50", "75", "100", "3", "6", "--target", "952"]) == 0
    expression = capsys.readouterr().out.strip()
    assert verify_equation(expression, [25, 50, 75, 100, 3, 6], 952).correct


def test_solve_without_solution_exits_1(capsys):
    assert main(["solve", "1", "1", "--target", "5"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "no solution" in captured.err


def test_solve_all_and_rule_flags(capsys):
    assert main(["solve", "1", "2", "3", "--target", "6", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "3 solutions" and len(lines) == 4
    assert main(["solve", "100", "3", "7", "--target", "100", "--at-most-once"]) == 0
    assert capsys.readouterr().out.strip() == "100"
    assert main(["solve", "1", "5", "5", "5", "--target", "24", "--integer-intermediates"]) == 1


def test_play_scripted_game(monkeypatch, capsys):
    moves = "help\nhint\n25 * 5\nundo\n25 * 4\nundo\n25*4\n7 - 3\n100 + 4\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(moves))
    assert main(["play", "--nums", "25", "4", "3", "7", "--target", "104"]) == 0
    out = capsys.readouterr().out
    assert "Try " in out and "not among the numbers left" in out and "Took back" in out
    assert "You won!" in out


def test_play_quit_and_end_of_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["play", "--seed", "3"]) == 0
    assert "A solution:" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["play", "--seed", "3"]) == 0
    assert "end of input" in capsys.readouterr().out


def test_play_with_closed_stdin_has_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "agents.cli", "play", "--seed", "4"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "end of input" in result.stdout


@pytest.mark.parametrize("argv", [["play", "--nums", "1", "2"], ["play", "--max-steps", "0"]])
def test_play_bad_arguments_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err
