"""Load test on 127.0.0.1: a real server (uvicorn) over a fresh database holding the shipped corpus — a SQLite file,
or a new PostgreSQL database made for the run and dropped after it — with one or several worker processes, 200
concurrent clients reading and 10 writing for a bounded time; prints p50/p99 latency, throughput and statuses.

    python bench/load.py [--seconds 60] [--readers 200] [--writers 10]
    python bench/load.py --workers 2 --url postgresql://postgres@127.0.0.1:5432/test   # issue 18

Readers loop over GET documents, a document, its versions, one version, jurisdictions and a gap report, as
anonymous API clients (no If-None-Match); each writer holds its own regulator token and creates draft versions of
its jurisdiction's documents. 409 (a concurrent writer won) and 429 (a limit) are counted apart; any other status
but 200/201, any 5xx and any transport error counts as an error. Exits non-zero when there was one. With
`--workers N` above 1 the server is `uvicorn registry.app:create_app --factory --workers N` (the corpus is loaded
before it starts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
APART = (409, 429)  # a concurrent writer won; a limit: counted, not errors
READS = ["/api/v1/documents?limit=50", "/api/v1/documents/{doc}", "/api/v1/documents/{doc}/versions",
         "/api/v1/documents/{doc}/versions/latest", "/api/v1/jurisdictions", "/api/v1/gaps?from=CN&to=EU"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registry(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "registry.cli", *args], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.statuses: Counter[int] = Counter()

    def report(self, name: str, seconds: float) -> str:
        lat = sorted(self.latencies)
        if not lat:
            return f"{name}: no requests"
        p50, p99 = lat[len(lat) // 2] * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(self.statuses.items()))
        return (f"{name}: {len(lat):,} requests, {len(lat) / seconds:,.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"max {lat[-1] * 1000:.0f} ms, statuses {statuses}, errors {len(self.errors)}")


async def timed(client: httpx.AsyncClient, tally: Tally, method: str, url: str, ok: tuple[int, ...], **kwargs):
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        tally.errors.append(f"{method} {url}: {type(exc).__name__} {exc}")
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[response.status_code] += 1
    if response.status_code not in ok and response.status_code not in APART:
        tally.errors.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    return response


async def reader(client: httpx.AsyncClient, tally: Tally, documents: list[str], until: float, rng: random.Random):
    while time.monotonic() < until:
        url = rng.choice(READS).format(doc=rng.choice(documents))
        await timed(client, tally, "GET", url, (200,))


async def writer(client: httpx.AsyncClient, tally: Tally, token: str, document: str, schema: dict, until: float):
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while time.monotonic() < until:
        n += 1
        body = {"schema": {**schema, "description": f"load-test draft {n} {time.time_ns()}"},
                "changelog": f"load test {n}"}
        await timed(client, tally, "POST", f"/api/v1/documents/{document}/versions", (201,), json=body,
                    headers=headers)


async def drive(base: str, seconds: float, readers: int, writers: list[tuple[str, str, dict]],
                documents: list[str]) -> tuple[Tally, Tally, float]:
    reads, writes = Tally(), Tally()
    # one client (one connection) per simulated user: a single client's pool of 210 connections cost the load
    # generator more than the server (101 reads/s for 200 readers vs 271/s for 20, same server); idle connections
    # are dropped before uvicorn's 5 s keep-alive timeout closes them under a request in flight
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=2.0)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=60) for _ in range(readers + len(writers))]
    try:
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(reader(clients[i], reads, documents, until, random.Random(i)) for i in range(readers)),
            *(writer(clients[readers + i], writes, token, doc, schema, until)
              for i, (token, doc, schema) in enumerate(writers)))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return reads, writes, elapsed


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A new SQLite file, or a new PostgreSQL database beside `url` (dropped afterwards)."""
    if not url:
        yield f"sqlite:///{Path(tempfile.mkdtemp(prefix='rcr-load-')) / 'registry.db'}"
        return
    from sqlalchemy import create_engine, text

    from registry.storage.database import normalise_url

    name = f"rcr_load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--url", default=None, help="a PostgreSQL URL: a new database is made beside it")
    args = parser.parse_args()
    with database(args.url) as url:
        return run(args, url)


def run(args: argparse.Namespace, url: str) -> int:
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_PORT": str(port),
           "REGISTRY_HOST": "127.0.0.1", "REGISTRY_STANDARDS_DIR": str(ROOT / "standards"),
           # each writer makes far more than the default 600 writes a minute: this measures the server, not the limit
           "REGISTRY_WRITE_RATE_PER_MINUTE": "0"}
    registry(env, "load")
    jurisdictions = ["CN", "EU", "SG", "AU", "JP", "KR", "MY", "TH", "VN", "ID", "BR", "AE", "GB", "US", "IN", "NZ"]
    command = ["-m", "registry.cli", "serve", "--no-corpus"] if args.workers == 1 else [
        "-m", "uvicorn", "registry.app:create_app", "--factory", "--workers", str(args.workers), "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log"]
    server = subprocess.Popen([sys.executable, *command], env={**env, "REGISTRY_LOAD_CORPUS": "false"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        listing = httpx.get(f"{base}/api/v1/documents?limit=500&kind=rule", timeout=30).json()["items"]
        documents = [d["name"] for d in listing]
        writers = []
        for index in range(args.writers):
            rule = next(d for d in listing[index::max(1, args.writers)] if d["jurisdiction"] in jurisdictions)
            schema = httpx.get(f"{base}/api/v1/documents/{rule['name']}/versions/latest", timeout=30).json()["schema"]
            out = registry(env, "token", "create", "--role", "regulator", "--jurisdiction", rule["jurisdiction"],
                           "--name", f"load-writer-{index}")
            token = next(word for word in out.split() if word.startswith("rcr_"))
            writers.append((token, rule["name"], schema))
        reads, writes, elapsed = asyncio.run(drive(base, args.seconds, args.readers, writers, documents))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.readers} readers, {len(writers)} writers, {args.workers} worker process(es), "
          f"{url.split(':', 1)[0]}, {elapsed:.1f} s, {len(documents)} rule documents")
    print(reads.report("reads", elapsed))
    print(writes.report("writes", elapsed))
    for error in (reads.errors + writes.errors)[:10]:
        print("  error:", error)
    print(json.dumps({"reads": len(reads.latencies), "writes": len(writes.latencies),
                      "errors": len(reads.errors) + len(writes.errors)}))
    return 1 if reads.errors or writes.errors else 0


if __name__ == "__main__":
    sys.exit(main())
