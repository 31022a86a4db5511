"""The full-text index follows every write (triggers on SQLite, an expression index on PostgreSQL), and migration
0002 goes down and up again on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from registry.services import meetings, meetings_search
from registry.services.meetings import MeetingInput
from registry.services.meetings_search import MeetingFilters
from registry.storage.database import read_session, write_session
from registry.storage.migrate import _config, migrate
from tests.conftest import TEST_ADMIN


def found(engine, words: str) -> list[int]:
    with read_session(engine) as session:
        rows, _ = meetings_search.list_meetings(session, MeetingFilters(text=words))
        return [r.id for r in rows]  # type: ignore[misc]


def meeting(description: str) -> MeetingInput:
    return MeetingInput(title="Index test", type="other", start="2025-01-10T10:00", end="2025-01-10T11:00",
                        timezone="UTC", description=description, jurisdictions=("EU",))


def test_the_index_follows_inserts_updates_and_deletes(mini_engine):
    with write_session(mini_engine) as session:
        row = meetings.create_meeting(session, TEST_ADMIN, meeting("Talks about tariffs"))
        mid = row.id
    assert found(mini_engine, "tariffs") == [mid]
    with write_session(mini_engine) as session:
        current = meetings.get_meeting(session, mid)  # type: ignore[arg-type]
        meetings.replace_meeting(session, TEST_ADMIN, mid, meetings.etag(current), meeting("Talks about parcels"))  # type: ignore[arg-type]
    assert found(mini_engine, "tariffs") == [] and found(mini_engine, "parcels") == [mid]
    with write_session(mini_engine) as session:
        current = meetings.get_meeting(session, mid)  # type: ignore[arg-type]
        current.sample = True
        session.add(current)
    with write_session(mini_engine) as session:
        assert meetings.delete_sample_meetings(session, TEST_ADMIN) == 1
    assert found(mini_engine, "parcels") == []
    with write_session(mini_engine) as session:
        again = meetings.create_meeting(session, TEST_ADMIN, meeting("Talks about parcels again"))
    assert found(mini_engine, "parcels") == [again.id]


def test_migration_0002_goes_down_and_up(engine):
    config = _config()
    with engine.execution_options(registry_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert "meeting" not in inspect(engine).get_table_names()
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"meeting", "meeting_tag", "meeting_minutes", "minutes_revision", "action_item"} <= tables
    if engine.dialect.name == "sqlite":
        assert "meeting_fts" in tables
    else:
        assert "ix_meeting_search" in {i["name"] for i in inspect(engine).get_indexes("meeting")}
