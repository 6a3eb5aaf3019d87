"""Which process of a multi-process run this is, and waiting for the others.

``accelerate launch`` (or torchrun) starts one process per device with ``RANK`` set; the main
process (rank 0) writes the run's files, the others wait for it at a barrier.
"""

from __future__ import annotations

import os

__all__ = ["barrier", "is_main_process"]


def is_main_process() -> bool:
    """Whether this is the run's main process (rank 0, or no distributed launch at all).

    >>> import os; os.environ.get("RANK") is None and is_main_process()
    True
    """
    return int(os.environ.get("RANK", "0")) == 0


def barrier() -> None:
    """Wait for every process of the run; nothing to do outside a distributed launch."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
