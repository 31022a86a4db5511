"""Finding meetings: full-text search (SQLite FTS5, PostgreSQL tsvector) with filters that combine, and figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import Integer, cast, literal_column, text
from sqlmodel import Session, col, func, select

from registry.domain import meetings as rules
from registry.storage.tables import ActionItem, Meeting, MeetingDocument, MeetingTag

SORTS = {"start": Meeting.start_at, "title": Meeting.title, "updated": Meeting.updated_at}


@dataclass(frozen=True)
class MeetingFilters:
    text: str | None = None
    start_from: dt.date | None = None  # meetings that start on this UTC day or later
    start_to: dt.date | None = None  # … or earlier (inclusive)
    jurisdiction: str | None = None
    organisation: str | None = None
    topic: str | None = None
    type: str | None = None
    status: str | None = None
    sample: bool | None = None


def _day(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _text_condition(session: Session, terms: list[str], any_of: list[str], fenced: bool) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return text("meeting.id IN (SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH :fts)").bindparams(
            fts=rules.fts5_query(terms, any_of))
    # meeting.search_vector: the generated to_tsvector('simple', search_text) column of migration 0002; to_tsquery
    # reads our own year words only (rules.year_words), never text from the request
    query = "plainto_tsquery('simple', :terms)" + (" && to_tsquery('simple', :any_of)" if any_of else "")
    if fenced:  # with tag words in the query the index's answer is small: OFFSET 0 has PostgreSQL find it first,
        # instead of starting from the tag's meetings and reading each one's tsvector (docs/performance.md)
        condition = text(f"meeting.id IN (SELECT m.id FROM meeting AS m WHERE m.search_vector @@ ({query}) OFFSET 0)")
    else:
        condition = text(f"meeting.search_vector @@ ({query})")
    return condition.bindparams(terms=" ".join(terms), **({"any_of": " | ".join(any_of)} if any_of else {}))


def _tags(filters: MeetingFilters) -> list[tuple[str, str]]:
    organisation = filters.organisation.strip().casefold() if filters.organisation else None
    return [(kind, value) for kind, value in (("jurisdiction", filters.jurisdiction), ("topic", filters.topic),
                                              ("organisation", organisation)) if value]


def filtered(session: Session, filters: MeetingFilters) -> Any:
    """The select of the meetings that pass every filter. With words to find, the tags and years asked for are
    words of the full-text query too (rules.filter_words), so the index narrows by them itself; every filter is
    still checked exactly after that (a meeting's own text could hold such a word)."""
    query = select(Meeting)
    tags = _tags(filters)
    for day, name in ((filters.start_from, "from"), (filters.start_to, "to")):
        if day is not None:  # far days: the day after 9999-12-31 does not exist (a 500 before)
            rules.check_day(day, what=f"`{name}`")
    if filters.text is not None and filters.text.strip():
        terms = rules.search_terms(filters.text)
        if not terms:  # only punctuation or operators: there is no word to find
            return query.where(text("1 = 0"))
        words = [rules.filter_word(kind, value) for kind, value in tags]
        query = query.where(_text_condition(session, terms + words,
                                            rules.year_words(filters.start_from, filters.start_to), bool(words)))
    if filters.start_from:
        query = query.where(Meeting.start_at >= _day(filters.start_from))
    if filters.start_to:
        query = query.where(Meeting.start_at < _day(filters.start_to + dt.timedelta(days=1)))
    for kind, value in tags:  # exactly, also after the index has narrowed by their words
        query = query.where(col(Meeting.id).in_(select(MeetingTag.meeting_id).where(
            MeetingTag.kind == kind, MeetingTag.value == value)))
    if filters.type:
        query = query.where(Meeting.type == filters.type)
    if filters.status:
        query = query.where(Meeting.status == filters.status)
    if filters.sample is not None:
        query = query.where(Meeting.sample == filters.sample)
    return query


def list_meetings(session: Session, filters: MeetingFilters, *, sort: str = "-start", limit: int = 50,
                  offset: int = 0) -> tuple[Sequence[Meeting], int]:
    query = filtered(session, filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    column = col(SORTS[sort.lstrip("-")])
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = session.exec(query.order_by(order, col(Meeting.id).desc() if sort.startswith("-") else col(Meeting.id))
                        .offset(offset).limit(limit)).all()
    return rows, total


@dataclass(frozen=True)
class Stats:
    total: int
    by_year: list[tuple[str, int]]
    by_jurisdiction: list[tuple[str, int]]
    by_topic: list[tuple[str, int]]
    by_organisation: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    actions: dict[str, int]


def _year(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y", Meeting.start_at)
    return cast(func.extract("year", func.timezone("UTC", Meeting.start_at)), Integer)


def stats(session: Session, filters: MeetingFilters, *, today: dt.date, top: int = 50) -> Stats:
    """Meetings per year, per partner (jurisdiction), per topic, per organisation, type and status; and the
    action items of those meetings by status, with the overdue ones."""
    ids = filtered(session, filters).with_only_columns(col(Meeting.id)).subquery()
    scoped = select(Meeting).where(col(Meeting.id).in_(select(ids.c.id)))

    def grouped(key: Any, query: Any = None) -> list[tuple[str, int]]:
        base = (query if query is not None else scoped).subquery()
        rows = session.exec(select(base.c[key], func.count()).group_by(base.c[key])
                            .order_by(func.count().desc(), base.c[key]).limit(top)).all()
        return [(str(k), n) for k, n in rows]

    year = session.exec(select(_year(session).label("year"), func.count()).where(col(Meeting.id).in_(select(ids.c.id)))
                        .group_by(literal_column("year")).order_by(literal_column("year"))).all()

    def tagged(kind: str) -> list[tuple[str, int]]:
        rows = session.exec(select(MeetingTag.value, func.count()).where(
            MeetingTag.kind == kind, col(MeetingTag.meeting_id).in_(select(ids.c.id)))
            .group_by(MeetingTag.value).order_by(func.count().desc(), MeetingTag.value).limit(top)).all()
        return [(v, n) for v, n in rows]

    actions = dict(session.exec(select(ActionItem.status, func.count()).where(
        col(ActionItem.meeting_id).in_(select(ids.c.id))).group_by(ActionItem.status)).all())
    overdue = session.exec(select(func.count()).select_from(ActionItem).where(
        col(ActionItem.meeting_id).in_(select(ids.c.id)), col(ActionItem.status).in_(rules.ACTION_PENDING),
        col(ActionItem.due_date) < today)).one()
    total = session.exec(select(func.count()).select_from(ids)).one()
    return Stats(total=total, by_year=[(str(y), n) for y, n in year], by_jurisdiction=tagged("jurisdiction"),
                 by_topic=tagged("topic"), by_organisation=tagged("organisation"), by_type=grouped("type"),
                 by_status=grouped("status"),
                 actions={**{s: actions.get(s, 0) for s in rules.ACTION_STATUSES}, "overdue": overdue})


def meetings_for_document(session: Session, document_id: int, *, limit: int = 50,
                          offset: int = 0) -> tuple[Sequence[Meeting], int]:
    """The meetings that discussed a document (themselves, in an agenda item or in an outcome), newest first."""
    query = select(Meeting).where(col(Meeting.id).in_(select(MeetingDocument.meeting_id).where(
        MeetingDocument.document_id == document_id)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Meeting.start_at).desc(), col(Meeting.id).desc())
                        .offset(offset).limit(limit)).all()
    return rows, total
