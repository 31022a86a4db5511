"""Documents: the list, one document's versions as a timeline, a version's rules as a table, and the diff
between two versions told from the newer side (tightened, loosened, added, removed, changed; breaking changes,
witnesses)."""

from __future__ import annotations

import json
from typing import Annotated, Mapping, Optional, Sequence

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain import conditions, lifecycle, provenance, rules
from registry.domain.access import Principal, can_write_namespace
from registry.domain.references import DocumentName, parse_date, parse_name, parse_selector
from registry.services import annotations, comparing, differences, documents, jurisdictions
from registry.services import conditions as condition_titles
from registry.services.meetings_search import meetings_for_document
from registry.errors import RegistryError
from registry.settings import Settings
from registry.storage.database import read_session
from registry.storage.tables import AnnotationRevision, Document, Version
from registry.web.layout import page

DOC = "/{jurisdiction:str}/{slug:str}"
Text = Annotated[Optional[str], QueryParameter(max_length=200)]


def _name(jurisdiction: str, slug: str) -> DocumentName:
    return parse_name(f"{jurisdiction}/{slug}")


def rule_rows(schema: dict, titles: Mapping[str, str] = {}) -> list[dict]:
    """One row per constraint: the instance path, the requirement, the rule that cites it and, for a conditional
    rule, its condition in words ("applies when …")."""
    return [{"path": c.instance_path or "/", "requirement": f"{c.keyword} {rules_value(c.value)}",
             "rule": c.rule or {}, "condition": conditions.at_pointer(schema, c.pointer, titles)}
            for c in rules.iter_constraints(schema)]


def rules_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def version_page(document: Document, version: Version, viewer: Principal, *, publish_error: RegistryError | None = None,
                 status_code: int = 200, amendments: Sequence[AnnotationRevision] = (),
                 found: documents.Answer | None = None, titles: Mapping[str, str] = {}) -> Template:
    schema = version.body if isinstance(version.body, dict) else {}
    return page("documents/version.html", viewer, title=f"{document.name}@{version.number}", document=document,
                version=version, rows=rule_rows(schema, titles),
                manual=[{**r, "condition": conditions.at_pointer(schema, r["pointer"], titles)}
                        for r in rules.rules_not_machine_checkable(schema)],
                sourced=provenance.cited_rules(rule for _, rule in provenance.rules_with_pointers(schema)),
                can_write=can_write_namespace(viewer, document.namespace), publish_error=publish_error,
                status_code=status_code, amendments=list(reversed(amendments)), found=found)


class DocumentPages(Controller):
    path = "/documents"

    @get("/", sync_to_thread=True)
    def index(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal], jurisdiction: Text = None,
              topic: Text = None, kind: Text = None,
              q: Text = None) -> Template:
        filters = {"jurisdiction": jurisdiction, "topic": topic, "kind": kind, "q": q}
        with read_session(engine) as session:
            kind = kind if kind in documents.KINDS else None
            rows, total = documents.list_documents(session, jurisdiction=jurisdiction or None, topic=topic or None,
                                                   kind=kind or None, text=q or None, sort="name", limit=500)
            codes = [(j.code, f"{j.code} — {j.name}") for j in jurisdictions.list_jurisdictions(session, limit=500)[0]]
        return page("documents/index.html", viewer, title="Documents", rows=rows, total=total, filters=filters,
                    codes=codes)

    @get(DOC, sync_to_thread=True)
    def one(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal], jurisdiction: FromPath[str],
            slug: FromPath[str]) -> Template:
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            versions = documents.versions_of(session, document, viewer)
            meetings, _ = meetings_for_document(session, document.id, limit=20)  # type: ignore[arg-type]
        today = lifecycle.today()
        return page("documents/one.html", viewer, title=document.name, document=document,
                    versions=list(reversed(versions)), meetings=meetings, today=today,
                    current=lifecycle.select_in_force(versions, today),
                    scheduled=lifecycle.select_scheduled(versions, today),
                    can_write=can_write_namespace(viewer, document.namespace))

    @get(DOC + "/versions/{ref:str}", sync_to_thread=True)
    def version(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal], jurisdiction: FromPath[str],
                slug: FromPath[str], ref: FromPath[str],
                as_recorded: Annotated[Optional[str], QueryParameter(max_length=10)] = None) -> Template:
        day = parse_date(as_recorded, pointer="as_recorded") if as_recorded else None
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            found = documents.answer(session, document, parse_selector(ref), viewer, as_recorded=day)
            amendments = annotations.revisions(session, found.version)
            titles = condition_titles.titles(session, document.vocabulary)
        return version_page(document, found.version, viewer, amendments=amendments, found=found, titles=titles)

    @get(DOC + "/diff", sync_to_thread=True)
    def diff(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
             viewer: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str],
             left: Annotated[Optional[str], QueryParameter(name="from", max_length=20)] = None,
             right: Annotated[Optional[str], QueryParameter(name="to", max_length=20)] = None) -> Template:
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            versions = documents.versions_of(session, document, viewer)
            older = documents.get_version(session, document, parse_selector(left), viewer) if left else \
                (versions[-2] if len(versions) > 1 else versions[-1])
            newer = documents.get_version(session, document, parse_selector(right or "latest"), viewer) if right or \
                len(versions) < 2 else versions[-1]
            older, newer = differences.ordered(older, newer)
            words = differences.vocabulary_words(session)
            titles = condition_titles.titles(session, document.vocabulary)
        mode = differences.compatibility_mode(document)
        diff = differences.version_diff(comparing.CACHE, older, newer, mode=mode,
                                        format_assertion=settings.format_assertion, words=words, titles=titles)
        breaking = {(d["path"], d["keyword"]) for d in diff["compatibility"].get("differences", [])}
        return page("documents/diff.html", viewer, title=f"{document.name}: @{older.number} → @{newer.number}",
                    document=document, versions=versions, older=older, newer=newer, diff=diff, mode=mode,
                    breaking=breaking)
