"""Shared test set-up: no test reads or writes the user's own countdown-rl cache."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_countdown_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point ``$COUNTDOWN_HOME`` at a fresh directory for the whole session.

    Training runs register their final model as the default policy there, and GGUF conversions
    are cached there; subprocesses (``countdown``, ``accelerate launch``) inherit it too.
    Tests that need their own home still set it with ``monkeypatch``.
    """
    previous = os.environ.get("COUNTDOWN_HOME")
    os.environ["COUNTDOWN_HOME"] = str(tmp_path_factory.mktemp("countdown-home"))
    yield
    if previous is None:
        os.environ.pop("COUNTDOWN_HOME", None)
    else:
        os.environ["COUNTDOWN_HOME"] = previous
