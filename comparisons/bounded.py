"""BoundedCache: the one cache of the process, least recently used first out, bounded in entries and in bytes.

Every cache (the engine's and the registry's) is one of these, so that no request can grow memory for good:
an entry counts `measure(key, value)` bytes, an estimate of what it keeps alive (the length of the JSON text of
what it holds, see json_size), and an entry larger than the whole byte limit is not kept at all. Each cache has a
name; `configure` sets the limits of every live cache of a name (the registry's REGISTRY_CACHE_LIMITS)."""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from functools import wraps
from typing import Any, Callable, Hashable, Iterator, Optional

_MISSING = object()
_ALL: "weakref.WeakSet[BoundedCache]" = weakref.WeakSet()
_OPAQUE = 64  # what an object with nothing JSON-like inside (a function, a compiled program) counts


def _members(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return list(value)
    if hasattr(value, "__dict__"):
        return vars(value)
    slots = [s for c in type(value).__mro__ for s in getattr(c, "__slots__", ())]
    if slots:
        return {s: getattr(value, s, None) for s in slots if isinstance(s, str)}
    return None


def json_size(value: Any) -> int:
    """The length of the JSON text of `value` (objects count by their attributes, sets as lists): an estimate of
    the memory it keeps alive, in the same unit for every cache. Python holds a parsed schema in several times
    its text (docs/security.md gives the measured factor)."""
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), skipkeys=True,
                              default=lambda o: _members(o) or _OPAQUE, check_circular=True))
    except (ValueError, TypeError, RecursionError):  # a cycle, a huge integer: count it as one opaque object
        return _OPAQUE


def _default_measure(key: Any, value: Any) -> int:
    return json_size(key) + json_size(value)


class BoundedCache:
    """A map from keys to values that keeps at most `max_entries` entries and `max_bytes` measured bytes,
    dropping the least recently used. Guarded by a lock: one cache can serve several threads."""

    def __init__(self, name: str, max_entries: int, max_bytes: int,
                 measure: Callable[[Any, Any], int] = _default_measure) -> None:
        self.name = name
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.measure = measure
        self.bytes = 0
        self.hits = self.misses = 0  # counted without the lock: a figure for metrics, not an invariant
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: Hashable, default: Any = None) -> Any:
        # no lock: each OrderedDict call is atomic under the GIL, and a read changes no byte count (hot paths read)
        found = self._data.get(key, _MISSING)
        if found is _MISSING:
            self.misses += 1
            return default
        self.hits += 1
        try:
            self._data.move_to_end(key)
        except KeyError:  # dropped by another thread meanwhile: still a valid answer
            pass
        return found[0]  # type: ignore[index]

    def put(self, key: Hashable, value: Any, size: Optional[int] = None) -> Any:
        """Keep `value` under `key` (measured unless `size` is given) if it fits; answers `value`."""
        size = self.measure(key, value) if size is None else size
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size <= self.max_bytes and self.max_entries > 0:
                self._data[key] = (value, size)
                self.bytes += size
            self._shrink()
        return value

    __setitem__ = put

    def __getitem__(self, key: Hashable) -> Any:
        found = self.get(key, _MISSING)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._data))

    def _shrink(self) -> None:
        while self._data and (len(self._data) > self.max_entries or self.bytes > self.max_bytes):
            _, (_, size) = self._data.popitem(last=False)
            self.bytes -= size

    def resize(self, max_entries: int, max_bytes: int) -> None:
        with self._lock:
            self.max_entries, self.max_bytes = max_entries, max_bytes
            self._shrink()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0

    def stats(self) -> dict[str, Any]:
        return {"name": self.name, "entries": len(self._data), "bytes": self.bytes,
                "max_entries": self.max_entries, "max_bytes": self.max_bytes, "hits": self.hits, "misses": self.misses}


def totals() -> dict[str, dict[str, int]]:
    """Hits, misses, entries and bytes of the live caches, summed by name (several caches may share one)."""
    out: dict[str, dict[str, int]] = {}
    for cache in list(_ALL):
        total = out.setdefault(cache.name, {"hits": 0, "misses": 0, "entries": 0, "bytes": 0})
        for key in total:
            total[key] += cache.stats()[key]
    return out


def bounded(name: str, max_entries: int, max_bytes: int,
            measure: Callable[[tuple, Any], int] = _default_measure) -> Callable[[Callable], Callable]:
    """A function memoised by its positional arguments in a BoundedCache (functools.lru_cache, with bytes);
    exceptions are not remembered. The cache is the function's `cache` attribute."""

    def decorate(function: Callable) -> Callable:
        cache = BoundedCache(name, max_entries, max_bytes, measure)

        @wraps(function)
        def memoised(*args: Hashable) -> Any:
            found = cache.get(args, _MISSING)
            if found is _MISSING:
                found = cache.put(args, function(*args))
            return found

        memoised.cache = cache  # type: ignore[attr-defined]
        memoised.cache_clear = cache.clear  # type: ignore[attr-defined]
        return memoised

    return decorate


def configure(limits: dict[str, tuple[int, int]]) -> None:
    """Set (max entries, max bytes) of every live cache of each name (process-wide: the caches are)."""
    unknown = sorted(set(limits) - {c.name for c in list(_ALL)})
    if unknown:
        raise ValueError(f"no cache is named {', '.join(unknown)}; caches: {', '.join(sorted(names()))}")
    for cache in list(_ALL):
        if cache.name in limits:
            cache.resize(*limits[cache.name])


_UNITS = {"": 1, "B": 1, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}


def parse_limits(text: str) -> dict[str, tuple[int, int]]:
    """`name=ENTRIES/BYTES,…` (bytes may end in KB, MB or GB) as {name: (entries, bytes)}; ValueError otherwise."""
    limits: dict[str, tuple[int, int]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value = part.partition("=")
        entries, _, size = value.partition("/")
        number = size.strip().upper().rstrip("KMGB")
        unit = size.strip().upper()[len(number):]
        if not (name.strip() and entries.strip().isdigit() and number.isdigit() and unit in _UNITS):
            raise ValueError(f"cache limit {part!r}: write name=ENTRIES/BYTES, e.g. comparison-results=20000/64MB")
        limits[name.strip()] = (int(entries), int(number) * _UNITS[unit])
    return limits


def names() -> set[str]:
    return {c.name for c in list(_ALL)}


def caches() -> list[BoundedCache]:
    """Every live cache, for reports and tests."""
    return sorted(_ALL, key=lambda c: c.name)


__all__ = ["BoundedCache", "bounded", "caches", "configure", "json_size", "names", "parse_limits", "totals"]
