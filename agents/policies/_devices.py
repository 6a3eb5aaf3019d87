"""Where a model runs: checking a ``--device`` / ``device=`` value before anything loads, and
the CPU settings of a run (bf16 or float32 from the CPU's flags, torch threads, the OpenMP wait
policy), each decided by a small pure function so the rule is testable and lives in one place."""

from __future__ import annotations

from verifiers.errors import ConfigError

__all__ = [
    "apply_threads",
    "auto_threads",
    "cpu_flags",
    "device_problem",
    "native_bf16",
    "parse_threads",
    "prefer_passive_wait",
    "resolve_device",
    "usable_cores",
]


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


# --- CPU settings of a training or evaluation run (issue 10, items 0 and 1) -------------------

GRADIENT_CHECKPOINTING_MIN_PARAMS = 1_000_000_000
"""On CPU, models below this many parameters train without activation checkpointing: it saves
memory a CPU machine has, at the cost of a second forward pass in every backward (measured 8x
slower overall, together with emulated bf16, on the embedded model)."""

MAX_AUTO_THREADS = 8
"""The ``auto`` thread count never goes above this: the models trained on CPU here are small,
and their matrix products gain little from more threads than this."""


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The CPU feature flags of this machine (lower case): x86 ``flags`` and ARM ``Features``
    lines of ``/proc/cpuinfo`` (or of the ``cpuinfo`` text given).

    Where there is no ``/proc/cpuinfo`` (macOS, Windows), torch's own oneDNN check stands in:
    the set holds ``bf16`` when torch reports native bf16 support, else it is empty.
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                cpuinfo = handle.read()
        except OSError:
            return frozenset({"bf16"}) if _torch_says_bf16() else frozenset()
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() in ("flags", "features"):
            flags.update(value.lower().split())
    return frozenset(flags)


def _torch_says_bf16() -> bool:
    import torch

    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        return bool(check()) if check is not None else False
    except RuntimeError:
        return False


def native_bf16(flags: frozenset[str] | set[str], machine: str) -> bool:
    """Whether a CPU with these feature ``flags`` and ``platform.machine()`` computes bfloat16
    in hardware. Without it torch emulates bf16 and autocast makes training several times slower.

    x86 needs ``avx512_bf16`` or ``amx_bf16``; ARM needs ``bf16`` (ARMv8.6 BF16 instructions).

    >>> native_bf16({"avx2", "avx512f"}, "x86_64"), native_bf16({"avx512_bf16"}, "x86_64")
    (False, True)
    >>> native_bf16({"asimd", "bf16"}, "aarch64"), native_bf16({"bf16"}, "x86_64")
    (True, False)
    """
    machine = machine.lower()
    if machine in ("x86_64", "amd64", "i386", "i686", "x86"):
        return bool({"avx512_bf16", "amx_bf16"} & set(flags))
    if machine.startswith(("arm", "aarch64")):
        return "bf16" in flags
    return False


def auto_threads(
    usable_cores: int, omp_num_threads: str | None = None, processes: int = 1
) -> tuple[int, int]:
    """``(intra-op, inter-op)`` torch threads for ``--threads auto``.

    The rule, in one place so a measurement can change it: ``OMP_NUM_THREADS`` when the user
    set it to a positive integer; else the cores this process may run on shared among the
    ``processes`` of the run on this machine (``accelerate launch``), at least 1 and at most
    :data:`MAX_AUTO_THREADS`. Inter-op threads: always 1 (a training step is one chain of
    operations; extra inter-op pools only add threads that compete for the cores). The OpenMP
    wait policy (``PASSIVE``, see :func:`prefer_passive_wait`) keeps the idle threads from
    spinning, which is what made 2 threads 3.5-4x slower than 1 beside another busy process.

    >>> auto_threads(2), auto_threads(64), auto_threads(2, "1"), auto_threads(4, "x", 2)
    ((2, 1), (8, 1), (1, 1), (2, 1))
    """
    if omp_num_threads is not None and omp_num_threads.strip().isdigit():
        wanted = int(omp_num_threads)
        if wanted > 0:
            return wanted, 1
    return max(1, min(usable_cores // max(processes, 1), MAX_AUTO_THREADS)), 1


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prefer_passive_wait() -> str:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the user set a policy; returns the policy in force.

    OpenMP threads that wait actively spin on a core; beside another busy process they steal its
    time and their own. The variable is read when torch loads its OpenMP runtime, so call this
    before ``import torch``; afterwards it only reaches child processes.
    """
    import os

    return os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def parse_threads(value: str) -> int | None:
    """``--threads`` as a count (``None`` for ``auto``).

    Raises:
        ConfigError: neither ``auto`` nor a positive integer.
    """
    text = value.strip().lower()
    if text == "auto":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"--threads must be 'auto' or a positive integer, got {value!r}")
    return int(text)


def apply_threads(threads: int | None) -> dict[str, object]:
    """Give torch ``threads`` intra-op threads (``None``: :func:`auto_threads`) and one inter-op
    thread; returns what is in force, for stderr and config.json.

    torch accepts the inter-op count only before its first parallel work; when it is too late
    (a second run in the same process) the count torch already has stays and is reported.
    """
    import os

    import torch

    rule = "auto" if threads is None else "--threads"
    intra, inter = (
        auto_threads(
            usable_cores(),
            os.environ.get("OMP_NUM_THREADS"),
            int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1),
        )
        if threads is None
        else (threads, 1)
    )
    torch.set_num_threads(intra)
    try:
        torch.set_num_interop_threads(inter)
    except RuntimeError:
        inter = torch.get_num_interop_threads()
    return {
        "threads": torch.get_num_threads(),
        "interop_threads": inter,
        "threads_rule": rule,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }
