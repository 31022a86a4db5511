"""Time each read route of the API in process (litestar TestClient) over the shipped corpus, against /healthz
measured in the same run: median and p95 in milliseconds and the ratio of the median to the baseline's, as an API
client reads them (no cookie: answered from the cache of read answers, registry/api/read_cache.py) and uncached
(a Cookie header passes that cache: the route's own cost, as on the first read after a write). The target (issue
18) is every read route within 3× /healthz. A last row revalidates a version (If-None-Match → 304).

    python bench/reads.py [--runs 200] [--url sqlite:////tmp/bench-reads.db]
"""

from __future__ import annotations

import statistics
import time

from litestar.testing import TestClient

from pages import corpus_client  # bench/ is the script's folder

EU = "/api/v1/documents/EU/consumer-protection"
READS = [
    ("baseline /healthz", "/healthz"),
    ("jurisdictions", "/api/v1/jurisdictions"),
    ("jurisdiction", "/api/v1/jurisdictions/EU"),
    ("documents", "/api/v1/documents?limit=50"),
    ("document", EU),
    ("versions of a document", EU + "/versions"),
    ("version by number", EU + "/versions/1"),
    ("version @latest", EU + "/versions/latest"),
    ("version @current", EU + "/versions/current"),
    ("schema by hash", "/api/v1/schemas/{hash}"),
    ("gap report CN→EU", "/api/v1/gaps?from=CN&to=EU"),
    ("matrix (consumer protection)", "/api/v1/comparisons/matrix?topic=consumer-protection"),
    ("compare page", "/compare?left=CN&right=EU&topic=consumer-protection"),
    ("coverage grid", "/api/v1/coverage"),
]


def timed(client: TestClient, path: str, runs: int, headers: dict[str, str]) -> list[float]:
    for _ in range(3):  # warm: caches, first comparison of a pair
        status = client.get(path, headers=headers).status_code
        assert status in (200, 304), (path, status)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def main() -> None:
    args, app_client = corpus_client(__doc__, 200)
    plain = {"accept": "application/json", "accept-encoding": "identity"}
    with app_client as client:
        version = client.get(EU + "/versions/1", headers=plain)
        rows = []
        revalidate = {**plain, "if-none-match": version.headers["etag"]}
        for name, path, headers in [*((n, p, plain) for n, p in READS),
                                    ("version by number, revalidated (304)", EU + "/versions/1", revalidate)]:
            url = path.format(hash=version.json()["body_hash"])
            client.cookies.clear()  # an API client: no session cookie (a page sets one)
            kept = timed(client, url, args.runs, headers)
            # any Cookie passes the cache of read answers: the route's own cost, as after a write
            rows.append((name, kept, timed(client, url, args.runs, {**headers, "cookie": "bench=1"})))
    base = statistics.median(rows[0][1])
    print(f"{'read':40} {'median ms':>10} {'p95 ms':>8} {'× healthz':>10} {'uncached ms':>12} {'× healthz':>10}")
    for name, times, uncached in rows:
        median, cold = statistics.median(times), statistics.median(uncached)
        print(f"{name:40} {median:10.2f} {times[int(len(times) * 0.95) - 1]:8.2f} {median / base:10.1f} "
              f"{cold:12.2f} {cold / base:10.1f}")


if __name__ == "__main__":
    main()
