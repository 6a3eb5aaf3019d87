"""Policy and model specs are sorted locally first: a typo fails at once, never via the hub."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from agents.cli import main
from agents.policies._models import ModelSpec, load_policy, resolve_model_spec
from verifiers.errors import ConfigError


@pytest.fixture(autouse=True)
def hub_allowed(monkeypatch):
    """Downloads allowed, so a regression to hub look-ups (~50 s of retries) would show."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail the test instead of waiting out the hub's retries."""

    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s: a hub look-up?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_misspelt_policy_fails_at_once_with_the_closest_name():
    start = time.monotonic()
    with deadline(10), pytest.raises(ConfigError, match="did you mean solver"):
        load_policy("solvr")
    assert time.monotonic() - start < 1.0


def test_eval_with_a_misspelt_policy_exits_2_at_once_with_a_suggestion(capsys):
    start = time.monotonic()
    with deadline(10):
        code = main(["eval", "--policy", "solvr", "-n", "2", "--quiet"])
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean solver?" in err and len(err.strip().splitlines()) == 1
    assert elapsed < 2.0


@pytest.mark.parametrize(
    "spec",
    [
        "./no-such-model",
        "~/no-such-model-dir-xyz",
        "model.gguf",
        "weights.safetensors",
        "/no/such/dir/at/all",
    ],
)
def test_a_path_like_spec_that_does_not_exist_says_so(spec):
    with deadline(10), pytest.raises(ConfigError, match="path does not exist"):
        resolve_model_spec(spec)


def test_a_missing_path_beside_real_ones_suggests_the_closest(tmp_path):
    (tmp_path / "final").mkdir()
    (tmp_path / "final" / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match=r"path does not exist.*did you mean.*final"):
        resolve_model_spec(str(tmp_path / "finla"))
    assert resolve_model_spec(str(tmp_path / "final")) == ModelSpec(
        "directory", str(tmp_path / "final")
    )


def test_only_owner_slash_name_is_left_for_the_hub(tmp_path, monkeypatch):
    assert resolve_model_spec("HuggingFaceTB/SmolLM2-135M-Instruct").kind == "hub"
    with pytest.raises(ConfigError, match="owner/name"):
        resolve_model_spec("gpt2")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    # runs/ exists here, so runs/final is a path with a typo, not a hub id.
    with pytest.raises(ConfigError, match="path does not exist"):
        resolve_model_spec("runs/final")


def test_names_are_case_insensitive_and_the_caller_chooses_them():
    assert resolve_model_spec(" Random ") == ModelSpec("name", "random")
    assert resolve_model_spec(
        "embedded", names=("tiny", "embedded", "smollm2"), what="model"
    ) == ModelSpec("name", "embedded")
    with pytest.raises(ConfigError, match="unknown model 'smolm2'; did you mean smollm2"):
        resolve_model_spec("smolm2", names=("tiny", "smollm2"), what="model")


def test_an_existing_file_that_is_not_a_model_is_named(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hi")
    with pytest.raises(ConfigError, match=r"not a \.gguf model"):
        resolve_model_spec(str(notes))
