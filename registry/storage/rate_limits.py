"""Token buckets in the database (table rate_limit_bucket), so that every server process spends from the same ones:
with two workers a limit of 30 a minute stays 30, not 60. A bucket holds `per_minute` requests and refills
continuously (one every 60/per_minute seconds); spending one is a single INSERT … ON CONFLICT DO UPDATE … WHERE …
RETURNING, which the database applies atomically, so concurrent requests in any process never spend the same
token twice. Only the callers of the limits (failed authentications, token writes) reach this: reads and checks
make no trip for it."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Engine, text

# the IETF draft's headers, named as litestar's RateLimitMiddleware names them
HEADER_NAMES = ("RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
PRUNE_EVERY_SECONDS = 60.0  # a bucket untouched for a minute is full again: its row says nothing, and is deleted

# spend one when the refilled level allows it; `b` is the stored row
_TAKE = ("INSERT INTO rate_limit_bucket AS b (key, tokens, at) VALUES (:key, :cap - 1, :now) "
         "ON CONFLICT (key) DO UPDATE SET tokens = {level} - 1, at = {greater}(b.at, :now) "
         "WHERE {level} >= 1 RETURNING tokens")
_LEVEL = "{lesser}(:cap, b.tokens + {greater}(0, :now - b.at) * :rate)"
_FUNCTIONS = {"postgresql": {"lesser": "least", "greater": "greatest"}, "sqlite": {"lesser": "min", "greater": "max"}}


@dataclass(frozen=True)
class Allowance:
    """What a bucket says about one request: the RateLimit-* headers, and Retry-After when refused."""

    limit: int  # requests a minute, and the burst
    remaining: int  # whole requests left now
    reset: int  # seconds until the bucket is full again
    retry_after: int = 0  # 0: allowed; else seconds until one request may go

    def headers(self) -> dict[str, str]:
        values = (f"{self.limit}; w=60", str(self.limit), str(self.remaining), str(self.reset))
        return dict(zip(HEADER_NAMES, values))


class SharedBucket:
    """`per_minute` requests a minute per key, in bursts of up to `per_minute`, for every process using the
    database; 0 means no limit (and no database trip). `kind` keeps one limit's keys apart from another's."""

    def __init__(self, kind: str, per_minute: int, engine: Engine, clock: Callable[[], float] = time.time):
        self.kind, self.per_minute, self.engine, self.clock = kind, per_minute, engine, clock
        self._postgresql = engine.dialect.name == "postgresql"
        names = _FUNCTIONS["postgresql" if self._postgresql else "sqlite"]
        self._take = text(_TAKE.format(level=_LEVEL.format(**names), **names))
        self._pruned = 0.0

    def _allowance(self, tokens: float, retry_after: int = 0) -> Allowance:
        cap = self.per_minute
        return Allowance(cap, max(0, math.floor(tokens)), max(0, math.ceil((cap - tokens) * 60.0 / cap)), retry_after)

    def _refused(self, tokens: float) -> Allowance:
        return self._allowance(tokens, max(1, math.ceil((1 - tokens) * 60.0 / self.per_minute)))

    def peek(self, key: str, connection: Any = None) -> Allowance | None:
        """The bucket as it is, spending nothing (None without a limit); `connection` (a session or connection)
        reads it in a transaction the caller has open, else one of its own."""
        if self.per_minute <= 0:
            return None
        query = text("SELECT tokens, at FROM rate_limit_bucket WHERE key = :key")
        if connection is None:
            with self.engine.connect() as own:
                row = own.execute(query, {"key": f"{self.kind} {key}"}).first()
        else:
            row = connection.execute(query, {"key": f"{self.kind} {key}"}).first()
        now, cap = self.clock(), float(self.per_minute)
        tokens = cap if row is None else min(cap, row.tokens + max(0.0, now - row.at) * cap / 60.0)
        return self._allowance(tokens) if tokens >= 1 else self._refused(tokens)

    def take(self, key: str) -> Allowance | None:
        """Spend one request if the bucket allows it (retry_after 0), else spend nothing (retry_after > 0)."""
        if self.per_minute <= 0:
            return None
        now, cap = self.clock(), float(self.per_minute)
        parameters = {"key": f"{self.kind} {key}", "cap": cap, "now": now, "rate": cap / 60.0}
        with self.engine.execution_options(registry_write=True).begin() as connection:
            if self._postgresql:  # a bucket lost in a crash is harmless: do not wait for the WAL on disk
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            left = connection.execute(self._take, parameters).scalar()
            if now - self._pruned >= PRUNE_EVERY_SECONDS:
                self._pruned = now
                connection.execute(text("DELETE FROM rate_limit_bucket WHERE at < :then"),
                                   {"then": now - PRUNE_EVERY_SECONDS})
        if left is not None:
            return self._allowance(left)
        return self.peek(key)


__all__ = ["HEADER_NAMES", "Allowance", "SharedBucket"]
