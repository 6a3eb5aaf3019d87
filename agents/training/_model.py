"""The model a training run starts from: the embedded tiny model, a GGUF file, or any causal LM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verifiers.errors import ConfigError, DependencyError

__all__ = [
    "EMBEDDED_SPECS",
    "load_model_and_tokenizer",
    "model_path_problem",
    "peft_config",
    "prepare_tool_tokenizer",
    "resolve_template",
]

EMBEDDED_SPECS = (None, "", "tiny", "default", "embedded")
"""``--model_name_or_path`` values meaning "the embedded tiny model, freshly built"."""


def model_path_problem(spec: str) -> str | None:
    """``"path does not exist: X"`` for a ``--model`` value that is written as a path (absolute,
    ``./``, ``../``, ``~``, a ``.gguf`` file, a backslash or more than one ``/``) and is not
    there; ``None`` otherwise. A bare name or an ``owner/name`` hub id is left to the loader.

    >>> model_path_problem("/no/such/model"), model_path_problem("HuggingFaceTB/SmolLM2-135M")
    ('path does not exist: /no/such/model', None)
    """
    if spec in EMBEDDED_SPECS or spec.lower() == "smollm2":
        return None
    looks_like_path = (
        spec.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or spec in (".", "..")
        or spec.lower().endswith(".gguf")
        or "\\" in spec
        or spec.count("/") > 1
    )
    if looks_like_path and not Path(spec).expanduser().exists():
        return f"path does not exist: {spec}"
    return None


def _pretrained(path: str | Path, model_args: Any, float32: bool = False) -> tuple[Any, Any]:
    from agents.policies._models import hub_offline, require_transformers

    transformers = require_transformers()
    kwargs: dict[str, Any] = {}
    dtype = getattr(model_args, "dtype", None)
    if dtype not in (None, "auto"):
        import torch

        kwargs["dtype"] = getattr(torch, dtype)
    elif float32:
        import torch

        # transformers 5 loads a checkpoint in its own dtype ("auto"); bf16 weights would train
        # in pure bf16. Weights stay float32; --bf16 only adds autocast.
        kwargs["dtype"] = torch.float32
    if getattr(model_args, "attn_implementation", None):
        kwargs["attn_implementation"] = model_args.attn_implementation
    kwargs["trust_remote_code"] = bool(getattr(model_args, "trust_remote_code", False))
    revision = getattr(model_args, "model_revision", None)
    if revision and not Path(path).exists():
        kwargs["revision"] = revision
    if Path(path).is_dir() and not (Path(path) / "config.json").is_file():
        raise ConfigError(f"{path} is not a model directory (no config.json)")
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
    model_args: Any,
    layout: Any = None,
    *,
    path: Path | None = None,
    float32: bool = False,
    embedded_config: Any = None,
) -> tuple[Any, Any, bool]:
    """``(model, tokenizer, embedded)`` for a run.

    ``embedded_config`` (a :class:`~agents.policies._tiny.TinyModelConfig`) sizes a freshly
    built embedded model (default: the ~1M-parameter one).

    ``path`` (a stage's saved checkpoint, e.g. the warm-started model) wins over the spec; the
    ``embedded`` flag still reports whether the run is on the embedded tiny model. ``float32``
    (CPU runs) loads the weights in float32 unless ``--dtype`` names another type.
    """
    spec = getattr(model_args, "model_name_or_path", None)
    embedded = spec in EMBEDDED_SPECS
    if path is not None:
        model, tokenizer = _pretrained(path, model_args, float32)
        return model, tokenizer, embedded
    if embedded or spec is None:  # None is one of the EMBEDDED_SPECS
        from agents.policies._models import require_transformers
        from agents.policies._tiny import build_model, build_tokenizer

        require_transformers()
        tokenizer = build_tokenizer()
        seed = int(getattr(model_args, "embedded_seed", 0) or 0)
        return build_model(tokenizer, seed=seed, config=embedded_config), tokenizer, True
    if spec.lower() == "smollm2":
        from agents.policies._gguf import convert_gguf, smollm2_path

        return (*_pretrained(convert_gguf(smollm2_path()), model_args, float32), False)
    if spec.lower().endswith(".gguf"):
        from agents.policies._gguf import convert_gguf

        return (*_pretrained(convert_gguf(spec), model_args, float32), False)
    return (*_pretrained(spec, model_args, float32), False)


def peft_config(model_args: Any) -> Any:
    """TRL's ``get_peft_config(model_args)``: a ``peft.LoraConfig`` with ``--use_peft``, else None.

    Raises:
        DependencyError: ``--use_peft`` without the peft package.
        ConfigError: a LoRA value that cannot train (``--lora_r 0``, a dropout outside [0, 1)).
    """
    if not getattr(model_args, "use_peft", False):
        return None
    import importlib.util
    import math

    if importlib.util.find_spec("peft") is None:
        raise DependencyError("--use_peft needs peft: pip install 'countdown-rl[peft]'")
    r, alpha, dropout = model_args.lora_r, model_args.lora_alpha, model_args.lora_dropout
    if not r >= 1:
        raise ConfigError(f"--lora_r must be >= 1, got {r!r}")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ConfigError(f"--lora_alpha must be a finite number > 0, got {alpha!r}")
    if not 0 <= dropout < 1:
        raise ConfigError(f"--lora_dropout must be in [0, 1), got {dropout!r}")
    from trl import get_peft_config

    try:
        return get_peft_config(model_args)
    except ValueError as err:
        raise ConfigError(f"--use_peft: {err}") from err


def resolve_template(template: str | None, tokenizer: Any, embedded: bool) -> str:
    """The prompt template: as given, else compact (embedded), chat (chat template) or tinyzero."""
    if template:
        return template
    if embedded:
        return "compact"
    return "chat" if getattr(tokenizer, "chat_template", None) else "tinyzero"


def prepare_tool_tokenizer(tokenizer: Any, template: str = "qwen2_5") -> Any:
    """Give a tokenizer one of TRL's tool-calling chat templates and its response parser.

    Sets ``tokenizer.chat_template`` to ``trl.chat_template_utils.<template>_chat_template``
    and calls TRL's ``add_response_schema``, so ``GRPOTrainer`` can render the tool schema and
    parse the model's tool calls. Use it for models whose own template has no tool support but
    whose special tokens match (SmolLM2 with ``qwen2_5``); skip it when the model's own template
    is one TRL already recognises.

    Args:
        tokenizer: a transformers tokenizer (modified in place and returned).
        template: a TRL template name: ``qwen2_5``, ``qwen3``, ``llama3_1``, ...

    Raises:
        ConfigError: the name is unknown, TRL cannot parse that template, or the tokenizer's
            EOS token does not end an assistant turn in it (generation would not stop there).
        DependencyError: trl is not installed.
    """
    from agents.policies._models import require_transformers

    require_transformers()
    try:
        from trl import chat_template_utils
    except ImportError as err:
        raise DependencyError("tool training needs trl: pip install 'countdown-rl[train]'") from err
    text = getattr(chat_template_utils, f"{template}_chat_template", None)
    if not isinstance(text, str):
        known = sorted(
            name.removesuffix("_chat_template")
            for name in dir(chat_template_utils)
            if name.endswith("_chat_template") and not name.endswith("_training_chat_template")
        )
        raise ConfigError(f"unknown chat template {template!r}; TRL has {known}")
    previous, tokenizer.chat_template = tokenizer.chat_template, text
    try:
        chat_template_utils.add_response_schema(tokenizer)
    except ValueError as err:
        tokenizer.chat_template = previous
        raise ConfigError(f"TRL has no tool-call parser for {template!r}: {err}") from err
    if not chat_template_utils.supports_tool_calling(tokenizer):
        raise ConfigError(f"the {template!r} template does not render tool calls")
    rendered = tokenizer.apply_chat_template(
        [{"role": "user", "content": "u"}, {"role": "assistant", "content": "a1b2"}], tokenize=False
    )
    eos = tokenizer.eos_token
    if not eos or f"a1b2{eos}" not in rendered:
        raise ConfigError(
            f"with the {template!r} template an assistant turn does not end with the tokenizer's "
            f"EOS token {eos!r}; set tokenizer.eos_token to the template's end-of-turn token"
        )
    return tokenizer
