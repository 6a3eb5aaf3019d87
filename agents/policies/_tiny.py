"""The embedded default model: a tiny causal LM and a character tokenizer, built in code.

Nothing is downloaded: :func:`build_tokenizer` and :func:`build_model` construct both from
constants here, and the result saves and loads with ``save_pretrained``/``from_pretrained`` like
any Hugging Face model. The size (about 1M parameters) is chosen so that GRPO on two CPU cores
moves accuracy within minutes (see ``cpu-learning`` figures in BENCHMARKS.md).

The model reads the ``compact`` prompt (``"3 7 25>46:"``) and answers with a bare expression
(``"25+3*7"``) followed by EOS, so its alphabet is only digits, operators, parentheses, space and
the three separators.

>>> tok = build_tokenizer()
>>> tok.decode(tok("12+3*(4-1)")["input_ids"])
'12+3*(4-1)'
>>> tok.decode(tok("9-2=7\\n3 4>7:3+4")["input_ids"])
'9-2=7\\n3 4>7:3+4'
>>> model = build_model(tok, seed=0)
>>> 0.5e6 < sum(p.numel() for p in model.parameters()) < 2e6
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from verifiers.errors import ConfigError, DependencyError

if TYPE_CHECKING:
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

__all__ = ["ALPHABET", "SPECIAL_TOKENS", "TinyModelConfig", "build_model", "build_tokenizer"]

ALPHABET = "0123456789+-*/() >:=\n"
"""Every character the embedded model can read or write (newline: the ``compact-steps``
template's line break between worked steps)."""

SPECIAL_TOKENS = {"pad": "<pad>", "eos": "</s>", "bos": "<s>", "unk": "<unk>"}
"""Pad differs from EOS on purpose: TRL treats the EOS id as a stop token and masks pad."""


@dataclass(frozen=True)
class TinyModelConfig:
    """Size of the embedded Llama-architecture model.

    >>> TinyModelConfig(hidden_size=96, num_heads=4).head_dim
    24
    """

    hidden_size: int = field(default=128, metadata={"help": "Width of the residual stream."})
    num_layers: int = field(default=4, metadata={"help": "Transformer blocks."})
    num_heads: int = field(default=4, metadata={"help": "Attention heads; divides hidden_size."})
    intermediate_size: int = field(default=512, metadata={"help": "Width of each MLP."})
    max_positions: int = field(
        default=128,
        metadata={
            "help": "Longest prompt + completion in characters (compact-tries answers of eight "
            "tries of three numbers need about 100)."
        },
    )

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
        if self.hidden_size % self.num_heads:
            raise ConfigError(
                f"hidden_size ({self.hidden_size}) must be divisible by num_heads "
                f"({self.num_heads})"
            )

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.hidden_size // self.num_heads


def _require_transformers() -> Any:
    try:
        import transformers
    except ImportError as err:
        raise DependencyError(
            "the embedded model needs torch and transformers: pip install 'countdown-rl[train]'"
        ) from err
    return transformers


def build_tokenizer() -> PreTrainedTokenizerFast:
    """A character-level fast tokenizer over :data:`ALPHABET` plus four special tokens.

    It adds no BOS/EOS to plain text (prompts are encoded as they are) and decodes without
    spaces between characters.
    """
    transformers = _require_transformers()
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    specials = list(SPECIAL_TOKENS.values())
    vocab = {token: i for i, token in enumerate(specials + list(ALPHABET))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=SPECIAL_TOKENS["unk"]))
    # One token per character, spaces included: isolate every single character.
    core.pre_tokenizer = pre_tokenizers.Split(Regex("(?m:.)"), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token=SPECIAL_TOKENS["pad"],
        eos_token=SPECIAL_TOKENS["eos"],
        bos_token=SPECIAL_TOKENS["bos"],
        unk_token=SPECIAL_TOKENS["unk"],
        padding_side="left",
        model_max_length=TinyModelConfig().max_positions,
    )
    return tokenizer


def build_model(
    tokenizer: PreTrainedTokenizerFast,
    *,
    seed: int = 0,
    config: TinyModelConfig | None = None,
) -> LlamaForCausalLM:
    """A freshly initialised tiny Llama for ``tokenizer``; the same seed gives the same weights."""
    transformers = _require_transformers()
    import torch

    size = config or TinyModelConfig()
    llama_config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=size.hidden_size,
        num_hidden_layers=size.num_layers,
        num_attention_heads=size.num_heads,
        num_key_value_heads=size.num_heads,
        intermediate_size=size.intermediate_size,
        max_position_embeddings=size.max_positions,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = transformers.LlamaForCausalLM(llama_config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model
