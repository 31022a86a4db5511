"""Coverage per jurisdiction and topic (recorded, none, not-researched), read from documents and from what
jurisdictions.json says was researched; the compliance check, the matrix, gap reports and the pages ask here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from sqlmodel import Session, col, select

from registry.domain import lifecycle
from registry.domain.coverage import NONE, RECORDED, topic_coverage
from registry.domain.topics import TOPICS
from registry.services import jurisdictions
from registry.storage.tables import Document, Jurisdiction, Membership, Version

_NOT_RECORDED = (lifecycle.DRAFT, lifecycle.WITHDRAWN)  # a draft or a withdrawn rule says nothing in force


def _documents_by_namespace(session: Session, namespaces: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """namespace -> topic -> names of its documents (rules and technical standards) with a version recorded."""
    live = select(Version.document_id).where(col(Version.status).not_in(_NOT_RECORDED))
    query = select(Document).where(col(Document.namespace).in_(list(namespaces)), Document.kind != "vocabulary",
                                   col(Document.topic).is_not(None), col(Document.id).in_(live))
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for document in session.exec(query.order_by(Document.namespace, Document.slug)).all():  # type: ignore[arg-type]
        found[document.namespace][document.topic or ""].append(document.name)
    return found


def coverage_map(session: Session, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """code -> topic -> recorded | none | not-researched, for every topic; a document of a bloc the jurisdiction
    belongs to counts as recorded."""
    codes = list(dict.fromkeys(codes))
    rows = {j.code: j for j in session.exec(select(Jurisdiction).where(col(Jurisdiction.code).in_(codes))).all()}
    blocs: dict[str, list[str]] = defaultdict(list)
    for bloc, member in session.exec(select(Membership.bloc_code, Membership.member_code)
                                     .where(col(Membership.member_code).in_(codes))).all():
        blocs[member].append(bloc)
    documents = _documents_by_namespace(session, set(codes) | {b for bs in blocs.values() for b in bs})
    slugs = [t.slug for t in TOPICS]
    out = {}
    for code in codes:
        recorded = {topic for namespace in (code, *blocs[code]) for topic in documents.get(namespace, {})}
        row = rows.get(code)
        out[code] = topic_coverage(slugs, row.coverage if row else None, recorded)
    return out


def coverage_of(session: Session, code: str) -> list[dict[str, Any]]:
    """One jurisdiction's coverage, topic by topic, with the documents behind `recorded` and the note and sources
    behind `none`."""
    row = jurisdictions.get(session, code)
    codes = jurisdictions.framework_codes(session, code)
    documents = _documents_by_namespace(session, codes)
    statuses = coverage_map(session, [code])[code]
    out = []
    for topic in TOPICS:
        status = statuses[topic.slug]
        item: dict[str, Any] = {"topic": topic.slug, "title": topic.title, "status": status}
        if status == RECORDED:
            item["documents"] = [name for namespace in codes for name in documents.get(namespace, {}).get(topic.slug, [])]
        elif status == NONE:
            written = (row.coverage or {}).get(topic.slug, {})
            item["note"] = written.get("note", "")
            item["sources"] = written.get("sources", [])
        out.append(item)
    return out
