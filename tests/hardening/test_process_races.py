"""Races between processes, as in production: two `registry serve` processes started at the same moment on one
empty database (PostgreSQL, or a SQLite file), then 30 concurrent clients (one httpx.AsyncClient each, spread over
both servers) per write route. If-Match edits and state transitions have one winner and 409s; adds all land with
consecutive numbers; a unique create gives one 201 and 409s; never a 500; the audit log never forks."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from registry.services import tokens
from registry.storage.database import make_engine, read_session, write_session
from registry.storage.tables import AuditEvent, ProfileVersion
from tests.conftest import BACKEND, MINI, ROOT, TEST_ADMIN, own_pg_database
from tests.hardening.test_races import SECRETARIAT, race
from tests.meetings.support import body as meeting_body
from tests.test_lifecycle import schema

CLIENTS = 30
DOC = "/api/v1/documents/EU/consumer-protection"
ERROR_KEYS = {"status", "code", "message", "pointer"}


@dataclass
class Servers:
    bases: list[str]
    engine: Engine
    headers: dict[str, dict[str, str]]  # role -> Authorization header


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(url: str, logs: Path) -> tuple[list[subprocess.Popen], list[str]]:
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_STANDARDS_DIR": str(MINI),
           "REGISTRY_WRITE_RATE_PER_MINUTE": "1000000", "COLUMNS": "200"}
    ports = [_free_port(), _free_port()]
    processes = [subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(port)], cwd=ROOT,
                                  env=env, stdin=subprocess.DEVNULL, stdout=(logs / f"{port}.log").open("wb"),
                                  stderr=subprocess.STDOUT) for port in ports]
    return processes, [f"http://127.0.0.1:{port}" for port in ports]


def _wait_until_up(processes: list[subprocess.Popen], bases: list[str], logs: Path) -> None:
    deadline = time.monotonic() + 90
    waiting = set(bases)
    while waiting and time.monotonic() < deadline:
        for process, base in zip(processes, bases):
            if process.poll() is not None:
                pytest.fail(f"a server exited at start-up ({process.returncode}):\n"
                            + "\n".join(p.read_text(errors="replace")[-3000:] for p in logs.glob("*.log")))
            if base in waiting:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        waiting.discard(base)
                except httpx.HTTPError:
                    pass
        time.sleep(0.2)
    assert not waiting, f"servers not up after 90 s: {waiting}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, worker_id: str, testrun_uid: str) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("process-races")
    with _database(folder, worker_id, testrun_uid) as url:
        processes, bases = _start(url, folder)
        try:
            _wait_until_up(processes, bases, folder)
            engine = make_engine(url)
            headers = {}
            with write_session(engine) as session:
                for role, scope, organisation in (("admin", (), None), ("regulator", ("EU",), None),
                                                  ("secretariat", (), None), ("enterprise", (), "acme")):
                    extra = {"organisation": organisation} if organisation else {}
                    _, text = tokens.create(session, TEST_ADMIN, name=f"race-{role}", role=role, jurisdictions=scope,
                                            **extra)
                    headers[role] = {"Authorization": f"Bearer {text}"}
            yield Servers(bases, engine, headers)
            engine.dispose()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _database(folder: Path, worker_id: str, testrun_uid: str):
    """An empty database that nobody has migrated: the two servers race to migrate it and load the corpus."""
    if BACKEND == "postgresql":
        return own_pg_database("rcr_races", worker_id, testrun_uid, migrated=False)
    from contextlib import nullcontext
    return nullcontext(f"sqlite:///{folder / 'registry.db'}")


def burst(servers: Servers, method: str, path: str, bodies: list[Any] | None = None, *, role: str,
          headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """CLIENTS requests at once, each from its own client, alternating between the two servers."""
    bodies = bodies if bodies is not None else [None] * CLIENTS

    async def one(index: int, ready: asyncio.Event) -> httpx.Response:
        async with httpx.AsyncClient(base_url=servers.bases[index % 2], timeout=120) as client:
            await ready.wait()
            return await client.request(method, path, json=bodies[index],
                                        headers={**servers.headers[role], **(headers or {})})

    async def run() -> list[httpx.Response]:
        ready = asyncio.Event()
        tasks = [asyncio.create_task(one(i, ready)) for i in range(len(bodies))]
        await asyncio.sleep(0.05)
        ready.set()
        return list(await asyncio.gather(*tasks))

    responses = asyncio.run(run())
    assert [r.text for r in responses if r.status_code >= 500] == []
    for response in responses:
        if response.status_code >= 400:
            assert set(response.json()) >= ERROR_KEYS and response.json()["status"] == response.status_code
    return responses


def one_winner(responses: list[httpx.Response], ok: int, *codes: str) -> httpx.Response:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [ok] + [409] * (len(responses) - 1), statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= set(codes)
    return next(r for r in responses if r.status_code == ok)


def call(servers: Servers, method: str, path: str, *, role: str, ok: int = 200, **kwargs: Any) -> httpx.Response:
    response = httpx.request(method, servers.bases[0] + path, headers={**servers.headers[role],
                                                                       **kwargs.pop("headers", {})}, **kwargs)
    assert response.status_code == ok, response.text
    return response


def audit_chain(engine: Engine, action: str, target: str) -> list[AuditEvent]:
    """The target's events of one action, oldest first, checked to form one line: each starts where the last ended."""
    with read_session(engine) as session:
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target.startswith(
            target)).order_by(AuditEvent.id)).all())  # type: ignore[union-attr]
    befores = [e.before_hash for e in events]
    assert len(set(befores)) == len(befores), f"the audit log forks: {befores}"
    for earlier, later in zip(events, events[1:]):
        assert later.before_hash == earlier.after_hash
    return events


def test_start_up_on_one_empty_database_and_draft_edits_with_one_if_match(servers: Servers):
    created = call(servers, "POST", f"{DOC}/versions", role="regulator", ok=201, json={"schema": schema(20)})
    number, etag = created.json()["number"], created.headers["etag"]
    for round_ in range(2):
        responses = burst(servers, "PUT", f"{DOC}/versions/{number}",
                          [{"schema": schema(100 * round_ + i)} for i in range(CLIENTS)], role="regulator",
                          headers={"If-Match": etag})
        etag = one_winner(responses, 200, "edit_conflict").headers["etag"]
    assert len(audit_chain(servers.engine, "version.update", f"EU/consumer-protection@{number}")) == 2


def test_publishing_or_withdrawing_one_version_at_once_has_one_winner(servers: Servers):
    number = call(servers, "POST", f"{DOC}/versions", role="regulator", ok=201, json={"schema": schema(30)}).json()["number"]
    one_winner(burst(servers, "POST", f"{DOC}/versions/{number}/publish", role="regulator"), 200, "invalid_transition")
    one_winner(burst(servers, "POST", f"{DOC}/versions/{number}/withdraw", [{"reason": f"annulled {i}"}
                                                                            for i in range(CLIENTS)], role="regulator"),
               200, "invalid_transition")
    with read_session(servers.engine) as session:
        published = session.exec(select(AuditEvent).where(
            AuditEvent.action == "version.publish", AuditEvent.target == f"EU/consumer-protection@{number}")).all()
    assert len(published) == 1


def test_creating_one_document_at_once_gives_one_201(servers: Servers):
    document = {"jurisdiction": "EU", "slug": "labels", "kind": "rule", "title": "Labels", "topic": "labelling",
                "vocabulary": "vocabulary/mini-profile"}
    one_winner(burst(servers, "POST", "/api/v1/documents", [document] * CLIENTS, role="admin"), 201, "document_exists")


def test_new_versions_of_one_draft_document_all_land_with_consecutive_numbers(servers: Servers):
    responses = burst(servers, "POST", f"{DOC}/versions", [{"schema": schema(500 + i)} for i in range(CLIENTS)],
                      role="regulator")
    assert {r.status_code for r in responses} == {201}
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + CLIENTS))


def test_profile_versions_saved_at_once_all_land_with_consecutive_numbers(servers: Servers):
    created = call(servers, "POST", "/api/v1/profiles", role="enterprise", ok=201,
                   json={"name": "Shop", "profile": {"seller": {"sells_b2c": True}}})
    profile_id = created.json()["id"]
    responses = burst(servers, "PUT", f"/api/v1/profiles/{profile_id}",
                      [{"profile": {"consumer_protection": {"withdrawal_period_days": i}}} for i in range(CLIENTS)],
                      role="enterprise")
    assert {r.status_code for r in responses} == {200}
    with read_session(servers.engine) as session:
        numbers = session.exec(select(ProfileVersion.number).where(ProfileVersion.profile_id == profile_id)
                               .order_by(ProfileVersion.number)).all()  # type: ignore[arg-type]
    assert list(numbers) == list(range(1, CLIENTS + 2))
    assert len(audit_chain(servers.engine, "profile.save", f"profile/{profile_id}@")) == CLIENTS + 1


def test_meeting_edits_transitions_minutes_and_actions_at_once(servers: Servers):
    meeting = call(servers, "POST", "/api/v1/meetings", role="secretariat", ok=201, json=meeting_body(documents=[]))
    path, etag = f"/api/v1/meetings/{meeting.json()['id']}", meeting.headers["etag"]
    one_winner(burst(servers, "PUT", path, [meeting_body(documents=[], title=f"Edit {i}") for i in range(CLIENTS)],
                     role="secretariat", headers={"If-Match": etag}), 200, "edit_conflict")
    one_winner(burst(servers, "POST", f"{path}/hold", role="secretariat"), 200, "invalid_transition")

    etag = call(servers, "PUT", f"{path}/minutes", role="secretariat", json={"markdown": "# Draft"}).headers["etag"]
    one_winner(burst(servers, "PUT", f"{path}/minutes", [{"markdown": f"# Edit {i}"} for i in range(CLIENTS)],
                     role="secretariat", headers={"If-Match": etag}), 200, "edit_conflict")
    one_winner(burst(servers, "POST", f"{path}/minutes/approve", role="secretariat"), 200, "invalid_transition")
    audit_chain(servers.engine, "minutes.update", f"meeting/{meeting.json()['id']}/minutes")

    added = burst(servers, "POST", f"{path}/actions", [{"title": f"Action {i}", "owner_person": "Chen Wei"} for i in range(CLIENTS)],
                  role="secretariat")
    assert {r.status_code for r in added} == {201} and len({r.json()["id"] for r in added}) == CLIENTS
    action = added[0].json()
    one_winner(burst(servers, "PATCH", f"/api/v1/actions/{action['id']}",
                     [{"status": "done" if i % 2 else "cancelled"} for i in range(CLIENTS)], role="secretariat",
                     headers={"If-Match": action["etag"]}), 200, "edit_conflict", "invalid_transition")


def test_revoking_one_token_at_once_records_one_revocation(engine):
    """Token revocation is a command (no route): ten writers at once, each with its own connection."""
    with write_session(engine) as session:
        row, _ = tokens.create(session, TEST_ADMIN, name="to-revoke", role="secretariat")

    def revoke():
        with write_session(engine) as session:
            return tokens.revoke(session, TEST_ADMIN, row.id).revoked_at

    results = race(*[revoke] * 10)
    assert len(set(results)) == 1 and isinstance(results[0], dt.datetime), results
    with read_session(engine) as session:
        revocations = session.exec(select(AuditEvent).where(AuditEvent.action == "token.revoke",
                                                            AuditEvent.target == f"token/{row.id}")).all()
    assert len(revocations) == 1


def test_importing_one_meeting_at_once_writes_it_once(mini_engine):
    """An import has no row to lock until it writes one: writers of one title and start take turns by name."""
    from registry.api.meeting_structs import import_record
    from registry.services import meetings_exchange
    from registry.storage.tables import Meeting
    from registry.web.markdown import render

    record = import_record("race", {"meeting": meeting_body(documents=[], title="Imported once"), "status": "planned"})

    def import_it():
        with write_session(mini_engine) as session:
            made = meetings_exchange.import_record(session, SECRETARIAT, record, render=render)
            return made.id if made else None

    results = race(*[import_it] * 10)
    assert sorted(results, key=str)[1:] == [None] * 9 and isinstance(sorted(results, key=str)[0], int), results
    with read_session(mini_engine) as session:
        assert len(session.exec(select(Meeting).where(Meeting.title == "Imported once")).all()) == 1


def test_a_unique_key_taken_at_commit_is_a_409_not_a_500(engine):
    """What no lock prevents (a row inserted under a key another writer took) is 409 write_conflict."""
    from registry.errors import Conflict
    from registry.storage.tables import Jurisdiction

    with write_session(engine) as session:
        session.add(Jurisdiction(code="ZZ", name="Zedland", kind="economy"))
    with pytest.raises(Conflict) as refused:
        with write_session(engine) as session:
            session.add(Jurisdiction(code="ZZ", name="Zedland again", kind="economy"))
    assert refused.value.status == 409 and refused.value.code == "write_conflict"
    with read_session(engine) as session:
        assert session.get(Jurisdiction, "ZZ").name == "Zedland"  # type: ignore[union-attr]
