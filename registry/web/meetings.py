"""Meetings: the list with search and filters, a month calendar, one meeting (agenda, participants, published
minutes, outcomes, action items), the action items (overdue ones first), and the statistics as SVG charts."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Literal, Optional
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain import meetings as rules
from registry.domain.access import Principal
from registry.domain.references import parse_date
from registry.errors import InvalidInput, NotFound
from registry.services import meetings, meetings_actions, meetings_minutes
from registry.services.meetings_actions import ActionFilters, list_actions
from registry.services.meetings_search import MeetingFilters, list_meetings, stats
from registry.storage.database import read_session
from registry.storage.tables import utcnow
from registry.web.charts import bar_chart
from registry.web.layout import page

PER_PAGE = 50
Text = Annotated[Optional[str], QueryParameter(max_length=300)]


def provide_filters(q: Text = None, start_from: Annotated[Optional[str], QueryParameter(name="from", max_length=10)] = None,
                    start_to: Annotated[Optional[str], QueryParameter(name="to", max_length=10)] = None,
                    jurisdiction: Text = None, organisation: Text = None, topic: Text = None, type: Text = None,
                    status: Text = None) -> MeetingFilters:
    """The filters of /api/v1/meetings, from a form: fields left empty mean "any"."""
    return MeetingFilters(
        text=q or None, start_from=parse_date(start_from, pointer="/from") if start_from else None,
        start_to=parse_date(start_to, pointer="/to") if start_to else None,
        jurisdiction=jurisdiction.strip().upper() if jurisdiction and jurisdiction.strip() else None,
        organisation=organisation or None, topic=topic or None,
        type=rules.check_choice(type, rules.TYPES, what="meeting type", pointer="/type") if type else None,
        status=rules.check_choice(status, rules.STATUSES, what="status", pointer="/status") if status else None)


def filter_query(filters: MeetingFilters) -> dict[str, object]:
    """The filters as the query of /meetings (and of /api/v1/meetings: the same names)."""
    return {"q": filters.text, "from": filters.start_from.isoformat() if filters.start_from else None,
            "to": filters.start_to.isoformat() if filters.start_to else None, "jurisdiction": filters.jurisdiction,
            "organisation": filters.organisation, "topic": filters.topic, "type": filters.type,
            "status": filters.status}


def local(instant: dt.datetime, zone: str) -> dt.datetime:
    """A stored instant at the venue (SQLite gives UTC instants back without their zone)."""
    return rules.in_zone(instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc), zone)


def _month(text: str | None, today: dt.date) -> dt.date:
    if not text:
        return today.replace(day=1)
    try:
        return rules.check_day(dt.date.fromisoformat(text + "-01"), pointer="/month", what="month")
    except ValueError:
        raise InvalidInput(f"month {text[:20]!r} is not YYYY-MM", pointer="/month", code="invalid_month") from None


class MeetingPages(Controller):
    path = "/meetings"
    dependencies = {"filters": Provide(provide_filters, sync_to_thread=False)}

    @get("/", sync_to_thread=True)
    def index(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
              filters: NamedDependency[MeetingFilters],
              offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
              sort: FromQuery[Literal["-start", "start", "title"]] = "-start") -> Template:
        with read_session(engine) as session:
            rows, total = list_meetings(session, filters, sort=sort, limit=PER_PAGE, offset=offset)
        return page("meetings/index.html", viewer, title="Meetings", rows=rows, total=total, offset=offset,
                    per_page=PER_PAGE, sort=sort, filters=filter_query(filters), types=rules.TYPES,
                    statuses=rules.STATUSES)

    @get("/calendar", sync_to_thread=True)
    def month(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
              month: Annotated[Optional[str], QueryParameter(max_length=7)] = None) -> Template:
        first = _month(month, utcnow().date())
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        with read_session(engine) as session:
            rows, total = list_meetings(session, MeetingFilters(start_from=first, start_to=last), sort="start",
                                        limit=500)
        by_day: dict[dt.date, list] = {}
        for m in rows:
            by_day.setdefault(local(m.start_at, m.timezone).date(), []).append(m)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
        return page("meetings/calendar.html", viewer, title=f"Meetings in {first:%B %Y}", first=first, weeks=weeks,
                    by_day=by_day, total=total, previous=previous, following=following,
                    feed=urlencode({"from": first.isoformat(), "to": last.isoformat()}))

    @get("/actions", sync_to_thread=True)
    def actions(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                overdue: Text = None, status: Text = None, owner: Text = None) -> Template:
        today = utcnow().date()
        if status:
            rules.check_choice(status, rules.ACTION_STATUSES, what="action status", pointer="/status")
        overdue = "true" if overdue in ("true", "1", "on") else None
        filters = ActionFilters(overdue=bool(overdue), status=status or None, owner=owner or None)
        with read_session(engine) as session:
            rows, total = list_actions(session, filters, today=today, limit=500)
        query = {"overdue": overdue, "status": status, "owner": owner}
        return page("meetings/actions.html", viewer, title="Overdue actions" if overdue else "Action items",
                    rows=rows, total=total, today=today, filters=query, statuses=rules.ACTION_STATUSES)

    @get("/stats", sync_to_thread=True)
    def statistics(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                   filters: NamedDependency[MeetingFilters]) -> Template:
        with read_session(engine) as session:
            figures = stats(session, filters, today=utcnow().date())
        query = filter_query(filters)

        def to(key: str):
            return lambda value: "/meetings?" + urlencode({k: v for k, v in {**query, key: value}.items() if v})

        charts = [
            ("Meetings per year", bar_chart(figures.by_year, title="Meetings per year", chart_id="per-year",
                                            link=lambda y: "/meetings?" + urlencode({"from": f"{y}-01-01", "to": f"{y}-12-31"}))),
            ("Meetings per partner", bar_chart(figures.by_jurisdiction, title="Meetings per partner jurisdiction",
                                               chart_id="per-partner", link=to("jurisdiction"))),
            ("Meetings per topic", bar_chart(figures.by_topic, title="Meetings per topic", chart_id="per-topic",
                                             link=to("topic"))),
            ("Meetings per type", bar_chart(figures.by_type, title="Meetings per type", chart_id="per-type",
                                            link=to("type"))),
        ]
        return page("meetings/stats.html", viewer, title="Meeting statistics", figures=figures, charts=charts,
                    filters=query)

    @get("/{meeting_id:int}", sync_to_thread=True)
    def one(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
            meeting_id: FromPath[int]) -> Template:
        today = utcnow().date()
        with read_session(engine) as session:
            detail = meetings.detail(session, meetings.get_meeting(session, meeting_id))
            try:
                minutes = meetings_minutes.get_minutes(session, viewer, meeting_id)
            except NotFound:
                minutes = None
            outcomes = meetings_actions.list_outcomes(session, meeting_id)
            actions, _ = list_actions(session, ActionFilters(meeting=meeting_id), today=today, limit=500)
        m = detail.meeting
        return page("meetings/one.html", viewer, title=m.title, detail=detail, m=m, minutes=minutes,
                    outcomes=outcomes, actions=actions, today=today, can_write=meetings.can_write(viewer),
                    local_start=local(m.start_at, m.timezone), local_end=local(m.end_at, m.timezone))
