"""While one anonymous client loops the worst request we know, does everyone else still get answered?

    python bench/hostile.py [--seconds 30] [--url postgresql://postgres@127.0.0.1:5432/hostile] [--only NAME]

Starts `registry serve` (uvicorn, one process) on 127.0.0.1 on a temporary SQLite file (or on `--url`, an empty
database it loads the corpus into). Then, first with no attacker (the baseline) and then with each attack in turn
for `--seconds`, a second client measures GET /healthz and a version GET
(/api/v1/documents/EU/consumer-protection/versions/1), one request every 20 ms, alternating. The attacker runs in
a process of its own, one request at a time, and stops at the deadline or after 10,000 requests. The attacks:

- check:    a 9.8 MB JSON body to POST /api/v1/compliance/check (an inline profile padded with 9,700 strings)
- meetings: a 9.8 MB JSON body to POST /api/v1/meetings, without a token
- versions: a 9.8 MB JSON body to POST /api/v1/documents/EU/consumer-protection/versions, without a token
- form:     a 9.9 MB url-encoded form to POST /sign-in (a form anyone may send)
- compare:  an inline /compare whose left schema's $defs double through anyOf at each of --compare-depth levels
            (a new `$comment` each time, so that no cached result answers it)

Prints p50/p99 per measured route under each attack and the ratio to the baseline of the same run; the goal of
issue 13 is /healthz p99 < 100 ms and the version GET p99 < 250 ms while attacked. Timing on a shared machine is
noisy: compare the ratios, and run it twice.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anywhere else
VERSION = "/api/v1/documents/EU/consumer-protection/versions/1"
MAX_ATTACKS = 10_000
BIG = 9_800_000
FRESH = b"#" * 12  # replaced by each attack's number: a new schema each time, which no cache has seen


def padded_json(value: dict, field: str, size: int) -> bytes:
    """`value` with a list of 1,000-character strings in `field` that makes its JSON text about `size` bytes long
    (each string under REGISTRY_MAX_STRING_CHARS, so the whole text is parsed)."""
    text = json.dumps({**value, field: []}).encode()
    return json.dumps({**value, field: ["x" * 1000] * ((size - len(text)) // 1004)}).encode()


def doubling_schema(depth: int) -> dict:
    """$defs d0 … dN where each level is anyOf two references to the next: 2**depth paths, 2 KB of text."""
    defs = {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(depth)}
    defs[f"d{depth}"] = {"type": "string", "minLength": 1}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def attacks(compare_depth: int) -> dict[str, tuple[str, str, bytes]]:
    """name: (path, content type, body)."""
    profile = json.loads(padded_json({"seller": {"sells_b2c": True}}, "pad", BIG - 100))
    meeting = {"title": "x", "type": "government-enterprise-dialogue", "start": "2025-06-12T10:00",
               "end": "2025-06-12T12:30", "timezone": "Europe/Berlin"}
    version = {"schema": {"type": "object"}, "effective_from": "2030-01-01"}
    compare = {"left_schema": {**doubling_schema(compare_depth), "$comment": FRESH.decode()},
               "right_schema": {"type": "string", "maxLength": 5}}
    form = b"token=" + b"x" * (9_900_000 - 6)
    return {
        "check": ("/api/v1/compliance/check", "application/json",
                  json.dumps({"markets": ["EU"], "profile": profile}).encode()),
        "meetings": ("/api/v1/meetings", "application/json", padded_json(meeting, "description", BIG)),
        "versions": ("/api/v1/documents/EU/consumer-protection/versions", "application/json",
                     padded_json(version, "changelog", BIG)),
        "form": ("/sign-in", "application/x-www-form-urlencoded", form),
        "compare": ("/api/v1/compare", "application/json", json.dumps(compare).encode()),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_HOST": HOST, "REGISTRY_PORT": str(port),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve"], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180  # the first start loads the corpus
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not start")


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> tuple[int, float]:
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def attacker(port: int, attack: tuple[str, str, bytes], seconds: float, counts: dict) -> None:
    """One anonymous client, one request at a time, until the deadline (or MAX_ATTACKS)."""
    path, content_type, body = attack
    deadline = time.monotonic() + seconds
    conn = None
    for attempt in range(MAX_ATTACKS):
        if time.monotonic() >= deadline:
            break
        try:
            conn = conn or http.client.HTTPConnection(HOST, port, timeout=120)
            conn.request("POST", path, body=body.replace(FRESH, b"%012d" % attempt, 1),
                         headers={"Content-Type": content_type})
            response = conn.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            counts["reset"] = counts.get("reset", 0) + 1
            if conn is not None:
                conn.close()
            conn = None


def measure(port: int, seconds: float) -> dict[str, list[float]]:
    """GET /healthz and the version GET, alternating, one every 20 ms: their latencies in ms."""
    out: dict[str, list[float]] = {"/healthz": [], VERSION: []}
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    deadline = time.monotonic() + seconds
    paths = list(out)
    i = 0
    while time.monotonic() < deadline and i < 100_000:
        path = paths[i % 2]
        status, took = get(port, path, conn)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        out[path].append(took * 1000)
        i += 1
        time.sleep(0.02)
    return out


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(port: int, name: str, attack: tuple[str, str, bytes] | None, seconds: float) -> tuple[dict, dict]:
    counts: dict = multiprocessing.Manager().dict() if attack else {}
    process = None
    if attack:
        process = multiprocessing.Process(target=attacker, args=(port, attack, seconds, counts))
        process.start()
        time.sleep(0.5)  # let the first attack arrive
    try:
        latencies = measure(port, seconds)
    finally:
        if process is not None:
            process.join(180)
            if process.is_alive():
                process.terminate()
    return latencies, dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--url", help="a database URL (e.g. PostgreSQL); default: a temporary SQLite file")
    parser.add_argument("--compare-depth", type=int, default=12)
    parser.add_argument("--only", action="append", help="run only this attack (repeatable)")
    args = parser.parse_args()
    chosen = attacks(args.compare_depth)
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k in args.only}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.url or f"sqlite:///{folder / 'hostile.db'}"
        port = free_port()
        server = start_server(url, port, folder)
        try:
            print(f"# bench/hostile.py, {args.seconds:g} s per attack, {os.cpu_count()} cores, "
                  f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, {time.strftime('%Y-%m-%d %H:%M')}")
            baseline, _ = run(port, "baseline", None, args.seconds)
            print("| attack | route | p50 ms | p99 ms | p50 / baseline | p99 / baseline | attacker answers |")
            print("|---|---|---|---|---|---|---|")
            for path, values in baseline.items():
                print(f"| none (baseline) | {path} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} "
                      f"| 1.0 | 1.0 | — |")
            for name, attack in chosen.items():
                latencies, counts = run(port, name, attack, args.seconds)
                answers = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str))
                for path, values in latencies.items():
                    p50, p99 = percentile(values, 50), percentile(values, 99)
                    print(f"| {name} | {path} | {p50:.1f} | {p99:.1f} | {p50 / percentile(baseline[path], 50):.1f} "
                          f"| {p99 / percentile(baseline[path], 99):.1f} | {answers} |", flush=True)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
