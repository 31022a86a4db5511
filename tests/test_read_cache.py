"""The cache of anonymous API reads (registry/api/read_cache.py) and the change counter it keys on
(registry/storage/changes.py): a write by another process is seen (SQLite's data_version; PostgreSQL's NOTIFY),
callers with a token never get the anonymous answer, and nothing is cached while the counter is unknown."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from registry.api.read_cache import ReadCache
from tests.conftest import ROOT, auth
from tests.test_lifecycle import DOC, draft, schema

IDENTITY = {"accept-encoding": "identity"}
RENAME = """
import sys
from sqlmodel import select
from registry.storage.database import make_engine, write_session
from registry.storage.tables import Jurisdiction
engine = make_engine(sys.argv[1])
with write_session(engine) as session:
    row = session.exec(select(Jurisdiction).where(Jurisdiction.code == "DE")).one()
    row.name = sys.argv[2]
engine.dispose()
"""


def _name_of_de(client) -> str:
    items = client.get("/api/v1/jurisdictions?limit=500", headers=IDENTITY).json()["items"]
    return next(j["name"] for j in items if j["code"] == "DE")


def test_a_write_by_another_process_is_seen_by_the_next_read(client, database_url):
    before = _name_of_de(client)
    assert _name_of_de(client) == before  # kept
    subprocess.run([sys.executable, "-c", RENAME, database_url, "Renamed elsewhere"], cwd=ROOT, check=True)
    deadline = time.monotonic() + 5  # PostgreSQL: the notification's trip; SQLite: at once
    while _name_of_de(client) != "Renamed elsewhere":
        assert time.monotonic() < deadline, "the cached answer outlived a write by another process"
        time.sleep(0.05)


def test_a_caller_with_a_token_never_gets_the_anonymous_answer(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    number = draft(client, eu, schema(19), effective_from="2024-01-01", changelog="Draft.").json()["number"]
    anonymous = [client.get(f"{DOC}/versions", headers=IDENTITY).json() for _ in range(2)]
    assert number not in [v["number"] for v in anonymous[1]["items"]]
    writer = client.get(f"{DOC}/versions", headers={**IDENTITY, **eu})
    assert number in [v["number"] for v in writer.json()["items"]]
    assert writer.headers["cache-control"] == "private, no-store"


def test_a_kept_answer_revalidates_and_keeps_its_headers(client):
    first = client.get(f"{DOC}/versions/1", headers=IDENTITY)
    kept = client.get(f"{DOC}/versions/1", headers=IDENTITY)
    assert kept.content == first.content
    for name in ("etag", "cache-control", "vary", "content-type", "content-security-policy"):
        assert kept.headers[name] == first.headers[name], name
    again = client.get(f"{DOC}/versions/1", headers={**IDENTITY, "if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    packed = client.get(f"{DOC}/versions/1", headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.content == first.content


class _Counter:
    def __init__(self, value):
        self.value = value

    def current(self):
        return self.value

    def close(self):
        pass


def _calls_through(cache: ReadCache, times: int, headers=()) -> int:
    calls = 0

    async def route(scope, receive, send):
        nonlocal calls
        calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": [(b"etag", b'"x"')]})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    async def sink(message):
        pass

    app = cache.middleware(route)
    scope = {"type": "http", "method": "GET", "path": "/api/v1/jurisdictions", "query_string": b"",
             "headers": list(headers)}
    for _ in range(times):
        asyncio.run(app(dict(scope), None, sink))
    return calls


def test_nothing_is_kept_while_the_change_count_is_unknown():
    cache = ReadCache()
    assert _calls_through(cache, 3) == 3  # not started
    cache.start(_Counter(None))  # listener not (yet, or no longer) listening
    assert _calls_through(cache, 3) == 3
    cache.start(_Counter((1, 0)))
    assert _calls_through(cache, 3) == 1
    cache.changes.value = (2, 0)  # any write
    assert _calls_through(cache, 3) == 1
    assert _calls_through(cache, 2, [(b"cookie", b"s=1")]) == 2
    assert _calls_through(cache, 2, [(b"authorization", b"Bearer x")]) == 2


def test_a_draft_keeps_the_kept_answers_and_a_publish_changes_them(client, make_token, engine):
    from registry.storage.changes import change_counter

    counter = change_counter(engine)
    try:
        deadline = time.monotonic() + 5
        while counter.current() is None:  # PostgreSQL: until the listener listens
            assert time.monotonic() < deadline
            time.sleep(0.05)
        eu = auth(make_token("regulator", "EU"))
        before = counter.current()
        number = draft(client, eu, schema(17), effective_from="2024-01-01", changelog="Draft.").json()["number"]
        time.sleep(0.3)  # a notification, if one were sent, has arrived
        assert counter.current() == before  # only a draft (and the audit log): readers see nothing new
        assert client.post(f"{DOC}/versions/{number}/publish", headers=eu).status_code == 200
        deadline = time.monotonic() + 5
        while counter.current() == before:
            assert time.monotonic() < deadline, "a publish did not change the count"
            time.sleep(0.05)
    finally:
        counter.close()
