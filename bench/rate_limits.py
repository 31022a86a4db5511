"""litestar's RateLimitMiddleware (memory store) against the registry's token buckets in the database
(registry/storage/rate_limits.py, shared by every server process), per request, in-process on a minimal app: each
variant answers the same POST, one key per simulated client, every key sending `--per-key` requests (up to the
limit: 600 a minute is REGISTRY_WRITE_RATE_PER_MINUTE's default). The buckets live in a temporary SQLite file, or
in the (migrated) database `--url` names. Prints the median µs per request and the ratio to the same app without
a limit, measured in the same run.

    python bench/rate_limits.py [--keys 20] [--per-key 600] [--rounds 5] [--url postgresql://…/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import anyio.to_thread

from litestar import Litestar, Request, post
from litestar.middleware.rate_limit import RateLimitConfig

from sqlalchemy import Engine, text

from registry.storage.database import make_engine
from registry.storage.migrate import migrate
from registry.storage.rate_limits import SharedBucket


@post("/write", sync_to_thread=False)
def write() -> dict:
    return {"ok": True}


def _key(request: Request) -> str:
    return request.headers.get("x-key", "")


def apps(per_minute: int, engine: Engine) -> dict[str, Litestar]:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limit_bucket"))  # every key starts full
    bucket = SharedBucket("bench", per_minute, engine)

    async def take(request: Request) -> None:  # as the registry does: in a worker thread
        if (await anyio.to_thread.run_sync(bucket.take, _key(request))).retry_after:
            raise RuntimeError("the bench must stay under the limit")

    limited = RateLimitConfig(rate_limit=("minute", per_minute), identifier_for_request=_key,
                              set_rate_limit_headers=False)
    return {"no limit (baseline)": Litestar([write]),
            f"registry shared bucket ({engine.dialect.name})": Litestar([write], before_request=take),
            "litestar RateLimitMiddleware": Litestar([write], middleware=[limited.middleware])}


async def call(app: Litestar, key: bytes) -> int:
    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/write", "raw_path": b"/write",
             "root_path": "", "scheme": "http", "query_string": b"", "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 8000), "headers": [(b"host", b"localhost"), (b"x-key", key)]}
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def run(keys: int, per_key: int, rounds: int, engine: Engine) -> None:
    results: dict[str, list[float]] = {}
    for round_ in range(rounds):
        for name, app in apps(per_key, engine).items():  # fresh stores each round: every key starts empty
            started = time.perf_counter()
            for n in range(per_key):
                for k in range(keys):
                    status = await call(app, f"client-{round_}-{k}".encode())
                    assert status == 201, (name, status)
            results.setdefault(name, []).append((time.perf_counter() - started) / (keys * per_key) * 1e6)
    baseline = statistics.median(results["no limit (baseline)"])
    print(f"{keys} keys x {per_key} requests, {rounds} rounds (median µs per request; ratio to the baseline)")
    for name, timings in results.items():
        median = statistics.median(timings)
        print(f"  {name:32} {median:8.1f} µs   x{median / baseline:.2f}   (+{median - baseline:.1f} µs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--per-key", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", default="", help="a database for the buckets [default: a temporary SQLite file]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.url or f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate(engine)
        asyncio.run(run(args.keys, args.per_key, args.rounds, engine))
        engine.dispose()


if __name__ == "__main__":
    main()
