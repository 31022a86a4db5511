"""Outcomes (decisions and agreements) and action items (who does what by when), and the overdue list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlmodel import Session, col, func, or_, select

from registry.domain import meetings as rules
from registry.domain.access import SECRETARIAT, Principal, require_role
from registry.domain.canonical import content_hash
from registry.errors import NotFound, Unprocessable
from registry.services import audit
from registry.services.meetings import (
    check_if_match,
    get_meeting,
    refresh_search_text,
    resolve_documents,
)
from registry.storage.database import locked
from registry.storage.tables import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingDocument,
    MeetingOutcome,
    utcnow,
)

OUTCOME_KINDS = ("decision", "agreement")


@dataclass(frozen=True)
class OutcomeInput:
    text: str
    kind: str = "decision"
    result: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionInput:
    title: str
    owner_organisation: str = ""
    owner_person: str = ""
    due_date: dt.date | None = None
    agenda_item: int | None = None  # the agenda item's position (1, 2 …)


@dataclass(frozen=True)
class ActionChange:
    """The fields a PATCH /actions/{id} may set; None leaves a field as it is."""

    status: str | None = None
    due_date: dt.date | None = None
    owner_organisation: str | None = None
    owner_person: str | None = None
    title: str | None = None
    carried_to: int | None = None


def _snapshot(item: ActionItem) -> str:
    return content_hash({"title": item.title, "status": item.status, "owner": [item.owner_organisation,
                         item.owner_person], "due": item.due_date.isoformat() if item.due_date else None,
                         "carried_to": item.carried_to})


def list_outcomes(session: Session, meeting_id: int) -> Sequence[MeetingOutcome]:
    get_meeting(session, meeting_id)
    return session.exec(select(MeetingOutcome).where(MeetingOutcome.meeting_id == meeting_id)
                        .order_by(MeetingOutcome.id)).all()  # type: ignore[arg-type]


def add_outcome(session: Session, principal: Principal, meeting_id: int, data: OutcomeInput) -> MeetingOutcome:
    require_role(principal, SECRETARIAT)
    meeting = get_meeting(session, meeting_id, for_update=True)
    rules.check_choice(data.kind, OUTCOME_KINDS, what="outcome kind", pointer="/kind")
    documents = resolve_documents(session, data.documents, pointer="/documents")
    outcome = MeetingOutcome(meeting_id=meeting_id, kind=data.kind, text=data.text, result=data.result,
                             documents=list(data.documents))
    session.add(outcome)
    session.add_all([MeetingDocument(meeting_id=meeting_id, document_id=d, version=v, via="outcome")
                     for d, v in documents])
    session.flush()
    refresh_search_text(session, meeting)
    audit.record(session, principal, "outcome.create", f"meeting/{meeting_id}/outcomes/{outcome.id}",
                 after=content_hash([data.kind, data.text, data.result, list(data.documents)]))
    return outcome


def add_action(session: Session, principal: Principal, meeting_id: int, data: ActionInput) -> ActionItem:
    require_role(principal, SECRETARIAT)
    meeting = get_meeting(session, meeting_id, for_update=True)
    if not (data.owner_organisation.strip() or data.owner_person.strip()):
        raise Unprocessable("an action item has an owner: an organisation or a person", pointer="/owner_organisation",
                            code="owner_required")
    if data.agenda_item is not None and session.exec(select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting_id, AgendaItem.position == data.agenda_item)).first() is None:
        raise Unprocessable(f"meeting {meeting_id} has no agenda item {data.agenda_item}", pointer="/agenda_item",
                            code="unknown_agenda_item")
    item = ActionItem(meeting_id=meeting_id, agenda_position=data.agenda_item, title=data.title,
                      owner_organisation=data.owner_organisation, owner_person=data.owner_person,
                      due_date=data.due_date)
    session.add(item)
    session.flush()
    refresh_search_text(session, meeting)
    audit.record(session, principal, "action.create", f"action/{item.id}", after=_snapshot(item),
                 detail={"meeting": meeting_id})
    return item


def get_action(session: Session, action_id: int, *, for_update: bool = False) -> ActionItem:
    query = select(ActionItem).where(ActionItem.id == action_id)
    item = session.exec(locked(query) if for_update else query).first()
    if item is None:
        raise NotFound(f"unknown action item {action_id}", code="unknown_action")
    return item


def etag(item: ActionItem) -> str:
    return f'"a{item.id}.{item.revision}"'


def change_action(session: Session, principal: Principal, action_id: int, change: ActionChange,
                  if_match: str | None = None) -> ActionItem:
    """Changes only the fields named, on the current row (locked), so two people changing different fields never
    undo each other and a status change is checked against the status as it is now. If-Match is optional: a
    client that sends the ETag it read gets 409 when the item changed since."""
    require_role(principal, SECRETARIAT)
    item = get_action(session, action_id, for_update=True)
    if if_match:
        check_if_match(if_match, etag(item), what=f"action item {action_id}")
    before = _snapshot(item)
    if change.status is not None:
        rules.check_choice(change.status, rules.ACTION_STATUSES, what="action status", pointer="/status")
        rules.check_action_transition(item.status, change.status, what=f"action item {action_id}")
        item.status = change.status
    if change.carried_to is not None:
        source, target = get_meeting(session, item.meeting_id), session.get(Meeting, change.carried_to)
        if target is None or target.start_at <= source.start_at:
            raise Unprocessable(f"an action item is carried over to a later meeting than {source.id}",
                                pointer="/carried_to", code="invalid_carry_over")
        item.carried_to = target.id
    for name in ("due_date", "owner_organisation", "owner_person", "title"):
        if getattr(change, name) is not None:
            setattr(item, name, getattr(change, name))
    item.revision, item.updated_at = item.revision + 1, utcnow()
    session.add(item)
    audit.record(session, principal, "action.update", f"action/{action_id}", before=before, after=_snapshot(item),
                 detail={"status": item.status})
    return item


@dataclass(frozen=True)
class ActionFilters:
    meeting: int | None = None
    status: str | None = None
    overdue: bool = False
    owner: str | None = None
    sample: bool | None = None


def list_actions(session: Session, filters: ActionFilters, *, today: dt.date, limit: int = 50,
                 offset: int = 0) -> tuple[Sequence[ActionItem], int]:
    """Action items, soonest due first; `overdue` keeps pending ones whose due date has passed."""
    query = select(ActionItem)
    if filters.meeting is not None:
        query = query.where(ActionItem.meeting_id == filters.meeting)
    if filters.status:
        query = query.where(ActionItem.status == filters.status)
    if filters.overdue:
        query = query.where(col(ActionItem.status).in_(rules.ACTION_PENDING), col(ActionItem.due_date) < today)
    if filters.owner:
        owner = filters.owner.casefold()
        query = query.where(or_(func.lower(ActionItem.owner_organisation) == owner,
                                func.lower(ActionItem.owner_person) == owner))
    if filters.sample is not None:
        query = query.join(Meeting, Meeting.id == ActionItem.meeting_id).where(Meeting.sample == filters.sample)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(ActionItem.due_date).is_(None), ActionItem.due_date, ActionItem.id)
                        .offset(offset).limit(limit)).all()
    return rows, total
