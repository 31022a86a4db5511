"""Rate limits, in process: token-authenticated writes per token, failed authentications per client address.
Behind a reverse proxy the client address comes from X-Forwarded-For, but only when the peer is a trusted proxy
(REGISTRY_TRUSTED_PROXIES); uvicorn is told the same proxies (`server_options`), so neither trusts anyone else."""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from typing import Callable

from litestar.connection import ASGIConnection

from comparisons.bounded import BoundedCache
from registry.errors import TooManyRequests
from registry.settings import Settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# a flood of new keys cannot grow memory without bound: the least recently used buckets go first
MAX_KEYS, MAX_BYTES = 100_000, 8_000_000
_BUCKET_BYTES = 100  # a (tokens, time) pair and its entry, beside the key's characters


class TokenBucket:
    """`per_minute` requests a minute per key, in bursts of up to `per_minute`; 0 means no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._buckets = BoundedCache("rate-limit-buckets", MAX_KEYS, MAX_BYTES,
                                     lambda key, bucket: len(key) + _BUCKET_BYTES)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - then) * self.per_minute / 60.0)

    def retry_after(self, key: str) -> int:
        """0 when a request may go now, else the whole seconds until one may."""
        if self.per_minute <= 0:
            return 0
        with self._lock:
            tokens = self._level(key, self.clock())
        return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) * 60.0 / self.per_minute))

    def take(self, key: str) -> int:
        """Spend one request; answers retry_after (0 when it was allowed)."""
        if self.per_minute <= 0:
            return 0
        with self._lock:
            now = self.clock()
            tokens = self._level(key, now)
            if tokens < 1:
                return max(1, math.ceil((1 - tokens) * 60.0 / self.per_minute))
            self._buckets[key] = (tokens - 1, now)
            return 0


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _in(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's proxy options: its X-Forwarded-For/-Proto handling trusts only REGISTRY_TRUSTED_PROXIES (by default
    uvicorn trusts 127.0.0.1, so anyone on the machine could pick their client address and rate-limit key)."""
    proxies = ",".join(str(network) for network in _networks(settings.trusted_proxies))
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or ""}


class Limits:
    """The limits of one app, built from its settings."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.writes = TokenBucket(settings.write_rate_per_minute, clock)
        self.auth_failures = TokenBucket(settings.auth_failures_per_minute, clock)
        self.trusted_proxies = _networks(settings.trusted_proxies)

    def client_address(self, connection: ASGIConnection) -> str:
        """The peer's address; behind a trusted proxy, the nearest X-Forwarded-For hop that is not a proxy."""
        peer = connection.client.host if connection.client else "unknown"
        if not self.trusted_proxies or not _in(peer, self.trusted_proxies):
            return peer
        hops = [h.strip() for h in ",".join(connection.headers.getall("x-forwarded-for", [])).split(",") if h.strip()]
        for hop in reversed(hops):
            if not _in(hop, self.trusted_proxies):
                return hop
        return hops[0] if hops else peer

    def check_auth_allowed(self, connection: ASGIConnection) -> None:
        wait = self.auth_failures.retry_after(self.client_address(connection))
        if wait:
            raise TooManyRequests("too many failed authentications from this address; retry later",
                                  code="too_many_auth_failures", detail={"retry_after": wait})

    def auth_failed(self, connection: ASGIConnection) -> None:
        self.auth_failures.take(self.client_address(connection))

    def check_write(self, connection: ASGIConnection, token_id: str | None) -> None:
        if token_id is None or connection.scope.get("method") not in WRITE_METHODS:
            return
        wait = self.writes.take(token_id)
        if wait:
            raise TooManyRequests("too many writes with this token; retry later", code="too_many_writes",
                                  detail={"retry_after": wait})


__all__ = ["Limits", "TokenBucket", "WRITE_METHODS", "server_options"]
