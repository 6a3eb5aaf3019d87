"""The model a training run starts from: the embedded tiny model, a GGUF file, or any causal LM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verifiers.errors import ConfigError

__all__ = ["EMBEDDED_SPECS", "load_model_and_tokenizer", "resolve_template"]

EMBEDDED_SPECS = (None, "", "tiny", "default", "embedded")
"""``--model_name_or_path`` values meaning "the embedded tiny model, freshly built"."""


def _pretrained(path: str | Path, model_args: Any) -> tuple[Any, Any]:
    from agents.models import hub_offline, require_transformers

    transformers = require_transformers()
    kwargs: dict[str, Any] = {}
    dtype = getattr(model_args, "dtype", None)
    if dtype not in (None, "auto"):
        import torch

        kwargs["dtype"] = getattr(torch, dtype)
    if getattr(model_args, "attn_implementation", None):
        kwargs["attn_implementation"] = model_args.attn_implementation
    kwargs["trust_remote_code"] = bool(getattr(model_args, "trust_remote_code", False))
    revision = getattr(model_args, "model_revision", None)
    if revision and not Path(path).exists():
        kwargs["revision"] = revision
    if not Path(path).exists() and hub_offline():
        raise ConfigError(
            f"model {str(path)!r} is not a local directory and HF_HUB_OFFLINE is set, so it is "
            "not downloaded; give a local path, 'smollm2', a .gguf file, or unset HF_HUB_OFFLINE"
        )
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        model = transformers.AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as err:
        raise ConfigError(f"could not load a causal LM from {path}: {err}") from err
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return model, tokenizer


def load_model_and_tokenizer(
    model_args: Any, layout: Any = None, *, path: Path | None = None
) -> tuple[Any, Any, bool]:
    """``(model, tokenizer, embedded)`` for a run.

    ``path`` (a stage's saved checkpoint, e.g. the warm-started model) wins over the spec; the
    ``embedded`` flag still reports whether the run is on the embedded tiny model.
    """
    spec = getattr(model_args, "model_name_or_path", None)
    embedded = spec in EMBEDDED_SPECS
    if path is not None:
        model, tokenizer = _pretrained(path, model_args)
        return model, tokenizer, embedded
    if embedded:
        from agents.models import require_transformers
        from agents.tiny import build_model, build_tokenizer

        require_transformers()
        tokenizer = build_tokenizer()
        seed = int(getattr(model_args, "embedded_seed", 0) or 0)
        return build_model(tokenizer, seed=seed), tokenizer, True
    if spec.lower() == "smollm2":
        from agents.gguf import convert_gguf, smollm2_path

        return (*_pretrained(convert_gguf(smollm2_path()), model_args), False)
    if spec.lower().endswith(".gguf"):
        from agents.gguf import convert_gguf

        return (*_pretrained(convert_gguf(spec), model_args), False)
    return (*_pretrained(spec, model_args), False)


def resolve_template(template: str | None, tokenizer: Any, embedded: bool) -> str:
    """The prompt template: as given, else compact (embedded), chat (chat template) or tinyzero."""
    if template:
        return template
    if embedded:
        return "compact"
    return "chat" if getattr(tokenizer, "chat_template", None) else "tinyzero"
