"""Filtered full-text search over many meetings: bulk-insert generated meetings, then time searches.

    python bench/meetings_search.py [--meetings 100000] [--searches 50] [--url sqlite:///…|postgresql://…]

Without --url it builds a fresh SQLite file in a temporary folder; a --url database must be empty and migrated
by the script (it runs the migrations). After the insert it runs ANALYZE, as autovacuum would on PostgreSQL. Each search is what GET /api/v1/meetings?q=…
runs: the full-text match, the filters (jurisdiction, topic, a date range, type), the total and the first page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from registry.domain.meetings import TYPES, filter_words  # noqa: E402
from registry.domain.topics import TOPICS  # noqa: E402
from registry.services.meetings_search import MeetingFilters, list_meetings  # noqa: E402
from registry.storage.database import make_engine, read_session, write_session  # noqa: E402
from registry.storage.migrate import migrate  # noqa: E402
from registry.storage.tables import Meeting, MeetingTag  # noqa: E402

CODES = ("AE", "AM", "BR", "BY", "CN", "EAEU", "EG", "EU", "ID", "KE", "KG", "KZ", "MY", "RU", "SG", "VN")
ORGANISATIONS = [f"organisation {n}" for n in range(200)]


def vocabulary(rng: random.Random, size: int = 5_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size * 2)}
    return sorted(words)[:size]


def generate(engine, count: int, rng: random.Random, words: list[str]) -> None:
    start = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few common words, many rare ones
    batch = 10_000
    with write_session(engine) as session:
        for offset in range(0, count, batch):
            meetings, tags = [], []
            for i in range(offset + 1, min(offset + batch, count) + 1):
                begins = start + dt.timedelta(hours=rng.randrange(12 * 365 * 24))
                text = " ".join(rng.choices(words, weights, k=rng.randint(30, 300)))
                own = [("jurisdiction", c) for c in rng.sample(CODES, 2)] + [("topic", rng.choice(TOPICS).slug),
                                                                            ("organisation", rng.choice(ORGANISATIONS))]
                text = filter_words(own, begins) + "\n" + text  # as refresh_search_text writes it
                meetings.append({"id": i, "title": f"Meeting {i}", "type": rng.choice(TYPES), "status": "held",
                                 "start_at": begins, "end_at": begins + dt.timedelta(hours=2), "timezone": "UTC",
                                 "place": "", "host": "", "description": "", "sources": [], "attachments": [],
                                 "sample": False, "sequence": 0, "search_text": text, "created_by": "bench",
                                 "created_at": now, "updated_at": now})
                tags += [{"meeting_id": i, "kind": kind, "value": value} for kind, value in own]
            session.execute(insert(Meeting), meetings)
            session.execute(insert(MeetingTag), tags)


def searches(count: int, rng: random.Random, words: list[str]) -> list[MeetingFilters]:
    found = []
    for n in range(count):
        # words across the frequency range: common (rank < 50), middling, rare
        word = words[rng.choice((rng.randrange(50), rng.randrange(50, 500), rng.randrange(500, len(words))))]
        year = rng.randrange(2015, 2027)
        found.append(MeetingFilters(
            text=word if n % 5 else f"{word} {words[rng.randrange(len(words))]}",
            jurisdiction=rng.choice(CODES) if n % 3 != 2 else None,
            topic=rng.choice(TOPICS).slug if n % 2 else None,
            start_from=dt.date(year, 1, 1) if n % 4 != 3 else None, start_to=dt.date(year + 2, 12, 31) if n % 4 != 3 else None,
            type=rng.choice(TYPES) if n % 7 == 0 else None))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=50)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{folder.name}/bench.db"
    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(6)
    words = vocabulary(rng)
    began = time.perf_counter()
    generate(engine, args.meetings, rng, words)
    with engine.connect() as connection:  # statistics for the planner, as autovacuum (or PRAGMA optimize) would
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    loaded = time.perf_counter() - began
    print(f"inserted {args.meetings:,} meetings (with their full-text index) and analysed them in {loaded:.1f} s "
          f"({args.meetings / loaded:,.0f}/s) on {engine.dialect.name}")
    times, hits = [], []
    with read_session(engine) as session:
        list_meetings(session, MeetingFilters(text=words[0]), limit=50)  # warm the cache once
        for filters in searches(args.searches, rng, words):
            t0 = time.perf_counter()
            rows, total = list_meetings(session, filters, limit=50)
            times.append((time.perf_counter() - t0) * 1000)
            hits.append(total)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"{len(times)} filtered full-text searches (total + first page of 50): median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms; matches per search: median {statistics.median(hits):,.0f}, "
          f"max {max(hits):,}")
    print("command: python bench/meetings_search.py " + " ".join(sys.argv[1:]))
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
