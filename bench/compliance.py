"""Compliance-check speed, each figure with a baseline measured in the same run.

    python bench/compliance.py [--profiles 100000] [--http-seconds 10] [--http-rounds 5] [--only one|batch|http]

1. one profile x every shipped market (every economy of standards/jurisdictions.json), in process: jsonschema-rs vs python-jsonschema (cached validators);
2. a batch of generated profiles x every shipped market through `registry check --workers 1`: profile-market checks
   per second on one core, against python-jsonschema on a slice of the same file; peak memory of a run over
   a tenth of the input vs the whole input (streamed: it must not grow with the input);
3. HTTP, one uvicorn worker (uvloop + httptools), 50 connections from wrk on 127.0.0.1:
   POST /api/v1/compliance/check for one market vs a bare ASGI app doing the same validation; the registry as
   deployed: Prometheus metrics on, a request id made and echoed for every request (the access log off: wrk's
   100,000 lines would measure the terminal).
Needs `wrk` for part 3 (apt-get install wrk); part 3 is skipped without it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# every shipped market: each economy of standards/jurisdictions.json (33 jurisdictions on 2 Dec 2026, 31 economies)
MARKETS = [j["code"] for j in json.loads((ROOT / "standards" / "jurisdictions.json").read_text())["jurisdictions"]
           if j["kind"] == "economy" and j["code"] != "CN"] + ["CN"]


def database(folder: Path) -> str:
    from registry.domain.access import ADMIN, Principal
    from registry.services import corpus
    from registry.storage.database import make_engine, write_session
    from registry.storage.migrate import migrate

    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    with write_session(engine) as session:
        assert corpus.load(session, Principal(None, "bench", ADMIN), ROOT / "standards").ok
    engine.dispose()
    return url


def generate(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(count):
            profile = {"seller": {"sells_b2c": rng.random() < 0.8, "is_marketplace": rng.random() < 0.3,
                                  "processes_personal_data": rng.random() < 0.7},
                       "consumer_protection": {"withdrawal_period_days": rng.choice([7, 10, 14, 30]),
                                               "refund_deadline_days": rng.choice([5, 7, 14, 30])},
                       "personal_data": {"storage_locations": rng.sample(["CN", "RU", "KZ", "EU", "US"], 2)}}
            out.write(json.dumps({"id": i, "profile": profile}) + "\n")


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def part_one(url: str) -> None:
    from registry.services.compliance import load_frameworks, run_check
    from registry.storage.database import make_engine, read_session

    with read_session(make_engine(url)) as session:
        frameworks = load_frameworks(session, MARKETS)
    profile = {"seller": {"sells_b2c": True, "processes_personal_data": True},
               "consumer_protection": {"withdrawal_period_days": 7}, "personal_data": {"storage_locations": ["CN"]}}
    print(f"\n## 1. One profile x {len(MARKETS)} markets ({len(frameworks.versions_used)} rule versions), in process")
    print("| engine | check (ms) | with combined requirement (ms) |\n|---|---|---|")
    results = {}
    for engine in ("python", "rust"):
        run_check(frameworks, profile, engine=engine)  # build validators once
        bare = timed(lambda: run_check(frameworks, profile, engine=engine, combine=False), 200)
        full = timed(lambda: run_check(frameworks, profile, engine=engine), 200)
        results[engine] = bare
        print(f"| {engine} | {bare * 1000:.3f} | {full * 1000:.3f} |")
    print(f"rust is {results['python'] / results['rust']:.1f}x python-jsonschema (cached validators)")
    # the merge behind the combined requirement, with and without the combined schema (which the check does not read)
    from comparisons import merge_strictest
    from registry.services.combined import distinct_markets

    _, inputs, _ = distinct_markets(run_check(frameworks, profile, combine=False).results)
    full = timed(lambda: merge_strictest(inputs, format_assertion=True), 100)
    quick = timed(lambda: merge_strictest(inputs, format_assertion=True, schema=False), 100)
    print(f"merge of {len(inputs)} distinct markets' constraints: with the combined schema {full * 1000:.3f} ms, "
          f"requirements and conflicts only {quick * 1000:.3f} ms ({full / quick:.1f}x)")


def run_cli(args: list[str], env: dict) -> tuple[float, int, str]:
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, sep='\\n'); "
               "print(p.stderr[-2000:])")
    out = subprocess.run([sys.executable, "-c", wrapper, *args], env=env, capture_output=True, text=True).stdout
    seconds, rss, rest = out.split("\n", 2)
    return float(seconds), int(rss), rest


def part_two(url: str, folder: Path, count: int) -> None:
    registry = shutil.which("registry") or "registry"
    big, small = folder / "profiles.jsonl", folder / "profiles-tenth.jsonl"
    generate(big, count)
    generate(small, count // 10)
    env = {**os.environ, "REGISTRY_DATABASE_URL": url}
    base = [registry, "check", "--markets", ",".join(MARKETS), "--workers", "1", "--output", str(folder / "out.jsonl")]
    print(f"\n## 2. Batch through the CLI: {count:,} profiles x {len(MARKETS)} markets, one worker")
    rust_t, rust_rss, _ = run_cli([*base, str(big)], env)
    tenth_t, tenth_rss, _ = run_cli([*base, str(small)], env)
    py_t, _, _ = run_cli([*base, str(small)], {**env, "REGISTRY_VALIDATION_ENGINE": "python"})
    rust_rate = count * len(MARKETS) / rust_t
    py_rate = (count // 10) * len(MARKETS) / py_t
    print("| run | profiles | seconds | profile-market checks/s | peak RSS (MB) |\n|---|---|---|---|---|")
    print(f"| jsonschema-rs | {count:,} | {rust_t:.1f} | {rust_rate:,.0f} | {rust_rss / 1024:.0f} |")
    print(f"| jsonschema-rs | {count // 10:,} | {tenth_t:.1f} | {(count // 10) * len(MARKETS) / tenth_t:,.0f} | {tenth_rss / 1024:.0f} |")
    print(f"| python-jsonschema | {count // 10:,} | {py_t:.1f} | {py_rate:,.0f} | — |")
    print(f"rust is {rust_rate / py_rate:.1f}x python-jsonschema's cached iter_errors; peak memory over the whole "
          f"input is {rust_rss / tenth_rss:.2f}x that over a tenth (streamed)")


BARE_APP = textwrap.dedent('''
    import json, jsonschema_rs
    SCHEMA = json.loads(open(__import__("os").environ["BENCH_SCHEMA"]).read())
    VALIDATOR = jsonschema_rs.Draft202012Validator(SCHEMA, validate_formats=True)

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        profile = json.loads(body)["profile"]
        errors = [{"path": "/" + "/".join(map(str, e.instance_path)), "message": e.message}
                  for e in VALIDATOR.iter_errors(profile)]
        out = json.dumps({"market": "EU", "status": "non_compliant" if errors else "compliant",
                          "violations": errors}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": out})
''')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(port: int) -> None:
    for _ in range(1200):  # up to 60 s: a loaded machine starts uvicorn slowly
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def wrk(port: int, path: str, body: str, seconds: int, folder: Path) -> tuple[float, float, float]:
    script = folder / "post.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = {json.dumps(body)}\n')
    out = subprocess.run(["wrk", "-t1", "-c50", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    if "Non-2xx" in out or "Socket errors" in out:
        print("wrk reported errors:\n" + out)
    return rps, percentile("50"), percentile("99")


def observed(port: int) -> None:
    """The registry under test counts its requests in /metrics and echoes a request id: what is measured is on."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as answer:
        assert answer.headers["X-Request-ID"] and b'registry_requests_total{' in answer.read()


def serve_and_load(target: str, env: dict, folder: Path, body: str, seconds: int) -> tuple[float, float, float]:
    """One uvicorn worker (uvloop, httptools) serving `target`, warmed up, then loaded by wrk: (req/s, p50, p99)."""
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--loop", "uvloop", "--http", "httptools",
            "--workers", "1", "--log-level", "warning", "--no-access-log"]
    if target.endswith("create_app"):
        args.append("--factory")
    server = subprocess.Popen(args, cwd=folder, env={**os.environ, **env, "PYTHONPATH": f"{folder}:{ROOT}"})
    try:
        wait(port)
        path = "/" if target == "bare:app" else "/api/v1/compliance/check"
        wrk(port, path, body, 2, folder)  # warm up
        if target != "bare:app":
            observed(port)
        return wrk(port, path, body, seconds, folder)
    finally:
        server.terminate()
        server.wait(10)


def part_three(url: str, folder: Path, seconds: int, rounds: int) -> None:
    if not shutil.which("wrk"):
        print("\n## 3. HTTP: skipped (wrk is not installed: apt-get install wrk)")
        return
    from registry.services.compliance import load_frameworks
    from registry.storage.database import make_engine, read_session

    with read_session(make_engine(url)) as session:
        [version] = [v for v in load_frameworks(session, ["EU"], topics=["consumer-protection"]).markets["EU"]]
    (folder / "schema.json").write_text(json.dumps(version.schema))
    (folder / "bare.py").write_text(BARE_APP)
    body = json.dumps({"profile": {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}},
                       "markets": ["EU"], "topics": ["consumer-protection"]})
    servers = (("bare ASGI app, same validation", "bare:app", {"BENCH_SCHEMA": str(folder / "schema.json")}),
               ("registry POST /api/v1/compliance/check", "registry.app:create_app",
                {"REGISTRY_DATABASE_URL": url, "REGISTRY_LOAD_CORPUS": "false", "REGISTRY_METRICS": "true",
                 "REGISTRY_ACCESS_LOG": os.environ.get("REGISTRY_ACCESS_LOG", "false")}))
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in servers}
    # the two servers alternate, `rounds` times each, and each figure is the median of its rounds: a slow spell
    # of a shared machine then weighs on both alike
    for _ in range(rounds):
        for name, target, env in servers:
            runs[name].append(serve_and_load(target, env, folder, body, seconds))
    print(f"\n## 3. HTTP, one uvicorn worker, 50 connections (wrk -t1 -c50 -d{seconds}s, same machine, "
          f"median of {rounds} alternating rounds)")
    print("| server | requests/s | p50 (ms) | p99 (ms) | p99/p50 | requests/s of each round |\n|---|---|---|---|---|---|")
    medians = {}
    for name, rs in runs.items():
        rps, p50, p99 = (statistics.median(r[i] for r in rs) for i in range(3))
        medians[name] = rps
        print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {p99 / p50:.1f} | "
              f"{', '.join(f'{r[0]:,.0f}' for r in rs)} |")
    bare, ours = medians.values()
    print(f"the registry reaches {ours / bare:.0%} of the bare ASGI app's throughput")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--http-rounds", type=int, default=5)
    parser.add_argument("--only", choices=["one", "batch", "http"], help="run one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = database(folder)
        print(f"# bench/compliance.py on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
        if args.only in (None, "one"):
            part_one(url)
        if args.only in (None, "batch"):
            part_two(url, folder, args.profiles)
        if args.only in (None, "http"):
            part_three(url, folder, args.http_seconds, args.http_rounds)


if __name__ == "__main__":
    main()
