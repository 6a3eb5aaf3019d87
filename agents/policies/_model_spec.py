"""Model specs: what a ``--policy`` or ``--model`` value names, decided without loading anything.

:func:`resolve_model_spec` sorts a spec into a known name, a local model directory, a ``.gguf``
file or a hub id (a :class:`ModelSpec`), refusing a misspelt name or a missing path at once.
:func:`~agents.policies.load_policy` then builds the policy it names.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verifiers.errors import ConfigError

__all__ = ["MODEL_FILE_SUFFIXES", "NAMED_POLICIES", "ModelSpec", "resolve_model_spec"]

NAMED_POLICIES: tuple[str, ...] = ("solver", "random", "default", "tiny", "smollm2")
"""Specs :func:`load_policy` knows by name (anything else is a path or a hub id)."""

MODEL_FILE_SUFFIXES: tuple[str, ...] = (
    ".gguf",
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
)
"""Endings that make a spec a file path, never a name or a hub id."""

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
"""``owner/name``: the only shape of spec that is looked up on the hub."""


@dataclass(frozen=True)
class ModelSpec:
    """What a policy or model spec names, decided without loading anything.

    ``kind`` is ``"name"`` (``value`` is the lower-cased name), ``"directory"`` or ``"gguf"``
    (``value`` is the expanded local path) or ``"hub"`` (``value`` is the ``owner/name`` id).
    """

    kind: str
    value: str


def _closest(word: str, choices: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _looks_like_path(spec: str) -> bool:
    return (
        os.sep in spec
        or "/" in spec
        or (os.altsep is not None and os.altsep in spec)
        or spec.startswith((".", "~"))
        or spec.lower().endswith(MODEL_FILE_SUFFIXES)
    )


def _missing_path(spec: str, path: Path) -> ConfigError:
    """ "path does not exist", with the closest sibling when the folder exists."""
    hint = ""
    parent = path.parent
    try:
        siblings = [entry.name for entry in parent.iterdir()] if parent.is_dir() else []
    except OSError:
        siblings = []
    near = _closest(path.name, siblings)
    if near is not None:
        hint = f"; did you mean {str(parent / near)!r}?"
    return ConfigError(f"path does not exist: {spec}{hint}")


def resolve_model_spec(
    spec: str, *, names: Sequence[str] = NAMED_POLICIES, what: str = "policy"
) -> ModelSpec:
    """Sort ``spec`` into a known name, a local model (directory or ``.gguf`` file) or a hub id.

    Local names and paths are checked first and nothing here touches the network, so a typo
    fails at once: an unknown bare word gets the closest name (``"did you mean solver?"``), and
    a path-like value (it holds a path separator, starts with ``.`` or ``~``, or ends with a
    model-file suffix such as ``.gguf``) that does not exist gets "path does not exist". Only
    an ``owner/name`` id that is not a local path is left for the hub. ``countdown eval
    --policy`` and ``countdown train --model`` share this.

    Args:
        spec: the value the user gave.
        names: the names known locally (default :data:`NAMED_POLICIES`); compared
            case-insensitively.
        what: how errors call the spec (``"policy"``, ``"model"``).

    >>> resolve_model_spec("Solver")
    ModelSpec(kind='name', value='solver')
    >>> resolve_model_spec("HuggingFaceTB/SmolLM2-135M-Instruct").kind
    'hub'
    >>> resolve_model_spec("solvr")
    Traceback (most recent call last):
    ...
    verifiers.errors.ConfigError: unknown policy 'solvr'; did you mean solver? ...
    """
    known = [name for name in names if name]
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(
            f"{what} spec must be a non-empty string; known names: {', '.join(known)}"
        )
    spec = spec.strip()
    lowered = spec.lower()
    if lowered in {name.lower() for name in known}:
        return ModelSpec("name", lowered)
    path = Path(spec).expanduser()
    if path.is_dir():
        return ModelSpec("directory", str(path))
    if path.is_file():
        if path.suffix.lower() == ".gguf":
            return ModelSpec("gguf", str(path))
        raise ConfigError(
            f"{spec} is a file but not a .gguf model; give a model directory "
            "(saved with save_pretrained) or a .gguf file"
        )
    if path.exists():
        raise ConfigError(f"{spec} is neither a model directory nor a .gguf file")
    # 'runs/final' beside an existing runs/ is a mistyped path, not a hub id.
    if (
        _HUB_ID.match(spec)
        and not lowered.endswith(MODEL_FILE_SUFFIXES)
        and not path.parent.is_dir()
    ):
        return ModelSpec("hub", spec)
    if _looks_like_path(spec):
        raise _missing_path(spec, path)
    near = _closest(lowered, [name.lower() for name in known])
    hint = f"did you mean {near}? " if near is not None else ""
    raise ConfigError(
        f"unknown {what} {spec!r}; {hint}known names: {', '.join(known)}; or "
        "give a model directory, a .gguf file, or a hub id as owner/name"
    )
