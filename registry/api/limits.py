"""Rate limits: token-authenticated writes per token, failed authentications per client address, in buckets kept in
the database (registry/storage/rate_limits.py) so that every server process spends from the same ones; each answer
that spent from a bucket, or was refused by one, carries the RateLimit-* headers. Behind a reverse proxy the client
address comes from X-Forwarded-For, but only when the peer is a trusted proxy (REGISTRY_TRUSTED_PROXIES); uvicorn is
told the same proxies (`server_options`), so neither trusts anyone else.

Why not litestar's RateLimitMiddleware with a shared store: it counts every request before the handler, keyed by
address, with a read-then-write of the store that two processes can interleave; these limits count only failures
(known after the token is looked up) and writes per token (known after authentication), atomically."""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Callable

from litestar.connection import ASGIConnection
from litestar.types import Message, Scope
from sqlalchemy import Engine

from registry.errors import TooManyRequests
from registry.settings import Settings
from registry.storage.rate_limits import HEADER_NAMES as RATE_LIMIT_HEADERS, Allowance, SharedBucket

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_HEADERS = "registry.rate_limit"  # the RateLimit-* headers of the bucket this request spent from (scope["state"])


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _in(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's options: its X-Forwarded-For/-Proto handling trusts only REGISTRY_TRUSTED_PROXIES (by default
    uvicorn trusts 127.0.0.1, so anyone on the machine could pick their client address and rate-limit key); its own
    access log is off when the registry writes one (REGISTRY_ACCESS_LOG, with the request id), so a request is one line."""
    proxies = ",".join(str(network) for network in _networks(settings.trusted_proxies))
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or "", "access_log": not settings.access_log}


class Limits:
    """The limits of one app, built from its settings, kept in its database. The methods reach the database:
    call them in a worker thread, never on the event loop."""

    def __init__(self, settings: Settings, engine: Engine, clock: Callable[[], float] = time.time):
        self.writes = SharedBucket("write", settings.write_rate_per_minute, engine, clock)
        self.auth_failures = SharedBucket("auth", settings.auth_failures_per_minute, engine, clock)
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

    def check_auth_allowed(self, connection: ASGIConnection, session: Any = None) -> None:
        """429 while this address has no failed authentication left (read in `session`'s transaction if given)."""
        allowance = self.auth_failures.peek(self.client_address(connection), session)
        if allowance is not None and allowance.retry_after:
            _shown(connection, allowance)
            raise _too_many_failures(allowance)

    def auth_failed(self, connection: ASGIConnection) -> None:
        """Spend one failure; 429 when none was left (another request of this address spent the last one
        meanwhile, in this process or another): no more than the limit's failures are ever answered 401."""
        allowance = self.auth_failures.take(self.client_address(connection))
        _shown(connection, allowance)
        if allowance is not None and allowance.retry_after:
            raise _too_many_failures(allowance)

    def check_write(self, connection: ASGIConnection, token_id: str | None) -> None:
        if token_id is None or connection.scope.get("method") not in WRITE_METHODS:
            return
        allowance = self.writes.take(token_id)
        _shown(connection, allowance)
        if allowance is not None and allowance.retry_after:
            raise TooManyRequests("too many writes with this token; retry later", code="too_many_writes",
                                  detail={"retry_after": allowance.retry_after})


def _too_many_failures(allowance: Allowance) -> TooManyRequests:
    return TooManyRequests("too many failed authentications from this address; retry later",
                           code="too_many_auth_failures", detail={"retry_after": allowance.retry_after})


def _shown(connection: ASGIConnection, allowance: Allowance | None) -> None:
    if allowance is not None:
        connection.scope.setdefault("state", {})[_HEADERS] = allowance.headers()


async def add_rate_limit_headers(message: Message, scope: Scope) -> None:
    """A before_send hook: the RateLimit-* headers of the bucket the request spent from (or was refused by)."""
    if message["type"] == "http.response.start" and (shown := scope.get("state", {}).get(_HEADERS)):
        extra = [(name.lower().encode(), value.encode()) for name, value in shown.items()]
        message["headers"] = [*message.get("headers", ()), *extra]  # type: ignore[typeddict-unknown-key]


__all__ = ["RATE_LIMIT_HEADERS", "Limits", "WRITE_METHODS", "add_rate_limit_headers", "server_options"]
