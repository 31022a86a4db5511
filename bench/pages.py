"""Time each page type in-process (litestar TestClient) over the shipped corpus, against /healthz measured in the
same run; prints the median and p95 in milliseconds and the ratio to the baseline.

    python bench/pages.py [--runs 30] [--url sqlite:////tmp/bench-pages.db]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from litestar.testing import TestClient

from registry.app import create_app
from registry.settings import Settings

PAGES = [
    ("baseline /healthz", "/healthz"),
    ("home", "/"),
    ("jurisdictions", "/jurisdictions"),
    ("jurisdiction", "/jurisdictions/KZ"),
    ("documents", "/documents"),
    ("document", "/documents/EU/consumer-protection"),
    ("version", "/documents/EU/consumer-protection/versions/latest"),
    ("version diff", "/documents/EU/consumer-protection/diff?from=1&to=1"),
    ("compare (frameworks)", "/compare?left=CN&right=EU&topic=consumer-protection"),
    ("matrix", "/matrix?topic=consumer-protection"),
    ("matrix, largest topic (e-invoicing)", "/matrix?topic=e-invoicing"),
    ("coverage grid", "/coverage"),
    ("compliance form", "/compliance"),
    ("compliance check (3 markets)", "/compliance?markets=EU&markets=CN&markets=RU&profile=%7B%22seller%22%3A%7B%22"
                                     "sells_b2c%22%3Atrue%7D%7D"),
    ("meetings", "/meetings"),
    ("calendar", "/meetings/calendar"),
    ("statistics", "/meetings/stats"),
    ("docs page", "/docs/concepts"),
]


def corpus_client(description: str, runs: int) -> tuple[argparse.Namespace, TestClient]:
    """The command line (--runs, --url) and a client of an app over the shipped corpus (loaded on first start)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    return args, TestClient(app=create_app(Settings.from_env({}, database_url=url)))


def main() -> None:
    args, app_client = corpus_client(__doc__, 30)
    with app_client as client:
        rows = []
        for name, path in PAGES:
            for _ in range(3):  # warm: caches, first comparison of a pair
                assert client.get(path, headers={"accept": "text/html"}).status_code == 200, path
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                client.get(path, headers={"accept": "text/html"})
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            rows.append((name, statistics.median(times), times[int(len(times) * 0.95) - 1]))
    base = rows[0][1]
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'× healthz':>10}")
    for name, median, p95 in rows:
        print(f"{name:32} {median:10.1f} {p95:8.1f} {median / base:10.1f}")


if __name__ == "__main__":
    main()
