"""The fuzz harness (random engine in-process, atheris in a subprocess) and `countdown verify`."""

import argparse
import json
import os
import subprocess
import sys
import textwrap

import pytest

import verifiers
from agents.cli import verify as verify_command
from verifiers import Status, Verdict
from verifiers.fuzz import FuzzFailure, check_invariants, main, make_target, run_random


def _env(*extra):
    """Subprocess environment that finds this checkout's packages from any working folder."""
    root = os.path.dirname(os.path.dirname(verifiers.__file__))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, extra), root])}


def test_random_engine_keeps_invariants(capsys):
    assert main(["--runs", "300", "--engine", "random", "--seed", "3", "--max-ms", "500"]) == 0
    assert "300 random inputs" in capsys.readouterr().out


def test_invariants_catch_a_lying_verifier():
    def liar(completion, nums, target):
        return Verdict(True, Status.CORRECT, None, completion, "trust me")

    with pytest.raises(FuzzFailure, match="value None != target"):
        check_invariants(liar, "<answer>1</answer>", [1, 2], 3)

    def tinyzero_like(completion, nums, target):
        # Digit-sorted number check plus float compare: accepts near misses within 1e-5.
        from fractions import Fraction

        from verifiers import verify_equation

        verdict = verify_equation(completion, nums, target, cache=False)
        if verdict.value is not None and abs(float(verdict.value) - target) < 1e-5:
            return Verdict(True, Status.CORRECT, Fraction(target), completion, "close enough")
        return verdict

    with pytest.raises(FuzzFailure, match="re-verifies as wrong_value"):
        check_invariants(tinyzero_like, "23+1/(50*60*70)", [23, 1, 50, 60, 70], 23)


def test_differential_mode_reports_disagreement():
    from verifiers import CountdownVerifier

    strict = CountdownVerifier(extractor="bare")
    with pytest.raises(FuzzFailure, match="disagrees"):
        check_invariants(strict, "<answer>1+2</answer>", [1, 2], 3, reference=CountdownVerifier())
    target = make_target(CountdownVerifier(), max_ms=500)
    for data in (b"", b"\x00" * 10, bytes(range(256)), b"\xff" * 300):
        target(data)


def test_differential_report_shows_both_verdicts():
    from verifiers import CountdownVerifier

    with pytest.raises(FuzzFailure) as info:
        check_invariants(
            CountdownVerifier(exact_use=False),
            "<answer>1+2</answer>",
            [1, 2, 5],
            3,
            rules=verifiers.Rules(exact_use=False),
            reference=CountdownVerifier(),
        )
    message = str(info.value)
    assert "yours: correct (the expression equals 3)" in message
    assert "ours:  wrong_numbers (the answer leaves out 5" in message
    assert "completion='<answer>1+2</answer>'" in message and "nums=[1, 2, 5] target=3" in message


def _crash_on_answers(seen):
    def crashy(completion, nums, target):
        seen.append((completion, list(nums), target))
        if "<answer>" in completion:
            raise RuntimeError("my verifier crashed on purpose")
        return verifiers.verify(completion, nums, target)

    return crashy


def test_an_exception_from_the_verifier_carries_the_input():
    seen = []
    with pytest.raises(RuntimeError, match="on purpose") as info:
        check_invariants(_crash_on_answers(seen), "<answer>" + "7" * 600, [7], 7)
    (note,) = info.value.__notes__
    assert note.startswith("raised by the verifier on")
    assert f"completion={'<answer>' + '7' * 492!r}" in note  # truncated to 500 characters
    assert "nums=[7] target=7" in note


def test_the_random_engine_says_which_input_crashed_the_verifier():
    seen = []
    with pytest.raises(RuntimeError, match="on purpose") as info:
        run_random(make_target(_crash_on_answers(seen)), runs=500, seed=1)
    completion, nums, target = seen[-1]
    notes = "\n".join(info.value.__notes__)
    assert f"completion={completion[:500]!r}" in notes
    assert f"nums={nums} target={target}" in notes
    assert f"random engine: input {len(seen)} of 500 (--seed 1)" in notes


def test_atheris_prints_the_input_that_crashed_the_verifier(tmp_path):
    pytest.importorskip("atheris")
    (tmp_path / "crashy_checker.py").write_text(
        textwrap.dedent("""
        from verifiers import verify

        def crashy(completion, nums, target):
            if "<answer>" in completion:
                raise RuntimeError("my verifier crashed on purpose")
            return verify(completion, nums, target)
    """)
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifiers.fuzz",
            "--runs",
            "2000",
            "--verifier",
            "crashy_checker:crashy",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    # atheris prints the Python traceback on stdout, libFuzzer and our notes go to stderr.
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "my verifier crashed on purpose" in output
    note = output.partition("raised by the verifier on\n  completion='")[2]
    assert "<answer>" in note.partition("\n")[0], output[-2000:]
    assert note.partition("\n")[2].startswith("  nums=[")


def test_atheris_entry_point_runs(tmp_path):
    pytest.importorskip("atheris")
    result = subprocess.run(
        [sys.executable, "-m", "verifiers.fuzz", "--runs", "300", "--max-ms", "500"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Done 300 runs" in result.stderr


def test_custom_verifier_is_loaded_and_fuzzed(tmp_path):
    (tmp_path / "my_checker.py").write_text(
        textwrap.dedent("""
        from verifiers import Status, Verdict

        class AlwaysRight:
            def __call__(self, completion, nums, target):
                return Verdict(True, Status.CORRECT, None, completion, "always")
    """)
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifiers.fuzz",
            "--runs",
            "50",
            "--engine",
            "random",
            "--verifier",
            "my_checker:AlwaysRight",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert result.returncode != 0
    assert "FuzzFailure" in result.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_pkg.checks:MyVerifier", "cannot import no_such_pkg.checks (No module named"),
        ("myv", "must look like 'package.module:callable', got 'myv'"),
        ("verifiers._check:NoSuchVerifier", "module verifiers._check has no 'NoSuchVerifier'"),
        ("verifiers.rules:DEFAULT_RULES", "DEFAULT_RULES is not callable"),
    ],
)
def test_a_bad_verifier_spec_is_one_line_and_exit_2(spec, message, capsys):
    assert main(["--runs", "5", "--engine", "random", "--verifier", spec]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("python -m verifiers.fuzz: error: --verifier"), err
    assert message in err and len(err.splitlines()) == 1


def test_the_readme_placeholder_verifier_fails_without_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifiers.fuzz",
            "--runs",
            "100",
            "--verifier",
            "mypkg.checks:MyVerifier",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=_env(),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "cannot import mypkg.checks" in result.stderr


def _run_cli(argv):
    parser = argparse.ArgumentParser(prog="countdown verify")
    verify_command.add_arguments(parser)
    return verify_command.run(parser.parse_args(argv))


def test_cli_verify_exit_codes_and_output(capsys):
    assert _run_cli(["<answer>5+3</answer>", "--nums", "5", "3", "--target", "8"]) == 0
    out = capsys.readouterr().out
    assert "status:     correct" in out and "value:      8" in out
    assert _run_cli(["5*3", "--bare", "--nums", "5", "3", "--target", "8", "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "wrong_value" and payload["value"] == "15"
    assert (
        _run_cli(
            ["<answer>25*4</answer>", "--nums", "25", "4", "3", "--target", "100", "--at-most-once"]
        )
        == 0
    )
    assert (
        _run_cli(
            [
                "<answer>7/2*2</answer>",
                "--nums",
                "7",
                "2",
                "2",
                "--target",
                "7",
                "--integer-intermediates",
            ]
        )
        == 1
    )
    assert "bad_intermediate" in capsys.readouterr().out
    # An answer starting with '-' follows '--', as for any command line tool.
    assert (
        _run_cli(
            ["--bare", "--nums", "5", "13", "--target", "8", "--allow-unary-minus", "--", "-5+13"]
        )
        == 0
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["x", "--nums", "5", "a", "--target", "8"],
        ["x", "--nums", "5", "--target", "8.5"],
        ["x", "--nums", "-5", "--target", "8"],
        ["x", "--target", "8"],
        ["x", "--nums", "5", "--target", "8", "--operators", "^"],
        ["x", "--nums", "5", "--target", "8", "--max-length", "0"],
    ],
)
def test_cli_bad_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        _run_cli(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "0", "nan"])
def test_fuzz_refuses_a_non_positive_time_limit(value, capsys):
    assert main(["--runs", "10", "--engine", "random", f"--max-ms={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--max-ms must be a positive number" in err[0], err


def test_ctrl_c_stops_the_random_engine_with_a_summary(tmp_path):
    import signal
    import time

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verifiers.fuzz",
            "--engine",
            "random",
            "--runs",
            "100000000",
            "--max-ms",
            "10000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=_env(),
    )
    try:
        import select

        ready, _, _ = select.select([process.stderr], [], [], 60)
        assert ready, "no start line within 60 s"
        first = process.stderr.readline()  # printed once the harness is ready
        assert first.startswith("fuzz: checking 100000000 random inputs"), first
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    (line,) = err.strip().splitlines()
    assert line.startswith("fuzz: interrupted after ") and "of 100000000 random inputs" in line
    assert int(line.split()[3]) > 0, line  # it ran some inputs in half a second


def _spec_file(tmp_path, body):
    (tmp_path / "my_checks.py").write_text(textwrap.dedent(body))
    return ["--runs", "5", "--engine", "random", "--verifier"]


@pytest.mark.parametrize(
    ("body", "returned"),
    [
        ("def check(completion, nums, target):\n    return True\n", "bool True"),
        ("def check(completion, nums, target):\n    return {'correct': True}\n", "dict"),
        ("def check(completion, nums, target):\n    return None\n", "NoneType None"),
    ],
    ids=["bool", "dict", "none"],
)
def test_a_verifier_that_returns_no_verdict_is_one_clear_line(tmp_path, body, returned):
    result = subprocess.run(
        [sys.executable, "-m", "verifiers.fuzz", *_spec_file(tmp_path, body), "my_checks:check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "my_checks:check" in line and f"check returned {returned}" in line, line
    assert "expected a verifiers.Verdict" in line


def test_invariants_name_the_verifier_that_returned_no_verdict():
    def my_bool_checker(completion, nums, target):
        return True

    with pytest.raises(
        FuzzFailure,
        match=r"my_bool_checker returned bool True, expected a "
        r"verifiers\.Verdict",
    ):
        check_invariants(my_bool_checker, "<answer>1+2</answer>", [1, 2], 3)
