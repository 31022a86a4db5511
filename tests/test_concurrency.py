"""Concurrent writers: every write lands, none fails with "database is locked", numbers never collide."""

from __future__ import annotations

import threading

from sqlmodel import select

from registry.domain.references import DocumentName
from registry.services import documents
from registry.services.documents import VersionInput
from registry.storage.database import read_session, write_session
from registry.storage.tables import AuditEvent, Version
from tests.conftest import TEST_ADMIN
from tests.test_lifecycle import schema

WRITERS, WRITES_EACH = 20, 5


def test_twenty_concurrent_writers_lose_nothing(mini_engine):
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)
    name = DocumentName("EU", "consumer-protection")

    def writer(index: int) -> None:
        try:
            start.wait()
            for write in range(WRITES_EACH):
                with write_session(mini_engine) as session:
                    document = documents.get_document(session, name)
                    # read-then-write: the pattern that loses writes under deferred BEGIN
                    documents.create_version(session, TEST_ADMIN, document, VersionInput(
                        schema=schema(15 + index * WRITES_EACH + write), changelog=f"writer {index}, write {write}"))
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with read_session(mini_engine) as session:
        numbers = sorted(session.exec(select(Version.number).where(Version.status == "draft")).all())
        changelogs = set(session.exec(select(Version.changelog).where(Version.status == "draft")).all())
        audit_rows = session.exec(select(AuditEvent).where(AuditEvent.action == "version.create")).all()
    total = WRITERS * WRITES_EACH
    assert numbers == list(range(2, total + 2))
    assert len(changelogs) == total
    assert len(audit_rows) == total
