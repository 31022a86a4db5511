"""Meetings in and out: CSV (meetings, participants, action items), Markdown minutes, and JSON records that
`registry meetings import` reads back. Every CSV cell is neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from sqlmodel import Session, col, select

from registry.domain import meetings as rules
from registry.domain.access import SECRETARIAT, Principal, require_role
from registry.errors import InvalidInput, Unprocessable
from registry.reports.formats import cell_value, csv_text
from registry.services import audit, meetings, meetings_actions
from registry.services.meetings import MeetingInput, fingerprint, input_of, tags_of
from registry.services.meetings_actions import (
    ActionFilters,
    ActionInput,
    OutcomeInput,
    list_actions,
)
from registry.services.meetings_search import MeetingFilters, filtered
from registry.storage.database import lock_name
from registry.storage.tables import (
    ActionItem,
    Document,
    Meeting,
    MeetingDocument,
    MeetingMinutes,
    MeetingOutcome,
    MeetingParticipant,
    utcnow,
)

JSON_FORMAT = "registry-meetings/1"
EXPORT_LIMIT = 100_000
MEETING_COLUMNS = ("id", "title", "type", "status", "start", "end", "timezone", "local_start", "local_end", "place",
                   "online_url", "host", "description", "jurisdictions", "topics", "documents", "sample")
# what an imported CSV may carry: the meeting's own fields (lists joined with ";"); id and local times are ignored
IMPORT_COLUMNS = set(MEETING_COLUMNS)
_LISTS = ("jurisdictions", "topics", "documents")


def _chunks(rows: Sequence[Meeting], size: int = 1_000) -> Iterable[Sequence[Meeting]]:
    for index in range(0, len(rows), size):
        yield rows[index:index + size]


def document_names(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    """The documents each meeting links itself (not through its agenda or outcomes), as `NS/slug[@n]`."""
    out: dict[int, list[str]] = {i: [] for i in meeting_ids}
    for link, document in session.exec(select(MeetingDocument, Document).join(
            Document, Document.id == MeetingDocument.document_id).where(
            col(MeetingDocument.meeting_id).in_(meeting_ids), MeetingDocument.via == "meeting")
            .order_by(MeetingDocument.id)).all():
        out[link.meeting_id].append(document.name + (f"@{link.version}" if link.version else ""))
    return out


def meetings_csv(session: Session, filters: MeetingFilters) -> str:
    rows = session.exec(filtered(session, filters).order_by(Meeting.start_at, Meeting.id).limit(EXPORT_LIMIT)).all()

    def lines() -> Iterable[list[Any]]:
        for chunk in _chunks(rows):
            ids = [m.id for m in chunk]
            tags, documents = tags_of(session, ids), document_names(session, ids)  # type: ignore[arg-type]
            for m in chunk:
                local = lambda t, zone=m.timezone: rules.in_zone(t, zone).isoformat()  # noqa: E731
                yield [m.id, m.title, m.type, m.status, m.start_at.isoformat(), m.end_at.isoformat(), m.timezone,
                       local(m.start_at), local(m.end_at), m.place, m.online_url or "", m.host, m.description,
                       ";".join(tags[m.id]["jurisdiction"]), ";".join(tags[m.id]["topic"]),  # type: ignore[index]
                       ";".join(documents[m.id]), "true" if m.sample else "false"]  # type: ignore[index]

    return csv_text(MEETING_COLUMNS, lines())


def participants_csv(session: Session, meeting_id: int, *, private: bool) -> str:
    """The participants of a meeting; e-mail addresses only for the secretariat."""
    meetings.get_meeting(session, meeting_id)
    rows = session.exec(select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting_id)
                        .order_by(MeetingParticipant.position)).all()
    header = ["name", "kind", "organisation", "jurisdiction", "role", "invited", "attended"] + (["email"] if private else [])
    return csv_text(header, ([p.name, p.kind, p.organisation, p.jurisdiction or "", p.role, p.invited,
                               "" if p.attended is None else p.attended] + ([p.email or ""] if private else [])
                              for p in rows))


def actions_csv(session: Session, filters: ActionFilters, *, today: dt.date) -> str:
    rows, _ = list_actions(session, filters, today=today, limit=EXPORT_LIMIT)
    return csv_text(("id", "meeting", "agenda_item", "title", "owner_organisation", "owner_person", "due_date",
                      "status", "overdue", "carried_to"),
                     ([a.id, a.meeting_id, a.agenda_position or "", a.title, a.owner_organisation, a.owner_person,
                       a.due_date.isoformat() if a.due_date else "", a.status,
                       rules.is_overdue(a.status, a.due_date, today), a.carried_to or ""] for a in rows))


def minutes_markdown(meeting: Meeting, minutes: MeetingMinutes) -> str:
    """The minutes as a Markdown file, headed by what, when and where."""
    start, end = rules.in_zone(meeting.start_at, meeting.timezone), rules.in_zone(meeting.end_at, meeting.timezone)
    head = [f"# {meeting.title}", "",
            f"- When: {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({meeting.timezone})"]
    if meeting.place or meeting.online_url:
        head.append(f"- Where: {', '.join(p for p in (meeting.place, meeting.online_url or '') if p)}")
    head.append(f"- Minutes: {minutes.status}, revision {minutes.revision}"
                + (f", published {minutes.published_at:%Y-%m-%d}" if minutes.published_at else ""))
    if meeting.sample:
        head.append("- Sample data (registry demo)")
    return "\n".join(head) + "\n\n" + minutes.markdown.rstrip() + "\n"


# ---- JSON records ---------------------------------------------------------------------------------------

def export_records(session: Session, filters: MeetingFilters, *, private: bool) -> dict[str, Any]:
    """Every meeting as a record that `registry meetings import` reads back (e-mail addresses only if private)."""
    rows = session.exec(filtered(session, filters).order_by(Meeting.start_at, Meeting.id).limit(EXPORT_LIMIT)).all()
    return {"format": JSON_FORMAT, "exported_at": utcnow().isoformat(),
            "meetings": [_record(session, m, private=private) for m in rows]}


def _record(session: Session, meeting: Meeting, *, private: bool) -> dict[str, Any]:
    data = asdict(input_of(session, meeting))
    if not private:
        for person in data["participants"]:
            person["email"] = None
    minutes = session.get(MeetingMinutes, meeting.id)
    if minutes is not None and not private and minutes.status != rules.MINUTES_PUBLISHED:
        minutes = None
    outcomes = session.exec(select(MeetingOutcome).where(MeetingOutcome.meeting_id == meeting.id)
                            .order_by(MeetingOutcome.id)).all()
    actions = session.exec(select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)).all()
    return {"id": meeting.id, "status": meeting.status, "meeting": data,
            "minutes": {"status": minutes.status, "markdown": minutes.markdown} if minutes else None,
            "outcomes": [{"text": o.text, "kind": o.kind, "result": o.result, "documents": o.documents} for o in outcomes],
            "actions": [{"title": a.title, "owner_organisation": a.owner_organisation, "owner_person": a.owner_person,
                         "due_date": a.due_date.isoformat() if a.due_date else None, "agenda_item": a.agenda_position,
                         "status": a.status} for a in actions]}


def records_from_json(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """(label, record) of each meeting of an export file."""
    if not isinstance(value, dict) or value.get("format") != JSON_FORMAT or not isinstance(value.get("meetings"), list):
        raise InvalidInput(f"not a meetings export: expected {{\"format\": \"{JSON_FORMAT}\", \"meetings\": […]}}",
                           code="invalid_format")
    return [(f"meetings[{i}]", r if isinstance(r, dict) else {"meeting": r}) for i, r in enumerate(value["meetings"])]


def records_from_csv(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, record) of each row of a meetings CSV (the columns of the CSV export; lists joined with `;`)."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or ()) - IMPORT_COLUMNS)
    if unknown or not reader.fieldnames:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}; columns: {', '.join(MEETING_COLUMNS)}"
                           if unknown else "the CSV has no header row", code="invalid_columns")
    found = []
    for row in reader:
        values = {k: cell_value(v or "") for k, v in row.items() if k is not None}
        if None in row:
            values["__extra__"] = "more cells than columns"
        meeting: dict[str, Any] = {k: v for k, v in values.items()
                                   if k not in ("id", "status", "local_start", "local_end") and v != ""}
        for name in _LISTS:
            meeting[name] = [p.strip() for p in values.get(name, "").split(";") if p.strip()]
        if "sample" in meeting:
            meeting["sample"] = meeting["sample"].strip().lower() in ("true", "1", "yes")
        found.append((f"line {reader.line_num}", {"status": values.get("status") or rules.PLANNED,
                                                   "meeting": meeting}))
    return found


@dataclass
class ImportRecord:
    """A record checked for shape, ready to be written."""

    label: str
    meeting: MeetingInput
    status: str = rules.PLANNED
    minutes: tuple[str, str] | None = None  # (status, markdown)
    outcomes: list[OutcomeInput] = field(default_factory=list)
    actions: list[tuple[ActionInput, str]] = field(default_factory=list)


def import_record(session: Session, principal: Principal, record: ImportRecord, *,
                  render: Callable[[str], str]) -> Meeting | None:
    """Write one imported meeting with its state, minutes, outcomes and action items; None when a meeting with
    the same title and start is already there (importing twice changes nothing)."""
    require_role(principal, SECRETARIAT)
    rules.check_choice(record.status, rules.STATUSES, what="status", pointer="/status")
    if record.minutes:
        rules.check_choice(record.minutes[0], rules.MINUTES_STATUSES, what="minutes status", pointer="/minutes/status")
        rules.check_minutes(record.minutes[1])
    for index, (_, status) in enumerate(record.actions):
        rules.check_choice(status, rules.ACTION_STATUSES, what="action status", pointer=f"/actions/{index}/status")
    tz = rules.zone(record.meeting.timezone)
    start = rules.local_to_utc(record.meeting.start, tz, pointer="/start")
    lock_name(session, f"meeting import {start.isoformat()} {record.meeting.title}")  # two imports at once: one writes
    if session.exec(select(Meeting.id).where(Meeting.title == record.meeting.title, Meeting.start_at == start)).first():
        return None
    if record.status == rules.HELD and start > utcnow():
        raise Unprocessable("a meeting that has not started yet cannot be held", pointer="/status", code="not_started")
    meeting = meetings.create_meeting(session, principal, record.meeting)
    meeting.status = record.status
    if record.minutes:
        status, markdown = record.minutes
        row = MeetingMinutes(meeting_id=meeting.id, status=status, markdown=markdown, html=render(markdown),  # type: ignore[arg-type]
                             updated_by=principal.actor)
        if status != rules.MINUTES_DRAFT:
            row.approved_by, row.approved_at = principal.actor, utcnow()
        if status == rules.MINUTES_PUBLISHED:
            row.published_by, row.published_at = principal.actor, utcnow()
        session.add(row)
    for outcome in record.outcomes:
        meetings_actions.add_outcome(session, principal, meeting.id, outcome)  # type: ignore[arg-type]
    for action, status in record.actions:
        item = meetings_actions.add_action(session, principal, meeting.id, action)  # type: ignore[arg-type]
        item.status = status
    session.flush()
    meetings.refresh_search_text(session, meeting)
    audit.record(session, principal, "meeting.import", f"meeting/{meeting.id}", after=fingerprint(session, meeting),
                 detail={"source": record.label, "status": record.status})
    return meeting
