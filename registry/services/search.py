"""Site search: one index of jurisdictions, documents, rules and meetings (table search_entry), its rows kept in
step with what they describe, and the search itself, grouped by kind.

Every word goes through one normaliser (registry.domain.search), for the index and for the query alike; SQLite
matches with FTS5, PostgreSQL with a tsvector (migration 0011_search). The rows follow the writes by themselves:
a session that flushes a jurisdiction, document, version or meeting has the entries of those things rewritten
before it commits (`_collect` / `_refresh` below), whichever use-case, corpus load or import made the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import column, delete, distinct, event, literal_column, or_, table, text
from sqlmodel import Session, col, func, select

from registry.domain import lifecycle, provenance
from registry.domain import search as words
from registry.domain.access import ADMIN, REGULATOR, Principal
from registry.storage.tables import Document, Jurisdiction, Meeting, SearchEntry, Version

KINDS = ("jurisdiction", "document", "rule", "meeting")
_PENDING, _REFRESHING = "search_index_pending", "search_index_refreshing"


# ---- what each thing is, as entries ------------------------------------------------------------------------------

def _entry(kind: str, key: str, *, title: str, url: str, detail: str = "", title_text: str, body: Iterable[str],
           namespace: str = "", document_id: int | None = None, meeting_id: int | None = None,
           draft: bool = False) -> SearchEntry:
    item = key.split("@", 1)[0] + "#" + key.split("#", 1)[1] if kind == "rule" else key
    return SearchEntry(kind=kind, key=key, item=item, namespace=namespace, document_id=document_id,
                       meeting_id=meeting_id, draft=draft, title=title[:500], url=url[:500], detail=detail,
                       title_words=words.index_text(title_text),
                       text_words=words.index_text("\n".join(p for p in body if p)))


def jurisdiction_entries(row: Jurisdiction) -> list[SearchEntry]:
    names = sorted((row.names or {}).values())
    title = row.name + (f" ({', '.join(names)})" if names else "")
    return [_entry("jurisdiction", row.code, title=f"{title} — {row.code}", url=f"/jurisdictions/{row.code}",
                   detail=" · ".join(p for p in (row.kind, row.region) if p), namespace=row.code,
                   title_text=" ".join([row.code, row.name, *names]), body=[row.region])]


def _indexed_versions(versions: Sequence[Version]) -> list[Version]:
    """The versions whose rules search finds: drafts (for their writers) and every version that is or was law,
    not those withdrawn or replaced by a correction."""
    return [v for v in versions if v.status in (lifecycle.DRAFT, *lifecycle.IN_FORCE_STATUSES)]


def _source_text(rule: dict) -> list[str]:
    parts = []
    for source in provenance.linked_sources(rule) + [s for s in rule.get("sources") or [] if isinstance(s, dict)]:
        parts += [str(source.get(k) or "") for k in ("quote", "quote_en", "title", "publisher")]
    return parts


# the keywords of a schema pointer: not words of the rule ("properties" would find every rule)
_SCHEMA_WORDS = frozenset({"properties", "patternProperties", "additionalProperties", "dependentSchemas", "$defs",
                           "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "items", "prefixItems",
                           "contains", "x-rule"})


def _path_words(pointer: str) -> str:
    """The vocabulary names along a rule's pointer (`consumer_protection withdrawal_period_days`)."""
    return " ".join(t for t in pointer.split("/") if t and t not in _SCHEMA_WORDS and not t.isdigit())


def document_entries(session: Session, document: Document) -> list[SearchEntry]:
    jurisdiction = session.get(Jurisdiction, document.namespace)
    place = [jurisdiction.name, *sorted((jurisdiction.names or {}).values())] if jurisdiction else []
    versions = _indexed_versions(session.exec(select(Version).where(Version.document_id == document.id)).all())
    # what its versions changed, in words (never a draft's): "right of withdrawal" finds the document itself
    changelogs = [v.changelog for v in versions if v.status != lifecycle.DRAFT]
    found = [_entry("document", document.name, title=f"{document.name} — {document.title}",
                    url=f"/documents/{document.name}", namespace=document.namespace, document_id=document.id,
                    detail=" · ".join(p for p in (document.kind, document.topic or "", document.legal_basis) if p),
                    title_text=f"{document.name} {document.title}",
                    body=[document.authority, document.legal_basis, document.topic or "", *place, *changelogs])]
    for version in versions:
        schema = version.body if isinstance(version.body, dict) else {}
        for pointer, rule in provenance.rules_with_pointers(schema):
            rule_id = str(rule.get("id") or pointer)
            ref = f"{document.name}@{version.number}"
            summary, citation = str(rule.get("summary") or ""), str(rule.get("citation") or "")
            found.append(_entry(
                "rule", f"{ref}#{rule_id}", title=f"{rule_id}: {summary}" if summary else rule_id,
                url=f"/documents/{document.name}/versions/{version.number}", namespace=document.namespace,
                document_id=document.id, draft=version.status == lifecycle.DRAFT,
                detail=f"{citation} · {ref} ({version.status})" if citation else f"{ref} ({version.status})",
                title_text=f"{rule_id} {summary} {citation}",
                body=[document.title, _path_words(pointer), *_source_text(rule), *place]))
    return found


def meeting_entries(meeting: Meeting) -> list[SearchEntry]:
    # search_text is what meeting search sees (published minutes only); its first line is filter words, not text
    content = meeting.search_text.split("\n", 1)[1] if "\n" in meeting.search_text else meeting.search_text
    start = meeting.start_at.date().isoformat() if meeting.start_at else ""
    return [_entry("meeting", f"meeting/{meeting.id}", title=meeting.title, url=f"/meetings/{meeting.id}",
                   meeting_id=meeting.id, detail=" · ".join(p for p in (start, meeting.place, meeting.status) if p),
                   title_text=meeting.title, body=[content])]


# ---- keeping the rows in step ------------------------------------------------------------------------------------

# what a changed thing's entries are, and how its old ones are found (kind -> table, condition, entries)
_SCOPES: dict[str, tuple[type, Callable[[Any], Any], Callable[[Session, Any], list[SearchEntry]]]] = {
    "jurisdiction": (Jurisdiction,
                     lambda code: (col(SearchEntry.kind) == "jurisdiction") & (col(SearchEntry.key) == code),
                     lambda _session, row: jurisdiction_entries(row)),
    "document": (Document, lambda i: col(SearchEntry.document_id) == i, document_entries),
    "meeting": (Meeting, lambda i: col(SearchEntry.meeting_id) == i, lambda _session, row: meeting_entries(row)),
}


def refresh(session: Session, kind: str, key: Any) -> None:
    """Write again the entries of one jurisdiction (by code), document or meeting (by id); gone, it has none."""
    table, condition, entries_of = _SCOPES[kind]
    session.execute(delete(SearchEntry).where(condition(key)))
    row = session.get(table, key)
    if row is not None:
        session.add_all(entries_of(session, row))


_MARK = "index"  # the kind of the one entry that names the normaliser that wrote the index (words.version())


def rebuild(session: Session) -> int:
    """Every entry written again from what the registry holds; returns how many."""
    session.execute(delete(SearchEntry))
    session.add(SearchEntry(kind=_MARK, key=words.version(), title="", url=""))
    count = 0
    for row in session.exec(select(Jurisdiction)).all():
        session.add_all(found := jurisdiction_entries(row))
        count += len(found)
    for document in session.exec(select(Document)).all():
        session.add_all(found := document_entries(session, document))
        count += len(found)
    for meeting in session.exec(select(Meeting)).all():
        session.add_all(found := meeting_entries(meeting))
        count += len(found)
    session.flush()
    return count


def index_outdated(session: Session) -> bool:
    """Whether the registry holds something and the index was not written by this normaliser: after the
    migration that adds it to a registry that held anything, after a change of the normaliser or of the stemmer
    library."""
    mark = session.exec(select(SearchEntry.key).where(SearchEntry.kind == _MARK)).first()
    if mark == words.version():
        return False
    return any(session.exec(select(func.count()).select_from(t)).one() for t in (Jurisdiction, Document, Meeting))


def rebuild_if_outdated(session: Session) -> bool:
    """Rebuild an outdated index (another process may have done it meanwhile)."""
    if not index_outdated(session):
        return False
    rebuild(session)
    return True


@dataclass
class _Pending:
    jurisdictions: set[str] = field(default_factory=set)
    documents: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    objects: list[Any] = field(default_factory=list)  # new rows: their keys exist only after the flush
    orphans: bool = False  # a bulk DELETE (sample meetings) went past the unit of work


def _tracked(session: Session) -> list[Any]:
    return [obj for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, (Jurisdiction, Document, Version, Meeting))]


def _collect(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_REFRESHING):
        session.info.setdefault(_PENDING, _Pending()).objects.extend(_tracked(session))


def _bulk_delete(state: Any) -> None:
    mapper = state.bind_mapper if state.is_delete else None
    if mapper is not None and mapper.class_ in (Jurisdiction, Document, Meeting):
        state.session.info.setdefault(_PENDING, _Pending()).orphans = True


def _drop_orphans(session: Session) -> None:
    session.execute(delete(SearchEntry).where(col(SearchEntry.meeting_id).is_not(None),
                                              col(SearchEntry.meeting_id).not_in(select(Meeting.id))))
    session.execute(delete(SearchEntry).where(col(SearchEntry.document_id).is_not(None),
                                              col(SearchEntry.document_id).not_in(select(Document.id))))
    session.execute(delete(SearchEntry).where(col(SearchEntry.kind) == "jurisdiction",
                                              col(SearchEntry.key).not_in(select(Jurisdiction.code))))


def _refresh(session: Session) -> None:
    pending: _Pending = session.info.pop(_PENDING, None) or _Pending()
    pending.objects.extend(_tracked(session))  # commit calls this before its own flush
    if pending.orphans:
        _drop_orphans(session)
    if not pending.objects:
        return
    session.info[_REFRESHING] = True
    try:
        session.flush()
        if session.exec(select(SearchEntry.id).where(SearchEntry.kind == _MARK)).first() is None:
            # a new index (0011_search writes an outdated mark into a registry that held anything): this
            # normaliser writes every entry from the start
            session.add(SearchEntry(kind=_MARK, key=words.version(), title="", url=""))
        for obj in pending.objects:
            if isinstance(obj, Jurisdiction) and obj.code:
                pending.jurisdictions.add(obj.code)
            elif isinstance(obj, Document) and obj.id is not None:
                pending.documents.add(obj.id)
            elif isinstance(obj, Version) and obj.document_id is not None:
                pending.documents.add(obj.document_id)
            elif isinstance(obj, Meeting) and obj.id is not None:
                pending.meetings.add(obj.id)
        for code in sorted(pending.jurisdictions):
            refresh(session, "jurisdiction", code)
            # its names are words of its documents and their rules too
            pending.documents |= {i for i in session.exec(select(Document.id).where(Document.namespace == code)).all()
                                  if i is not None}
        for kind, keys in (("document", pending.documents), ("meeting", pending.meetings)):
            for key in sorted(keys):
                refresh(session, kind, key)
        session.flush()
    finally:
        session.info.pop(_REFRESHING, None)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "before_flush", _collect)
event.listen(Session, "before_commit", _refresh)
event.listen(Session, "after_rollback", _forget)
event.listen(Session, "do_orm_execute", _bulk_delete)


# ---- searching ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    detail: str
    draft: bool


@dataclass(frozen=True)
class Results:
    """What a search found, by kind (in KINDS order), best first; `totals` counts every match of each kind that
    the viewer may see (rules: one per rule and document, whichever of its versions matched)."""

    query: str
    words: list[str]
    groups: dict[str, list[Hit]]
    totals: dict[str, int]


# at most this many best matches of one kind are read to pick the ones shown (rules: the newest version of each)
_CANDIDATES = 1000


def _matching(session: Session, found: list[str], viewer: Principal) -> tuple[Any, Any]:
    """The select of the entries holding all the words that the viewer may see, and their rank (smaller is
    better)."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table("search_entry_fts", column("rowid"))
        rank = literal_column("bm25(search_entry_fts, 10.0, 1.0)")
        query = select(SearchEntry).join(fts, fts.c.rowid == SearchEntry.id).where(
            text("search_entry_fts MATCH :q").bindparams(q=words.fts5_query(found)))
    else:  # plainto_tsquery: every word required, and no operator read from the request
        vector, asked = literal_column("search_entry.search_vector"), func.plainto_tsquery("simple", " ".join(found))
        rank = -func.ts_rank(vector, asked)
        query = select(SearchEntry).where(vector.op("@@")(asked))
    query = query.where(col(SearchEntry.kind).in_(KINDS), or_(col(SearchEntry.meeting_id).is_(None),
                                                               col(SearchEntry.meeting_id).in_(select(Meeting.id))))
    if viewer.role != ADMIN:  # drafts: only for those who may write them
        writable = list(viewer.jurisdictions) if viewer.role == REGULATOR else []
        query = query.where(or_(col(SearchEntry.draft).is_(False), col(SearchEntry.namespace).in_(writable)))
    return query, rank


def search(session: Session, query: str, viewer: Principal, *, limit: int = 20) -> Results:
    found = words.query_words(query)
    groups: dict[str, list[Hit]] = {kind: [] for kind in KINDS}
    totals = {kind: 0 for kind in KINDS}
    if not found:
        return Results(query, found, groups, totals)
    matching, rank = _matching(session, found, viewer)
    counted = matching.subquery()
    totals.update(session.execute(select(counted.c.kind, func.count(distinct(counted.c.item)))
                                  .group_by(counted.c.kind)).all())
    for kind in KINDS:
        rows = session.exec(matching.where(SearchEntry.kind == kind).order_by(rank, SearchEntry.key)
                            .limit(_CANDIDATES if kind == "rule" else limit)).all()
        best: dict[str, SearchEntry] = {}  # item -> its entry, in the place of its best-ranked match
        for entry in rows:  # a rule: shown in the newest version of it that matched
            if entry.item not in best or _number(entry.key) > _number(best[entry.item].key):
                best[entry.item] = entry
        groups[kind] = [Hit(e.kind, e.title, e.url, e.detail, e.draft) for e in list(best.values())[:limit]]
    return Results(query, found, groups, totals)


def _number(key: str) -> int:
    """The version number in a rule's key (`EU/x@3#RULE` → 3)."""
    try:
        return int(key.split("@", 1)[1].split("#", 1)[0])
    except (IndexError, ValueError):
        return 0


__all__ = ["Hit", "KINDS", "Results", "document_entries", "jurisdiction_entries", "meeting_entries", "rebuild",
           "index_outdated", "rebuild_if_outdated", "refresh", "search"]
