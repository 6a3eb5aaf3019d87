"""Where a model runs: checking a ``--device`` / ``device=`` value before anything loads."""

from __future__ import annotations

from verifiers.errors import ConfigError

__all__ = ["device_problem", "resolve_device"]


def device_problem(device: str) -> str | None:
    """Why torch cannot run a model on ``device`` here, or ``None`` when it can.

    ``"auto"`` always works (a GPU when there is one, else the CPU); anything else must be a
    torch device string (``cpu``, ``cuda``, ``cuda:1``, ``mps``, ...) whose backend is present.

    >>> device_problem("cpu") is None, device_problem("gpu")
    (True, 'not a torch device (cpu, cuda, cuda:N, mps or auto)')
    """
    if device == "auto":
        return None
    import torch

    try:
        place = torch.device(device)
    except (RuntimeError, TypeError):
        return "not a torch device (cpu, cuda, cuda:N, mps or auto)"
    if place.type == "cpu":
        return None
    if place.type == "cuda":
        if not torch.cuda.is_available():
            return "torch has no CUDA here"
        count = torch.cuda.device_count()
        if place.index is not None and place.index >= count:
            return f"there are only {count} CUDA device(s) here"
        return None
    backend = torch.backends.mps if place.type == "mps" else getattr(torch, place.type, None)
    is_available = getattr(backend, "is_available", None)
    if not callable(is_available) or not is_available():
        return f"torch has no {place.type} device here"
    return None


def resolve_device(device: str) -> str:
    """``device`` checked (:func:`device_problem`), with ``"auto"`` made concrete.

    Raises:
        ConfigError: torch cannot use ``device`` here.
    """
    import torch

    problem = device_problem(device)
    if problem is not None:
        raise ConfigError(f"device {device!r}: {problem}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device
