"""BoundedCache: least recently used out, never above its entries or its bytes, whatever is put in."""

from __future__ import annotations

import random

import pytest

from comparisons import ComparisonCache
from comparisons.bounded import BoundedCache, bounded, configure, json_size, parse_limits


def within(cache: BoundedCache) -> bool:
    return len(cache) <= cache.max_entries and cache.bytes <= cache.max_bytes


def test_entries_and_bytes_never_exceed_the_limits_after_many_distinct_inserts():
    cache = BoundedCache("test-bounded", max_entries=50, max_bytes=20_000)
    rng = random.Random(7)
    for i in range(5_000):
        cache.put(("key", i), "x" * rng.randrange(0, 3_000))
        assert within(cache), cache.stats()
    assert 0 < len(cache) <= 50
    # the bytes counted are the bytes of what is kept: nothing leaks in the bookkeeping
    assert cache.bytes == sum(json_size(k) + json_size(cache.get(k)) for k in cache)


def test_the_least_recently_used_entry_goes_first():
    cache = BoundedCache("test-bounded", max_entries=3, max_bytes=10**6)
    for key in "abc":
        cache[key] = key
    assert cache.get("a") == "a"  # "a" is now the most recent
    cache["d"] = "d"
    assert "b" not in cache and [k for k in cache] == ["c", "a", "d"]


def test_bytes_evict_even_below_the_entry_limit_and_an_entry_larger_than_the_limit_is_not_kept():
    cache = BoundedCache("test-bounded", max_entries=1_000, max_bytes=100, measure=lambda k, v: len(v))
    cache.put(1, "a" * 60)
    cache.put(2, "b" * 60)
    assert 1 not in cache and 2 in cache and cache.bytes == 60
    assert cache.put(3, "c" * 101) == "c" * 101  # answered, not kept
    assert 3 not in cache and cache.bytes == 60


def test_replacing_a_key_counts_its_bytes_once():
    cache = BoundedCache("test-bounded", max_entries=10, max_bytes=1_000, measure=lambda k, v: len(v))
    cache.put("k", "a" * 100)
    cache.put("k", "b" * 10)
    assert len(cache) == 1 and cache.bytes == 10


def test_resize_shrinks_at_once():
    cache = BoundedCache("test-bounded", max_entries=100, max_bytes=10**6)
    for i in range(100):
        cache[i] = i
    cache.resize(10, 10**6)
    assert len(cache) == 10 and list(cache) == list(range(90, 100))


def test_a_memoised_function_is_bounded_and_does_not_remember_exceptions():
    calls: list[int] = []

    @bounded("test-bounded-function", 5, 10**6)
    def square(n: int) -> int:
        calls.append(n)
        if n < 0:
            raise ValueError(n)
        return n * n

    assert [square(n) for n in (1, 2, 1)] == [1, 4, 1] and calls == [1, 2]
    for n in range(100):
        square(n)
    assert len(square.cache) == 5
    for _ in range(2):
        with pytest.raises(ValueError):
            square(-1)
    assert calls.count(-1) == 2


def test_json_size_counts_objects_by_their_attributes_and_survives_cycles():
    class Holder:
        def __init__(self, value):
            self.value = value

    assert json_size(Holder("x" * 1_000)) > 1_000
    loop: list = []
    loop.append(loop)
    assert json_size(loop) > 0


def test_configure_sets_the_limits_of_every_cache_of_a_name_at_once():
    first, second = BoundedCache("test-configured", 100, 10**6), BoundedCache("test-configured", 100, 10**6)
    for i in range(50):
        first[i] = second[i] = i
    try:
        configure({"test-configured": (5, 1_000)})
        assert len(first) == len(second) == 5 and first.max_bytes == second.max_bytes == 1_000
        with pytest.raises(ValueError, match="no cache is named"):
            configure({"no-such-cache": (1, 1)})
    finally:
        configure({"test-configured": (100, 10**6)})


@pytest.mark.parametrize("text, expected", [
    ("", {}),
    ("comparison-results=20000/64MB", {"comparison-results": (20_000, 64_000_000)}),
    (" a=1/10 , b=2/3KB ", {"a": (1, 10), "b": (2, 3_000)}),
    ("a=0/1GB", {"a": (0, 1_000_000_000)}),
])
def test_cache_limits_are_read_as_name_entries_bytes(text, expected):
    assert parse_limits(text) == expected


@pytest.mark.parametrize("text", ["a", "a=1", "a=x/1", "a=1/1TB", "=1/1", "a=1/-1", "a=1/1.5MB"])
def test_a_malformed_cache_limit_is_refused_with_its_form(text):
    with pytest.raises(ValueError, match="name=ENTRIES/BYTES"):
        parse_limits(text)


def test_the_comparison_cache_keeps_neither_results_nor_schemas_beyond_its_limits():
    cache = ComparisonCache(max_entries=20, max_bytes=200_000)
    cache._hashes.resize(8, 50_000)
    for i in range(200):
        left = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": i + 1}}}
        right = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": i + 2}}}
        assert cache.compare(left, right).relation == "stricter"
        assert within(cache._data) and within(cache._hashes)
    assert len(cache._hashes) == 8 and cache.misses == 200
