"""The full-text index follows every write (triggers on SQLite, an expression index on PostgreSQL), and migration
0002 goes down and up again on both databases."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect
from sqlmodel import select

from registry.services import meetings, meetings_search
from registry.services.meetings import MeetingInput
from registry.services.meetings_search import MeetingFilters
from registry.storage.database import read_session, write_session
from registry.storage.migrate import _config, migrate
from registry.storage.tables import Meeting
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


def test_migration_0004_writes_the_filter_words_the_app_writes(mini_engine):
    """Down to 0003 (the words go), up again (the migration writes them): the text is what the app itself writes."""
    with write_session(mini_engine) as session:
        for n, (start, jurisdictions) in enumerate((("2019-12-31T23:30", ("EU",)), ("2025-01-10T10:00", ("CN", "EU")))):
            data = MeetingInput(title=f"Words {n}", type="other", start=start, end=start[:11] + "23:59", timezone="UTC",
                                description="Talks about tariffs", jurisdictions=jurisdictions,
                                topics=("consumer-protection",))
            meetings.create_meeting(session, TEST_ADMIN, data)
    with read_session(mini_engine) as session:
        written = {m.id: m.search_text for m in session.exec(select(Meeting)).all()}
    assert all(text.startswith("rcr") for text in written.values())
    config = _config()
    with mini_engine.execution_options(registry_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with read_session(mini_engine) as session:
        assert all(m.search_text.startswith("Words") for m in session.exec(select(Meeting)).all())
    migrate(mini_engine)
    with read_session(mini_engine) as session:
        assert {m.id: m.search_text for m in session.exec(select(Meeting)).all()} == written
    with read_session(mini_engine) as session:
        rows, total = meetings_search.list_meetings(session, MeetingFilters(
            text="tariffs", jurisdiction="CN", start_from=dt.date(2025, 1, 1), start_to=dt.date(2025, 12, 31)))
        assert total == 1 and rows[0].title == "Words 1"
