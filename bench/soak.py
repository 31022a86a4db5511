"""Memory soak on 127.0.0.1: a real `registry serve` (uvicorn, one process) over a fresh SQLite file holding the
shipped corpus, sent distinct inline comparisons; prints the server's resident memory along the way and the ratio
of the end to the mark after the first 1,000 (issue 13: at most 1.2), and its peak (at most 500 MB).

    python bench/soak.py [--requests 10000] [--large-every 500] [--clients 4] [--reproduction]
    python bench/soak.py --requests 0 --reproduction     # the reproduction alone

Every request is `POST /api/v1/compare` with a pair never sent before: an object schema of about 3 KB (25
properties of several types, limits drawn from the request's own seed) and a copy with a tenth of its limits
moved by one; every `--large-every`-th pair has 8,000 properties (about 1 MB). `--reproduction` then sends
issue 13's (c): 60 distinct pairs of 1.4 MB and 4,000 of 1.5 KB, and prints memory before, after and at peak.
Memory is VmRSS and VmHWM of /proc/PID/status. Any status but 200 counts as an error (exit status 1).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port, registry  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def schema_pair(seed: int, properties: int) -> tuple[dict, dict]:
    """A schema of `properties` properties and a copy with a tenth of its limits moved by one: distinct by seed."""
    rng = random.Random(seed)
    props: dict[str, dict] = {}
    for k in range(properties):
        kind = rng.choice(["string", "integer", "boolean", "array"])
        prop: dict = {"type": kind, "description": f"field {seed}-{k} " + "d" * rng.randrange(5, 40)}
        if kind == "string":
            prop["maxLength"] = rng.randrange(5, 200)
        elif kind == "integer":
            prop.update(minimum=rng.randrange(0, 10), maximum=rng.randrange(100, 1000))
        elif kind == "array":
            prop.update(items={"type": "string"}, maxItems=rng.randrange(1, 50))
        props[f"f{seed}_{k}"] = prop
    left = {"title": f"soak {seed}", "type": "object", "properties": props, "required": sorted(props)[: properties // 3]}
    right = copy.deepcopy(left)
    for name in rng.sample(sorted(props), max(1, properties // 10)):
        prop = right["properties"][name]
        for key in ("maxLength", "maximum", "maxItems"):
            if key in prop:
                prop[key] += rng.choice([-1, 1])
    return left, right


def memory(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of a process, in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Run:
    def __init__(self, base: str, pid: int, clients: int) -> None:
        self.base, self.pid, self.clients = base, pid, clients
        self.errors: list[str] = []
        self.sent = 0

    async def send(self, bodies, on_progress=None) -> None:
        """POST every body of the iterator (shared by `clients` tasks); on_progress(sent) after each answer."""
        # a new connection a request: a kept-alive one can be closed by the server just as a request goes out
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=self.base, timeout=600, limits=limits) as client:
            async def worker() -> None:
                for body in bodies:
                    try:
                        response = await client.post("/api/v1/compare", content=body,
                                                     headers={"content-type": "application/json"})
                    except httpx.TransportError as exc:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                    else:
                        if response.status_code != 200:
                            self.errors.append(f"{response.status_code} {response.text[:200]}")
                    self.sent += 1
                    if on_progress:
                        on_progress(self.sent)

            await asyncio.gather(*(worker() for _ in range(self.clients)))


def bodies(seeds: Iterable[int], properties_of: Callable[[int], int]) -> Iterator[bytes]:
    for seed in seeds:
        left, right = schema_pair(seed, properties_of(seed))
        yield json.dumps({"left_schema": left, "right_schema": right}).encode()


def soak(run: Run, requests: int, large_every: int) -> tuple[float, float]:
    marks: dict[int, float] = {}
    started = time.monotonic()

    def progress(sent: int) -> None:
        if sent % 1000 == 0 or sent == requests:
            rss, peak = memory(run.pid)
            marks[sent] = rss
            print(f"  {sent:>6,} compares  {time.monotonic() - started:7.1f} s  RSS {rss:7.1f} MiB  peak {peak:7.1f} MiB",
                  flush=True)

    large = lambda seed: 8000 if large_every and seed % large_every == large_every - 1 else 25  # noqa: E731
    asyncio.run(run.send(bodies(range(requests), large), progress))
    first = marks.get(1000, marks[min(marks)])
    return first, marks[max(marks)]


def reproduction(run: Run) -> None:
    """Issue 13 (c): 60 distinct requests of 1.4 MB, then 4,000 of 1.5 KB."""
    before = memory(run.pid)[0]
    asyncio.run(run.send(bodies(range(10**6, 10**6 + 60), lambda seed: 11_500)))
    after_large = memory(run.pid)
    asyncio.run(run.send(bodies(range(2 * 10**6, 2 * 10**6 + 4000), lambda seed: 12)))
    after_small = memory(run.pid)
    size = len(next(bodies([10**6], lambda seed: 11_500))) / MB
    small = len(next(bodies([2 * 10**6], lambda seed: 12))) / 1024
    print(f"reproduction (c): before {before:.1f} MiB; after 60 distinct requests of {size:.2f} MiB: "
          f"{after_large[0]:.1f} MiB; after 4,000 of {small:.1f} KiB: {after_small[0]:.1f} MiB; "
          f"peak {after_small[1]:.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--large-every", type=int, default=500, help="every Nth pair is ~1 MB (0: none)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--reproduction", action="store_true", help="then issue 13's (c) reproduction")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rcr-soak-"))
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": f"sqlite:///{folder / 'registry.db'}", "REGISTRY_PORT": str(port),
           "REGISTRY_HOST": "127.0.0.1", "REGISTRY_STANDARDS_DIR": str(ROOT / "standards")}
    registry(env, "load")
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--no-corpus"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        run = Run(base, server.pid, args.clients)
        print(f"server pid {server.pid}, started: RSS {memory(server.pid)[0]:.1f} MiB")
        first = last = memory(server.pid)[0]
        if args.requests:
            first, last = soak(run, args.requests, args.large_every)
            print(f"RSS after the first 1,000: {first:.1f} MiB; after {args.requests:,}: {last:.1f} MiB; "
                  f"ratio {last / first:.3f} (acceptance: <= 1.2); peak {memory(server.pid)[1]:.1f} MiB "
                  "(acceptance: < 500)")
        if args.reproduction:
            reproduction(run)
        peak = memory(server.pid)[1]
    finally:
        server.terminate()
        server.wait(timeout=30)
    for error in run.errors[:10]:
        print("  error:", error)
    print(json.dumps({"requests": run.sent, "errors": len(run.errors), "ratio": round(last / first, 3),
                      "first_mib": round(first, 1), "last_mib": round(last, 1), "peak_mib": round(peak, 1)}))
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
