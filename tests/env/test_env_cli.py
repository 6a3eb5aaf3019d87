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
    pytest.importorskip("pyarrow")
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
    pytest.importorskip("datasets")
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
    err = capsys.readouterr().err
    assert "-n 500 asks for 500 distinct tasks, but these options hold only 170" in err
    assert "--allow-duplicates" in err and "unique=False" not in err
    assert not (tmp_path / "s.jsonl").exists()
    assert main(["generate", "-n", "5", "-o", str(tmp_path / "t.jsonl"), "--min-numbers", "1"]) == 2
    assert "--min-numbers must be an integer in 2..8, got 1" in capsys.readouterr().err


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


def test_play_typos_do_not_use_a_move(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("foo\n25 x\n25 * 4\nquit\n"))
    assert main(["play", "--nums", "25", "4", "3", "7", "--target", "107"]) == 0
    out = capsys.readouterr().out
    assert out.count("no move was used") == 2
    assert "Moves left: 11" in out and "Moves left: 10" not in out


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


# ----- generate: outputs are checked before anything is generated or written ----------------
def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("countdown ") and "Traceback" not in "".join(err)
    return err[-1]


def test_generate_refuses_one_path_for_both_sets(tmp_path, capsys):
    out = tmp_path / "same.jsonl"
    for extra in ([], ["--force"]):
        args = ["generate", "-n", "7", "-o", str(out), "--test-output", str(out), "--quiet"]
        assert main([*args, *extra]) == 2
        assert "-o and --test-output name the same path" in _err_line(capsys)
        assert not out.exists()
    out.write_text("train\n")
    other = tmp_path / "sub" / ".." / "same.jsonl"  # the same file, spelled differently
    (tmp_path / "sub").mkdir()
    argv = ["generate", "-n", "7", "-o", str(out), "--test-output", str(other), "--force"]
    assert main(argv) == 2
    assert out.read_text() == "train\n"


def test_generate_refuses_an_existing_test_output_before_writing_training(tmp_path, capsys):
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    test.write_text("keep\n")
    assert main(["generate", "-n", "7", "-o", str(train), "--test-output", str(test)]) == 2
    assert f"{test} exists; pass --force" in _err_line(capsys)
    assert not train.exists() and test.read_text() == "keep\n"


def test_generate_removes_its_training_file_when_the_test_set_fails(tmp_path, capsys, monkeypatch):
    import countdown_env
    from countdown_env import OutputError

    real = countdown_env.write_tasks

    def failing(tasks, path, **kwargs):
        if "test" in str(path):
            raise OutputError(f"cannot write {path}: disk full")
        return real(tasks, path, **kwargs)

    monkeypatch.setattr(countdown_env, "write_tasks", failing)  # the command reads the face
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    argv = ["generate", "-n", "7", "-o", str(train), "--test-output", str(test), "--quiet"]
    assert main(argv) == 2
    assert "disk full" in _err_line(capsys)
    assert not train.exists()  # created by this run: removed again
    train.write_text("old\n")
    assert main([*argv, "--force"]) == 2
    assert train.exists()  # it existed before the run: left in place


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [
        ("", "jsonl", "name a file, not a folder"),
        (".", "jsonl", "name a file, not a folder"),
        ("", "hf", "name a new folder for the dataset"),
        (".", "hf", "name a new folder for the dataset"),
        ("adir.jsonl", "jsonl", "a folder of that name is in the way"),
        ("afile/x.jsonl", "jsonl", "afile is not a folder"),
        ("missing/x.jsonl", "jsonl", "does not exist"),
        ("x.jsonl", "parquet", "x.jsonl ends in .jsonl, but --format parquet writes parquet"),
        ("x.parquet", "hf", "--format hf writes a folder"),
    ],
)
def test_generate_bad_outputs_are_one_line_errors(
    tmp_path, capsys, monkeypatch, output, fmt, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir.jsonl").mkdir()
    (tmp_path / "afile").write_text("")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = ["generate", "-n", "5", "-o", output, "--format", fmt, "--force", "--quiet"]
    assert main(argv) == 2
    assert message in _err_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no hidden temp folders


def test_generate_force_never_deletes_a_folder_that_is_not_a_dataset(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mydata.txt").write_text("keep")
    argv = ["generate", "-n", "5", "-o", str(folder), "--format", "hf", "--force", "--quiet"]
    assert main(argv) == 2
    assert "is not a saved dataset" in _err_line(capsys)
    assert (folder / "mydata.txt").read_text() == "keep"
    pytest.importorskip("datasets")
    dataset = tmp_path / "ds"
    assert main(["generate", "-n", "5", "-o", str(dataset), "--format", "hf", "--quiet"]) == 0
    assert main(["generate", "-n", "6", "-o", str(dataset), "--format", "hf", "--quiet"]) == 2
    assert main(["generate", "-n", "6", "-o", str(dataset), "--format", "hf", "--force"]) == 0
    assert len(read_tasks(dataset)) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "mine"]


@pytest.mark.parametrize(
    "extra",
    [["--test-num", "5"], ["--holdout", "target"], ["--holdout-fraction", "0.2"]],
)
def test_generate_test_set_options_need_test_output(tmp_path, capsys, extra):
    out = tmp_path / "x.jsonl"
    assert main(["generate", "-n", "5", "-o", str(out), *extra]) == 2
    assert f"{extra[0]} describes the test set; add --test-output" in _err_line(capsys)
    assert not out.exists()


def test_generate_too_many_tasks_fails_at_once_naming_the_flag(tmp_path, capsys):
    import time

    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    base = ["generate", "-o", str(train), "--preset", "two-numbers", "--test-output", str(test)]
    start = time.perf_counter()
    assert main([*base, "-n", "5000", "--test-num", "500"]) == 2
    assert time.perf_counter() - start < 5  # not the ~10 s of drawing until nothing is new
    line = _err_line(capsys)
    assert "-n 5000 plus --test-num 500 asks for 5500 distinct tasks" in line
    assert "hold only 3930" in line and "--allow-duplicates" in line
    assert "unique=False" not in line and "enumerate_tasks" not in line
    assert not train.exists() and not test.exists()
    # The corrected README example.
    assert main([*base, "-n", "3000", "--test-num", "500", "--quiet"]) == 0
    assert len(read_tasks(train)) == 3000 and len(read_tasks(test)) == 500


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--min-solutions", "10", "--max-solutions", "2"],
            "--max-solutions must be >= --min-solutions (10), got 2",
        ),
        (["--large-count", "4", "--draw", "tv"], "--large-count must be <= --min-numbers (3)"),
        (
            ["--min-numbers", "5", "--max-numbers", "3"],
            "--max-numbers must be >= --min-numbers (5), got 3",
        ),
        (
            ["--min-target", "1000", "--max-target", "10"],
            "--max-target must be >= --min-target (1000), got 10",
        ),
        (["--large-count", "2"], "--large-count applies only to --draw tv"),
        (["--operators=-^"], "--operators must be a non-empty subset"),
    ],
)
def test_generator_errors_name_the_flags(tmp_path, capsys, flags, message):
    assert main(["generate", "-n", "5", "-o", str(tmp_path / "x.jsonl"), *flags]) == 2
    line = _err_line(capsys)
    assert message in line
    assert "_" not in line.split("error: ", 1)[1].replace(str(tmp_path), "")


def test_operators_starting_with_minus_and_max_target_none(tmp_path, capsys, monkeypatch):
    out = tmp_path / "x.jsonl"
    argv = ["generate", "-n", "5", "-o", str(out), "--operators=-*", "--max-target", "none"]
    assert main([*argv, "--quiet"]) == 0
    assert all(set(t.solution) <= set("0123456789-*()") for t in read_tasks(out))
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["play", "--seed", "2", "--max-target", "none", "--preset", "three-small"]) == 0
    assert "A solution:" in capsys.readouterr().out
    assert main(["solve", "1", "2", "3", "-t", "6", "--operators=-*"]) == 0
    assert capsys.readouterr().out.strip() == "1*2*3"


@pytest.mark.parametrize("command", ["generate", "solve", "verify", "play"])
def test_help_says_how_to_write_operators_starting_with_minus(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--operators=-*" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", [["generate", "-o", "x.jsonl"], ["play"]])
def test_negative_seed_is_a_clean_error(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--seed", "-1"])
    assert info.value.code == 2
    assert "--seed: expected a non-negative integer, got '-1'" in _err_line(capsys)


# ----- play: a given game must make sense ------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nums", "3", "--target", "3"], "the target 3 is already among --nums"),
        (["--nums", "3", "7", "25", "--target", "1000"], "1000 cannot be reached from 3 7 25"),
        (
            ["--nums", "3", "7", "25", "--target", "46", "--preset", "tv", "--seed", "1"],
            "--seed, --preset would be ignored",
        ),
        (["--nums", "3", "7", "--target", "10", "--max-value", "9"], "--max-value would be"),
        (["--max-steps", "0"], "--max-steps must be >= 1, got 0"),
        (["--large-count", "7"], "--large-count must be an integer in 0..4"),
    ],
)
def test_play_refuses_games_that_make_no_sense(argv, message, capsys):
    assert main(["play", *argv]) == 2
    line = _err_line(capsys)
    assert message in line and "check_solvable" not in line


def test_play_given_game_keeps_the_rule_flags(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("3 - 7\n25 + 21\n"))
    assert main(["play", "--nums", "3", "7", "25", "--target", "46", "--operators", "+*"]) == 0
    out = capsys.readouterr().out
    assert "operator - is not allowed" in out and "(seed" not in out


# ----- solve: a time limit -----------------------------------------------------------------
def test_solve_timeout_stops_a_long_search(capsys):
    import time

    start = time.perf_counter()
    argv = ["solve", "1", "2", "3", "4", "5", "6", "7", "8", "-t", "99991", "--timeout", "0.5"]
    assert main(argv) == 3
    assert time.perf_counter() - start < 10
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "gave up after 0.5 s (--timeout)" in captured.err
    assert main(["solve", "1", "2", "3", "-t", "6", "--timeout", "0"]) == 0  # 0: no limit
    with pytest.raises(SystemExit):
        main(["solve", "1", "2", "-t", "3", "--timeout", "soon"])
    assert "--timeout: expected a number of seconds" in capsys.readouterr().err


def test_solve_help_documents_the_timeout(capsys):
    with pytest.raises(SystemExit):
        main(["solve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS" in out and "default 60" in out and "3 the search reached" in out


# ----- verify: huge numbers ------------------------------------------------------------------
def test_verify_huge_target_is_too_large_not_echoed(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "1", "--nums", "1", "--target", "9" * 5000])
    err = capsys.readouterr().err
    assert "integer too large: 5000 digits" in err and len(err) < 1000
    with pytest.raises(SystemExit):
        main(["verify", "1", "--nums", "1", "--target", "x" * 5000])
    err = capsys.readouterr().err
    assert "(5000 characters)" in err and len(err) < 1000


# ----- play: help, target bounds, what an odd move costs (issue 14, item 10) --------------------


def test_play_help_gives_the_tv_games_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["play", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "fewest numbers in a task (2-8; default 6)" in out
    assert "smallest target (default 100)" in out and "largest target (default 999;" in out
    assert "default 3" not in out and "(default 100;" not in out  # generate's defaults


def test_play_max_target_below_the_tv_floor_plays_small_targets(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["play", "--seed", "5", "--max-target", "50"]) == 0
    captured = capsys.readouterr()
    target = int(captured.out.split("Target: ")[1].split()[0])
    assert 1 <= target <= 50
    assert "below the TV game's smallest target 100" in captured.err


def test_play_echoes_unicode_operators_in_ascii(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("10 ÷ 3\nquit\n"))
    assert main(["play", "--nums", "10", "3", "25", "--target", "35"]) == 0
    out = capsys.readouterr().out
    assert "'10 / 3'" in out and "?" not in out.split("move>")[1]


def test_play_other_digits_are_read_as_digits_and_garbage_never_costs_a_move(monkeypatch, capsys):
    # Arabic-Indic 25 * 4 is a move like its ASCII twin; garbage (also in an answer tag) is not.
    moves = "\u0662\u0665 * \u0664\n\u0662\u0665 ? \u0664\n<answer>foo</answer>\nquit\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(moves))
    assert main(["play", "--nums", "25", "4", "3", "7", "--target", "107"]) == 0
    out = capsys.readouterr().out
    assert "Numbers: 3 7 100" in out and "Moves left: 11" in out
    assert out.count("no move was used") == 2 and "Moves left: 10" not in out


def test_generate_splits_a_small_space_by_a_hash(tmp_path, capsys):
    from countdown_env import is_held_out, make_splits

    train_path, test_path = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    small = ["--min-numbers", "3", "--max-numbers", "3", "--max-value", "10", "--max-target",
             "none", "--seed", "3", "--quiet"]  # fmt: skip
    argv = ["generate", "-n", "2000", "-o", str(train_path), "--test-output", str(test_path),
            "--test-num", "500", *small]  # fmt: skip
    assert main(argv) == 0
    assert "split off by a hash, --holdout-fraction 0.2" in capsys.readouterr().err
    train, test = read_tasks(train_path), read_tasks(test_path)
    assert len(train) == 2000 and len(test) == 500
    assert all(is_held_out(t, fraction=0.2, seed=3) for t in test)
    assert not any(is_held_out(t, fraction=0.2, seed=3) for t in train)
    # What the plain split would have given: the frequent tasks on the test side.
    _, frequent = make_splits(
        2000, 500, seed=3, min_numbers=3, max_numbers=3, max_value=10, max_target=None
    )
    assert {t.key for t in frequent} != {t.key for t in test}
    # Asking for nearly the whole space keeps the plain split and says why.
    argv = ["generate", "-n", "2500", "-o", str(tmp_path / "a.jsonl"), "--test-output",
            str(tmp_path / "b.jsonl"), "--test-num", "500", *small]  # fmt: skip
    assert main(argv) == 0
    assert "warning: the test set will be the generator's most frequent" in capsys.readouterr().err
