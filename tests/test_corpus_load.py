"""`registry load` and `registry export`: all or nothing, idempotent, and load ∘ export keeps every hash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from registry.services import corpus
from registry.storage.database import make_engine, read_session, write_session
from registry.storage.migrate import migrate
from registry.storage.tables import AuditEvent, Document, Version
from tests.conftest import MINI, STANDARDS, TEST_ADMIN, load_folder


def hashes(engine) -> dict[str, str]:
    with read_session(engine) as session:
        rows = session.exec(select(Document, Version).where(Version.document_id == Document.id)).all()
        return {f"{d.name}@{v.number}": v.content_hash for d, v in rows}


def count(engine, table) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(table)).all())


def test_load_export_load_keeps_every_hash(mini_engine, tmp_path):
    with read_session(mini_engine) as session:
        corpus.export(session, tmp_path / "out")
    exported = json.loads((tmp_path / "out/documents/EU/consumer-protection.json").read_text())
    assert len(exported["versions"][0]["content_hash"]) == 64

    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    load_folder(fresh, tmp_path / "out")
    assert hashes(fresh) == hashes(mini_engine)
    assert len(hashes(fresh)) == 3


def test_loading_twice_changes_nothing(mini_engine):
    before, audit_rows = hashes(mini_engine), count(mini_engine, AuditEvent)
    with write_session(mini_engine) as session:
        report = corpus.load(session, TEST_ADMIN, MINI)
    assert report.ok and report.created == 0 and report.updated == 0
    assert report.unchanged == len(report.files)
    assert hashes(mini_engine) == before
    assert count(mini_engine, AuditEvent) == audit_rows


def broken_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(MINI, folder)
    path = folder / "documents/CN/consumer-protection.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return folder


def _uncite(data):
    del data["versions"][0]["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]


def _unknown_path(data):
    data["versions"][0]["schema"]["properties"]["consumer_protection"]["properties"]["nope"] = {"type": "string"}


def _overlap(data):
    second = json.loads(json.dumps(data["versions"][0]))
    data["versions"][0]["status"] = "superseded"
    data["versions"][0]["effective_to"] = "2020-01-01"
    second.update(number=2, effective_from="2019-06-01")
    second["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["minimum"] = 8
    data["versions"].append(second)


def _bad_hash(data):
    data["versions"][0]["content_hash"] = "0" * 64


def _remote_ref(data):
    data["versions"][0]["schema"]["$ref"] = "https://example.org/s.json"


def _unknown_field(data):
    data["colour"] = "blue"


@pytest.mark.parametrize("edit, words", [
    (_uncite, "no x-rule"),
    (_unknown_path, "/consumer_protection/nope"),
    (_overlap, "overlap"),
    (_bad_hash, "does not match"),
    (_remote_ref, "outside this document"),
    (_unknown_field, "colour"),
])
def test_a_bad_file_is_refused_and_nothing_is_written(engine, tmp_path, edit, words):
    folder = broken_copy(tmp_path, edit)
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    assert not report.ok
    assert any(words in e.detail and e.path == "documents/CN/consumer-protection.json" for e in report.errors), \
        [(e.path, e.detail) for e in report.errors]
    assert hashes(engine) == {}
    assert count(engine, AuditEvent) == 0


def test_a_misplaced_file_is_refused(engine, tmp_path):
    folder = tmp_path / "misplaced"
    shutil.copytree(MINI, folder)
    (folder / "documents/CN/consumer-protection.json").rename(folder / "documents/EU/other.json")
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    assert any("its place says 'EU/other'" in e.detail for e in report.errors)


def test_a_changed_published_body_is_a_conflict(mini_engine, tmp_path):
    folder = broken_copy(tmp_path, lambda d: d["versions"][0]["schema"].update(title="changed"))
    before = hashes(mini_engine)
    with pytest.raises(corpus.CorpusError, match="published constraints never change"):
        with write_session(mini_engine) as session:
            corpus.load(session, TEST_ADMIN, folder)
    assert hashes(mini_engine) == before


@pytest.mark.skipif(not (STANDARDS / "jurisdictions.json").is_file(), reason="no shipped corpus yet")
def test_the_shipped_corpus_loads_and_round_trips(engine, tmp_path):
    load_folder(engine, STANDARDS)
    with read_session(engine) as session:
        corpus.export(session, tmp_path / "out")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    load_folder(fresh, tmp_path / "out")
    assert hashes(fresh) == hashes(engine)
    assert len(hashes(engine)) >= 3
