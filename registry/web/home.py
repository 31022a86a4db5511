"""The start page and the site search."""

from __future__ import annotations

from typing import Annotated, Optional

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import File, Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.services import coverage, overview
from registry.services.meetings_actions import ActionFilters, list_actions
from registry.storage.database import read_session
from registry.storage.tables import utcnow
from registry.web.layout import STATIC, page


class HomePages(Controller):
    @get("/", sync_to_thread=True)
    def home(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal]) -> Template:
        today = utcnow().date()
        with read_session(engine) as session:
            counts = overview.counts(session)
            researched, cells = coverage.researched_share(session)
            changes = overview.recent_changes(session)
            upcoming = overview.upcoming_meetings(session, today=today)
            overdue, overdue_total = list_actions(session, ActionFilters(overdue=True), today=today, limit=5)
        return page("home.html", viewer, counts=counts, changes=changes, upcoming=upcoming, overdue=overdue,
                    overdue_total=overdue_total, today=today,
                    researched=researched, cells=cells)

    @get("/favicon.ico", sync_to_thread=False, media_type="image/svg+xml")
    def favicon(self) -> File:
        return File(STATIC / "favicon.svg", content_disposition_type="inline")

    @get("/search", sync_to_thread=True)
    def search(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
               q: Annotated[Optional[str], QueryParameter(max_length=200)] = None) -> Template:
        results = None
        if q and q.strip():
            with read_session(engine) as session:
                results = overview.search(session, q.strip())
        return page("search.html", viewer, title=f"Search: {q}" if q else "Search", q=q or "", results=results)
