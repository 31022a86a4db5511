"""Faults and recovery: a process killed (SIGKILL) in the middle of `registry load`, a batch check or a meetings
import leaves the database exactly as it was; `registry backup` / `registry restore` round-trip every row and hash;
a database with a newer schema than this registry knows is refused with a clear message."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from registry.storage.database import normalise_url, sqlite_path, write_session
from tests.conftest import BACKEND, MINI, STANDARDS, TEST_ADMIN, load_folder
from tests.hardening.support import snapshot

pytestmark = pytest.mark.slow


def registry(url: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_STANDARDS_DIR": str(STANDARDS), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "registry.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def run(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    process = registry(url, *args)
    out, err = process.communicate(timeout=300)
    done = subprocess.CompletedProcess(process.args, process.returncode, out.decode(), err.decode())
    assert not check or done.returncode == 0, done.stderr
    return done


def writing(url: str) -> bool:
    """Whether a transaction of another process has written to the database and not committed."""
    path = sqlite_path(url)
    if path is not None:
        wal = Path(f"{path}-wal")
        return wal.exists() and wal.stat().st_size > 64_000
    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_xid IS NOT NULL")).scalar()
    engine.dispose()
    return bool(found)


def kill_while_writing(process: subprocess.Popen, url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not writing(url):
        assert process.poll() is None, ("the command finished before it could be killed mid-transaction",
                                        process.stderr.read().decode()[-2000:])
        assert time.monotonic() < deadline, "the command never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def big_standards(target: Path, documents: int) -> Path:
    """The mini corpus plus `documents` generated EU rules, so that a load takes seconds."""
    shutil.copytree(MINI, target)
    template = json.loads((MINI / "documents" / "EU" / "consumer-protection.json").read_text())
    for index in range(documents):
        doc = {**template, "name": f"EU/generated-{index:04d}", "title": f"Generated rule {index}"}
        (target / "documents" / "EU" / f"generated-{index:04d}.json").write_text(json.dumps(doc))
    return target


def test_a_load_killed_mid_transaction_leaves_the_database_as_it_was(engine, database_url, tmp_path):
    load_folder(engine, MINI)
    before = snapshot(engine)
    process = registry(database_url, "load", str(big_standards(tmp_path / "big", 3000)))
    kill_while_writing(process, database_url)
    engine.dispose()
    assert snapshot(engine) == before


def test_a_batch_check_killed_midway_changes_nothing(corpus_engine, database_url, tmp_path):
    before = snapshot(corpus_engine)
    profiles = tmp_path / "big.jsonl"
    line = json.dumps({"id": "p", "profile": {"seller": {"sells_b2c": True}}})
    profiles.write_text("\n".join(line.replace('"p"', f'"p{i}"') for i in range(200_000)) + "\n")
    output = tmp_path / "results.jsonl"
    process = registry(database_url, "check", str(profiles), "--markets", "EU,CN", "--output", str(output))
    deadline = time.monotonic() + 120
    while not (output.exists() and output.stat().st_size > 10_000):
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    corpus_engine.dispose()
    assert snapshot(corpus_engine) == before
    assert 0 < len(output.read_bytes().splitlines()) < 200_000  # partial output is allowed; stored data is not


def test_a_meetings_import_killed_mid_transaction_changes_nothing(mini_engine, database_url, tmp_path):
    from tests.meetings.support import body

    before = snapshot(mini_engine)
    meetings = []
    for index in range(3000):
        record = body(title=f"Dialogue {index}", documents=[], sources=[])
        record["start"], record["end"] = f"2025-01-01T{index % 10:02d}:00", f"2025-01-01T{index % 10:02d}:30"
        meetings.append({"meeting": record, "status": "planned"})
    export = tmp_path / "meetings.json"
    export.write_text(json.dumps({"format": "registry-meetings/1", "meetings": meetings}))
    process = registry(database_url, "meetings", "import", str(export))
    kill_while_writing(process, database_url)
    mini_engine.dispose()
    assert snapshot(mini_engine) == before


def test_backup_and_restore_round_trip_every_row_and_hash(mini_engine, database_url, tmp_path):
    from registry.services import tokens

    with write_session(mini_engine) as session:
        tokens.create(session, TEST_ADMIN, name="kept", role="admin")
    saved = snapshot(mini_engine)
    backup = tmp_path / ("registry.backup" if BACKEND == "postgresql" else "registry-backup.db")
    done = run(database_url, "backup", str(backup))
    assert backup.stat().st_size > 0 and "Backed up" in done.stdout
    assert run(database_url, "backup", str(backup), check=False).returncode != 0  # never overwrites
    load_folder(mini_engine, big_standards(tmp_path / "more", 5))  # change what is stored
    assert snapshot(mini_engine) != saved
    mini_engine.dispose()
    run(database_url, "restore", str(backup), "--yes")
    assert snapshot(mini_engine) == saved
    with mini_engine.connect() as connection:
        hashes = {h for (h,) in connection.execute(text("SELECT content_hash FROM version"))}
    assert hashes and all(len(h) == 64 for h in hashes)
    mini_engine.dispose()


def test_a_database_newer_than_this_registry_is_refused_with_a_clear_message(engine, database_url):
    with engine.begin() as connection:
        known = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    for args in (("migrate",), ("serve", "--no-corpus", "--port", "0")):
        done = run(database_url, *args, check=False)
        assert done.returncode != 0, args
        assert "9999_from_the_future" in done.stderr and "newer than this registry knows" in done.stderr, done.stderr
    with engine.begin() as connection:  # leave a database the next test can reuse
        connection.execute(text("UPDATE alembic_version SET version_num = :known"), {"known": known})
