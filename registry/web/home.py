"""The start page (with the public change feed), the change feed's own page and the site search."""

from __future__ import annotations

from typing import Annotated, Optional

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import File, Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.domain import lifecycle
from registry.domain.references import check_code
from registry.services import changes, coverage, overview, search
from registry.services.meetings_actions import ActionFilters, list_actions
from registry.storage.database import read_session
from registry.storage.tables import utcnow
from registry.web.layout import STATIC, page


# each group of results, in the order the page shows them
KIND_HEADINGS = {"jurisdiction": "Jurisdictions", "document": "Documents", "rule": "Rules", "meeting": "Meetings"}


class HomePages(Controller):
    @get("/", sync_to_thread=True)
    def home(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal]) -> Template:
        today = utcnow().date()
        with read_session(engine) as session:
            counts = overview.counts(session)
            researched, cells = coverage.researched_share(session)
            recent = changes.feed(session, limit=10)
            upcoming = overview.upcoming_meetings(session, today=today)
            overdue, overdue_total = list_actions(session, ActionFilters(overdue=True), today=today, limit=5)
        return page("home.html", viewer, counts=counts, changes=recent, upcoming=upcoming, overdue=overdue,
                    overdue_total=overdue_total, today=today, researched=researched, cells=cells)

    @get("/changes", sync_to_thread=True)
    def changes(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                jurisdiction: Annotated[Optional[str], QueryParameter(max_length=8)] = None) -> Template:
        code = check_code(jurisdiction, pointer="jurisdiction") if jurisdiction else None
        with read_session(engine) as session:
            rows = changes.feed(session, limit=100, jurisdiction=code)
        return page("changes.html", viewer, title=f"Changes in {code}" if code else "Changes", changes=rows,
                    jurisdiction=code, today=lifecycle.today())

    @get("/favicon.ico", sync_to_thread=False, media_type="image/svg+xml")
    def favicon(self) -> File:
        return File(STATIC / "favicon.svg", content_disposition_type="inline")

    @get("/search", sync_to_thread=True)
    def search(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
               q: Annotated[Optional[str], QueryParameter(max_length=200)] = None) -> Template:
        results = None
        if q and q.strip():
            with read_session(engine) as session:
                results = search.search(session, q.strip(), viewer)
        return page("search.html", viewer, title=f"Search: {q}" if q else "Search", q=q or "", results=results,
                    kinds=KIND_HEADINGS)
