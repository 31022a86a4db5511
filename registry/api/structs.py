"""Wire shapes (msgspec Structs) of the API, and the functions that build them from stored rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional, Sequence

import msgspec
from msgspec import Meta

from registry.domain import coverage, dates, lifecycle
from registry.domain.canonical import content_hash
from registry.services.documents import Answer, etag
from registry.storage.tables import AnnotationRevision, AuditEvent, Document, Jurisdiction, Version


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every request body: an unknown field is an error, not silently dropped."""


class Error(msgspec.Struct):
    status: int
    code: str
    message: str
    pointer: Optional[str] = None
    detail: Any = None


class Cooperation(msgspec.Struct):
    """Partner of the bilateral e-commerce cooperation mechanism or not (docs/concepts.md)."""
    status: str  # partner | not-partner | unknown
    text: str  # the status in words, as the pages show it
    since: Optional[str] = None  # YYYY, YYYY-MM or YYYY-MM-DD: as precise as the source
    memorandum: str = ""
    sources: list[dict[str, Any]] = []
    note: str = ""
    confidence: Optional[str] = None  # H or M: how well the sources support the status


class TopicCoverage(msgspec.Struct, omit_defaults=True):
    topic: str
    title: str
    status: str  # recorded | none | not-researched
    documents: list[str] = []
    note: str = ""
    sources: list[dict[str, Any]] = []


class Source(msgspec.Struct, omit_defaults=True):
    """Where a rule is stated (issue 15): a deep link, and the verbatim quote in its language with our English
    rendering. A rule still in the old form shows its address alone."""

    url: str
    title: Optional[str] = None
    publisher: Optional[str] = None
    kind: Optional[Annotated[str, Meta(description="legal-text, official or secondary")]] = None
    language: Optional[Annotated[str, Meta(description="BCP 47 code of the quote")]] = None
    quote: Optional[str] = None
    quote_en: Optional[str] = None
    retrieved: Optional[str] = None


class RuleOut(msgspec.Struct, omit_defaults=True):
    """A rule as compliance results and gap reports quote it."""

    sources: list[Source]
    confidence_basis: Annotated[str, Meta(description='e.g. "H: the legal text is quoted (EUR-Lex)"')]
    id: Optional[str] = None
    citation: Optional[str] = None
    summary: Optional[str] = None
    obligation: Optional[str] = None
    confidence: Optional[str] = None
    recorded: Optional[str] = None
    disputed: bool = False
    dispute: Optional[str] = None


class ViolationOut(msgspec.Struct):
    path: str
    keyword: str
    expected: Any
    actual: Any
    message: str
    document: str
    citation: Optional[str]
    obligation: str
    confidence: Optional[str]
    disputed: bool
    rule: Optional[RuleOut]
    applies_when: Optional[str] = None  # the broken rule's condition in words (it held); None: unconditional


class QuestionOut(msgspec.Struct):
    """A fact the profile does not state that a rule of the market needs (docs/compliance.md#questions)."""

    path: str
    question: Annotated[str, Meta(description="the fact in the vocabulary's words")]
    decides_whether_rules_apply: bool
    constrained_by_rules: bool
    rules: list[dict[str, Any]]


class MarketOut(msgspec.Struct):
    market: str
    status: Annotated[str, Meta(description="the first that applies of non_compliant, incomplete, not_covered, "
                                            "not_checkable, compliant, not_applicable")]
    status_text: Annotated[str, Meta(description="the status in words, with the market and the date")]
    summary: Annotated[dict[str, int], Meta(description="rules_decided, rules_violated, rules_open, rules_to_review, "
                                                        "questions")]
    questions: list[QuestionOut]
    documents: list[str]
    disputed: Annotated[bool, Meta(description="the answer rests on a disputed rule (see disputed_rules)")]
    disputed_rules: list[RuleOut]
    violations: list[ViolationOut]
    advisories: list[ViolationOut]
    not_checkable: list[dict[str, Any]]
    unstated: list[dict[str, Any]]
    applicable_constraints: int


class ComplianceReportOut(msgspec.Struct):
    """The JSON answer of a compliance check."""

    as_of: str
    profile_hash: str
    vocabulary: str
    summary: dict[str, Any]
    markets: list[MarketOut]
    combined: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    versions_used: list[dict[str, Any]]
    rerun: dict[str, Any]


class GapItemOut(msgspec.Struct):
    path: str
    keyword: str
    status: str
    summary: str
    disputed: bool
    required: Any = None
    rule: Optional[RuleOut] = None
    citation: Optional[str] = None
    obligation: Optional[str] = None
    reason: Optional[str] = None
    witness: Any = None
    source_value: Any = None
    condition: Any = None
    source_condition: Any = None
    applies_when: Optional[str] = None
    source_applies_when: Optional[str] = None
    cases: Optional[str] = None
    statement: Optional[str] = None
    has_witness: bool = False
    no_witness: Optional[str] = None
    witness_says: Optional[str] = None


class GapReportOut(msgspec.Struct):
    """The JSON answer of a gap report between two jurisdictions' frameworks."""

    from_: dict[str, Any] = msgspec.field(name="from")
    to: dict[str, Any] = msgspec.field(default_factory=dict)
    topic: Optional[str] = None
    as_of: str = ""
    covered: str = ""
    items: list[GapItemOut] = msgspec.field(default_factory=list)
    disputed: bool = False
    not_machine_checkable: list[dict[str, Any]] = msgspec.field(default_factory=list)
    reason: Optional[str] = None


class JurisdictionOut(msgspec.Struct):
    code: str
    name: str
    kind: str
    region: str
    members: list[str]
    blocs: list[str]
    cooperation: Cooperation
    url: str = ""
    # the name in other languages (BCP 47 tag -> name), as jurisdictions.json lists them; search finds each
    names: dict[str, str] = {}


class JurisdictionPage(msgspec.Struct):
    items: list[JurisdictionOut]
    total: int
    limit: int
    offset: int


class TopicOut(msgspec.Struct):
    slug: str
    title: str
    description: str
    unctad: list[str]
    oecd_dstri: list[str]
    rdtii: list[str]
    checkable: bool  # false: rules of conduct, never checked against an operating profile


class DocumentCreate(Input):
    jurisdiction: Annotated[str, Meta(max_length=8)]
    slug: Annotated[str, Meta(max_length=64)]
    kind: Annotated[str, Meta(max_length=32)]
    title: Annotated[str, Meta(max_length=300)]
    topic: Optional[Annotated[str, Meta(max_length=64)]] = None
    authority: Annotated[str, Meta(max_length=300)] = ""
    legal_basis: Annotated[str, Meta(max_length=1000)] = ""
    vocabulary: Optional[Annotated[str, Meta(max_length=100)]] = None
    compatibility: Optional[Annotated[str, Meta(max_length=32)]] = None


class DocumentOut(msgspec.Struct):
    name: str
    jurisdiction: str
    slug: str
    kind: str
    topic: Optional[str]
    title: str
    authority: str
    legal_basis: str
    vocabulary: Optional[str]
    compatibility: str
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class DocumentPage(msgspec.Struct):
    items: list[DocumentOut]
    total: int
    limit: int
    offset: int


PartialDateText = Annotated[str, Meta(max_length=10, description="YYYY-MM-DD, or YYYY-MM / YYYY when the day "
                                                                  "(or month) is not known")]


class VersionCreate(Input):
    schema: dict[str, Any]
    effective_from: Optional[PartialDateText] = None
    effective_to: Optional[PartialDateText] = None
    changelog: Annotated[str, Meta(max_length=20_000)] = ""
    recorded: Optional[dt.date] = None
    corrects: Optional[Annotated[int, Meta(ge=1)]] = None


class PublishRequest(Input):
    effective_from: Optional[PartialDateText] = None
    override_reason: Optional[Annotated[str, Meta(max_length=2000)]] = None


class WithdrawRequest(Input):
    reason: Annotated[str, Meta(max_length=2000)]
    successor: Optional[Annotated[str, Meta(max_length=200)]] = None


class VersionStateOut(msgspec.Struct):
    """What the version is on a day, computed beside its stored `status`: `in_force`, `scheduled` (published, starts
    later), `superseded`, `corrected`, `withdrawn` or `draft`. `uncertain`: the day falls in the unknown part of a
    date known only to the month or year, so the version may not yet (or may no longer) apply."""

    state: str
    on: dt.date
    uncertain: bool
    text: str  # e.g. "scheduled from 2027-03-15"


class VersionOut(msgspec.Struct):
    document: str
    number: int
    ref: str
    status: str
    effective_from: Optional[str]  # as far as it is known: "2010", "2010-07" or "2010-07-01"
    effective_to: Optional[str]
    content_hash: str
    etag: str
    changelog: str
    author: str
    recorded: Optional[dt.date]
    vocabulary_version: Optional[int]
    created_at: dt.datetime
    published_at: Optional[dt.datetime]
    withdrawn_at: Optional[dt.datetime]
    withdrawn_reason: Optional[str]
    successor: Optional[str]
    url: str
    effective_from_precision: str = dates.DAY
    effective_to_precision: str = dates.DAY
    corrects: Optional[int] = None
    corrected_by: Optional[int] = None
    correction: Optional[CorrectionOut] = None
    as_recorded: Optional[dt.date] = None
    effective_date_uncertain: Optional[bool] = None
    schema: Optional[dict[str, Any]] = None
    body_hash: str = ""  # the body as stored, x-rule annotations included (content_hash leaves them out)
    revision: int = 1
    state: Optional[VersionStateOut] = None  # today (or on the as_recorded day); `status` is the stored lifecycle


class AnnotationAmendment(Input):
    """The version's whole schema with amended x-rule annotations (nothing else may differ), and why."""

    schema: dict[str, Any]
    reason: Annotated[str, Meta(max_length=2000)]


class AnnotationChange(msgspec.Struct):
    pointer: str  # the schema object whose x-rule changed
    id: Optional[str]
    change: str  # added | removed | changed
    fields: list[str]


class AnnotationRevisionOut(msgspec.Struct):
    revision: int
    at: dt.datetime
    recorded: Optional[dt.date]
    author: str
    token_id: Optional[str]  # shown to writers of the document's jurisdiction only
    organisation: Optional[str]
    reason: str
    changes: list[AnnotationChange]
    body_before_hash: Optional[str]  # None: listed in the corpus files, the text before is not in this registry


class AnnotationHistory(msgspec.Struct):
    document: str
    ref: str
    content_hash: str
    body_hash: str
    etag: str
    items: list[AnnotationRevisionOut]


class CorrectionOut(msgspec.Struct):
    """The version that corrects this one: when it was recorded and what its changelog says was wrong."""

    number: int
    ref: str
    recorded: Optional[dt.date]
    changelog: str
    url: str


class VersionList(msgspec.Struct):
    document: str
    items: list[VersionOut]


class Change(msgspec.Struct):
    pointer: str
    change: str  # added | removed | changed
    left: Any = None
    right: Any = None


class DiffOut(msgspec.Struct):
    """What the change from the older version to the newer one did (docs/comparisons.md, "Version diffs"):
    `verdict` and each difference's `change` are told from the newer side; the engine's relation is kept under
    `containment.older_vs_newer` ("the older version is … than the newer")."""

    document: str
    older: VersionOut
    newer: VersionOut
    identical: bool
    verdict: str  # tightened | loosened | added | removed | changed | mixed | unchanged | unknown
    effect: str
    containment: dict[str, Any]
    differences: list[dict[str, Any]]
    witnesses: dict[str, Any]
    compatibility: dict[str, Any]
    changes: list[Change]


class AuditOut(msgspec.Struct):
    id: int
    at: dt.datetime
    actor: str
    token_id: Optional[str]
    action: str
    target: str
    before_hash: Optional[str]
    after_hash: Optional[str]
    detail: Optional[dict[str, Any]]


class AuditPage(msgspec.Struct):
    items: list[AuditOut]
    total: int
    limit: int
    offset: int


API = "/api/v1"


def jurisdiction_out(row: Jurisdiction, members: list[str], blocs: list[str]) -> JurisdictionOut:
    found = row.cooperation or {}
    cooperation = Cooperation(status=coverage.cooperation_status(found), text=coverage.cooperation_words(found),
                              since=found.get("since"), memorandum=found.get("memorandum") or "",
                              sources=found.get("sources") or [], note=found.get("note") or "",
                              confidence=found.get("confidence"))
    return JurisdictionOut(code=row.code, name=row.name, kind=row.kind, region=row.region, members=members,
                           blocs=blocs, cooperation=cooperation, url=f"{API}/jurisdictions/{row.code}",
                           names=dict(row.names or {}))


def document_out(row: Document) -> DocumentOut:
    return DocumentOut(name=row.name, jurisdiction=row.namespace, slug=row.slug, kind=row.kind, topic=row.topic,
                       title=row.title, authority=row.authority, legal_basis=row.legal_basis,
                       vocabulary=row.vocabulary, compatibility=row.compatibility, created_at=row.created_at,
                       updated_at=row.updated_at, url=f"{API}/documents/{row.name}")


def correction_out(document: Document, row: Version | None) -> CorrectionOut | None:
    if row is None:
        return None
    return CorrectionOut(number=row.number, ref=f"{document.name}@{row.number}", recorded=recorded_day(row),
                         changelog=row.changelog, url=f"{API}/documents/{document.name}/versions/{row.number}")


def recorded_day(row: Version) -> dt.date | None:
    return row.recorded or (row.published_at.date() if row.published_at else None)


def version_out(document: Document, row: Version, *, with_schema: bool = False, answer: Answer | None = None,
                corrected_by: Version | None = None) -> VersionOut:
    """A version as stored, or as a look-up answered it (`answer`: its status and interval then, as-of flags)."""
    if answer is None:
        answer = Answer(row, row.status, row.effective_from, row.effective_to, corrected_by)
    return VersionOut(document=document.name, number=row.number, ref=f"{document.name}@{row.number}",
                      status=answer.status, effective_from=dates.reduced(answer.effective_from,
                                                                         row.effective_from_precision),
                      effective_to=dates.reduced(answer.effective_to, row.effective_to_precision),
                      content_hash=row.content_hash, etag=etag(row), changelog=row.changelog, author=row.author,
                      recorded=row.recorded, vocabulary_version=row.vocabulary_version, created_at=row.created_at,
                      published_at=row.published_at, withdrawn_at=row.withdrawn_at,
                      withdrawn_reason=row.withdrawn_reason, successor=row.successor,
                      url=f"{API}/documents/{document.name}/versions/{row.number}",
                      effective_from_precision=row.effective_from_precision,
                      effective_to_precision=row.effective_to_precision, corrects=row.corrects,
                      corrected_by=answer.corrected_by.number if answer.corrected_by else None,
                      correction=correction_out(document, answer.corrected_by), as_recorded=answer.as_recorded,
                      effective_date_uncertain=answer.effective_date_uncertain,
                      schema=row.body if with_schema else None, body_hash=row.body_hash,
                      revision=row.revision, state=state_out(answer.state()))


def state_out(state: lifecycle.State) -> VersionStateOut:
    return VersionStateOut(state=state.state, on=state.day, uncertain=state.uncertain, text=state.words)


def annotation_history(document: Document, version: Version, rows: Sequence[AnnotationRevision], *,
                       show_tokens: bool) -> AnnotationHistory:
    items = [AnnotationRevisionOut(revision=r.revision, at=r.at, recorded=r.recorded, author=r.author,
                                   token_id=r.token_id if show_tokens else None, organisation=r.organisation,
                                   reason=r.reason, changes=[msgspec.convert(c, AnnotationChange) for c in r.changes],
                                   body_before_hash=content_hash(r.body_before) if r.body_before is not None else None)
             for r in rows]
    return AnnotationHistory(document=document.name, ref=f"{document.name}@{version.number}",
                             content_hash=version.content_hash, body_hash=version.body_hash, etag=etag(version),
                             items=items)


def audit_out(row: AuditEvent) -> AuditOut:
    return AuditOut(id=row.id or 0, at=row.at, actor=row.actor, token_id=row.token_id, action=row.action,
                    target=row.target, before_hash=row.before_hash, after_hash=row.after_hash, detail=row.detail)
