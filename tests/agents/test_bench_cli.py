"""``countdown bench``: a folder without scripts, Ctrl-C, the quick default, progress lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_without_benchmark_scripts_is_an_error_naming_it(tmp_path, capsys):
    empty = tmp_path / "emptydir"
    empty.mkdir()
    assert main(["bench", "--benchmarks-dir", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(empty) in err and "bench_verifiers.py" in err and "bench_env.py" in err


def _fake_script(folder: Path, area: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"bench_{area}.py").write_text(body)


def test_each_area_says_when_it_starts_and_how_long_it_took(tmp_path, capfd):
    scripts = tmp_path / "benchmarks"
    _fake_script(scripts, "verifiers", "print('| table |')\n")
    assert main(["bench", "verifiers", "--benchmarks-dir", str(scripts)]) == 0
    captured = capfd.readouterr()
    assert "| table |" in captured.out
    assert "[1/1] verifiers (quick)" in captured.err and "verifiers done in" in captured.err


def test_the_script_arguments_follow_the_mode(tmp_path):
    scripts = tmp_path / "benchmarks"
    record = tmp_path / "argv.txt"
    _fake_script(
        scripts,
        "verifiers",
        f"import sys\nopen({str(record)!r}, 'a').write(repr(sys.argv[1:]) + '\\n')\n",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for flags in ([], ["--full"], ["--quick"]):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "agents.cli",
                "bench",
                "verifiers",
                "--benchmarks-dir",
                str(scripts),
                *flags,
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    assert record.read_text().splitlines() == ["['--quick']", "[]", "['--quick']"]


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_the_run_with_one_line_and_exit_130(tmp_path):
    scripts = tmp_path / "benchmarks"
    pid_file = tmp_path / "child.pid"
    _fake_script(
        scripts,
        "verifiers",
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)\n",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A terminal's Ctrl-C signals the whole foreground process group: do the same.
    command = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agents.cli",
            "bench",
            "verifiers",
            "--benchmarks-dir",
            str(scripts),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid_file.exists(), "the benchmark script never started"
    time.sleep(0.2)
    os.killpg(command.pid, signal.SIGINT)
    _, err = command.communicate(timeout=60)
    text = err.decode()
    assert command.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert text.strip().splitlines()[-1] == "countdown bench: interrupted"
    child = int(pid_file.read_text())
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # the script was stopped too
