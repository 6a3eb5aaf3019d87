"""countdown train refuses bad values up front, in one line naming the flag (issue 14 items 3, 6),
and picks CPU settings (precision, threads) by documented rules (issue 10 items 0, 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl")

from agents.cli import main
from agents.policies._devices import auto_threads, cpu_flags, native_bf16, parse_threads
from verifiers.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_empty_output_dir_is_refused_not_read_as_here(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--output-dir", ""]) == 2
    assert "--output-dir is empty" in _one_line_error(capsys)
    assert main(["train", "--output-dir=  "]) == 2
    assert "--output-dir is empty" in _one_line_error(capsys)
    assert not any(tmp_path.iterdir())


def test_output_dir_that_is_a_device_or_fifo_is_refused(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in ("/dev/null", str(fifo)):
        assert main(["train", "--output-dir", path]) == 2
        assert "not a directory" in _one_line_error(capsys)


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--num_generations", "0"),
        ("--num_generations", "1"),
        ("--per_device_train_batch_size", "0"),
        ("--per_device_train_batch_size", "6"),  # not a multiple of num_generations (4)
        ("--max_completion_length", "0"),
        ("--learning_rate", "0"),
        ("--learning_rate", "-1e-3"),
        ("--temperature", "0"),
        ("--max_steps", "0"),
        ("--save_steps", "0"),
        ("--time_budget_seconds", "-1"),
        ("--save_minutes", "-1"),
        ("--threads", "0"),
    ],
)
def test_bad_training_values_are_one_line_naming_the_flag(
    tmp_path: Path, capsys, flag: str, value: str
) -> None:
    out = tmp_path / "run"
    argv = [
        "train",
        "--output-dir",
        str(out),
        "--num_generations",
        "4",
        "--per_device_train_batch_size",
        "8",
        f"{flag}={value}",
    ]
    assert main(argv) == 2
    assert flag.lstrip("-") in _one_line_error(capsys)
    assert not out.exists()  # refused before the run's folder is made


def test_missing_model_path_says_path_does_not_exist(tmp_path: Path, capsys) -> None:
    for spec in ("/nonexistent", "./no-model-here", "~/no/such/model.gguf"):
        assert main(["train", "--output-dir", str(tmp_path / "run"), "--model", spec]) == 2
        assert f"path does not exist: {spec}" in _one_line_error(capsys)
    assert not (tmp_path / "run").exists()


def test_native_bf16_is_read_from_the_cpu_flags() -> None:
    assert not native_bf16(frozenset({"avx2", "avx512f", "fma"}), "x86_64")
    assert native_bf16(frozenset({"avx2", "avx512_bf16"}), "x86_64")
    assert native_bf16(frozenset({"amx_bf16"}), "AMD64")
    assert native_bf16(frozenset({"asimd", "bf16"}), "aarch64")
    assert not native_bf16(frozenset({"asimd", "sve"}), "aarch64")
    assert not native_bf16(frozenset({"avx512_bf16"}), "riscv64")


def test_cpu_flags_come_from_cpuinfo_text() -> None:
    x86 = "processor\t: 0\nflags\t\t: fpu avx2 AVX512_BF16\n\nprocessor\t: 1\nflags\t: fpu\n"
    assert cpu_flags(x86) == {"fpu", "avx2", "avx512_bf16"}
    arm = "processor\t: 0\nFeatures\t: fp asimd bf16 i8mm\n"
    assert "bf16" in cpu_flags(arm)


def test_auto_threads_rule() -> None:
    assert auto_threads(2) == (2, 1)
    assert auto_threads(1) == (1, 1)
    assert auto_threads(96) == (8, 1)  # capped: tiny models gain nothing from more
    assert auto_threads(2, "1") == (1, 1)  # the user's OMP_NUM_THREADS holds
    assert auto_threads(2, "0") == (2, 1) and auto_threads(2, "many") == (2, 1)
    assert auto_threads(2, None, processes=2) == (1, 1)  # accelerate launch: cores shared
    assert auto_threads(2, None, processes=4) == (1, 1)
    assert parse_threads("auto") is None and parse_threads("3") == 3
    for bad in ("0", "-1", "two", ""):
        with pytest.raises(ConfigError, match="--threads"):
            parse_threads(bad)


def _train_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return {**env, **extra}


def test_train_sets_a_passive_omp_wait_policy_before_torch_loads(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from agents.cli import main\n"
        "assert 'torch' not in sys.modules\n"
        f"code = main(['train', '--output-dir', {str(tmp_path / 'r')!r}, '--threads', '0'])\n"
        "print(code, os.environ.get('OMP_WAIT_POLICY'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_train_env(),
        timeout=300,
        check=False,
    )
    assert done.stdout.split() == ["2", "PASSIVE"], done.stderr
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_train_env(OMP_WAIT_POLICY="ACTIVE"),
        timeout=300,
        check=False,
    )
    assert done.stdout.split() == ["2", "ACTIVE"], done.stderr  # the user's choice holds


def test_explicit_gradient_checkpointing_wins_on_cpu() -> None:
    pytest.importorskip("transformers")
    from types import SimpleNamespace

    from agents.policies._tiny import build_model, build_tokenizer
    from agents.training._cpu_settings import checkpointing_for_cpu as _checkpointing_for_cpu

    model = build_model(build_tokenizer(), seed=0)
    args = SimpleNamespace(gradient_checkpointing=True, activation_checkpointing=True)
    chosen = _checkpointing_for_cpu(model, args, {"cpu_run": True, "checkpointing_chosen": True})
    assert args.gradient_checkpointing is True and chosen["gradient_checkpointing"] is True
    _checkpointing_for_cpu(model, args, {"cpu_run": True, "checkpointing_chosen": False})
    assert args.gradient_checkpointing is False and args.activation_checkpointing is False


def test_cpu_runs_load_bf16_checkpoints_in_float32(tmp_path) -> None:
    pytest.importorskip("transformers")
    from types import SimpleNamespace

    import torch

    from agents.policies._tiny import build_model, build_tokenizer
    from agents.training._model import load_model_and_tokenizer

    tokenizer = build_tokenizer()
    build_model(tokenizer, seed=0).to(torch.bfloat16).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    spec = SimpleNamespace(model_name_or_path=str(tmp_path), dtype=None)
    model, _, _ = load_model_and_tokenizer(spec, float32=True)
    assert next(model.parameters()).dtype == torch.float32  # master weights, not pure bf16
    model, _, _ = load_model_and_tokenizer(spec)
    assert next(model.parameters()).dtype == torch.bfloat16  # the checkpoint's own ("auto")
    spec.dtype = "bfloat16"  # the user's --dtype wins
    model, _, _ = load_model_and_tokenizer(spec, float32=True)
    assert next(model.parameters()).dtype == torch.bfloat16
