"""Minutes: Markdown rendered once, on save; draft → approved → published; every saved text kept with its diff.
Draft and approved minutes are seen only by the secretariat; the public sees published minutes."""

from __future__ import annotations

import difflib
import hashlib
from typing import Callable, Sequence

from sqlmodel import Session, select

from registry.domain import meetings as rules
from registry.domain.access import SECRETARIAT, Principal, require_role
from registry.errors import Conflict, NotFound
from registry.services import audit
from registry.services.meetings import (
    can_write,
    check_if_match,
    get_meeting,
    refresh_search_text,
)
from registry.storage.tables import MeetingMinutes, MinutesRevision, utcnow


def etag(minutes: MeetingMinutes) -> str:
    return f'"{minutes.meeting_id}.minutes.{minutes.revision}"'


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_minutes(session: Session, principal: Principal, meeting_id: int) -> MeetingMinutes:
    get_meeting(session, meeting_id)
    minutes = session.get(MeetingMinutes, meeting_id)
    # unpublished minutes answer exactly as missing ones do, so that the public cannot tell them apart
    if minutes is None or (minutes.status != rules.MINUTES_PUBLISHED and not can_write(principal)):
        raise NotFound(f"meeting {meeting_id} has no published minutes", code="no_minutes")
    return minutes


def save_minutes(session: Session, principal: Principal, meeting_id: int, markdown: str, if_match: str | None, *,
                 render: Callable[[str], str]) -> MeetingMinutes:
    """Write the minutes (the first time, or again with If-Match); approved minutes go back to draft. `render` is
    the safe Markdown renderer (registry.web.markdown.render), handed in by the app or the command line."""
    require_role(principal, SECRETARIAT)
    rules.check_minutes(markdown)
    meeting = get_meeting(session, meeting_id, for_update=True)
    if meeting.status == rules.CANCELLED:
        raise Conflict(f"meeting {meeting_id} was cancelled; it has no minutes", code="meeting_cancelled")
    minutes = session.get(MeetingMinutes, meeting_id, populate_existing=True)  # as committed, under the lock
    html = render(markdown)
    if minutes is None:
        minutes = MeetingMinutes(meeting_id=meeting_id, markdown=markdown, html=html, updated_by=principal.actor)
        previous, before = "", None
    else:
        check_if_match(if_match, etag(minutes), what=f"the minutes of meeting {meeting_id}")
        if minutes.status == rules.MINUTES_PUBLISHED:
            raise Conflict(f"the minutes of meeting {meeting_id} are published and no longer change",
                           code="minutes_published")
        previous, before = minutes.markdown, _hash(minutes.markdown)
        minutes.markdown, minutes.html, minutes.revision = markdown, html, minutes.revision + 1
        minutes.status, minutes.approved_by, minutes.approved_at = rules.MINUTES_DRAFT, None, None
        minutes.updated_by, minutes.updated_at = principal.actor, utcnow()
    diff = "".join(difflib.unified_diff(previous.splitlines(keepends=True), markdown.splitlines(keepends=True),
                                        f"revision {minutes.revision - 1}", f"revision {minutes.revision}"))
    session.add(minutes)
    session.add(MinutesRevision(meeting_id=meeting_id, revision=minutes.revision, markdown=markdown, diff=diff,
                                author=principal.actor))
    audit.record(session, principal, "minutes.update", f"meeting/{meeting_id}/minutes", before=before,
                 after=_hash(markdown), detail={"revision": minutes.revision})
    return minutes


def advance(session: Session, principal: Principal, meeting_id: int, target: str) -> MeetingMinutes:
    """approve (the meeting must have been held) or publish (approved minutes become public and searchable)."""
    require_role(principal, SECRETARIAT)
    meeting = get_meeting(session, meeting_id, for_update=True)
    minutes = session.get(MeetingMinutes, meeting_id, populate_existing=True)
    if minutes is None:
        raise NotFound(f"meeting {meeting_id} has no minutes yet", code="no_minutes")
    if meeting.status != rules.HELD:
        raise Conflict(f"meeting {meeting_id} is {meeting.status}; minutes are approved and published once it is "
                       "held", code="meeting_not_held")
    rules.check_minutes_transition(minutes.status, target, what=f"meeting {meeting_id}")
    minutes.status = target
    if target == rules.MINUTES_APPROVED:
        minutes.approved_by, minutes.approved_at = principal.actor, utcnow()
    else:
        minutes.published_by, minutes.published_at = principal.actor, utcnow()
        refresh_search_text(session, meeting)
    session.add(minutes)
    verb = "approve" if target == rules.MINUTES_APPROVED else "publish"
    audit.record(session, principal, f"minutes.{verb}", f"meeting/{meeting_id}/minutes",
                 before=_hash(minutes.markdown), after=_hash(minutes.markdown), detail={"revision": minutes.revision})
    return minutes


def history(session: Session, principal: Principal, meeting_id: int) -> Sequence[MinutesRevision]:
    require_role(principal, SECRETARIAT)
    get_meeting(session, meeting_id)
    return session.exec(select(MinutesRevision).where(MinutesRevision.meeting_id == meeting_id)
                        .order_by(MinutesRevision.revision)).all()  # type: ignore[arg-type]
