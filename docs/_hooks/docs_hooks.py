"""MkDocs hooks for the docs site (loaded by ``mkdocs.yml``); not part of the packages.

``<!-- countdown-help: COMMAND -->`` on a line of its own is replaced by the output of
``countdown COMMAND --help`` (``countdown --help`` for ``-``), so the command-line reference is
always the parser's own text. ``train`` is cut before TRL's full option list, which
``countdown train --help`` prints after the project's summary.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

_MARKER = re.compile(r"^<!-- countdown-help: (?P<command>[\w-]+) -->$", re.MULTILINE)
_ROOT = Path(__file__).resolve().parents[2]
_MAIN = "import sys; from agents.cli import main; sys.exit(main(sys.argv[1:]))"


@cache
def _help(command: str) -> str:
    argv = ["--help"] if command == "-" else [command, "--help"]
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _MAIN, *argv],
        capture_output=True,
        text=True,
        cwd=_ROOT,
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"countdown {' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    text = done.stdout
    second_usage = text.find("\nusage:", text.find("usage:") + 1)
    if second_usage != -1:
        text = text[:second_usage]
    return text.rstrip()


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each help marker by a text block with that command's help."""
    return _MARKER.sub(lambda m: f"```text\n{_help(m.group('command'))}\n```", markdown)
