"""The rewards of ``countdown train --rewards``: ours, TRL's shaping, or a user's own.

Each ``--rewards`` item is one of:

* ``correctness``, ``tinyzero``, ``format``, ``partial``: our rewards (:mod:`verifiers.rewards`),
  in the prompt template's answer format.
* ``progress``: a process reward for worked answers (the ``compact-steps`` template): 1.0 when
  correct, else ``step_score`` (0.25) for steps that keep the task solvable, by the solver
  (:class:`~agents.training.ProgressReward`); logged as ``progress_reward``.
* ``overlong``: TRL's DAPO soft overlong punishment (``trl.rewards.get_soft_overlong_punishment``,
  0 up to ``max_completion_len - soft_punish_cache`` tokens, then down to -1; defaults: the run's
  ``--max_completion_length`` and a quarter of it); logged as ``soft_overlong_punishment_reward``.
* ``repetition``: TRL's n-gram repetition penalty (``trl.rewards.get_repetition_penalty_reward``,
  ``ngram_size=3``, ``max_penalty=-1.0``); logged as ``repetition_penalty_reward``.
* ``MODULE:FUNCTION``: any TRL reward function ``fn(completions, nums, target, **kwargs) ->
  list[float]`` imported by dotted path (the current folder is searched last, so a ``myrewards.py``
  beside the command works). A callable whose signature is a
  :class:`~verifiers._check.Verifier`'s, ``(completion, nums, target)`` with no ``completions``
  parameter and no ``**kwargs`` (TRL could not call it), is wrapped by
  :func:`verifiers.rewards.get_verifier_reward` (1.0 when the verdict is correct).
* ``verifier:MODULE:NAME``: the same wrapping, asked for explicitly.

Any name takes parameters as ``NAME:key=value,key=value`` (``tinyzero:format_score=0.2``,
``overlong:soft_punish_cache=32``, ``repetition:ngram_size=4``). TRL logs each reward as
``rewards/<name>/mean``, where ``<name>`` is the function's ``__name__`` (the class name of a
callable object; ``NAME`` for a wrapped verifier), and metrics.jsonl and the reward plot keep
that name. ``--reward_weights`` gives one weight per item, in order.

Every item is checked (modules imported, parameters read) before the model loads; a problem is
a :class:`~verifiers.errors.ConfigError` naming the item.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Any

from verifiers.errors import ConfigError

__all__ = [
    "OUR_REWARDS",
    "TRL_SHAPING",
    "RewardSpec",
    "build_rewards",
    "check_rewards",
    "reward_name",
]

OUR_REWARDS = ("correctness", "tinyzero", "format", "partial", "progress")
"""Our reward names (:mod:`verifiers.rewards`; ``progress`` also asks the solver)."""

TRL_SHAPING = ("overlong", "repetition")
"""TRL's length and repetition shaping (``trl.rewards``), by the name ``--rewards`` takes."""

RewardSpec = str | Callable[..., Any]
"""A ``--rewards`` item (text, see the module docstring) or, from Python, a reward callable."""


def _value(text: str) -> Any:
    """``key=value`` text as int, float, bool, None or str."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip()


def _parameters(spec: str, text: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = item.partition("=")
        if not equals or not key.strip().isidentifier():
            raise ConfigError(f"--rewards {spec}: parameters are key=value,key=value, got {item!r}")
        params[key.strip()] = _value(value)
    return params


def _import(spec: str, module_name: str, attribute: str) -> Any:
    """``module_name.attribute``, the current folder searched after the rest of sys.path."""
    if not module_name or not attribute:
        raise ConfigError(
            f"--rewards {spec}: expected MODULE:FUNCTION (e.g. mypkg.rewards:brevity)"
        )
    added = "" not in sys.path and "." not in sys.path
    if added:
        sys.path.append("")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and (module_name + ".").startswith(err.name + "."):  # the named one
            raise ConfigError(f"--rewards {spec}: no module named {module_name!r}") from None
        raise ConfigError(f"--rewards {spec}: importing {module_name!r} failed: {err}") from err
    # A user module may raise anything while it imports; say which one, in one line.
    except Exception as err:
        raise ConfigError(
            f"--rewards {spec}: importing {module_name!r} failed: {type(err).__name__}: {err}"
        ) from err
    finally:
        if added:
            sys.path.remove("")
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ConfigError(f"--rewards {spec}: module {module_name!r} has no {attribute!r}")
        target = getattr(target, part)
    return target


def _is_verifier(fn: Any) -> bool | None:
    """True for a Verifier's signature, False for a TRL reward's, None for neither."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return False  # no signature to read (a builtin): TRL calls it as a reward
    params = signature.parameters
    if "completions" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    ):
        return False
    try:
        signature.bind("", (), 0)
    except TypeError:
        return None
    return True


def reward_name(fn: Any) -> str:
    """The name TRL logs a reward under (``rewards/<name>/mean``): TRL's ``get_callable_name``
    (a partial's function, the ``__name__``, else the class name of a callable object)."""
    import functools

    while isinstance(fn, functools.partial):
        fn = fn.func
    return str(getattr(fn, "__name__", type(fn).__name__))


def _checked_callable(spec: str, fn: Any, what: str) -> Any:
    if inspect.isclass(fn):
        raise ConfigError(f"--rewards {spec}: {what} is a class; name a function or an instance")
    if not callable(fn):
        raise ConfigError(f"--rewards {spec}: {what} is not callable ({type(fn).__name__})")
    return fn


def _user_reward(spec: str, module_name: str, attribute: str, as_verifier: bool) -> Any:
    from verifiers.rewards import get_verifier_reward

    fn = _checked_callable(
        spec, _import(spec, module_name, attribute), f"{module_name}:{attribute}"
    )
    kind = True if as_verifier else _is_verifier(fn)
    if kind is None:
        raise ConfigError(
            f"--rewards {spec}: {attribute} takes neither TRL's reward arguments "
            "(completions, **kwargs) nor a Verifier's (completion, nums, target)"
        )
    if kind:
        return get_verifier_reward(fn, name=attribute.rsplit(".", 1)[-1])
    return fn


def _named_reward(
    spec: str, name: str, params: dict[str, Any], extractor: str, max_completion_length: int | None
) -> Any:
    from agents.training._progress import ProgressReward
    from verifiers import rewards

    factories: dict[str, Callable[..., Any]] = {
        "correctness": rewards.get_correctness_reward,
        "tinyzero": rewards.get_tinyzero_reward,
        "format": rewards.get_format_reward,
        "partial": rewards.get_partial_credit_reward,
        "progress": ProgressReward,
    }
    if name in factories:
        factory = factories[name]
        if name not in ("format", "progress"):
            params = {"extractor": extractor, **params}
    else:
        from trl.rewards import get_repetition_penalty_reward, get_soft_overlong_punishment

        if name == "overlong":
            factory = get_soft_overlong_punishment
            length = params.setdefault("max_completion_len", max_completion_length or 256)
            if isinstance(length, int):
                params.setdefault("soft_punish_cache", max(length // 4, 1))
        else:
            factory = get_repetition_penalty_reward
    parameters = inspect.signature(factory).parameters
    open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    unknown = sorted(set(params) - set(parameters))
    if unknown and not open_ended:
        raise ConfigError(
            f"--rewards {spec}: {name} takes {', '.join(parameters)}; unknown: {', '.join(unknown)}"
        )
    try:
        return factory(**params)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"--rewards {spec}: {err}") from err


def _one(spec: RewardSpec, extractor: str, max_completion_length: int | None) -> Any:
    if not isinstance(spec, str):
        return _checked_callable(repr(spec), spec, "the reward")
    text = spec.strip()
    head, colon, rest = text.partition(":")
    if head in OUR_REWARDS or head in TRL_SHAPING:
        params = _parameters(text, rest) if colon else {}
        return _named_reward(text, head, params, extractor, max_completion_length)
    if head == "verifier" and colon:
        module_name, _, attribute = rest.partition(":")
        return _user_reward(text, module_name.strip(), attribute.strip(), as_verifier=True)
    if colon:
        return _user_reward(text, head.strip(), rest.strip(), as_verifier=False)
    raise ConfigError(
        f"--rewards: unknown reward {text!r}; give one of {', '.join(OUR_REWARDS + TRL_SHAPING)} "
        "or MODULE:FUNCTION"
    )


def build_rewards(
    specs: Sequence[RewardSpec],
    extractor: str = "answer",
    max_completion_length: int | None = None,
) -> list[Any]:
    """The reward callables for ``specs``, in order (see the module docstring).

    Args:
        specs: ``--rewards`` items, or reward callables (used as they are).
        extractor: the answer extractor of our rewards (``bare`` for the compact template).
        max_completion_length: the default length of ``overlong``.

    Raises:
        ConfigError: an empty list, an unknown name or parameter, a module that cannot be
            imported, a missing or non-callable attribute, or two rewards TRL would log under
            the same name.

    >>> [reward_name(r) for r in build_rewards(["correctness", "repetition:ngram_size=2"])]
    ['correctness_reward', 'repetition_penalty_reward']
    """
    if isinstance(specs, str) or callable(specs):
        specs = [specs]
    if not specs:
        raise ConfigError(
            f"--rewards needs at least one reward: {', '.join(OUR_REWARDS)}, "
            f"{', '.join(TRL_SHAPING)} or MODULE:FUNCTION"
        )
    made = [_one(spec, extractor, max_completion_length) for spec in specs]
    names = [reward_name(fn) for fn in made]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(
            f"--rewards: two rewards are named {twice[0]!r}; TRL would log them under one name"
        )
    return made


def check_rewards(specs: Sequence[RewardSpec]) -> None:
    """Build ``specs`` once and drop them: every :class:`ConfigError` of :func:`build_rewards`
    is raised now, before a model loads."""
    build_rewards(specs)
