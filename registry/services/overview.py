"""What the registry holds at a glance, for the start page and search: counts, one search over jurisdictions,
documents and meetings (the recent changes are registry.services.changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlmodel import Session, func, select

from registry.services import documents, jurisdictions
from registry.services.meetings_search import MeetingFilters, list_meetings
from registry.storage.tables import Document, Jurisdiction, Meeting, Version


@dataclass(frozen=True)
class Counts:
    jurisdictions: int
    documents: int
    versions: int
    meetings: int


def counts(session: Session) -> Counts:
    def count(table: type) -> int:
        return session.exec(select(func.count()).select_from(table)).one()

    return Counts(count(Jurisdiction), count(Document), count(Version), count(Meeting))


def upcoming_meetings(session: Session, *, today: dt.date, limit: int = 5) -> Sequence[Meeting]:
    rows, _ = list_meetings(session, MeetingFilters(start_from=today), sort="start", limit=limit)
    return [m for m in rows if m.status != "cancelled"]


@dataclass(frozen=True)
class SearchResults:
    jurisdictions: Sequence[Jurisdiction]
    documents: Sequence[Document]
    documents_total: int
    meetings: Sequence[Meeting]
    meetings_total: int


def search(session: Session, text: str, *, limit: int = 20) -> SearchResults:
    found_jurisdictions, _ = jurisdictions.list_jurisdictions(session, text=text, limit=limit)
    found_documents, documents_total = documents.list_documents(session, text=text, limit=limit)
    found_meetings, meetings_total = list_meetings(session, MeetingFilters(text=text), limit=limit)
    return SearchResults(found_jurisdictions, found_documents, documents_total, found_meetings, meetings_total)


__all__ = ["Counts", "SearchResults", "counts", "search", "upcoming_meetings"]
