"""``countdown eval`` end to end, and policy loading by spec (agents.policies.load_policy)."""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents.cli import main
from agents.policies._base import RandomPolicy, SamplingConfig, SolverPolicy
from agents.policies._models import (
    cache_dir,
    default_model_path,
    load_policy,
    register_default_model,
)
from verifiers.errors import ConfigError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own COUNTDOWN_HOME, so no registered checkpoint leaks in."""
    monkeypatch.setenv("COUNTDOWN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_eval_solver_writes_report_samples_and_plots(tmp_path, capsys):
    out = tmp_path / "solver"
    code = main(["eval", "--policy", "solver", "-n", "25", "--seed", "7", "--output-dir", str(out)])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["n"] == 25 and report["accuracy"] == 1.0
    assert report["status_counts"] == {"correct": 25}
    assert report["metadata"]["task_source"]["seed"] == 7
    lines = (out / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 25
    row = json.loads(lines[0])
    assert {
        "nums",
        "target",
        "prompt",
        "completion",
        "status",
        "correct",
        "length",
        "aha_phrases",
    } <= set(row)
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["aha.png", "difficulty.png", "length.png", "status.png"]
    assert all((out / p).read_bytes()[:8] == PNG_MAGIC for p in pngs)
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "100.0%" in printed


def test_eval_random_with_samples_then_compare(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "20",
                "--seed",
                "1",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(a),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "eval",
                "--policy",
                "random",
                "-n",
                "20",
                "--seed",
                "1",
                "--samples",
                "4",
                "--template",
                "compact",
                "--min-numbers",
                "2",
                "--max-numbers",
                "2",
                "--max-value",
                "20",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(b),
            ]
        )
        == 0
    )
    report = json.loads((b / "report.json").read_text())
    assert report["n_samples"] == 4 and set(report["pass_at_k"]) == {"1", "2", "4"}
    assert report["sampling"]["temperature"] == 1.0
    assert report["template"] == "compact"
    assert set(report["by_difficulty"]["n_nums"]) == {"2"}
    capsys.readouterr()
    assert main(["eval", "--compare", str(a / "report.json"), str(b)]) == 0
    table = capsys.readouterr().out
    assert "accuracy" in table and "B - A" in table and "pass_at_k.1" in table


def test_eval_reads_a_task_file(tmp_path, capsys):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        '{"nums": [3, 7, 25], "target": 46}\n{"nums": [1, 2], "target": 3}\n'
        '{"nums": [100, 25, 3], "target": 75}\n'
    )
    out = tmp_path / "file"
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "--tasks",
                str(tasks),
                "--quiet",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    report = json.loads((out / "report.json").read_text())
    # A file may hold tasks unsolvable under the rules: 75 from 100, 25, 3 each used once.
    assert report["n"] == 3 and report["accuracy"] == pytest.approx(2 / 3)
    assert report["status_counts"] == {"correct": 2, "no_answer": 1}
    assert report["metadata"]["task_source"] == {"tasks_file": str(tasks)}
    # ... and the user is told, once, and the report keeps the count.
    assert capsys.readouterr().err == (
        "countdown eval: warning: 1 of 3 tasks have no solution "
        "under these rules; their answers cannot be correct\n"
    )
    assert report["metadata"]["unsolvable_tasks"] == 1
    assert report["metadata"]["solvability_checked"] == 3
    # TV rules: numbers may be left out, so the task becomes solvable.
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "--tasks",
                str(tasks),
                "-n",
                "3",
                "--rules",
                "tv",
                "--template",
                "compact",
                "--quiet",
                "--output-dir",
                str(out),
                "--force",
            ]
        )
        == 0
    )
    assert capsys.readouterr().err == ""
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert rows[2]["correct"] and rows[2]["completion"] in ("100-25", "3*25")
    assert json.loads((out / "report.json").read_text())["rules"]["exact_use"] is False
    assert json.loads((out / "report.json").read_text())["metadata"]["unsolvable_tasks"] == 0
    assert main(["eval", "--tasks", str(tasks), "--min-numbers", "3", "--quiet"]) == 2
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "--tasks",
                str(tasks),
                "--quiet",
                "--no-plots",
                "--aha-phrases",
                "found it, hmm",
                "--output-dir",
                str(out),
                "--force",
            ]
        )
        == 0
    )
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
    with pytest.raises(ConfigError, match="path does not exist"):
        load_policy(str(tmp_path / "missing-dir"))
    with pytest.raises(ConfigError, match="path does not exist"):
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


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_eval_refuses_to_replace_a_report_without_force(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["eval", "--policy", "solver", "-n", "6", "--quiet", "--output-dir", str(out)]) == 0
    assert len(list(out.glob("*.png"))) == 4
    report = (out / "report.json").read_text()
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "3",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(out),
            ]
        )
        == 2
    )
    assert "already holds a report" in _one_error_line(capsys)
    assert (out / "report.json").read_text() == report
    # --force replaces the report and clears the old plots, so the folder stays consistent.
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "3",
                "--quiet",
                "--no-plots",
                "--force",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads((out / "report.json").read_text())["n"] == 3
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "samples.jsonl"]
    # A samples.jsonl alone is a report too.
    (out / "report.json").unlink()
    assert main(["eval", "--policy", "solver", "-n", "3", "--quiet", "--output-dir", str(out)]) == 2
    assert "samples.jsonl" in _one_error_line(capsys)
    assert main(["eval", "--policy", "solver", "-n", "3", "--quiet", "--output-dir", ""]) == 2
    assert "--output-dir is empty" in _one_error_line(capsys)
    assert main(["eval", "--policy", "solver", "-n", "3", "--quiet", "--force"]) == 2
    assert "--force only applies with --output-dir" in _one_error_line(capsys)
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "3",
                "--quiet",
                "--output-dir",
                str(out / "samples.jsonl"),
            ]
        )
        == 2
    )
    assert "is not a folder" in _one_error_line(capsys)


def test_eval_checks_the_device_before_loading(capsys):
    pytest.importorskip("torch")
    import torch

    assert main(["eval", "--policy", "tiny", "-n", "2", "--quiet", "--device", "gpu"]) == 2
    assert _one_error_line(capsys).endswith(
        "--device gpu: not a torch device (cpu, cuda, cuda:N, mps or auto)"
    )
    if not torch.cuda.is_available():
        assert main(["eval", "--policy", "tiny", "-n", "2", "--quiet", "--device", "cuda"]) == 2
        assert _one_error_line(capsys).endswith(
            "--device cuda: torch has no CUDA here; use --device cpu"
        )
    # The solver and the random policy run no model: the device does not matter to them.
    assert main(["eval", "--policy", "solver", "-n", "2", "--quiet", "--device", "gpu"]) == 0
    assert capsys.readouterr().err == ""


def test_eval_names_unreadable_task_and_report_files(tmp_path, capsys):
    folder = tmp_path / "not-a-dataset"
    folder.mkdir()
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    assert main(["eval", "--policy", "solver", "--quiet", "--tasks", str(folder)]) == 2
    assert f"--tasks {folder} is a folder but not a dataset" in _one_error_line(capsys)
    assert main(["eval", "--policy", "solver", "--quiet", "--tasks", str(binary)]) == 2
    assert f"--tasks {binary} is not UTF-8 text" in _one_error_line(capsys)
    assert main(["eval", "--compare", str(binary), str(binary)]) == 2
    assert f"{binary} is not UTF-8 text" in _one_error_line(capsys)
    # A training run's folder: point at its two evaluation reports.
    run = tmp_path / "train-run"
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "2",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(run / "eval_before"),
            ]
        )
        == 0
    )
    assert main(["eval", "--compare", str(run / "eval_before"), str(run)]) == 2
    err = _one_error_line(capsys)
    assert str(run / "eval_before" / "report.json") in err
    assert str(run / "eval_after" / "report.json") in err


def test_eval_max_new_tokens_is_positive_and_capped_at_the_context(tmp_path, capsys):
    pytest.importorskip("transformers")
    with pytest.raises(SystemExit) as info:
        main(["eval", "--policy", "tiny", "-n", "2", "--max-new-tokens", "0"])
    assert info.value.code == 2
    assert "--max-new-tokens: must be an integer >= 1, got 0" in capsys.readouterr().err
    out = tmp_path / "capped"
    assert (
        main(
            [
                "eval",
                "--policy",
                "tiny",
                "-n",
                "2",
                "--quiet",
                "--max-new-tokens",
                "100000",
                "--device",
                "cpu",
                "--no-plots",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    assert capsys.readouterr().err.startswith(
        "countdown eval: note: --max-new-tokens 100000 is more than the context of tiny "
        "(untrained) (128 positions, prompt included); generating only what fits\n"
    )
    report = json.loads((out / "report.json").read_text())
    assert report["sampling"]["max_new_tokens"] == 128
    assert report["length"]["tokens"]["max"] <= 128


def test_eval_names_a_folder_that_is_not_a_model(tmp_path, capsys):
    pytest.importorskip("transformers")
    empty = tmp_path / "emptydir"
    empty.mkdir()
    assert main(["eval", "--policy", str(empty), "-n", "2", "--quiet"]) == 2
    assert _one_error_line(capsys).endswith(f"{empty} is not a model directory (no config.json)")


def test_a_deleted_default_model_is_a_one_line_note(tmp_path, capsys, recwarn):
    pytest.importorskip("transformers")
    from agents.policies._cache import DefaultModelMissingWarning

    saved = tmp_path / "checkpoint"
    tiny = load_policy("tiny", device="cpu")
    tiny.model.save_pretrained(saved)
    tiny.tokenizer.save_pretrained(saved)
    register_default_model(saved)
    for path in saved.iterdir():
        path.unlink()
    saved.rmdir()
    capsys.readouterr()
    assert main(["eval", "-n", "2", "--quiet", "--device", "cpu"]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"countdown eval: note: the registered default model {saved.resolve()} is "
        "gone; using the untrained embedded model\n"
    )
    assert not [w for w in recwarn if issubclass(w.category, DefaultModelMissingWarning)]
    # The Python API still warns.
    with pytest.warns(DefaultModelMissingWarning, match="is gone"):
        assert load_policy("default", device="cpu").name == "default (untrained)"


def test_eval_generator_flags_match_generate(tmp_path, capsys):
    from countdown_env import PRESETS

    out = tmp_path / "any-target"
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "5",
                "--quiet",
                "--no-plots",
                "--max-target",
                "none",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    report = json.loads((out / "report.json").read_text())
    assert report["metadata"]["task_source"]["generator"]["max_target"] is None
    assert report["accuracy"] == 1.0
    with pytest.raises(SystemExit):
        main(["eval", "--policy", "solver", "--preset", "nope"])
    err = capsys.readouterr().err
    assert all(repr(name) in err for name in PRESETS)


def test_eval_refuses_options_it_would_ignore(tmp_path, capsys):
    a = tmp_path / "a"
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "2",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(a),
            ]
        )
        == 0
    )
    assert main(["eval", "--policy", "solver", "-n", "2", "--changed-only"]) == 2
    assert "--changed-only only applies with --compare" in _one_error_line(capsys)
    assert (
        main(
            [
                "eval",
                "--compare",
                str(a),
                str(a),
                "--policy",
                "tiny",
                "-n",
                "3",
                "--output-dir",
                str(tmp_path / "cmpx"),
            ]
        )
        == 2
    )
    assert _one_error_line(capsys).endswith(
        "--compare only reads two reports and runs nothing; drop --policy, --num-tasks, "
        "--output-dir (or run the evaluation first, then compare)"
    )
    assert not (tmp_path / "cmpx").exists()
    assert main(["eval", "--compare", str(a), str(a), "--changed-only"]) == 0
    assert capsys.readouterr().out.strip() == "metric  A  B  B - A"


# ----- issue 14 items 1 and 2: optional dependencies, report files as one unit ------------------
_WITHOUT = """
import sys
blocked = set(sys.argv[1].split(","))


class Uninstalled:
    # as if these packages were never installed ('pip install -e .' without the train extra)
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Uninstalled())
from agents.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _countdown_without(packages: str, *argv: str):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, packages, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_eval_without_matplotlib_writes_the_report_without_plots(tmp_path):
    out = tmp_path / "run"
    done = _countdown_without(
        "matplotlib", "eval", "--policy", "solver", "-n", "5", "--quiet", "--output-dir", str(out)
    )
    assert done.returncode == 0, done.stderr
    note = done.stderr.strip().splitlines()
    assert len(note) == 1 and "matplotlib is not installed" in note[0], note
    assert note[0].startswith("countdown eval: note: ")
    report = json.loads((out / "report.json").read_text())
    assert report["plots"] == [] and "matplotlib is not installed" in report["notes"][0]
    assert len((out / "samples.jsonl").read_text().splitlines()) == 5
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "samples.jsonl"]


def test_eval_solver_and_random_need_no_torch(tmp_path):
    for policy in ("solver", "random"):
        out = tmp_path / policy
        done = _countdown_without(
            "torch,transformers,trl,accelerate",
            "eval",
            "--policy",
            policy,
            "-n",
            "4",
            "--quiet",
            "--no-plots",
            "--output-dir",
            str(out),
        )
        assert done.returncode == 0, done.stderr
        assert json.loads((out / "report.json").read_text())["n"] == 4


def test_an_interrupted_report_write_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    import agents.evaluation._plots
    from agents.evaluation._harness import evaluate, write_report
    from countdown_env import generate

    report = evaluate(SolverPolicy(), generate(3, seed=1), progress=False)
    out = tmp_path / "run"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(agents.evaluation._plots, "plot_report", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(report, out)
    assert sorted(p.name for p in out.iterdir()) == []  # no samples.jsonl without report.json
    monkeypatch.undo()
    write_report(report, out, plots=False)
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(agents.evaluation._plots, "plot_report", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(evaluate(SolverPolicy(), generate(5, seed=2), progress=False), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # the old report, whole


def test_eval_output_dir_must_be_a_folder_and_report_files_regular(tmp_path, capsys):
    import stat

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    bad = [(pipe, "is not a folder"), (tmp_path / "file", "is not a folder")]
    (tmp_path / "file").write_text("keep")
    if os.geteuid() == 0:  # a node like /dev/null, made here: the real one is never touched
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        bad.append((tmp_path / "null", "is not a folder"))
    for path, message in bad:
        assert (
            main(
                [
                    "eval",
                    "--policy",
                    "solver",
                    "-n",
                    "2",
                    "--quiet",
                    "--force",
                    "--output-dir",
                    str(path),
                ]
            )
            == 2
        )
        assert message in _one_error_line(capsys)
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and (tmp_path / "file").read_text() == "keep"
    # A report file that is a named pipe is refused before any work, even with --force.
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "samples.jsonl")
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "2",
                "--quiet",
                "--force",
                "--output-dir",
                str(out),
            ]
        )
        == 2
    )
    assert "samples.jsonl: it is a named pipe (FIFO), not a regular file" in _one_error_line(capsys)
    assert stat.S_ISFIFO(os.lstat(out / "samples.jsonl").st_mode)
    # A link to a folder is written through; the link stays.
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    assert (
        main(
            [
                "eval",
                "--policy",
                "solver",
                "-n",
                "2",
                "--quiet",
                "--no-plots",
                "--output-dir",
                str(tmp_path / "link"),
            ]
        )
        == 0
    )
    assert (tmp_path / "link").is_symlink()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["report.json", "samples.jsonl"]
