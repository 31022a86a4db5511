"""What the registry holds at a glance, for the start page: counts and upcoming meetings (the recent changes are
registry/services/changes.py; site search is registry/services/search.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlmodel import Session, func, select

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


__all__ = ["Counts", "counts", "upcoming_meetings"]
