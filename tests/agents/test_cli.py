"""The `countdown` entry point itself: version, and a reader that goes away mid-output."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agents.cli import main


def test_version_is_printed(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("countdown-rl ")


def test_a_closed_pipe_ends_quietly() -> None:
    # `countdown ... | head` closes the pipe early: no traceback, the shell's SIGPIPE code.
    script = (
        "import sys\n"
        "from agents.cli import _guarded\n"
        "def lines():\n"
        "    for i in range(10**6):\n"
        "        print('x' * 80)\n"
        "sys.exit(_guarded('solve', lines))\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "3+5", "--nums", "3", "5", "-t", "8"],
        ["solve", "3", "5", "-t", "8"],
        ["play", "--nums", "3", "5", "-t", "8"],
        ["generate", "-o", "x.jsonl", "--num-tasks", "3"],
        ["generate", "-o", "x.jsonl", "--num", "3"],
        ["eval", "--num-tasks", "3"],
        ["eval", "--num", "3"],
    ],
)
def test_shared_options_are_spelled_alike_across_commands(argv: list[str]) -> None:
    from agents.cli import build_parser

    args = build_parser().parse_args(argv)
    assert (
        getattr(args, "target", None) == 8
        or getattr(args, "num", None) == 3
        or getattr(args, "num_tasks", None) == 3
    )
