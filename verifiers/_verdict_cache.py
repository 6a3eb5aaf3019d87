"""The process-wide verdict cache of :mod:`verifiers._check`: bounded by entries and by bytes.

GRPO samples several completions per prompt and they often agree, so :func:`verifiers.verify`
memoises verdicts keyed on ``(expression, nums, target, rules)``. A bound on entries alone is
not enough: a key holds the task's whole ``nums`` tuple, and 3,000 entries of 10,000-number
tasks held about a gigabyte. So every entry is charged an estimate of the bytes it keeps alive
(key and verdict, see :func:`entry_bytes`), and the oldest entries are dropped while either
bound is exceeded; an entry larger than a sixteenth of the byte bound is never stored.

Oldest means first stored, not least recently used: a hit is then one dict lookup (one hash of
the key, as with ``functools.lru_cache``), where moving the entry to the end would hash the key,
and its :class:`~verifiers.rules.Rules`, a second time. The repeats worth caching (the samples of
one GRPO group) come within a batch, long before an entry is 32,768 stores old.

Keys must be built from exact built-in types (``str``, ``tuple`` of ``int``, ``int``,
:class:`~verifiers.rules.Rules`): a subclass with a lying ``__hash__``/``__eq__`` could
otherwise make one answer's key match another's. The checker converts its inputs before it
builds a key.

>>> cache = VerdictCache(max_entries=2, max_bytes=10**6)
>>> cache.store(("1+2", (1, 2), 3, None), "v"); cache.find(("1+2", (1, 2), 3, None))
'v'
>>> cache.info().currsize, cache.info().hits
(1, 1)
"""

from __future__ import annotations

import threading
from sys import getsizeof
from typing import Any, NamedTuple

__all__ = ["CacheInfo", "VerdictCache", "entry_bytes"]

_ENTRY_OVERHEAD = 600
"""Bytes of one entry besides its strings and numbers: the key tuple, two dict slots, the
verdict object, its value and its reason (measured at about 500)."""

_INT_BYTES = 40
"""One number held by the key's tuple and again by the verdict's list of used numbers: a
pointer and a small int object, before its digits."""


class CacheInfo(NamedTuple):
    """Counters of the verdict cache; the first four fields are those of ``functools``."""

    hits: int
    misses: int
    maxsize: int
    currsize: int
    bytes: int
    """The estimated bytes the cached entries keep alive (see :func:`entry_bytes`)."""
    maxbytes: int


def entry_bytes(expression: str, nums: tuple[int, ...], target: int) -> int:
    """An upper estimate of the bytes one cache entry keeps alive, in time linear in ``nums``.

    Counts the expression twice (the key and the verdict's stripped copy), every number twice
    (the key's tuple and a verdict's list of used numbers) with its digits, and the target.

    >>> entry_bytes("1+2", (1, 2), 3) < entry_bytes("1+2", tuple(range(10_000)), 3)
    True
    """
    digits = sum(map(int.bit_length, nums)) // 8
    return (
        _ENTRY_OVERHEAD
        + 2 * getsizeof(expression)
        + 2 * (_INT_BYTES * len(nums) + digits)
        + getsizeof(target)
    )


class VerdictCache:
    """A map from keys to verdicts, bounded by entries and by bytes, oldest dropped first.

    Safe to share between threads: a lookup is one C-level dict read under the GIL, and every
    change of the contents or of the byte count happens under a lock. The checker reads
    :attr:`lookup` and bumps :attr:`hits` itself, to spare a method call per hit.

    Args:
        max_entries: most entries kept.
        max_bytes: most estimated bytes kept (see :func:`entry_bytes`).
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: dict[Any, Any] = {}
        self._sizes: dict[Any, int] = {}
        self.lookup = self._entries.get
        """``lookup(key)``: the cached verdict, else ``None`` (counts nothing)."""
        self._lock = threading.Lock()
        self._bytes = 0
        self.hits = 0
        self._misses = 0

    def find(self, key: Any) -> Any:
        """The cached verdict for ``key``, else ``None``; counted as a hit or a miss."""
        verdict = self.lookup(key)
        if verdict is None:
            self._misses += 1
        else:
            self.hits += 1
        return verdict

    def store(self, key: Any, verdict: Any) -> None:
        """Keep ``verdict`` under ``key``, dropping the least recently used entries as needed.

        The key must be ``(expression, nums, target, rules)``; its size is estimated from the
        first three.
        """
        size = entry_bytes(key[0], key[1], key[2])
        entries, sizes = self._entries, self._sizes
        with self._lock:
            self._misses += 1
            if size * 16 > self.max_bytes:
                return
            self._bytes += size - sizes.get(key, 0)
            entries[key] = verdict
            sizes[key] = size
            while len(entries) > self.max_entries or self._bytes > self.max_bytes:
                # Only stores change the dicts, and they hold the lock: iterating is safe.
                oldest = next(iter(sizes))
                del entries[oldest]
                self._bytes -= sizes.pop(oldest)

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0
            self.hits = 0
            self._misses = 0

    def info(self) -> CacheInfo:
        """Hits, misses, entry bound, entries, estimated bytes and byte bound."""
        return CacheInfo(
            self.hits,
            self._misses,
            self.max_entries,
            len(self._entries),
            self._bytes,
            self.max_bytes,
        )
