"""The docs site: every Python example in the pages runs as written, and the site builds strictly.

Each page's ```` ```pycon ```` blocks are run as one doctest, in order, in a fresh temporary
directory (examples that write files write there), so a page that drifts from the code fails
here with the example and its actual output. The strict build (``mkdocs build --strict``: broken
links, unparsable docstrings, a missing BENCHMARKS.md) is skipped when the ``docs`` extra is not
installed.
"""

from __future__ import annotations

import doctest
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
# Pages whose examples need the `train` extra (torch, transformers, trl, datasets).
_NEEDS_TRAIN = {"tutorials/evaluate.md", "tutorials/train.md", "tutorials/tasks-and-envs.md"}
# Pages whose examples need an optional package of their own (an extra beside `train`).
_NEEDS_MODULES = {"integrations.md": ("reasoning_gym",)}


def _examples(page: str) -> str:
    """The page with everything but its pycon blocks blanked, so doctest's line numbers hold."""
    kept, inside = [], False
    for line in (DOCS / page).read_text(encoding="utf-8").splitlines():
        opens = line.strip() == "```pycon"
        closes = inside and line.strip() == "```"
        kept.append(line if inside and not closes else "")
        inside = opens or (inside and not closes)
    return "\n".join(kept) + "\n"


def test_pages_are_found():
    assert "tutorials/verify.md" in PAGES and "index.md" in PAGES


@pytest.mark.parametrize("page", [p for p in PAGES if "```pycon" in (DOCS / p).read_text()])
def test_page_examples_run(page, tmp_path, monkeypatch):
    if page in _NEEDS_TRAIN:
        for module in ("torch", "datasets", "matplotlib"):
            pytest.importorskip(module)
    for module in _NEEDS_MODULES.get(page, ()):
        pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(_examples(page), {}, page, str(DOCS / page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []  # doctest swaps sys.stdout while it runs: collect, do not print
    result = runner.run(test, out=report.append)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page} failed:\n" + "".join(
        report
    )


def test_site_builds_strictly(tmp_path):
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"the docs extra is not installed ({module} missing)")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "reference" / "verifiers" / "index.html").is_file()
