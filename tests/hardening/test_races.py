"""Races, with real threads and a session (connection) each, on SQLite and PostgreSQL: two regulators publishing
the same draft (one wins, the other gets 409 naming the current state), two minutes edits with the same If-Match
(one wins, the other 409), two final changes of one action item's status (one wins, the other 409, checked against
the status the winner left), and 50 concurrent writers that lose nothing and never see "database is locked"."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Callable

import msgspec

from sqlmodel import select

from registry.domain.access import Principal
from registry.domain.references import DocumentName
from registry.errors import Conflict
from registry.services import documents, meetings, meetings_actions, meetings_minutes
from registry.services.documents import VersionInput
from registry.storage.database import read_session, write_session
from registry.storage.tables import AuditEvent, Version
from registry.web.markdown import render
from registry.api.meeting_structs import MeetingCreate, to_input
from registry.services.meetings import MeetingInput
from tests.meetings.support import body as meeting_body
from tests.conftest import TEST_ADMIN
from tests.test_lifecycle import schema

NAME = DocumentName("EU", "consumer-protection")
EU_DESK = Principal(token_id="a", name="eu-desk-1", role="regulator", jurisdictions=("EU",))
EU_DESK_2 = Principal(token_id="b", name="eu-desk-2", role="regulator", jurisdictions=("EU",))
SECRETARIAT = Principal(token_id="c", name="secretariat", role="secretariat")


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released at the same moment; each result is a value or the exception raised."""
    results: list[object] = [None] * len(actions)
    start = threading.Barrier(len(actions))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = actions[index]()
        except BaseException as exc:  # kept and asserted by the caller
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_regulators_publishing_the_same_draft_one_wins(mini_engine):
    with write_session(mini_engine) as session:
        draft = documents.create_version(session, EU_DESK, documents.get_document(session, NAME),
                                         VersionInput(schema=schema(21), effective_from=None))
        number = draft.number

    def publish(principal: Principal):
        def action():
            with write_session(mini_engine) as session:
                document = documents.get_document(session, NAME)
                return documents.publish(session, principal, document, number, effective_from=dt.date(2026, 1, 1)).status
        return action

    results = race(publish(EU_DESK), publish(EU_DESK_2))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"], results
    loser = next(r for r in results if isinstance(r, Conflict))
    assert loser.status == 409 and loser.code == "invalid_transition"
    assert loser.detail["version"]["status"] == "published" and loser.detail["version"]["number"] == number
    with read_session(mini_engine) as session:
        published = session.exec(select(AuditEvent).where(AuditEvent.action == "version.publish")).all()
        eu = documents.get_document(session, NAME)
        statuses = list(session.exec(select(Version.status).where(Version.document_id == eu.id)).all())
    assert len(published) == 1 and statuses.count("published") == 1


def test_two_minutes_edits_with_the_same_if_match_one_wins(mini_engine):
    with write_session(mini_engine) as session:
        data = msgspec.convert(meeting_body(documents=[]), MeetingCreate)
        meeting_id = meetings.create_meeting(session, SECRETARIAT, to_input(data, MeetingInput)).id
        tag = meetings_minutes.etag(meetings_minutes.save_minutes(session, SECRETARIAT, meeting_id, "# First", None,
                                                                  render=render))

    def edit(text: str):
        def action():
            with write_session(mini_engine) as session:
                return meetings_minutes.save_minutes(session, SECRETARIAT, meeting_id, text, tag, render=render).markdown
        return action

    results = race(edit("# Edit A"), edit("# Edit B"))
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == 409
    with read_session(mini_engine) as session:
        assert meetings_minutes.get_minutes(session, SECRETARIAT, meeting_id).markdown == winners[0]


def test_two_final_status_changes_of_one_action_item_one_wins(mini_engine):
    with write_session(mini_engine) as session:
        data = msgspec.convert(meeting_body(documents=[]), MeetingCreate)
        meeting_id = meetings.create_meeting(session, SECRETARIAT, to_input(data, MeetingInput)).id
        item = meetings_actions.add_action(session, SECRETARIAT, meeting_id,
                                           meetings_actions.ActionInput(title="Circulate", owner_person="Chen Wei"))
        meetings_actions.change_action(session, SECRETARIAT, item.id, meetings_actions.ActionChange(status="in_progress"))
        action_id = item.id

    def close(status: str):
        def action():
            with write_session(mini_engine) as session:
                return meetings_actions.change_action(session, SECRETARIAT, action_id,
                                                      meetings_actions.ActionChange(status=status)).status
        return action

    results = race(close("done"), close("cancelled"))
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "invalid_transition"
    with read_session(mini_engine) as session:
        assert meetings_actions.get_action(session, action_id).status == winners[0]


def test_fifty_concurrent_writers_lose_nothing(mini_engine):
    writers, each = 50, 2

    def writer(index: int):
        def action():
            for write in range(each):
                with write_session(mini_engine) as session:
                    document = documents.get_document(session, NAME)  # read, then write: the racy pattern
                    documents.create_version(session, TEST_ADMIN, document, VersionInput(
                        schema=schema(100 + index * each + write), changelog=f"w{index}-{write}"))
            return "ok"
        return action

    results = race(*(writer(i) for i in range(writers)))
    assert results == ["ok"] * writers, [r for r in results if r != "ok"][:3]
    with read_session(mini_engine) as session:
        numbers = sorted(session.exec(select(Version.number).where(Version.status == "draft")).all())
        changelogs = set(session.exec(select(Version.changelog).where(Version.status == "draft")).all())
    assert numbers == list(range(2, writers * each + 2))
    assert len(changelogs) == writers * each
