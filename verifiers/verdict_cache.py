"""The process-wide verdict cache of :mod:`verifiers.check`: an LRU bounded by entries and bytes.

GRPO samples several completions per prompt and they often agree, so :func:`verifiers.verify`
memoises verdicts keyed on ``(expression, nums, target, rules)``. A bound on entries alone is
not enough: a key holds the task's whole ``nums`` tuple, and 3,000 entries of 10,000-number
tasks held about a gigabyte. So every entry is charged an estimate of the bytes it keeps alive
(key and verdict, see :func:`entry_bytes`), and the oldest entries are dropped while either
bound is exceeded; an entry larger than a sixteenth of the byte bound is never stored.

Keys must be built from exact built-in types (``str``, ``tuple`` of ``int``, ``int``,
:class:`~verifiers.rules.Rules`): a subclass with a lying ``__hash__``/``__eq__`` could
otherwise make one answer's key match another's. The checker converts its inputs before it
builds a key.

>>> cache = VerdictCache(max_entries=2, max_bytes=10**6)
>>> cache.store(("1+2", (1, 2), 3, None), "v"); cache.find(("1+2", (1, 2), 3, None))
'v'
>>> cache.info().currsize
1
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from sys import getsizeof
from typing import Any, NamedTuple

__all__ = ["CacheInfo", "VerdictCache", "entry_bytes"]

_ENTRY_OVERHEAD = 600
"""Bytes of one entry besides its strings and numbers: the key and entry tuples, the ordered
dict's node, the verdict object and its recipe tuples (measured at about 500)."""

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
    """A least-recently-used map from keys to verdicts, bounded by entries and by bytes.

    Safe to share between threads: a lookup is two C-level dict operations under the GIL, and
    every change of the contents or of the byte count happens under a lock.

    Args:
        max_entries: most entries kept.
        max_bytes: most estimated bytes kept (see :func:`entry_bytes`).
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self._hits = 0
        self._misses = 0

    def find(self, key: Any) -> Any:
        """The cached verdict for ``key`` (now the most recently used), else ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            self._misses += 1
            return None
        self._hits += 1
        try:  # noqa: SIM105 - a hit is hot; suppress() would add a context manager
            self._entries.move_to_end(key)
        except KeyError:
            pass  # another thread evicted it meanwhile; the verdict is still right
        return entry[0]

    def store(self, key: Any, verdict: Any) -> None:
        """Keep ``verdict`` under ``key``, dropping the least recently used entries as needed.

        The key must be ``(expression, nums, target, rules)``; its size is estimated from the
        first three.
        """
        size = entry_bytes(key[0], key[1], key[2])
        if size * 16 > self.max_bytes:
            return
        entries = self._entries
        with self._lock:
            old = entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            entries[key] = (verdict, size)
            self._bytes += size
            while len(entries) > self.max_entries or self._bytes > self.max_bytes:
                _key, (_verdict, dropped) = entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._hits = 0
            self._misses = 0

    def info(self) -> CacheInfo:
        """Hits, misses, entry bound, entries, estimated bytes and byte bound."""
        return CacheInfo(
            self._hits,
            self._misses,
            self.max_entries,
            len(self._entries),
            self._bytes,
            self.max_bytes,
        )
