"""Policies: anything that turns prompts into completions, and the models behind them.

A policy is any object with ``generate(requests, sampling=None) -> list[str]`` (the
:class:`Policy` protocol). The project's own: :class:`SolverPolicy` (the oracle),
:class:`RandomPolicy` (the floor), :class:`TransformersPolicy` (any Hugging Face causal LM),
:class:`OpenAIPolicy` (any OpenAI-compatible server). :func:`load_policy` builds one from a
name, a model directory, a ``.gguf`` file or a hub id, as ``countdown eval --policy`` does.

Names load on first use: importing this package does not import torch.

>>> from agents.policies import Request, SolverPolicy
>>> SolverPolicy().generate([Request("3 7 25>46:", nums=(3, 7, 25), target=46,
...                                  answer_format="bare")])
['25+3*7']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents._lazy import lazy_face

_PUBLIC = {
    "Completion": "._base",
    "Policy": "._base",
    "Prompt": "._base",
    "RandomPolicy": "._base",
    "Request": "._base",
    "SamplingConfig": "._base",
    "SolverPolicy": "._base",
    "as_request": "._base",
    "format_answer": "._base",
    "random_expression": "._base",
    "ModelSpec": "._model_spec",
    "NAMED_POLICIES": "._model_spec",
    "TransformersPolicy": "._transformers",
    "load_policy": "._models",
    "resolve_model_spec": "._model_spec",
    "cache_dir": "._cache",
    "default_model_path": "._cache",
    "register_default_model": "._cache",
    "convert_gguf": "._gguf",
    "smollm2_path": "._gguf",
    "TinyModelConfig": "._tiny",
    "build_model": "._tiny",
    "build_tokenizer": "._tiny",
    "OpenAIPolicy": "._openai",
    "PolicyServerError": "._openai_http",
    "resolve_device": "._devices",
}

__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = lazy_face(__name__, _PUBLIC)

if TYPE_CHECKING:
    from agents.policies._base import (
        Completion,
        Policy,
        Prompt,
        RandomPolicy,
        Request,
        SamplingConfig,
        SolverPolicy,
        as_request,
        format_answer,
        random_expression,
    )
    from agents.policies._cache import cache_dir, default_model_path, register_default_model
    from agents.policies._devices import resolve_device
    from agents.policies._gguf import convert_gguf, smollm2_path
    from agents.policies._model_spec import NAMED_POLICIES, ModelSpec, resolve_model_spec
    from agents.policies._models import load_policy
    from agents.policies._openai import OpenAIPolicy
    from agents.policies._openai_http import PolicyServerError
    from agents.policies._tiny import TinyModelConfig, build_model, build_tokenizer
    from agents.policies._transformers import TransformersPolicy
