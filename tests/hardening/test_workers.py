"""Several worker processes on one address, as in production (`registry serve --workers 2`, and uvicorn with the
documented factory): they start on an empty database every time; with clients spread over both workers (a new
connection each), If-Match edits and publishes have one winner, and the failed-authentication limit is spent from
one bucket in the database, not one per worker."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from registry.services import tokens
from registry.storage.database import make_engine, write_session
from tests.conftest import BACKEND, MINI, ROOT, STANDARDS, TEST_ADMIN, own_pg_database
from tests.hardening.test_process_races import _free_port
from tests.test_lifecycle import schema

DOC = "/api/v1/documents/EU/consumer-protection"
BAD = {"Authorization": "Bearer rcr_0123456789abcdef_wrong"}
LAUNCHERS = {
    "registry serve --workers 2": lambda port: [sys.executable, "-m", "registry.cli", "serve", "--workers", "2",
                                                "--port", str(port)],
    "uvicorn --factory --workers 2": lambda port: [sys.executable, "-m", "uvicorn", "registry.app:create_app",
                                                   "--factory", "--workers", "2", "--port", str(port)],
}


@contextmanager
def empty_database(folder: Path, name: str, worker_id: str, testrun_uid: str) -> Iterator[str]:
    """A database nobody has migrated: the processes race to migrate it and load the corpus."""
    if BACKEND == "postgresql":
        with own_pg_database(name, worker_id, testrun_uid, migrated=False) as url:
            yield url
    else:
        with nullcontext(f"sqlite:///{folder / (name + '.db')}") as url:
            yield url


class Workers:
    """A server of two worker processes, its log, and the process ids of its workers (from uvicorn's log)."""

    def __init__(self, command: list[str], url: str, log: Path, **settings: str):
        self.base, self.log = f"http://127.0.0.1:{command[-1]}", log
        env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_SECRET": "workers-test", "COLUMNS": "200",
               **settings}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=log.open("wb"), stderr=subprocess.STDOUT)

    def wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited at start-up ({self.process.returncode}):\n{self.text()[-4000:]}")
            if self.text().count("Application startup complete") >= 2:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"two workers not up after {timeout} s:\n{self.text()[-4000:]}")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", self.text())]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def reads(pid: int) -> int:
    """How many read system calls a process has made (/proc/<pid>/io): one answering a request makes several (its
    socket, the database's); an idle worker a few a second (uvicorn's supervisor checks that it is alive)."""
    return int(re.search(r"^syscr: (\d+)$", Path(f"/proc/{pid}/io").read_text(), re.M).group(1))


@contextmanager
def both_workers_busy(server: Workers) -> Iterator[None]:
    """Fails unless each worker process read from its sockets while inside well beyond its idle rate (measured
    for a second before): the clients reached both workers."""
    pids = server.pids()
    assert len(pids) == 2, server.text()[-2000:]
    first = {pid: reads(pid) for pid in pids}
    time.sleep(1.0)
    before, started = {pid: reads(pid) for pid in pids}, time.monotonic()
    yield
    elapsed = time.monotonic() - started
    made = {pid: reads(pid) - before[pid] for pid in pids}
    idle = {pid: (before[pid] - first[pid]) * elapsed for pid in pids}
    assert all(made[pid] >= idle[pid] + 20 for pid in pids), f"a worker answered nothing: {made}, idle {idle}"


def burst(base: str, method: str, path: str, bodies: list, headers: dict[str, str]) -> list[httpx.Response]:
    """len(bodies) requests at once, each on its own connection (so the kernel hands them to either worker)."""

    async def one(body, ready: asyncio.Event) -> httpx.Response:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await ready.wait()
            return await client.request(method, path, json=body, headers=headers)

    async def run() -> list[httpx.Response]:
        ready = asyncio.Event()
        tasks = [asyncio.create_task(one(body, ready)) for body in bodies]
        await asyncio.sleep(0.05)
        ready.set()
        return list(await asyncio.gather(*tasks))

    return asyncio.run(run())


@pytest.mark.slow
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_two_workers_start_on_an_empty_database_five_times_of_five(launcher, tmp_path, worker_id, testrun_uid):
    """Each start: a new empty database, the shipped corpus, two workers at once; both start and it is served."""
    jurisdictions = len(json.loads((STANDARDS / "jurisdictions.json").read_text())["jurisdictions"])
    for attempt in range(5):
        with empty_database(tmp_path, f"rcr_start{attempt}", worker_id, testrun_uid) as url:
            server = Workers(LAUNCHERS[launcher](_free_port()), url, tmp_path / f"{attempt}.log",
                             REGISTRY_STANDARDS_DIR=str(STANDARDS))
            try:
                server.wait_until_up()
                for _ in range(6):  # new connections: either worker
                    listed = httpx.get(f"{server.base}/api/v1/jurisdictions", params={"limit": 500}, timeout=10)
                    assert listed.status_code == 200 and listed.json()["total"] == jurisdictions
                latest = httpx.get(f"{server.base}{DOC}/versions/latest", timeout=10)
                assert latest.status_code == 200 and latest.json()["schema"]
            finally:
                server.stop()
            assert "Traceback" not in server.text(), server.text()[-4000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, worker_id: str, testrun_uid: str) -> Iterator[tuple[Workers, dict]]:
    folder = tmp_path_factory.mktemp("workers")
    with empty_database(folder, "rcr_workers", worker_id, testrun_uid) as url:
        running = Workers(LAUNCHERS["registry serve --workers 2"](_free_port()), url, folder / "server.log",
                          REGISTRY_STANDARDS_DIR=str(MINI), REGISTRY_WRITE_RATE_PER_MINUTE="1000000",
                          REGISTRY_AUTH_FAILURES_PER_MINUTE="10")
        try:
            running.wait_until_up()
            engine = make_engine(url)
            with write_session(engine) as session:
                _, text = tokens.create(session, TEST_ADMIN, name="workers-eu", role="regulator", jurisdictions=("EU",))
            engine.dispose()
            yield running, {"Authorization": f"Bearer {text}"}
        finally:
            running.stop()


def test_ten_puts_with_one_etag_have_one_winner_twenty_rounds_running(server):
    workers, regulator = server
    created = httpx.post(f"{workers.base}{DOC}/versions", json={"schema": schema(20)}, headers=regulator)
    assert created.status_code == 201, created.text
    number, etag = created.json()["number"], created.headers["etag"]
    with both_workers_busy(workers):
        for round_ in range(20):
            answers = burst(workers.base, "PUT", f"{DOC}/versions/{number}",
                            [{"schema": schema(1000 + 10 * round_ + i)} for i in range(10)],
                            {**regulator, "If-Match": etag})
            statuses = sorted(r.status_code for r in answers)
            assert statuses == [200] + [409] * 9, (round_, statuses, [r.text for r in answers if r.status_code >= 500])
            assert {r.json()["code"] for r in answers if r.status_code == 409} == {"edit_conflict"}
            etag = next(r for r in answers if r.status_code == 200).headers["etag"]
    for round_ in range(5):  # two publishes of one draft at once: one wins
        draft = httpx.post(f"{workers.base}{DOC}/versions", json={"schema": schema(2000 + round_)}, headers=regulator)
        day = {"effective_from": f"2030-01-{round_ + 1:02d}"}  # each after the last published
        answers = burst(workers.base, "POST", f"{DOC}/versions/{draft.json()['number']}/publish", [day, day],
                        regulator)
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        assert next(r for r in answers if r.status_code == 409).json()["code"] == "invalid_transition"


def test_the_failed_authentication_limit_holds_across_both_workers(server):
    """10 failures a minute per address: of 60 bad tokens at once, over both workers, 10 are 401 and 50 are 429
    (with a bucket per worker it would be 20 and 40)."""
    workers, regulator = server
    with both_workers_busy(workers):
        answers = burst(workers.base, "GET", f"{DOC}/versions", [None] * 60, BAD)
        answers += burst(workers.base, "GET", f"{DOC}/versions", [None] * 10, BAD)  # and afterwards, still refused
    statuses = [r.status_code for r in answers]
    assert statuses.count(401) == 10 and statuses.count(429) == 60, sorted(statuses)
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.json()["code"] == "too_many_auth_failures" and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-limit"] == "10" and refused.headers["ratelimit-remaining"] == "0"
    good = httpx.get(f"{workers.base}{DOC}/versions", headers=regulator)
    assert good.status_code == 429  # the address is blocked for any token until the bucket refills
