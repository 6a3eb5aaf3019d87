"""`countdown verify` reads a long completion from stdin (`-`) or `--file` (issue 14, item 15)."""

import os
import subprocess
import sys

import pytest

import verifiers
from agents.cli import main
from agents.cli.verify import MAX_INPUT_BYTES

TASK = ["--nums", "5", "3", "--target", "8"]
LONG = "<think>" + "Let me think. " * 100_000 + "</think>\n<answer>5 + 3</answer>\n"


def _countdown(*args, stdin=None, input_text=None):
    root = os.path.dirname(os.path.dirname(verifiers.__file__))
    return subprocess.run(
        [sys.executable, "-m", "agents.cli", "verify", *args],
        stdin=stdin,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": root},
    )


def test_dash_reads_a_long_completion_from_stdin():
    result = _countdown("-", *TASK, input_text=LONG)
    assert result.returncode == 0, result.stderr
    assert "status:     correct" in result.stdout
    wrong = _countdown("-", *TASK, "--json", input_text=LONG.replace("5 + 3", "5 * 3"))
    assert wrong.returncode == 1 and '"status": "wrong_value"' in wrong.stdout


def test_stdin_from_dev_zero_is_refused_not_read_forever():
    with open("/dev/zero", "rb") as zeros:
        result = _countdown("-", *TASK, stdin=zeros)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "stdin holds more than 16 MiB" in line


def test_file_reads_a_long_completion(tmp_path, capsys):
    path = tmp_path / "completion.txt"
    path.write_text(LONG, encoding="utf-8")
    assert main(["verify", "--file", str(path), *TASK]) == 0
    assert "status:     correct" in capsys.readouterr().out
    path.write_bytes(b"\xef\xbb\xbf" + b"5*3")  # a BOM is not part of the answer
    assert main(["verify", "--file", str(path), "--bare", *TASK]) == 1
    assert "status:     wrong_value" in capsys.readouterr().out


def _refused(capsys, *args):
    assert main(["verify", *args, *TASK]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("countdown verify: error: "), err
    return err[0]


def test_file_refuses_devices_fifos_directories_and_missing_paths(tmp_path, capsys):
    assert "not a regular file" in _refused(capsys, "--file", "/dev/zero")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: opening it for reading must not hang
    assert "not a regular file" in _refused(capsys, "--file", str(fifo))
    assert "a directory" in _refused(capsys, "--file", str(tmp_path))
    assert "no such file" in _refused(capsys, "--file", str(tmp_path / "missing.txt"))


def test_file_refuses_huge_and_non_utf8_files(tmp_path, capsys):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: no 16 MiB written
    assert f"holds {MAX_INPUT_BYTES + 1} bytes" in _refused(capsys, "--file", str(huge))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("<answer>5+3</answer> caf\xe9".encode("latin-1"))
    assert "not UTF-8 text (byte 0xe9" in _refused(capsys, "--file", str(latin))


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "no answer"), (["5+3", "--file", "x.txt"], "not both")],
    ids=["neither", "both"],
)
def test_exactly_one_source_of_the_answer(capsys, args, message):
    assert message in _refused(capsys, *args)
