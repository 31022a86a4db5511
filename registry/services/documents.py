"""Documents and their versions: create, edit drafts, publish, withdraw, and look up by reference."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from comparisons import Compatibility, check_compatibility
from registry.domain import dates, lifecycle, provenance, rules
from registry.domain.access import (
    Principal,
    can_write_namespace,
    require_namespace_writer,
)
from registry.domain.canonical import version_hashes
from registry.domain.etags import names_state
from registry.domain.references import (
    VOCABULARY_NAMESPACE,
    DocumentName,
    VersionSelector,
    check_slug,
)
from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.schemas import check_expansion, check_schema
from registry.domain.topics import TOPICS, is_topic
from registry.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    Unprocessable,
)
from registry.services import audit
from registry.storage.database import locked
from registry.storage.tables import Document, Jurisdiction, Version, utcnow

KINDS = ("rule", "technical-standard", "vocabulary")
COMPATIBILITY_MODES = ("NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE",
                       "FULL_TRANSITIVE")
CITED_KINDS = ("rule", "technical-standard")


@dataclass(frozen=True)
class DocumentInput:
    namespace: str
    slug: str
    kind: str
    title: str
    topic: str | None = None
    authority: str = ""
    legal_basis: str = ""
    vocabulary: str | None = None
    compatibility: str | None = None


@dataclass(frozen=True)
class VersionInput:
    schema: Any
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    changelog: str = ""
    recorded: dt.date | None = None
    effective_from_precision: str = dates.DAY
    effective_to_precision: str = dates.DAY
    corrects: int | None = None  # a correction: the number of the version it corrects


@dataclass(frozen=True)
class Answer:
    """A version as a look-up answers it: today's status and interval, or those the registry showed on the day
    `as_recorded`; the correction that replaced it, if any (and seen that day)."""

    version: Version
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    corrected_by: Version | None = None
    as_of: dt.date | None = None
    as_recorded: dt.date | None = None

    def state(self, day: dt.date | None = None) -> lifecycle.State:
        """What the version is on `day` (default: the day recorded for an as-recorded answer, else today), from the
        status and interval this answer gives."""
        return lifecycle.state_on(self.version, day or self.as_recorded or lifecycle.today(), status=self.status,
                                  effective_from=self.effective_from, effective_to=self.effective_to, use_given=True)

    @property
    def effective_date_uncertain(self) -> bool | None:
        """For an as-of look-up: whether the day falls in the unknown part of the version's start."""
        if self.as_of is None:
            return None
        return dates.uncertain_on(self.effective_from, self.version.effective_from_precision, self.as_of)


def default_compatibility(kind: str) -> str:
    return "NONE" if kind == "rule" else "BACKWARD"


def etag(version: Version) -> str:
    return f'"{version.number}.{version.revision}.{version.content_hash[:16]}"'


# ---- look-ups -------------------------------------------------------------------------------------------

def get_document(session: Session, name: DocumentName, *, for_update: bool = False) -> Document:
    query = select(Document).where(Document.namespace == name.namespace, Document.slug == name.slug)
    found = session.exec(locked(query) if for_update else query).first()
    if found is None:
        raise NotFound(f"unknown document {name}", code="unknown_document")
    return found


def list_documents(session: Session, *, jurisdiction: str | None = None, topic: str | None = None,
                   kind: str | None = None, text: str | None = None, sort: str = "name", limit: int = 100,
                   offset: int = 0) -> tuple[Sequence[Document], int]:
    query = select(Document)
    if jurisdiction:
        query = query.where(Document.namespace == jurisdiction)
    if topic:
        query = query.where(Document.topic == topic)
    if kind:
        query = query.where(Document.kind == kind)
    if text:
        # autoescape: `%`, `_` and the escape character are the text searched for, not wildcards
        query = query.where(or_(*(func.lower(column).contains(text.lower(), autoescape=True) for column in (
            Document.title, Document.slug, Document.legal_basis, Document.authority))))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    key = sort.lstrip("-")
    columns = {"name": (Document.namespace, Document.slug), "title": (Document.title,),
               "updated": (Document.updated_at,), "topic": (Document.topic, Document.namespace, Document.slug)}[key]
    order = [col(c).desc() if sort.startswith("-") else col(c).asc() for c in columns]
    return session.exec(query.order_by(*order).offset(offset).limit(limit)).all(), total


def versions_of(session: Session, document: Document, principal: Principal | None = None, *,
                fresh: bool = False) -> list[Version]:
    """All versions, oldest first; drafts only for those who may write the document. `fresh` reads rows this
    session loaded before again (after the document was locked, to check and write what is committed now)."""
    query = select(Version).where(Version.document_id == document.id).order_by(Version.number)  # type: ignore[arg-type]
    rows = list(session.exec(query.execution_options(populate_existing=True) if fresh else query).all())
    if principal is None or not can_write_namespace(principal, document.namespace):
        rows = [v for v in rows if v.status != lifecycle.DRAFT]
    return rows


def get_version(session: Session, document: Document, selector: VersionSelector,
                principal: Principal | None = None) -> Version:
    return _select(document, versions_of(session, document, principal), selector)


def corrections_of(versions: Sequence[Version]) -> dict[int, Version]:
    """Each corrected version's number → the version that corrects it (a draft correction corrects nothing yet)."""
    return {v.corrects: v for v in versions if v.corrects is not None and v.status != lifecycle.DRAFT}


def answer(session: Session, document: Document, selector: VersionSelector, principal: Principal | None = None, *,
           as_recorded: dt.date | None = None) -> Answer:
    """The version a reference names, with its status now — or, `as_recorded` a day, the answer the registry gave
    on that day: only versions recorded by then count, and a correction recorded later is not seen."""
    versions = versions_of(session, document, principal)
    as_of = lifecycle.today() if selector.current else selector.as_of
    if as_recorded is None:
        found = _select(document, versions, selector)
        return Answer(found, found.status, found.effective_from, found.effective_to,
                      corrections_of(versions).get(found.number), as_of=as_of)
    replayed = lifecycle.as_recorded(versions, as_recorded)
    drafts = [v for v in versions if v.status == lifecycle.DRAFT and selector.number == v.number]
    if drafts:  # a draft is no part of any recorded answer; its writers still see it by number
        return Answer(drafts[0], drafts[0].status, drafts[0].effective_from, drafts[0].effective_to,
                      as_recorded=as_recorded)
    try:
        seen = _select(document, replayed, selector)  # type: ignore[arg-type]
    except NotFound as exc:
        exc.message += f" as recorded on {as_recorded}"
        raise
    by_number = {v.number: v for v in versions}
    return Answer(seen.row, seen.status, seen.effective_from, seen.effective_to,
                  by_number.get(seen.corrected_by) if seen.corrected_by else None, as_of=as_of,
                  as_recorded=as_recorded)


def _select(document: Document, versions: Sequence[Any], selector: VersionSelector) -> Any:
    if selector.number is not None:
        found = next((v for v in versions if v.number == selector.number), None)
    elif selector.latest:
        found = lifecycle.select_latest(versions)
    else:
        found = lifecycle.select_in_force(versions, lifecycle.today() if selector.current else selector.as_of)  # type: ignore[arg-type]
    if found is None:
        what = {True: "no published version", False: f"no version {selector}"}[selector.latest]
        if selector.as_of or selector.current:
            what = f"no version in force on {selector.as_of or lifecycle.today()}"
            scheduled = lifecycle.select_scheduled(versions, selector.as_of or lifecycle.today())
            if selector.current and scheduled:
                what += f" (@{scheduled[0].number} is scheduled from " \
                        f"{dates.reduced(scheduled[0].effective_from, scheduled[0].effective_from_precision)})"
        raise NotFound(f"{document.name} has {what}", code="unknown_version")
    return found


def check_if_match(document: Document, version: Version, if_match: str | None, action: str) -> None:
    """A write to a version sends the ETag it read: 428 without one, 409 when the version changed since."""
    if not if_match:
        raise PreconditionRequired(f"send If-Match with the version's ETag to {action}", code="if_match_required")
    if not names_state(if_match, etag(version)):
        raise Conflict(f"{document.name}@{version.number} has changed since you read it (ETag now {etag(version)})",
                       code="edit_conflict", detail={"etag": etag(version)})


def locked_version(session: Session, principal: Principal, document: Document, number: int
                    ) -> tuple[Document, Version]:
    """The document locked (every write to its versions locks it first, so writers of one document take turns
    on PostgreSQL as they do on SQLite) and its version `number` as committed now."""
    require_namespace_writer(principal, document.namespace)
    document = get_document(session, DocumentName(document.namespace, document.slug), for_update=True)
    versions = versions_of(session, document, principal, fresh=True)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise NotFound(f"{document.name} has no version {number}", code="unknown_version")
    return document, version


def latest_schema(session: Session, name: str) -> tuple[Version, dict]:
    """The latest published version of a document named like `vocabulary/operating-profile`."""
    namespace, _, slug = name.partition("/")
    document = get_document(session, DocumentName(namespace, slug))
    version = get_version(session, document, VersionSelector(latest=True))
    return version, version.body


# ---- writes ---------------------------------------------------------------------------------------------

def create_document(session: Session, principal: Principal, data: DocumentInput) -> Document:
    check_slug(data.slug, pointer="/slug")
    require_namespace_writer(principal, data.namespace)
    if data.kind not in KINDS:
        raise InvalidInput(f"unknown kind {data.kind!r}; kinds: {', '.join(KINDS)}", pointer="/kind", code="unknown_kind")
    if (data.namespace == VOCABULARY_NAMESPACE) != (data.kind == "vocabulary"):
        raise InvalidInput("vocabularies, and only they, are named 'vocabulary/<slug>'", pointer="/kind",
                           code="invalid_kind")
    if data.namespace != VOCABULARY_NAMESPACE and session.get(Jurisdiction, data.namespace) is None:
        raise NotFound(f"unknown jurisdiction {data.namespace!r}", pointer="/jurisdiction", code="unknown_jurisdiction")
    if data.kind != "vocabulary":
        if not data.topic or not is_topic(data.topic):
            raise InvalidInput(f"topic must be one of {', '.join(t.slug for t in TOPICS)}", pointer="/topic",
                               code="unknown_topic")
        if not data.vocabulary:
            raise InvalidInput("a rule or technical standard names the vocabulary it is written over",
                               pointer="/vocabulary", code="vocabulary_required")
        latest_schema(session, data.vocabulary)  # must exist and be published
    compatibility = data.compatibility or default_compatibility(data.kind)
    if compatibility not in COMPATIBILITY_MODES:
        raise InvalidInput(f"unknown compatibility {compatibility!r}; modes: {', '.join(COMPATIBILITY_MODES)}",
                           pointer="/compatibility", code="unknown_compatibility")
    name = DocumentName(data.namespace, data.slug)
    exists = session.exec(select(Document.id).where(Document.namespace == name.namespace,
                                                    Document.slug == name.slug)).first()
    if exists is not None:
        raise Conflict(f"document {name} already exists", code="document_exists")
    document = Document(namespace=data.namespace, slug=data.slug, kind=data.kind,
                        topic=data.topic if data.kind != "vocabulary" else None, title=data.title,
                        authority=data.authority, legal_basis=data.legal_basis,
                        vocabulary=data.vocabulary if data.kind != "vocabulary" else None, compatibility=compatibility)
    session.add(document)
    _flush(session, f"document {name} already exists", code="document_exists")  # a concurrent creator won
    audit.record(session, principal, "document.create", str(name))
    return document


def check_body(session: Session, document: Document, schema: Any, max_expansion: int = DEFAULT_LIMIT) -> int | None:
    """Metaschema, references, patterns and expansion, then the vocabulary's paths; the vocabulary version used."""
    check_schema(schema, max_expansion=max_expansion)
    if document.vocabulary is None:
        return None
    vocabulary, vocabulary_schema = latest_schema(session, document.vocabulary)
    unknown = rules.unknown_paths(schema, vocabulary_schema)
    if unknown:
        raise Unprocessable(f"{document.vocabulary}@{vocabulary.number} has no path {unknown[0]}"
                            + (f" (and {len(unknown) - 1} more: {', '.join(unknown[1:5])})" if len(unknown) > 1 else ""),
                            pointer=unknown[0], code="unknown_vocabulary_path", detail={"paths": unknown})
    return vocabulary.number


def check_citations(document: Document, schema: Any, status: str = lifecycle.DRAFT) -> None:
    """Every constraint has an x-rule with a citation, confidence and sources, and each x-rule's sources are deep
    links with verbatim quotes (registry.domain.provenance; 422 naming the pointer and the rule id)."""
    if document.kind not in CITED_KINDS:
        return
    missing = rules.unannotated_constraints(schema)
    if missing:
        first = missing[0]
        raise Unprocessable(f"constraint {first.keyword!r} at {first.instance_path or '/'} has no x-rule with a "
                            f"citation, sources and confidence ({len(missing)} such constraints)",
                            pointer=f"{first.pointer}/{first.keyword}", code="uncited_constraint")
    problems = provenance.provenance_problems(schema, status)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise Unprocessable(f"{first}{more}", pointer=first.pointer, code="missing_provenance",
                            detail={"rule": first.rule_id, "problems": [p.to_dict() for p in problems[:50]]})


def create_version(session: Session, principal: Principal, document: Document, data: VersionInput, *,
                   max_expansion: int = DEFAULT_LIMIT) -> Version:
    require_namespace_writer(principal, document.namespace)
    lifecycle.check_interval(data.effective_from, data.effective_to)
    vocabulary_version = check_body(session, document, data.schema, max_expansion)
    # lock the document row so that concurrent writers take numbers one after the other (PostgreSQL)
    document = get_document(session, DocumentName(document.namespace, document.slug), for_update=True)
    number = (session.exec(select(func.max(Version.number)).where(Version.document_id == document.id)).one() or 0) + 1
    if data.corrects is not None:
        check_correction(document, versions_of(session, document, principal, fresh=True), data.corrects,
                         data.changelog)
    version = Version(document_id=document.id, number=number, status=lifecycle.DRAFT,  # type: ignore[arg-type]
                      effective_from=data.effective_from, effective_to=data.effective_to, body=data.schema,
                      **version_hashes(data.schema), changelog=data.changelog, author=principal.actor,
                      recorded=data.recorded, vocabulary_version=vocabulary_version, corrects=data.corrects,
                      effective_from_precision=data.effective_from_precision,
                      effective_to_precision=data.effective_to_precision)
    session.add(version)
    _flush(session, f"{document.name} got a new version at the same time; retry", code="write_conflict")
    audit.record(session, principal, "version.create", f"{document.name}@{number}", after=version.content_hash)
    return version


def update_draft(session: Session, principal: Principal, document: Document, number: int, if_match: str | None,
                 data: VersionInput, *, max_expansion: int = DEFAULT_LIMIT) -> Version:
    document, version = locked_version(session, principal, document, number)
    if version.status != lifecycle.DRAFT:
        raise Conflict(f"{document.name}@{number} is {version.status}; its constraints never change — create a new "
                       f"version instead (annotations alone: PUT …/versions/{number}/annotations)",
                       code="immutable_version")
    check_if_match(document, version, if_match, "edit a draft")
    lifecycle.check_interval(data.effective_from, data.effective_to)
    version.vocabulary_version = check_body(session, document, data.schema, max_expansion)
    if data.corrects is not None:
        check_correction(document, versions_of(session, document, principal, fresh=True), data.corrects,
                         data.changelog)
    before = version.content_hash
    version.body = data.schema
    for name, value in version_hashes(data.schema).items():
        setattr(version, name, value)
    version.effective_from, version.effective_to = data.effective_from, data.effective_to
    version.effective_from_precision, version.effective_to_precision = (data.effective_from_precision,
                                                                        data.effective_to_precision)
    version.corrects = data.corrects
    version.changelog, version.recorded = data.changelog, data.recorded
    version.revision += 1
    version.updated_at = utcnow()
    session.add(version)
    audit.record(session, principal, "version.update", f"{document.name}@{number}", before=before,
                 after=version.content_hash)
    return version


def check_correction(document: Document, versions: Sequence[Version], corrects: int, changelog: str) -> Version:
    """A correction names a published or superseded version, not yet corrected, and says in its changelog what was
    wrong and the source; the version it corrects."""
    target = next((v for v in versions if v.number == corrects), None)
    if target is None:
        raise NotFound(f"{document.name} has no version {corrects} to correct", pointer="/corrects",
                       code="unknown_version")
    if target.status not in lifecycle.IN_FORCE_STATUSES:
        raise Conflict(f"{document.name}@{corrects} is {target.status}; only a published or superseded version can "
                       "be corrected", pointer="/corrects", code="invalid_correction")
    if not changelog or not changelog.strip():
        raise InvalidInput("a correction's changelog says what was wrong and the source that shows it",
                           pointer="/changelog", code="changelog_required")
    return target


def publish(session: Session, principal: Principal, document: Document, number: int, *,
            effective_from: dt.date | None = None, today: dt.date | None = None, override_reason: str | None = None,
            format_assertion: bool = True, max_expansion: int = DEFAULT_LIMIT,
            effective_from_precision: str = dates.DAY) -> Version:
    document, version = locked_version(session, principal, document, number)
    versions = versions_of(session, document, principal)
    try:
        lifecycle.check_transition(version.status, lifecycle.PUBLISHED, what=f"{document.name}@{number}")
    except Conflict as exc:  # e.g. someone published it a moment ago: say what it is now
        current = lifecycle.select_in_force(versions, today or dt.date.today())
        exc.detail = {"version": {"number": number, "status": version.status, "etag": etag(version)},
                      "in_force": f"{document.name}@{current.number}" if current else None}
        raise
    corrected = (check_correction(document, versions, version.corrects, version.changelog)
                 if version.corrects is not None else None)
    same = next((v for v in versions if v.content_hash == version.content_hash and v is not corrected and v.status in
                 lifecycle.IN_FORCE_STATUSES), None)  # a correction of a date alone keeps the body
    if same is not None:
        raise Conflict(f"{document.name}@{same.number} already has these constraints (content hash "
                       f"{same.content_hash[:12]}…); nothing to publish — a change of annotations alone is an amendment "
                       f"of @{same.number} (PUT …/versions/{same.number}/annotations)", code="identical_version",
                       detail={"existing": same.number})
    check_expansion(version.body, max_expansion)  # a draft stored before the limit (or under a higher one)
    check_citations(document, version.body, version.status)
    compatibility = check_policy(document, versions, corrected or version, format_assertion=format_assertion,
                                 new_body=version.body)
    if compatibility is not None and compatibility.compatible != "yes":
        if not (override_reason and override_reason.strip()):
            word = "breaks" if compatibility.compatible == "no" else "may break (undecided)"
            raise Conflict(f"{document.name}@{number} {word} the document's {document.compatibility} compatibility "
                           "policy; fix it, or publish with an override_reason", code="incompatible_version"
                           if compatibility.compatible == "no" else "compatibility_unknown",
                           detail=compatibility.to_dict())
    if effective_from is not None:
        version.effective_from, version.effective_from_precision = effective_from, effective_from_precision
    if corrected is not None:
        _take_over(session, principal, document, versions, version, corrected)
        return version
    start = version.effective_from or today or dt.date.today()
    lifecycle.check_interval(start, version.effective_to)
    previous = lifecycle.select_latest(versions)
    close_at = lifecycle.publication_plan(previous, start)
    if previous is not None:
        if close_at != previous.effective_to:  # closed where the new version starts: known as far as that start is
            previous.effective_to_precision = version.effective_from_precision
        previous.status, previous.effective_to, previous.updated_at = lifecycle.SUPERSEDED, close_at, utcnow()
        session.add(previous)
        audit.record(session, principal, "version.supersede", f"{document.name}@{previous.number}",
                     before=previous.content_hash, after=previous.content_hash,
                     detail={"effective_to": close_at.isoformat() if close_at else None, "by": number})
    version.status, version.effective_from, version.published_at = lifecycle.PUBLISHED, start, utcnow()
    version.updated_at = utcnow()
    session.add(version)
    document.updated_at = utcnow()
    session.add(document)
    detail: dict[str, Any] = {"effective_from": start.isoformat()}
    if compatibility is not None and compatibility.compatible != "yes":
        detail.update(override_reason=override_reason.strip() if override_reason else None,
                      compatibility=document.compatibility, compatible=compatibility.compatible)
    audit.record(session, principal, "version.publish", f"{document.name}@{number}", after=version.content_hash,
                 detail=detail)
    return version


def _take_over(session: Session, principal: Principal, document: Document, versions: Sequence[Version],
               version: Version, corrected: Version) -> None:
    """Publish a correction: it takes the corrected version's place — its status and its interval, unless the draft
    gives its own dates (the date was the error; a bound it leaves out is the corrected version's) — and the
    corrected version becomes `corrected`, kept as it was."""
    if version.effective_from is None:
        version.effective_from, version.effective_from_precision = (corrected.effective_from,
                                                                    corrected.effective_from_precision)
    if version.effective_to is None:
        version.effective_to, version.effective_to_precision = (corrected.effective_to,
                                                                corrected.effective_to_precision)
    lifecycle.check_interval(version.effective_from, version.effective_to)
    status = corrected.status
    others = [v for v in versions if v is not corrected and v is not version]
    clash = lifecycle.overlapping([*others, lifecycle.Interval(version.number, status, version.effective_from,
                                                      version.effective_to)])
    if clash:
        raise Conflict(f"{document.name}@{version.number} from {version.effective_from} would overlap "
                       f"@{clash[0].number if clash[0].number != version.number else clash[1].number}; correct the "
                       "dates of that version too, or give this one an interval that fits", code="invalid_interval",
                       pointer="/effective_from")
    corrected.status, corrected.updated_at = lifecycle.CORRECTED, utcnow()
    session.add(corrected)
    audit.record(session, principal, "version.correct", f"{document.name}@{corrected.number}",
                 before=corrected.content_hash, after=version.content_hash,
                 detail={"by": version.number, "previous_status": status, "changelog": version.changelog})
    version.status, version.published_at = status, utcnow()
    version.updated_at = utcnow()
    session.add(version)
    document.updated_at = utcnow()
    session.add(document)
    audit.record(session, principal, "version.publish", f"{document.name}@{version.number}",
                 after=version.content_hash, detail={"effective_from": version.effective_from.isoformat()
                                                     if version.effective_from else None,
                                                     "corrects": corrected.number})



def check_policy(document: Document, versions: Sequence[Version], version: Version, *,
                 format_assertion: bool = True, new_body: Any = None) -> Compatibility | None:
    """The compatibility of a new version with the in-force ones before `version` (the new one, or for a correction
    the version it corrects), under the document's policy."""
    mode = document.compatibility
    earlier = sorted((v for v in versions if v.status in lifecycle.IN_FORCE_STATUSES and v.number < version.number),
                     key=lambda v: v.number)
    if mode == "NONE" or not earlier:
        return None
    old: Any = [v.body for v in earlier] if mode.endswith("_TRANSITIVE") else earlier[-1].body
    return check_compatibility(old, version.body if new_body is None else new_body, mode,
                               format_assertion=format_assertion)


def withdraw(session: Session, principal: Principal, document: Document, number: int, *, reason: str,
             successor: str | None = None) -> Version:
    require_namespace_writer(principal, document.namespace)
    if not reason or not reason.strip():
        raise InvalidInput("a withdrawal needs a reason", pointer="/reason", code="reason_required")
    document, version = locked_version(session, principal, document, number)
    lifecycle.check_transition(version.status, lifecycle.WITHDRAWN, what=f"{document.name}@{number}")
    before = version.status
    version.status, version.withdrawn_at, version.updated_at = lifecycle.WITHDRAWN, utcnow(), utcnow()
    version.withdrawn_reason, version.successor = reason.strip(), successor
    session.add(version)
    audit.record(session, principal, "version.withdraw", f"{document.name}@{number}", before=version.content_hash,
                 after=version.content_hash, detail={"reason": reason.strip(), "successor": successor,
                                                     "previous_status": before})
    return version


def _flush(session: Session, message: str, *, code: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(message, code=code) from None
