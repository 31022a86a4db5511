"""ComparisonCache: results keyed by the SHA-256 of each schema's canonical JSON."""

from __future__ import annotations

import threading
from typing import Any, Optional

from .bounded import BoundedCache
from .compare import compare
from .containment import is_subschema
from .results import Comparison, Containment
from .values import content_hash
from .within import compare_within


class ComparisonCache:
    """Memoises compare(), compare_within() and is_subschema() by content: an unchanged pair is compared once.

    `hits` and `misses` count lookups; results are kept under `max_entries` and `max_bytes` (least recently used
    go first), the hashes of the last schemas seen (and so those schemas) under HASHES_ENTRIES and HASHES_BYTES.
    Schemas must not be modified while cached (the content hash of an object is remembered).
    Guarded by a lock, so one cache can serve several threads.
    """

    MAX_ENTRIES, MAX_BYTES = 20_000, 32_000_000
    HASHES_ENTRIES, HASHES_BYTES = 256, 8_000_000

    def __init__(self, max_entries: Optional[int] = None, max_bytes: Optional[int] = None, *,
                 name: str = "comparison") -> None:
        """`name`-results and `name`-hashes name the two bounded caches (REGISTRY_CACHE_LIMITS)."""
        self._data = BoundedCache(f"{name}-results", self.MAX_ENTRIES if max_entries is None else max_entries,
                                  self.MAX_BYTES if max_bytes is None else max_bytes)
        self._hashes = BoundedCache(f"{name}-hashes", self.HASHES_ENTRIES, self.HASHES_BYTES)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def key_of(self, schema: Any) -> str:
        # remember the hash of the very object (schemas are not mutated while cached)
        entry = self._hashes.get(id(schema))
        if entry is not None and entry[0] is schema:
            return entry[1]
        h = content_hash(schema)
        self._hashes[id(schema)] = (schema, h)
        return h

    @property
    def max_entries(self) -> int:
        return self._data.max_entries

    def _get(self, key: tuple, compute) -> Any:
        value = self._data.get(key)
        with self._lock:
            if value is not None:
                self.hits += 1
                return value
            self.misses += 1
        return self._data.put(key, compute())

    def compare(self, a: Any, b: Any, *, format_assertion: bool = False,
                labels: tuple[str, str] = ("left", "right")) -> Comparison:
        key = ("compare", self.key_of(a), self.key_of(b), format_assertion, labels)
        return self._get(key, lambda: compare(a, b, format_assertion=format_assertion, labels=labels))

    def compare_within(self, a: Any, b: Any, domain: Any, *, format_assertion: bool = False,
                       labels: tuple[str, str] = ("left", "right")) -> Comparison:
        key = ("within", self.key_of(a), self.key_of(b), self.key_of(domain), format_assertion, labels)
        return self._get(key, lambda: compare_within(a, b, domain, format_assertion=format_assertion, labels=labels))

    def is_subschema(self, a: Any, b: Any, *, format_assertion: bool = False) -> Containment:
        key = ("sub", self.key_of(a), self.key_of(b), format_assertion)
        return self._get(key, lambda: is_subschema(a, b, format_assertion=format_assertion))

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
        self._hashes.clear()
        self.hits = self.misses = 0
