"""ComparisonCache: results keyed by the SHA-256 of each schema's canonical JSON."""

from __future__ import annotations

import threading
from typing import Any, Optional

from .compare import compare
from .containment import is_subschema
from .results import Comparison, Containment
from .values import content_hash


class ComparisonCache:
    """Memoises compare() and is_subschema() by content: an unchanged pair is compared once.

    `hits` and `misses` count lookups; `max_entries` bounds memory (oldest entries go first).
    Schemas must not be modified while cached (the content hash of an object is remembered).
    Guarded by a lock, so one cache can serve several threads.
    """

    def __init__(self, max_entries: Optional[int] = None) -> None:
        self._data: dict[tuple, Any] = {}
        self._hashes: dict[int, tuple[Any, str]] = {}
        self.max_entries = max_entries
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

    def _get(self, key: tuple, compute) -> Any:
        with self._lock:
            if key in self._data:
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        with self._lock:
            if self.max_entries is not None and len(self._data) >= self.max_entries:
                self._data.pop(next(iter(self._data)))
            self._data[key] = value
        return value

    def compare(self, a: Any, b: Any, *, format_assertion: bool = False,
                labels: tuple[str, str] = ("left", "right")) -> Comparison:
        key = ("compare", self.key_of(a), self.key_of(b), format_assertion, labels)
        return self._get(key, lambda: compare(a, b, format_assertion=format_assertion, labels=labels))

    def is_subschema(self, a: Any, b: Any, *, format_assertion: bool = False) -> Containment:
        key = ("sub", self.key_of(a), self.key_of(b), format_assertion)
        return self._get(key, lambda: is_subschema(a, b, format_assertion=format_assertion))

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
        self._hashes.clear()
        self.hits = self.misses = 0
