"""Where models live on disk: the cache folder, the registered default model, offline checks.

The cache (converted GGUF files, the pointer to the checkpoint ``countdown train`` registered as
the default policy) lives in ``$COUNTDOWN_HOME``, else ``~/.cache/countdown-rl``.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

from countdown_env.files import write_text_atomic
from verifiers.errors import ConfigError, DependencyError

__all__ = [
    "DefaultModelMissingWarning",
    "cache_dir",
    "default_entry",
    "default_model_path",
    "hub_offline",
    "missing_default_model",
    "register_default_model",
    "require_transformers",
]

_TRAIN_EXTRA = "pip install 'countdown-rl[train]'"


class DefaultModelMissingWarning(UserWarning):
    """The checkpoint registered as the default model was deleted; the untrained embedded model
    is used instead. (``countdown eval`` prints it as a one-line note.)"""


def require_transformers() -> Any:
    """Import and return ``transformers`` (and torch), or raise :class:`DependencyError`."""
    try:
        import torch  # noqa: F401 - transformers models need it; fail here with the fix
        import transformers
    except ImportError as err:
        raise DependencyError(
            f"language-model policies need torch and transformers: {_TRAIN_EXTRA}"
        ) from err
    return transformers


def cache_dir() -> Path:
    """``$COUNTDOWN_HOME`` if set, else ``~/.cache/countdown-rl`` (not created here)."""
    home = os.environ.get("COUNTDOWN_HOME")
    return Path(home).expanduser() if home else Path.home() / ".cache" / "countdown-rl"


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids downloads."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _pointer() -> Path:
    return cache_dir() / "default_model.json"


def register_default_model(path: str | os.PathLike[str], *, template: str | None = None) -> Path:
    """Make the checkpoint in ``path`` what ``--policy default`` loads from now on.

    Writes ``default_model.json`` (the absolute path, and the prompt template the model was
    trained with when given) into :func:`cache_dir`, atomically. Returns the pointer file.
    ``countdown train`` calls this at the end of a run.
    """
    target = Path(path).expanduser().resolve()
    if not (target / "config.json").is_file():
        raise ConfigError(f"{target} is not a saved model directory (no config.json)")
    if template is not None:
        from countdown_env import get_template

        get_template(template)
    pointer = _pointer()
    pointer.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(pointer, json.dumps({"path": str(target), "template": template}))
    return pointer


def _read_pointer() -> tuple[Path, str | None] | None:
    """The registered path and template, or ``None`` without a registration."""
    pointer = _pointer()
    if not pointer.is_file():
        return None
    try:
        entry = json.loads(pointer.read_text(encoding="utf-8"))
        return Path(entry["path"]), entry.get("template")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise ConfigError(f"{pointer} is not a valid default-model pointer: {err}") from err


def missing_default_model() -> Path | None:
    """The registered default checkpoint when it has been deleted since, else ``None``."""
    entry = _read_pointer()
    if entry is None or (entry[0] / "config.json").is_file():
        return None
    return entry[0]


def default_entry() -> tuple[Path, str | None] | None:
    """The registered default model (its folder and prompt template), or None when none is
    registered or the registered folder is gone (then with a
    :class:`DefaultModelMissingWarning`)."""
    entry = _read_pointer()
    if entry is None:
        return None
    target = entry[0]
    if not (target / "config.json").is_file():
        warnings.warn(
            f"the registered default model {target} is gone; using the untrained embedded model",
            DefaultModelMissingWarning,
            stacklevel=3,
        )
        return None
    return entry


def default_model_path() -> Path | None:
    """The registered default checkpoint, or ``None`` (no registration, or it was deleted)."""
    entry = default_entry()
    return None if entry is None else entry[0]
