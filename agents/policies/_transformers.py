"""A Hugging Face causal LM and its tokenizer as a policy: :class:`TransformersPolicy`.

Prompts are batched with left padding, chat prompts go through the tokenizer's chat template,
and a generation budget past the model's context is lowered to fit (:class:`ContextCapWarning`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.policies._base import Completion, Prompt, Request, SamplingConfig, as_request
from agents.policies._cache import require_transformers
from agents.policies._devices import resolve_device
from countdown_env import template_names
from verifiers.errors import ConfigError

__all__ = ["ContextCapWarning", "TransformersPolicy"]


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
        default_template: the prompt template this model expects; by default the one
            ``countdown train`` recorded in the model's config (``countdown_template``), else
            ``"chat"`` when the tokenizer has a chat template, ``"compact"`` for the embedded
            character model, else ``"tinyzero"``.
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
            recorded = getattr(getattr(model, "config", None), "countdown_template", None)
            if isinstance(recorded, str) and recorded in template_names():
                default_template = recorded
            elif getattr(tokenizer, "chat_template", None):
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
