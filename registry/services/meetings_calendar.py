"""The calendar (iCalendar, RFC 5545): one VEVENT per meeting with a stable UID, a SEQUENCE that grows with every
change, cancelled meetings kept as STATUS:CANCELLED, local times with their TZID and VTIMEZONE; no e-mail
addresses, ever."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Sequence

from icalendar import Calendar, Event
from sqlmodel import Session

from registry import __version__
from registry.domain import meetings as rules
from registry.services.meetings import tags_of
from registry.services.meetings_search import MeetingFilters, filtered
from registry.storage.tables import Meeting

_STATUS = {rules.PLANNED: "TENTATIVE", rules.CONFIRMED: "CONFIRMED", rules.HELD: "CONFIRMED",
           rules.CANCELLED: "CANCELLED"}
FEED_LIMIT = 5_000
# RFC 5545 TEXT holds no control character but HTAB (a line break is written `\n` by icalendar): the others (VT, FF,
# ESC, DEL, C1, and a CR of a CRLF) are taken out of every text property
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@registry"


def _event(meeting: Meeting, tags: dict[str, list[str]], permalink: str) -> Event:
    event = Event()
    event.add("uid", uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", rules.in_zone(meeting.start_at, meeting.timezone))
    event.add("dtend", rules.in_zone(meeting.end_at, meeting.timezone))
    event.add("summary", _text(meeting.title))
    event.add("status", _STATUS[meeting.status])
    where = ", ".join(p for p in (meeting.place, meeting.online_url or "") if p)
    if where:
        event.add("location", _text(where))
    event.add("url", _text(permalink))
    lines = [meeting.description.strip()] if meeting.description.strip() else []
    if meeting.host:
        lines.append(f"Host: {meeting.host}")
    if tags["jurisdiction"]:
        lines.append(f"Jurisdictions: {', '.join(tags['jurisdiction'])}")
    lines.append(f"Status: {meeting.status}" + (" (sample data)" if meeting.sample else ""))
    lines.append(permalink)
    event.add("description", _text("\n\n".join(lines)))
    event.add("categories", [_text(c) for c in (meeting.type, *tags["topic"])])
    return event


def calendar(meetings: Sequence[Meeting], tags: dict[int, dict[str, list[str]]], base_url: str) -> bytes:
    """An iCalendar of these meetings; `base_url` makes each event's permalink."""
    cal = Calendar()
    cal.add("prodid", f"-//Regulatory Connectivity Registry//meetings {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Dialogue meetings")
    for meeting in meetings:
        cal.add_component(_event(meeting, tags[meeting.id], f"{base_url}/api/v1/meetings/{meeting.id}"))  # type: ignore[index]
    if meetings:
        first = min(m.start_at for m in meetings).date() - dt.timedelta(days=1)
        last = max(m.end_at for m in meetings).date() + dt.timedelta(days=1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def feed(session: Session, filters: MeetingFilters, base_url: str, *, today: dt.date) -> bytes:
    """The meetings of a bounded window (a year back and two ahead unless `from`/`to` say otherwise)."""
    start, end = rules.feed_window(filters.start_from, filters.start_to, today)
    query = filtered(session, replace(filters, start_from=start, start_to=end))
    rows = session.exec(query.order_by(Meeting.start_at, Meeting.id).limit(FEED_LIMIT)).all()
    return calendar(rows, tags_of(session, [r.id for r in rows]), base_url)  # type: ignore[misc]


def one(session: Session, meeting: Meeting, base_url: str) -> bytes:
    return calendar([meeting], tags_of(session, [meeting.id]), base_url)  # type: ignore[list-item]
