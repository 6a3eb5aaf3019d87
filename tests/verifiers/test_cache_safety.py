"""The verdict cache can be neither poisoned by lying keys nor grown without bound (issue 14)."""

import gc
import tracemalloc

import numpy as np

import verifiers
from verifiers import CACHE_BYTES, Rules, rewards, verify, verify_equation


class _LyingText(str):
    """Hashes like "1*2" and claims to equal everything."""

    def __hash__(self):
        return hash("1*2")

    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False  # noqa: E731


class _LyingInt(int):
    def __hash__(self):
        return hash(2)

    def __eq__(self, other):
        return True


def test_a_str_subclass_with_a_lying_hash_cannot_poison_the_cache():
    verifiers.clear_cache()
    assert verify_equation(_LyingText("1+2"), [1, 2], 3).correct  # its own verdict is right
    honest = verify_equation("1*2", [1, 2], 3)
    assert not honest.correct
    assert honest.expression == "1*2"
    assert not verify("<answer>1*2</answer>", [1, 2], 3).correct
    assert rewards.correctness_reward(["<answer>1*2</answer>"], nums=[[1, 2]], target=[3]) == [0.0]


def test_int_subclasses_and_numpy_ints_cannot_poison_the_cache():
    verifiers.clear_cache()
    assert verify_equation("1+2", [_LyingInt(1), _LyingInt(2)], _LyingInt(3)).correct
    assert not verify_equation("1+2", [2, 2], 3).correct
    assert not verify_equation("1+2", [1, 2], 4).correct
    assert verify_equation("1+2", np.array([1, 2]), np.int64(3)).correct
    assert not verify_equation("1+2", [1, 2], 2).correct
    # Rules whose numbers are int subclasses are stored as plain ints.
    rules = Rules(max_length=_LyingInt(1000))
    assert type(rules.max_length) is int
    assert verify_equation("1+2", [1, 2], 3, rules=rules).correct
    assert not verify_equation("1+2", [1, 2], 3, max_length=2).correct


def _huge_task(index, size=10_000):
    base = 1_000 + index * size
    return list(range(base, base + size)), index


def test_the_cache_stays_under_its_byte_bound_on_huge_tasks():
    verifiers.clear_cache()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(200):
            nums, target = _huge_task(index)
            assert not verify_equation("1+2", nums, target).correct
            del nums
            info = verifiers.cache_info()
            assert info.bytes <= info.maxbytes == CACHE_BYTES
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    info = verifiers.cache_info()
    assert 0 < info.currsize < 200  # the oldest huge tasks were dropped
    # Unbounded, 200 such entries keep about 75 MB alive.
    assert grown < CACHE_BYTES * 1.5, f"{grown / 2**20:.0f} MiB still held"
    verifiers.clear_cache()
    assert verifiers.cache_info().bytes == 0


def test_ordinary_tasks_fill_the_cache_by_entries_not_bytes():
    verifiers.clear_cache()
    for target in range(2_000):
        verify_equation("25*4", [25, 4], target)
    info = verifiers.cache_info()
    assert info.currsize == 2_000
    assert info.bytes * verifiers.CACHE_SIZE // 2_000 < CACHE_BYTES
    verifiers.clear_cache()
