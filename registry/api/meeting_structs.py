"""Wire shapes (msgspec Structs) of the meeting log, and the functions that build them from stored rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional, TypeVar, Union

import msgspec
from msgspec import UNSET, Meta, UnsetType

from registry.api.errors import invalid_struct
from registry.api.structs import API, Input
from registry.domain import meetings as rules
from registry.services import meetings, meetings_actions, meetings_exchange
from registry.services.meetings import MeetingDetail
from registry.services.meetings_minutes import etag as minutes_etag
from registry.services.meetings_search import Stats
from registry.storage.tables import (
    ActionItem,
    Meeting,
    MeetingMinutes,
    MeetingOutcome,
    MinutesRevision,
)

Text = Annotated[str, Meta(max_length=500)]
Name = Annotated[str, Meta(min_length=1, max_length=300)]
Title = Annotated[str, Meta(min_length=1, max_length=500)]
Names = Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=100)]
LongText = Annotated[str, Meta(max_length=20_000)]


class Link(Input):
    url: Annotated[str, Meta(max_length=2000)]
    title: Text = ""


class Participant(Input):
    name: Name
    kind: str = "organisation"  # organisation | person
    organisation: Annotated[str, Meta(max_length=300)] = ""
    jurisdiction: Optional[str] = None
    role: str = "other"  # government | enterprise | association | other
    email: Optional[Annotated[str, Meta(max_length=320)]] = None
    invited: bool = True
    attended: Optional[bool] = None


class Agenda(Input):
    title: Title
    presenter: Annotated[str, Meta(max_length=300)] = ""
    duration_minutes: Optional[Annotated[int, Meta(ge=1, le=1440)]] = None
    documents: Names = []


class MeetingCreate(Input):
    title: Title
    type: str
    start: Annotated[str, Meta(max_length=40, description="local time at the venue (2025-06-01T10:00) or with an offset")]
    end: Annotated[str, Meta(max_length=40)]
    timezone: Annotated[str, Meta(max_length=64, description="the venue's IANA time zone, e.g. Europe/Berlin")]
    place: Text = ""
    online_url: Optional[Annotated[str, Meta(max_length=2000)]] = None
    host: Annotated[str, Meta(max_length=300)] = ""
    description: LongText = ""
    jurisdictions: Names = []
    topics: Names = []
    documents: Names = []
    participants: Annotated[list[Participant], Meta(max_length=500)] = []
    agenda: Annotated[list[Agenda], Meta(max_length=200)] = []
    sources: Annotated[list[Link], Meta(max_length=100)] = []
    attachments: Annotated[list[Link], Meta(max_length=100)] = []
    sample: bool = False


class MeetingPatch(Input):
    """Only the fields sent change; the result is checked as a whole, like a PUT."""

    title: Union[Title, UnsetType] = UNSET
    type: Union[str, UnsetType] = UNSET
    start: Union[Annotated[str, Meta(max_length=40)], UnsetType] = UNSET
    end: Union[Annotated[str, Meta(max_length=40)], UnsetType] = UNSET
    timezone: Union[Annotated[str, Meta(max_length=64)], UnsetType] = UNSET
    place: Union[Text, UnsetType] = UNSET
    online_url: Union[Optional[Annotated[str, Meta(max_length=2000)]], UnsetType] = UNSET
    host: Union[Annotated[str, Meta(max_length=300)], UnsetType] = UNSET
    description: Union[LongText, UnsetType] = UNSET
    jurisdictions: Union[Names, UnsetType] = UNSET
    topics: Union[Names, UnsetType] = UNSET
    documents: Union[Names, UnsetType] = UNSET
    participants: Union[Annotated[list[Participant], Meta(max_length=500)], UnsetType] = UNSET
    agenda: Union[Annotated[list[Agenda], Meta(max_length=200)], UnsetType] = UNSET
    sources: Union[Annotated[list[Link], Meta(max_length=100)], UnsetType] = UNSET
    attachments: Union[Annotated[list[Link], Meta(max_length=100)], UnsetType] = UNSET
    sample: Union[bool, UnsetType] = UNSET


class MinutesWrite(Input):
    markdown: str  # its length is checked by the service (413 above the cap)


class OutcomeCreate(Input):
    text: Annotated[str, Meta(min_length=1, max_length=20_000)]
    kind: str = "decision"  # decision | agreement
    result: Annotated[str, Meta(max_length=1000)] = ""
    documents: Names = []


class ActionCreate(Input):
    title: Annotated[str, Meta(min_length=1, max_length=1000)]
    owner_organisation: Annotated[str, Meta(max_length=300)] = ""
    owner_person: Annotated[str, Meta(max_length=300)] = ""
    due_date: Optional[dt.date] = None
    agenda_item: Optional[Annotated[int, Meta(ge=1)]] = None


class ActionUpdate(Input):
    status: Optional[str] = None
    due_date: Optional[dt.date] = None
    owner_organisation: Optional[Annotated[str, Meta(max_length=300)]] = None
    owner_person: Optional[Annotated[str, Meta(max_length=300)]] = None
    title: Optional[Annotated[str, Meta(min_length=1, max_length=1000)]] = None
    carried_to: Optional[int] = None


# ---- answers --------------------------------------------------------------------------------------------

class LinkOut(msgspec.Struct):
    url: str
    title: str = ""


class ParticipantOut(msgspec.Struct, omit_defaults=True):
    name: str
    kind: str
    organisation: str
    jurisdiction: Optional[str]
    role: str
    invited: bool
    attended: Optional[bool]
    email: Optional[str] = None  # only for the secretariat


class AgendaOut(msgspec.Struct):
    position: int
    title: str
    presenter: str
    duration_minutes: Optional[int]
    documents: list[str]


class LinkedDocumentOut(msgspec.Struct):
    name: str
    version: Optional[int]
    via: str
    url: str
    published_after: list[int]  # versions of the document published after the meeting ended


class MeetingSummary(msgspec.Struct):
    id: int
    title: str
    type: str
    status: str
    sample: bool
    start: dt.datetime
    end: dt.datetime
    timezone: str
    local_start: str
    local_end: str
    place: str
    online_url: Optional[str]
    host: str
    jurisdictions: list[str]
    topics: list[str]
    url: str


class MeetingOut(MeetingSummary):
    description: str
    documents: list[LinkedDocumentOut]
    participants: list[ParticipantOut]
    agenda: list[AgendaOut]
    sources: list[LinkOut]
    attachments: list[LinkOut]
    minutes: Optional[str]  # the minutes' status, for the secretariat; "published" or null for others
    sequence: int
    etag: str
    created_at: dt.datetime
    updated_at: dt.datetime
    ics: str


class MeetingPage(msgspec.Struct):
    items: list[MeetingSummary]
    total: int
    limit: int
    offset: int


class MinutesOut(msgspec.Struct):
    meeting: int
    sample: bool
    status: str
    markdown: str
    html: str
    revision: int
    etag: str
    updated_by: str
    updated_at: dt.datetime
    approved_by: Optional[str]
    approved_at: Optional[dt.datetime]
    published_by: Optional[str]
    published_at: Optional[dt.datetime]


class MinutesRevisionOut(msgspec.Struct):
    revision: int
    author: str
    at: dt.datetime
    diff: str


class MinutesHistory(msgspec.Struct):
    meeting: int
    items: list[MinutesRevisionOut]


class OutcomeOut(msgspec.Struct):
    id: int
    meeting: int
    kind: str
    text: str
    result: str
    documents: list[str]
    created_at: dt.datetime


class OutcomeList(msgspec.Struct):
    meeting: int
    items: list[OutcomeOut]


class ActionOut(msgspec.Struct):
    id: int
    meeting: int
    agenda_item: Optional[int]
    title: str
    owner_organisation: str
    owner_person: str
    due_date: Optional[dt.date]
    status: str
    overdue: bool
    carried_to: Optional[int]
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str
    etag: str  # send it in If-Match with a PATCH to be told (409) if someone changed the item since


class ActionPage(msgspec.Struct):
    items: list[ActionOut]
    total: int
    limit: int
    offset: int


class Count(msgspec.Struct):
    key: str
    meetings: int


class StatsOut(msgspec.Struct):
    total: int
    by_year: list[Count]
    by_jurisdiction: list[Count]
    by_topic: list[Count]
    by_organisation: list[Count]
    by_type: list[Count]
    by_status: list[Count]
    actions: dict[str, int]


# ---- building them --------------------------------------------------------------------------------------

S = TypeVar("S")


def to_input(data: Any, target: type[S]) -> S:
    """A request body (or an imported record) as the service's input; shape errors name their JSON pointer."""
    try:
        return msgspec.convert(msgspec.to_builtins(data), target)
    except msgspec.ValidationError as exc:
        raise invalid_struct(exc) from None


def _local(instant: dt.datetime, zone: str) -> str:
    return rules.in_zone(instant, zone).isoformat()


def meeting_summary(row: Meeting, tags: dict[str, list[str]]) -> MeetingSummary:
    return MeetingSummary(id=row.id or 0, title=row.title, type=row.type, status=row.status, sample=row.sample,
                          start=row.start_at, end=row.end_at, timezone=row.timezone,
                          local_start=_local(row.start_at, row.timezone), local_end=_local(row.end_at, row.timezone),
                          place=row.place, online_url=row.online_url, host=row.host,
                          jurisdictions=tags["jurisdiction"], topics=tags["topic"], url=f"{API}/meetings/{row.id}")


def meeting_out(found: MeetingDetail, *, private: bool) -> MeetingOut:
    row = found.meeting
    minutes = found.minutes_status if private or found.minutes_status == rules.MINUTES_PUBLISHED else None
    summary = meeting_summary(row, {"jurisdiction": found.jurisdictions, "topic": found.topics})
    return MeetingOut(
        **msgspec.structs.asdict(summary), description=row.description,
        documents=[LinkedDocumentOut(name=d.name, version=d.version, via=d.via, url=f"{API}/documents/{d.name}",
                                     published_after=d.published_after) for d in found.documents],
        participants=[ParticipantOut(name=p.name, kind=p.kind, organisation=p.organisation,
                                     jurisdiction=p.jurisdiction, role=p.role, invited=p.invited,
                                     attended=p.attended, email=p.email if private else None)
                      for p in found.participants],
        agenda=[AgendaOut(position=a.position, title=a.title, presenter=a.presenter,
                          duration_minutes=a.duration_minutes, documents=list(a.documents)) for a in found.agenda],
        sources=[LinkOut(**s) for s in row.sources], attachments=[LinkOut(**a) for a in row.attachments],
        minutes=minutes, sequence=row.sequence, etag=meetings.etag(row), created_at=row.created_at,
        updated_at=row.updated_at, ics=f"{API}/meetings/{row.id}/ics")


def minutes_out(row: MeetingMinutes, meeting: Meeting) -> MinutesOut:
    return MinutesOut(meeting=row.meeting_id, sample=meeting.sample, status=row.status, markdown=row.markdown,
                      html=row.html, revision=row.revision, etag=minutes_etag(row), updated_by=row.updated_by,
                      updated_at=row.updated_at, approved_by=row.approved_by, approved_at=row.approved_at,
                      published_by=row.published_by, published_at=row.published_at)


def revision_out(row: MinutesRevision) -> MinutesRevisionOut:
    return MinutesRevisionOut(revision=row.revision, author=row.author, at=row.at, diff=row.diff)


def outcome_out(row: MeetingOutcome) -> OutcomeOut:
    return OutcomeOut(id=row.id or 0, meeting=row.meeting_id, kind=row.kind, text=row.text, result=row.result,
                      documents=list(row.documents), created_at=row.created_at)


def action_out(row: ActionItem, today: dt.date) -> ActionOut:
    return ActionOut(id=row.id or 0, meeting=row.meeting_id, agenda_item=row.agenda_position, title=row.title,
                     owner_organisation=row.owner_organisation, owner_person=row.owner_person, due_date=row.due_date,
                     status=row.status, overdue=rules.is_overdue(row.status, row.due_date, today),
                     carried_to=row.carried_to, created_at=row.created_at, updated_at=row.updated_at,
                     url=f"{API}/actions/{row.id}", etag=meetings_actions.etag(row))


def stats_out(found: Stats) -> StatsOut:
    counts = lambda pairs: [Count(key=k, meetings=n) for k, n in pairs]  # noqa: E731
    return StatsOut(total=found.total, by_year=counts(found.by_year), by_jurisdiction=counts(found.by_jurisdiction),
                    by_topic=counts(found.by_topic), by_organisation=counts(found.by_organisation),
                    by_type=counts(found.by_type), by_status=counts(found.by_status), actions=found.actions)


def action_change(data: ActionUpdate) -> meetings_actions.ActionChange:
    return to_input(data, meetings_actions.ActionChange)


class ImportedMinutes(Input):
    markdown: str
    status: str = "draft"


class ImportedAction(ActionCreate):
    status: str = "open"


class ImportedRecord(Input):
    """One meeting of a `registry-meetings/1` file (GET /meetings.json writes them; CSV rows become them)."""

    meeting: MeetingCreate
    id: Optional[int] = None  # the id in the registry it came from; not kept
    status: str = "planned"
    minutes: Optional[ImportedMinutes] = None
    outcomes: Annotated[list[OutcomeCreate], Meta(max_length=500)] = []
    actions: Annotated[list[ImportedAction], Meta(max_length=500)] = []


def import_record(label: str, raw: Any) -> meetings_exchange.ImportRecord:
    """A record of an import file, checked as strictly as the API's bodies."""
    record = to_input(raw, ImportedRecord)
    return meetings_exchange.ImportRecord(
        label=label, meeting=to_input(record.meeting, meetings.MeetingInput), status=record.status,
        minutes=(record.minutes.status, record.minutes.markdown) if record.minutes else None,
        outcomes=[to_input(o, meetings_actions.OutcomeInput) for o in record.outcomes],
        actions=[(meetings_actions.ActionInput(title=a.title, owner_organisation=a.owner_organisation,
                                               owner_person=a.owner_person, due_date=a.due_date,
                                               agenda_item=a.agenda_item), a.status) for a in record.actions])
