"""Annotation amendments: a recorded version's `x-rule` annotations (sources, quotes, summaries, citations,
confidence) change while its constraints, and so its content hash, stay as they are. Each amendment is a revision
row with the body before, what changed per rule, who, when and why, and an audit event; the version's `revision`
grows, so its ETag changes. A change to a constraint is a new version (reform) or a correction, never this."""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from sqlmodel import Session, func, select

from registry.domain import lifecycle
from registry.domain.access import Principal
from registry.domain.canonical import annotations_of, content_hash, schema_hash, version_hashes, without_annotations
from registry.domain.structural import structural_changes
from registry.errors import Conflict, InvalidInput, Unprocessable
from registry.services import audit, documents
from registry.storage.tables import AnnotationRevision, Document, Version, utcnow

CONSTRAINT_CHANGED = "a change to a constraint is a new version (reform) or a correction, not an annotation amendment"
CORPUS_AUTHOR = "registry corpus"
CORPUS_REASON = "annotations updated from the corpus files"


def annotation_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    """Per annotated schema object whose `x-rule` differs: its pointer, rule id, added/removed/changed, and the
    names of the x-rule fields that differ."""
    old, new = annotations_of(before), annotations_of(after)
    changes = []
    for pointer in sorted(set(old) | set(new)):
        a, b = old.get(pointer), new.get(pointer)
        if pointer in old and pointer in new and content_hash(a) == content_hash(b):
            continue
        rule = b if isinstance(b, dict) else a if isinstance(a, dict) else {}
        change = "added" if pointer not in old else "removed" if pointer not in new else "changed"
        if isinstance(a, dict) and isinstance(b, dict):
            fields = sorted(k for k in set(a) | set(b)
                            if k not in a or k not in b or content_hash(a[k]) != content_hash(b[k]))
        elif change != "changed":
            fields = sorted(rule)
        else:  # an x-rule that is not an object, on one side
            fields = ["x-rule"]
        changes.append({"pointer": pointer, "id": rule.get("id"), "change": change, "fields": fields})
    return changes


def revisions(session: Session, version: Version) -> Sequence[AnnotationRevision]:
    """The amendments of a version, oldest first."""
    query = select(AnnotationRevision).where(AnnotationRevision.version_id == version.id)
    return session.exec(query.order_by(AnnotationRevision.revision)).all()  # type: ignore[arg-type]


def revisions_of(session: Session, versions: Sequence[Version]) -> dict[int, list[AnnotationRevision]]:
    """The amendments of several versions at once, by version id."""
    found: dict[int, list[AnnotationRevision]] = {}
    ids = [v.id for v in versions]
    if not ids:
        return found
    query = select(AnnotationRevision).where(AnnotationRevision.version_id.in_(ids))  # type: ignore[union-attr]
    for row in session.exec(query.order_by(AnnotationRevision.version_id, AnnotationRevision.revision)).all():  # type: ignore[arg-type]
        found.setdefault(row.version_id, []).append(row)
    return found


def check_constraints_kept(ref: str, stored: Any, body: Any) -> None:
    """Refuse (422 `constraint_changed`, with the first pointer that differs) a body whose schema without its
    annotations is not the stored one's."""
    if schema_hash(body) == schema_hash(stored):
        return
    differences = list(structural_changes(without_annotations(stored), without_annotations(body)))
    first = differences[0][0] if differences else ""
    raise Unprocessable(f"{CONSTRAINT_CHANGED}: {ref} differs at {first or '/'}", pointer="/schema" + first,
                        code="constraint_changed",
                        detail={"differences": [{"pointer": p, "change": c} for p, c, _, _ in differences[:20]]})


def amend(session: Session, principal: Principal, document: Document, number: int, if_match: str | None,
          schema: Any, reason: str) -> tuple[Version, AnnotationRevision]:
    """The API's amendment: a writer of the document's jurisdiction, the version's ETag, a reason, and a body that
    differs from the stored one in its annotations only; the annotations pass the loader's checks."""
    if not reason or not reason.strip():
        raise InvalidInput("an annotation amendment needs a reason", pointer="/reason", code="reason_required")
    document, version = documents.locked_version(session, principal, document, number)
    ref = f"{document.name}@{number}"
    if version.status == lifecycle.DRAFT:
        raise Conflict(f"{ref} is a draft: edit it with PUT /api/v1/documents/{document.name}/versions/{number}",
                       code="draft_version")
    documents.check_if_match(document, version, if_match, "amend its annotations")
    check_constraints_kept(ref, version.body, schema)
    if content_hash(schema) == version.body_hash:
        raise Unprocessable(f"{ref} already has exactly these annotations: nothing to amend",
                            code="no_annotation_change")
    documents.check_citations(document, schema)
    return version, record(session, principal, document, version, schema, reason=reason.strip(),
                           author=principal.actor, recorded=dt.date.today())


def record(session: Session, principal: Principal, document: Document, version: Version, body: Any, *, reason: str,
           author: str, recorded: dt.date | None, known_before: bool = True) -> AnnotationRevision:
    """Store `body` as the version's new text and the revision that says so. `known_before` False: an amendment
    listed in the corpus files for a version first loaded with its amended text (the text before is not known)."""
    last = session.exec(select(func.max(AnnotationRevision.revision))
                        .where(AnnotationRevision.version_id == version.id)).one() or 0
    row = AnnotationRevision(version_id=version.id, revision=last + 1,  # type: ignore[arg-type]
                             body_before=version.body if known_before else None,
                             changes=annotation_changes(version.body, body) if known_before else [],
                             author=author, token_id=principal.token_id, organisation=principal.organisation,
                             recorded=recorded, reason=reason)
    session.add(row)
    if known_before:
        before = version.body_hash
        version.body = body
        for name, value in version_hashes(body).items():
            setattr(version, name, value)
        version.revision += 1
        version.updated_at = utcnow()
        session.add(version)
        audit.record(session, principal, "version.amend", f"{document.name}@{version.number}",
                     before=version.content_hash, after=version.content_hash,
                     detail={"revision": row.revision, "reason": reason, "author": author,
                             "rules": sorted({c["id"] or c["pointer"] for c in row.changes}),
                             "body_hash_before": before, "body_hash_after": version.body_hash})
    session.flush()
    return row
