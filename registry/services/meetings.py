"""The meeting log: create and edit meetings, move them through their states, and read them back whole.
Minutes live in meetings_minutes, outcomes and action items in meetings_actions, search in meetings_search."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Sequence

from sqlmodel import Session, col, delete, select

from registry.domain import meetings as rules
from registry.domain.access import ADMIN, SECRETARIAT, Principal, require_role
from registry.domain.etags import names_state
from registry.domain.canonical import content_hash
from registry.domain.lifecycle import IN_FORCE_STATUSES
from registry.domain.topics import is_topic
from registry.errors import Conflict, NotFound, PreconditionRequired, Unprocessable
from registry.services import audit
from registry.storage.database import locked
from registry.storage.tables import (
    ActionItem,
    AgendaItem,
    Document,
    Jurisdiction,
    Meeting,
    MeetingDocument,
    MeetingMinutes,
    MeetingOutcome,
    MeetingParticipant,
    MeetingTag,
    Version,
    utcnow,
)


@dataclass(frozen=True)
class LinkInput:
    url: str
    title: str = ""


@dataclass(frozen=True)
class ParticipantInput:
    name: str
    kind: str = "organisation"
    organisation: str = ""
    jurisdiction: str | None = None
    role: str = "other"
    email: str | None = None
    invited: bool = True
    attended: bool | None = None


@dataclass(frozen=True)
class AgendaInput:
    title: str
    presenter: str = ""
    duration_minutes: int | None = None
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingInput:
    title: str
    type: str
    start: str  # a local time at the venue, or an instant with an offset
    end: str
    timezone: str
    place: str = ""
    online_url: str | None = None
    host: str = ""
    description: str = ""
    jurisdictions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    participants: tuple[ParticipantInput, ...] = ()
    agenda: tuple[AgendaInput, ...] = ()
    sources: tuple[LinkInput, ...] = ()
    attachments: tuple[LinkInput, ...] = ()
    sample: bool = False


@dataclass
class LinkedDocument:
    name: str
    version: int | None
    via: str
    published_after: list[int] = field(default_factory=list)  # versions published after the meeting ended


@dataclass
class MeetingDetail:
    meeting: Meeting
    jurisdictions: list[str]
    topics: list[str]
    participants: list[MeetingParticipant]
    agenda: list[AgendaItem]
    documents: list[LinkedDocument]
    minutes_status: str | None


def can_write(principal: Principal) -> bool:
    return principal.role in (SECRETARIAT, ADMIN)


def etag(meeting: Meeting) -> str:
    return f'"{meeting.id}.{meeting.sequence}"'


def check_if_match(if_match: str | None, current: str, *, what: str) -> None:
    """Edits send the ETag they read: 428 without one, 409 when someone changed the thing since."""
    if not if_match:
        raise PreconditionRequired(f"send If-Match with the ETag of {what} to edit it", code="if_match_required")
    if not names_state(if_match, current):
        raise Conflict(f"{what} has changed since you read it (ETag now {current})", code="edit_conflict",
                       detail={"etag": current})


# ---- look-ups -------------------------------------------------------------------------------------------

def get_meeting(session: Session, meeting_id: int, *, for_update: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    found = session.exec(locked(query) if for_update else query).first()
    if found is None:
        raise NotFound(f"unknown meeting {meeting_id}", code="unknown_meeting")
    return found


def tags_of(session: Session, meeting_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {i: {"jurisdiction": [], "topic": [], "organisation": []} for i in meeting_ids}
    if meeting_ids:
        rows = session.exec(select(MeetingTag).where(col(MeetingTag.meeting_id).in_(meeting_ids))
                            .order_by(MeetingTag.meeting_id, MeetingTag.kind, MeetingTag.value)).all()
        for row in rows:
            out[row.meeting_id][row.kind].append(row.value)
    return out


def detail(session: Session, meeting: Meeting) -> MeetingDetail:
    tags = tags_of(session, [meeting.id])[meeting.id]  # type: ignore[list-item, index]
    participants = list(session.exec(select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)
                                     .order_by(MeetingParticipant.position)).all())
    agenda = list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                               .order_by(AgendaItem.position)).all())
    minutes = session.get(MeetingMinutes, meeting.id)
    return MeetingDetail(meeting, tags["jurisdiction"], tags["topic"], participants, agenda,
                         linked_documents(session, meeting), minutes.status if minutes else None)


def linked_documents(session: Session, meeting: Meeting) -> list[LinkedDocument]:
    rows = session.exec(select(MeetingDocument, Document).join(Document, Document.id == MeetingDocument.document_id)
                        .where(MeetingDocument.meeting_id == meeting.id).order_by(MeetingDocument.id)).all()
    later: dict[int, list[int]] = {}
    ids = sorted({d.id for _, d in rows})  # type: ignore[misc]
    if ids:
        for version in session.exec(select(Version).where(col(Version.document_id).in_(ids),
                                                          col(Version.status).in_(IN_FORCE_STATUSES),
                                                          col(Version.published_at) > meeting.end_at)
                                    .order_by(Version.number)).all():
            later.setdefault(version.document_id, []).append(version.number)
    return [LinkedDocument(d.name, link.version, link.via, later.get(d.id, [])) for link, d in rows]  # type: ignore[arg-type]


def input_of(session: Session, meeting: Meeting) -> MeetingInput:
    """The meeting as the input that would make it again (for PATCH and for exports)."""
    found = detail(session, meeting)
    local = lambda instant: rules.in_zone(instant, meeting.timezone).isoformat()  # noqa: E731
    return MeetingInput(
        title=meeting.title, type=meeting.type, start=local(meeting.start_at), end=local(meeting.end_at),
        timezone=meeting.timezone, place=meeting.place, online_url=meeting.online_url, host=meeting.host,
        description=meeting.description, jurisdictions=tuple(found.jurisdictions), topics=tuple(found.topics),
        documents=tuple(_link_name(d) for d in found.documents if d.via == "meeting"),
        participants=tuple(ParticipantInput(name=p.name, kind=p.kind, organisation=p.organisation,
                                            jurisdiction=p.jurisdiction, role=p.role, email=p.email,
                                            invited=p.invited, attended=p.attended) for p in found.participants),
        agenda=tuple(AgendaInput(title=a.title, presenter=a.presenter, duration_minutes=a.duration_minutes,
                                 documents=tuple(a.documents)) for a in found.agenda),
        sources=tuple(LinkInput(**s) for s in meeting.sources),
        attachments=tuple(LinkInput(**a) for a in meeting.attachments), sample=meeting.sample)


def _link_name(link: LinkedDocument) -> str:
    return link.name + (f"@{link.version}" if link.version else "")


def fingerprint(session: Session, meeting: Meeting) -> str:
    """The content hash of a meeting as input (the before/after of its audit rows)."""
    return content_hash(asdict(input_of(session, meeting)) | {"status": meeting.status})


# ---- checks ---------------------------------------------------------------------------------------------

@dataclass
class _Checked:
    start: dt.datetime
    end: dt.datetime
    documents: list[tuple[int, int | None, str]]  # document id, version, via
    tags: set[tuple[str, str]]


def resolve_documents(session: Session, names: Sequence[str], *, pointer: str) -> list[tuple[int, int | None]]:
    """Each `EU/consumer-protection[@3]` as (document id, version); unknown ones are refused with their place."""
    found = []
    for index, name in enumerate(names):
        where = f"{pointer}/{index}"
        link = rules.parse_document_link(name, pointer=where)
        document = session.exec(select(Document).where(Document.namespace == link.namespace,
                                                       Document.slug == link.slug)).first()
        if document is None:
            raise Unprocessable(f"unknown document {link.namespace}/{link.slug}", pointer=where,
                                code="unknown_document")
        if link.version is not None:
            version = session.exec(select(Version).where(Version.document_id == document.id,
                                                         Version.number == link.version)).first()
            if version is None or version.status == "draft":
                raise Unprocessable(f"{link} is not a published version", pointer=where, code="unknown_version")
        found.append((document.id, link.version))
    return found  # type: ignore[return-value]


def _check(session: Session, data: MeetingInput) -> _Checked:
    rules.check_choice(data.type, rules.TYPES, what="type", pointer="/type")
    tz = rules.zone(data.timezone)
    start = rules.local_to_utc(data.start, tz, pointer="/start")
    end = rules.local_to_utc(data.end, tz, pointer="/end")
    rules.check_times(start, end)
    if data.online_url:
        rules.check_web_link(data.online_url, pointer="/online_url")
    for name, links in (("sources", data.sources), ("attachments", data.attachments)):
        for index, link in enumerate(links):
            rules.check_web_link(link.url, pointer=f"/{name}/{index}/url")
    codes = {p.jurisdiction for p in data.participants if p.jurisdiction} | set(data.jurisdictions)
    known = set(session.exec(select(Jurisdiction.code).where(col(Jurisdiction.code).in_(codes))).all()) if codes else set()
    for index, code in enumerate(data.jurisdictions):
        if code not in known:
            raise Unprocessable(f"unknown jurisdiction {code!r}", pointer=f"/jurisdictions/{index}",
                                code="unknown_jurisdiction")
    for index, topic in enumerate(data.topics):
        if not is_topic(topic):
            raise Unprocessable(f"unknown topic {topic!r}; see /api/v1/topics", pointer=f"/topics/{index}",
                                code="unknown_topic")
    tags = {("jurisdiction", c) for c in data.jurisdictions} | {("topic", t) for t in data.topics}
    if data.host.strip():
        tags.add(("organisation", data.host.strip().casefold()))
    for index, person in enumerate(data.participants):
        where = f"/participants/{index}"
        rules.check_choice(person.kind, rules.PARTICIPANT_KINDS, what="participant kind", pointer=f"{where}/kind")
        rules.check_choice(person.role, rules.PARTICIPANT_ROLES, what="participant role", pointer=f"{where}/role")
        if person.jurisdiction and person.jurisdiction not in known:
            raise Unprocessable(f"unknown jurisdiction {person.jurisdiction!r}", pointer=f"{where}/jurisdiction",
                                code="unknown_jurisdiction")
        if person.email:
            rules.check_email(person.email, pointer=f"{where}/email")
        organisation = person.name if person.kind == "organisation" else person.organisation
        if organisation.strip():
            tags.add(("organisation", organisation.strip().casefold()))
    documents = [(d, v, "meeting") for d, v in resolve_documents(session, data.documents, pointer="/documents")]
    for index, item in enumerate(data.agenda):
        documents += [(d, v, "agenda") for d, v in
                      resolve_documents(session, item.documents, pointer=f"/agenda/{index}/documents")]
    return _Checked(start, end, documents, tags)


# ---- writes ---------------------------------------------------------------------------------------------

def create_meeting(session: Session, principal: Principal, data: MeetingInput) -> Meeting:
    require_role(principal, SECRETARIAT)
    checked = _check(session, data)
    meeting = Meeting(title=data.title, type=data.type, start_at=checked.start, end_at=checked.end,
                      timezone=data.timezone, created_by=principal.actor, sample=data.sample)
    _apply(session, meeting, data, checked)
    audit.record(session, principal, "meeting.create", f"meeting/{meeting.id}", after=fingerprint(session, meeting),
                 detail={"title": meeting.title, "sample": meeting.sample} if meeting.sample else None)
    return meeting


def replace_meeting(session: Session, principal: Principal, meeting_id: int, if_match: str | None,
                    data: MeetingInput) -> Meeting:
    require_role(principal, SECRETARIAT)
    meeting = get_meeting(session, meeting_id, for_update=True)
    check_if_match(if_match, etag(meeting), what=f"meeting {meeting_id}")
    if meeting.status == rules.CANCELLED:
        raise Conflict(f"meeting {meeting_id} is cancelled; it no longer changes", code="meeting_cancelled")
    checked = _check(session, data)
    before = fingerprint(session, meeting)
    meeting.title, meeting.type, meeting.start_at, meeting.end_at = data.title, data.type, checked.start, checked.end
    meeting.timezone, meeting.sample = data.timezone, data.sample
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    for table in (MeetingParticipant, AgendaItem, MeetingTag):
        session.exec(delete(table).where(table.meeting_id == meeting.id))  # type: ignore[attr-defined]
    session.exec(delete(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id,
                                               col(MeetingDocument.via).in_(("meeting", "agenda"))))
    _apply(session, meeting, data, checked)
    audit.record(session, principal, "meeting.update", f"meeting/{meeting.id}", before=before,
                 after=fingerprint(session, meeting), detail={"sequence": meeting.sequence})
    return meeting


def _apply(session: Session, meeting: Meeting, data: MeetingInput, checked: _Checked) -> None:
    meeting.place, meeting.online_url, meeting.host = data.place, data.online_url or None, data.host
    meeting.description = data.description
    meeting.sources = [asdict(s) for s in data.sources]
    meeting.attachments = [asdict(a) for a in data.attachments]
    session.add(meeting)
    session.flush()
    session.add_all([MeetingTag(meeting_id=meeting.id, kind=k, value=v) for k, v in sorted(checked.tags)])  # type: ignore[arg-type]
    session.add_all([MeetingParticipant(meeting_id=meeting.id, position=i, **asdict(p))  # type: ignore[arg-type]
                     for i, p in enumerate(data.participants)])
    session.add_all([AgendaItem(meeting_id=meeting.id, position=i, title=a.title, presenter=a.presenter,  # type: ignore[arg-type]
                                duration_minutes=a.duration_minutes, documents=list(a.documents))
                     for i, a in enumerate(data.agenda, start=1)])
    session.add_all([MeetingDocument(meeting_id=meeting.id, document_id=d, version=v, via=via)  # type: ignore[arg-type]
                     for d, v, via in checked.documents])
    session.flush()
    refresh_search_text(session, meeting)


def transition(session: Session, principal: Principal, meeting_id: int, verb: str) -> Meeting:
    """confirm, hold or cancel. A meeting is held only once it has started."""
    require_role(principal, SECRETARIAT)
    meeting = get_meeting(session, meeting_id, for_update=True)
    target = rules.VERBS[verb]
    rules.check_transition(meeting.status, target, what=f"meeting {meeting_id}")
    if target == rules.HELD and meeting.start_at > utcnow():
        raise Conflict(f"meeting {meeting_id} starts at {meeting.start_at.isoformat()}; it cannot be held before then",
                       code="not_started")
    before, previous = fingerprint(session, meeting), meeting.status
    meeting.status, meeting.sequence, meeting.updated_at = target, meeting.sequence + 1, utcnow()
    session.add(meeting)
    audit.record(session, principal, f"meeting.{verb}", f"meeting/{meeting.id}", before=before,
                 after=fingerprint(session, meeting), detail={"from": previous, "to": target,
                                                              "sequence": meeting.sequence})
    return meeting


def refresh_search_text(session: Session, meeting: Meeting) -> None:
    """What full-text search sees: the words of its filter values (rules.filter_words), the meeting, its people,
    agenda, outcomes, actions and published minutes (never draft minutes, so that a search cannot reveal them)."""
    tags = session.exec(select(MeetingTag.kind, MeetingTag.value).where(MeetingTag.meeting_id == meeting.id)).all()
    words = rules.filter_words(tags, meeting.start_at)
    parts = [meeting.title, meeting.description, meeting.place, meeting.host]
    minutes = session.get(MeetingMinutes, meeting.id)
    if minutes is not None and minutes.status == rules.MINUTES_PUBLISHED:
        parts.append(minutes.markdown)
    parts += [f"{p.name} {p.organisation}" for p in session.exec(
        select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)).all()]
    parts += [f"{a.title} {a.presenter}" for a in session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).all()]
    parts += [f"{o.text} {o.result}" for o in session.exec(
        select(MeetingOutcome).where(MeetingOutcome.meeting_id == meeting.id)).all()]
    parts += [a.title for a in session.exec(select(ActionItem).where(ActionItem.meeting_id == meeting.id)).all()]
    # the words are a line of fixed-length words, one per tag: only the content is cut to the limit
    content = "\n".join(p for p in parts if p)
    meeting.search_text = words + "\n" + content[:max(0, rules.MAX_SEARCH_TEXT - len(words) - 1)]
    session.add(meeting)


def delete_sample_meetings(session: Session, principal: Principal) -> int:
    require_role(principal, SECRETARIAT)
    ids = list(session.exec(select(Meeting.id).where(Meeting.sample == True)).all())  # noqa: E712
    if ids:
        session.exec(delete(Meeting).where(col(Meeting.id).in_(ids)))
        audit.record(session, principal, "meeting.delete_samples", "meeting/", detail={"count": len(ids)})
    return len(ids)

