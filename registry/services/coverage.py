"""Coverage per jurisdiction and topic (recorded, none, not-researched), read from documents and from what
jurisdictions.json says was researched; the compliance check, the matrix, gap reports and the pages ask here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable

from sqlmodel import Session, col, select

from registry.domain import lifecycle
from registry.domain.coverage import NONE, NOT_RESEARCHED, RECORDED, cooperation_status, topic_coverage
from registry.domain.provenance import rules_with_pointers
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


def _blocs_of(session: Session, codes: list[str]) -> dict[str, list[str]]:
    """member code -> the blocs it belongs to, sorted."""
    blocs: dict[str, list[str]] = defaultdict(list)
    for bloc, member in session.exec(select(Membership.bloc_code, Membership.member_code)
                                     .where(col(Membership.member_code).in_(codes))
                                     .order_by(Membership.bloc_code)).all():
        blocs[member].append(bloc)
    return blocs


def coverage_map(session: Session, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """code -> topic -> recorded | none | not-researched, for every topic; a document of a bloc the jurisdiction
    belongs to counts as recorded."""
    codes = list(dict.fromkeys(codes))
    rows = {j.code: j for j in session.exec(select(Jurisdiction).where(col(Jurisdiction.code).in_(codes))).all()}
    blocs = _blocs_of(session, codes)
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


def _rule_facts(session: Session, namespaces: Iterable[str], today: dt.date) -> dict[str, dict[str, tuple[int, str]]]:
    """namespace -> topic -> (rules in the versions that answer today, newest `retrieved` day of their sources).
    Each document counts with its version in force today, else its newest recorded one (a scheduled rule)."""
    query = (select(Document, Version).join(Version, col(Version.document_id) == col(Document.id))
             .where(col(Document.namespace).in_(list(namespaces)), Document.kind != "vocabulary",
                    col(Document.topic).is_not(None), col(Version.status).not_in(_NOT_RECORDED)))
    versions: dict[int, list[Version]] = defaultdict(list)
    documents: dict[int, Document] = {}
    for document, version in session.exec(query).all():
        documents[document.id] = document  # type: ignore[index]
        versions[document.id].append(version)  # type: ignore[index]
    found: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for key, document in documents.items():
        chosen = lifecycle.select_in_force(versions[key], today) or max(versions[key], key=lambda v: v.number)
        rules = [rule for _, rule in rules_with_pointers(chosen.body)]
        days = [s.get("retrieved") for rule in rules for s in rule.get("sources") or [] if isinstance(s, dict)]
        newest = max((d for d in days if isinstance(d, str)), default="")
        count, before = found[document.namespace].get(document.topic or "", (0, ""))
        found[document.namespace][document.topic or ""] = (count + len(rules), max(before, newest))
    return found


def coverage_grid(session: Session, *, cooperation: str | None = None, region: str | None = None,
                  today: dt.date | None = None) -> dict[str, Any]:
    """Every jurisdiction (filtered by cooperation status and region) × every topic: its coverage state, the
    number of rules that answer today (its own and its blocs') and the newest day a source of them was
    retrieved; with the share of cells researched."""
    today = today or dt.date.today()
    rows, _ = jurisdictions.list_jurisdictions(session, cooperation=cooperation, region=region, limit=10_000)
    codes = [row.code for row in rows]
    statuses = coverage_map(session, codes)
    blocs = _blocs_of(session, codes)
    facts = _rule_facts(session, set(codes) | {b for bs in blocs.values() for b in bs}, today)
    out_rows = []
    for row in rows:
        cells = {}
        for topic in TOPICS:
            namespaces = (row.code, *blocs[row.code])
            counted = [facts.get(namespace, {}).get(topic.slug, (0, "")) for namespace in namespaces]
            status = statuses[row.code][topic.slug]
            days = [d for _, d in counted] if status == RECORDED else \
                [s.get("retrieved") or "" for s in ((row.coverage or {}).get(topic.slug) or {}).get("sources") or []]
            cells[topic.slug] = {"status": status, "rules": sum(c for c, _ in counted) if status == RECORDED else 0,
                                 "newest_source": max(days, default="") or None}
        found = row.cooperation or {}
        out_rows.append({"code": row.code, "name": row.name, "kind": row.kind, "region": row.region,
                         "cooperation": {"status": cooperation_status(found), "since": found.get("since")},
                         "topics": cells})
    cells_all = [cell["status"] for r in out_rows for cell in r["topics"].values()]
    researched = sum(status != NOT_RESEARCHED for status in cells_all)
    return {"as_of": today.isoformat(), "topics": [{"slug": t.slug, "title": t.title} for t in TOPICS],
            "filters": {"cooperation": cooperation, "region": region},
            "jurisdictions": out_rows,
            "summary": {"jurisdictions": len(out_rows), "cells": len(cells_all), "researched": researched,
                        "recorded": sum(status == RECORDED for status in cells_all),
                        "none": sum(status == NONE for status in cells_all),
                        "not_researched": len(cells_all) - researched,
                        "share_researched": round(researched / len(cells_all), 4) if cells_all else None}}


def researched_share(session: Session) -> tuple[int, int]:
    """(cells researched, cells in all): jurisdictions × topics whose state is known, for the home page's badge."""
    codes = list(session.exec(select(Jurisdiction.code)).all())
    states = [status for topics in coverage_map(session, codes).values() for status in topics.values()]
    return sum(status != NOT_RESEARCHED for status in states), len(states)
