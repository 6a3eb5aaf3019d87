"""Name clashes said, not suffered: another distribution providing ``verifiers`` or ``agents``.

Each test installs a stand-in distribution (a ``*.dist-info`` folder, as pip leaves it) into a
temporary directory put on the path of a fresh interpreter, then imports ``countdown_env`` or
starts ``countdown`` there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def install_stand_in(
    site: Path, name: str, version: str, top_level: str, *, with_top_level_txt: bool
) -> None:
    """What pip leaves for a wheel: the package, METADATA, RECORD and (setuptools builds)
    top_level.txt."""
    (site / top_level).mkdir(parents=True, exist_ok=True)
    (site / top_level / "__init__.py").write_text("")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "RECORD").write_text(
        f"{top_level}/__init__.py,sha256=x,10\n{top_level}/core.py,sha256=y,20\n"
        f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n"
    )
    if with_top_level_txt:
        (info / "top_level.txt").write_text(f"{top_level}\n")


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("name", "top_level", "with_top_level_txt"),
    [
        ("verifiers", "verifiers", False),
        ("openai-agents", "agents", False),
        ("other-verifiers", "verifiers", True),
    ],
)
def test_import_countdown_env_names_the_other_distribution(
    tmp_path: Path, name: str, top_level: str, with_top_level_txt: bool
) -> None:
    install_stand_in(tmp_path, name, "0.1.9", top_level, with_top_level_txt=with_top_level_txt)
    result = run(tmp_path, "-c", "import countdown_env")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("verifiers.integrations.conflicts.NameClashError: countdown-rl")
    assert f"'{top_level}' is also installed by {name} 0.1.9" in last
    assert "separate virtual environment" in last and "python -m venv" in last


def test_countdown_says_it_in_one_line(tmp_path: Path) -> None:
    install_stand_in(tmp_path, "openai-agents", "0.2.0", "agents", with_top_level_txt=False)
    result = run(tmp_path, "-m", "agents.cli", "verify", "--nums", "1", "2", "-t", "3", "1+2")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("countdown: error: countdown-rl cannot work in this environment")
    assert "openai-agents 0.2.0 (the OpenAI Agents SDK)" in lines[0]


def test_both_clashes_are_named(tmp_path: Path) -> None:
    install_stand_in(tmp_path, "verifiers", "0.1.9", "verifiers", with_top_level_txt=False)
    install_stand_in(tmp_path, "openai-agents", "0.2.0", "agents", with_top_level_txt=True)
    result = run(tmp_path, "-m", "agents.cli", "solve", "--nums", "1", "2", "-t", "3")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "'verifiers' is also installed by verifiers 0.1.9 (the verifiers library" in line
    assert "'agents' is also installed by openai-agents 0.2.0" in line


def test_unrelated_and_own_distributions_are_no_clash(tmp_path: Path) -> None:
    install_stand_in(tmp_path, "verifiers-x", "1.0", "verifiers_x", with_top_level_txt=False)
    install_stand_in(tmp_path, "agentsmith", "1.0", "agentsmith", with_top_level_txt=True)
    install_stand_in(tmp_path, "countdown_rl", "0.0.1", "verifiers", with_top_level_txt=True)
    verify = ["verify", "--bare", "--nums", "1", "2", "-t", "3", "1+2"]
    result = run(tmp_path, "-m", "agents.cli", *verify)
    assert result.returncode == 0, result.stderr
    assert run(tmp_path, "-c", "import countdown_env").returncode == 0
