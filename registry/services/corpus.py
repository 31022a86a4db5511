"""`registry load` and `registry export`: the standards folder format (docs/corpus-format.md), all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import msgspec
from sqlmodel import Session, select

from registry.domain import coverage, dates, lifecycle, provenance, rules
from registry.domain.access import Principal
from registry.domain.canonical import schema_hash, version_hashes
from registry.domain.jsonbody import parse_json
from registry.domain.references import (
    VOCABULARY_NAMESPACE,
    check_code,
    check_slug,
    parse_name,
)
from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.schemas import check_schema
from registry.domain.topics import TOPICS, is_topic
from registry.errors import RegistryError
from registry.services import annotations, audit
from registry.services.annotations import CORPUS_AUTHOR, CORPUS_REASON
from registry.services.documents import (
    COMPATIBILITY_MODES,
    KINDS,
    default_compatibility,
)
from registry.storage.tables import Document, Jurisdiction, Membership, Version, utcnow

JURISDICTIONS_FORMAT = "registry-jurisdictions/1"
DOCUMENT_FORMAT = "registry-document/1"


class _Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class SourceEntry(_Strict, omit_defaults=True):
    """A source object of docs/corpus-format.md: where a statement can be read, and the words that make it."""
    url: str
    title: str = ""
    publisher: str = ""
    kind: str = ""
    language: str = ""  # no default language: a source says what language its quote is in
    quote: str = ""
    quote_en: str = ""
    retrieved: Optional[str] = None


class CooperationEntry(_Strict):
    status: str = coverage.UNKNOWN
    since: Optional[str] = None
    memorandum: Optional[str] = None  # the title as reported; null when no memorandum is known
    sources: list[SourceEntry] = []
    note: str = ""
    confidence: Optional[str] = None  # H or M, as for a rule: how well the sources support the status


class CoverageEntry(_Strict, omit_defaults=True):
    status: str
    note: str = ""
    sources: list[SourceEntry] = []


class JurisdictionEntry(_Strict):
    code: str
    name: str
    kind: str
    names: dict[str, str] = {}  # language tag -> the name in that language; search finds each
    region: str = ""
    members: list[str] = []
    cooperation: Optional[CooperationEntry] = None
    coverage: dict[str, CoverageEntry] = {}

    def cooperation_dict(self) -> dict[str, Any] | None:
        return msgspec.to_builtins(self.cooperation) if self.cooperation is not None else None

    def coverage_dict(self) -> dict[str, Any] | None:
        """Only what was researched: `not-researched` is the default and `recorded` is derived."""
        kept = {slug: msgspec.to_builtins(entry) for slug, entry in sorted(self.coverage.items())
                if entry.status == coverage.NONE}
        return kept or None


class JurisdictionsFile(_Strict):
    format: str
    jurisdictions: list[JurisdictionEntry]


class AmendmentEntry(_Strict):
    """One annotation-only change of a version already recorded (docs/corpus-format.md)."""

    reason: str
    author: str = ""
    recorded: Optional[dt.date] = None


class VersionEntry(_Strict):
    number: int
    status: str
    schema: dict[str, Any]
    effective_from: Optional[str] = None  # YYYY-MM-DD, or YYYY-MM / YYYY when the day is not known
    effective_to: Optional[str] = None
    changelog: str = ""
    author: str = ""
    recorded: Optional[dt.date] = None
    content_hash: Optional[str] = None
    amendments: list[AmendmentEntry] = []
    corrects: Optional[int] = None

    def __post_init__(self) -> None:
        try:
            dates.parse(self.effective_from)
            dates.parse(self.effective_to)
        except RegistryError as exc:
            raise ValueError(f"version {self.number}: {exc.message}") from None

    @property
    def from_day(self) -> Optional[dt.date]:  # first days: what every interval computation uses
        start = dates.parse(self.effective_from)
        return start.first_day if start else None

    @property
    def to_day(self) -> Optional[dt.date]:
        end = dates.parse(self.effective_to)
        return end.first_day if end else None

    @property
    def precisions(self) -> tuple[str, str]:
        start, end = dates.parse(self.effective_from), dates.parse(self.effective_to)
        return (start.precision if start else dates.DAY, end.precision if end else dates.DAY)


class DocumentFile(_Strict):
    format: str
    name: str
    kind: str
    title: str
    versions: list[VersionEntry]
    topic: Optional[str] = None
    authority: str = ""
    legal_basis: str = ""
    vocabulary: Optional[str] = None
    compatibility: Optional[str] = None


class CorpusError(RegistryError):
    status = 422
    code = "invalid_corpus"


@dataclass
class FileReport:
    path: str
    outcome: str  # created | updated | unchanged | error
    detail: str = ""


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    errors: list[FileReport] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(path: Path, kind: type, root: Path) -> Any:
    where = str(path.relative_to(root))
    try:
        raw = parse_json(path.read_bytes(), max_depth=256)
    except RegistryError as exc:
        raise CorpusError(f"{where}: {exc.message}", code=exc.code) from None
    try:
        value = msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise CorpusError(f"{where}: {exc}", code="invalid_corpus_file") from None
    expected = JURISDICTIONS_FORMAT if kind is JurisdictionsFile else DOCUMENT_FORMAT
    if value.format != expected:
        raise CorpusError(f"{where}: format is {value.format!r}, expected {expected!r}", code="invalid_corpus_file")
    return value


@dataclass
class Corpus:
    root: Path
    jurisdictions: Optional[JurisdictionsFile]
    documents: list[tuple[Path, DocumentFile]]


def read_folder(root: Path) -> tuple[Corpus, list[FileReport]]:
    """Parse every file; return the corpus and one error report per unreadable file."""
    root = root.resolve()
    errors: list[FileReport] = []
    if not root.is_dir():
        raise CorpusError(f"{root} is not a folder", code="not_a_folder")
    juris = None
    if (root / "jurisdictions.json").is_file():
        try:
            juris = _read(root / "jurisdictions.json", JurisdictionsFile, root)
        except CorpusError as exc:
            errors.append(FileReport("jurisdictions.json", "error", exc.message))
    docs = []
    paths = sorted((root / "vocabulary").glob("*.json")) + sorted((root / "documents").glob("*/*.json"))
    for path in paths:
        rel = str(path.relative_to(root))
        if path.is_symlink() or not path.resolve().is_relative_to(root):  # a linked folder counts too
            errors.append(FileReport(rel, "error", "symbolic links are not followed"))
            continue
        try:
            doc = _read(path, DocumentFile, root)
            expected = (f"{VOCABULARY_NAMESPACE}/{path.stem}" if path.parent.name == "vocabulary"
                        and path.parent.parent == root else f"{path.parent.name}/{path.stem}")
            if doc.name != expected:
                raise CorpusError(f"{rel}: holds {doc.name!r} but its place says {expected!r}", code="misplaced_file")
            docs.append((path, doc))
        except CorpusError as exc:
            errors.append(FileReport(rel, "error", exc.message))
    return Corpus(root, juris, docs), errors


def _check_document(doc: DocumentFile, vocabularies: dict[str, dict], jurisdiction_codes: set[str],
                    max_expansion: int = DEFAULT_LIMIT) -> None:
    name = parse_name(doc.name)
    if doc.kind not in KINDS:
        raise CorpusError(f"unknown kind {doc.kind!r}")
    if name.is_vocabulary != (doc.kind == "vocabulary"):
        raise CorpusError("vocabularies, and only they, are named 'vocabulary/<slug>'")
    if not name.is_vocabulary and name.namespace not in jurisdiction_codes:
        raise CorpusError(f"unknown jurisdiction {name.namespace!r}")
    if doc.kind != "vocabulary" and (not doc.topic or not is_topic(doc.topic)):
        raise CorpusError(f"unknown topic {doc.topic!r}")
    if (doc.compatibility or "NONE") not in COMPATIBILITY_MODES:
        raise CorpusError(f"unknown compatibility {doc.compatibility!r}")
    vocabulary = None
    if doc.kind != "vocabulary":
        if doc.vocabulary not in vocabularies:
            raise CorpusError(f"vocabulary {doc.vocabulary!r} is neither in this folder nor published in the registry")
        vocabulary = vocabularies[doc.vocabulary]
    for index, version in enumerate(doc.versions):
        at = f"version {version.number}"
        if version.number != index + 1:
            raise CorpusError(f"versions must be numbered 1, 2, 3 … in order; found {version.number} at position {index + 1}")
        if version.status not in lifecycle.STATUSES:
            raise CorpusError(f"{at}: unknown status {version.status!r}")
        if version.status != lifecycle.DRAFT and version.effective_from is None:
            raise CorpusError(f"{at}: a {version.status} version needs effective_from")
        try:
            lifecycle.check_interval(version.from_day, version.to_day)
            check_schema(version.schema, max_expansion=max_expansion)
        except RegistryError as exc:
            raise CorpusError(f"{at}: {exc.message}" + (f" at {exc.pointer}" if exc.pointer else "")) from None
        digest = schema_hash(version.schema)
        if version.content_hash is not None and version.content_hash != digest:
            raise CorpusError(f"{at}: content_hash {version.content_hash[:12]}… does not match its schema ({digest[:12]}…)")
        if vocabulary is not None:
            unknown = rules.unknown_paths(version.schema, vocabulary)
            if unknown:
                raise CorpusError(f"{at}: path {unknown[0]} is not in {doc.vocabulary}")
            uncited = rules.unannotated_constraints(version.schema)
            if uncited:
                first = uncited[0]
                raise CorpusError(f"{at}: constraint {first.keyword!r} at {first.pointer or '/'} has no x-rule with a "
                                  "citation, sources and confidence")
            problems = provenance.provenance_problems(version.schema, version.status)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                raise CorpusError(f"{at}: {problems[0]}{more}", pointer=problems[0].pointer, code="missing_provenance",
                                  detail={"problems": [p.to_dict() for p in problems[:50]]})
    _check_corrections(doc)
    published = [v for v in doc.versions if v.status == lifecycle.PUBLISHED]
    if len(published) > 1:
        raise CorpusError(f"versions {', '.join(str(v.number) for v in published)} are all published; earlier ones "
                          "must be superseded")
    clash = lifecycle.overlapping([lifecycle.Interval(v.number, v.status, v.from_day, v.to_day) for v in doc.versions])
    if clash:
        raise CorpusError(f"versions {clash[0].number} and {clash[1].number} overlap in time")


def _topics_of(corpus: Corpus, entry: JurisdictionEntry) -> set[str]:
    """Topics of the documents in this folder that are the jurisdiction's own."""
    return {doc.topic for _, doc in corpus.documents if doc.topic and doc.name.split("/")[0] == entry.code}


def jurisdiction_problems(entry: JurisdictionEntry, own_topics: set[str]) -> list[str]:
    """What is wrong with an entry's `cooperation` and `coverage`, each message with its place."""
    problems = []
    where = f"{entry.code}.cooperation"
    found = entry.cooperation
    if found is not None:
        if found.status not in coverage.COOPERATION_STATUSES:
            problems.append(f"{where}.status must be one of {', '.join(coverage.COOPERATION_STATUSES)}")
        elif found.status != coverage.UNKNOWN and not coverage.quoted(msgspec.to_builtins(found.sources)):
            problems.append(f"{where}: status {found.status!r} needs a source with url and quote")
        if found.confidence is not None and found.confidence not in coverage.COOPERATION_CONFIDENCE:
            problems.append(f"{where}.confidence must be one of {', '.join(coverage.COOPERATION_CONFIDENCE)}")
        if found.since:
            try:
                coverage.parse_since(found.since)
            except ValueError as exc:
                problems.append(f"{where}.since: {exc}")
        problems += coverage.source_problems(msgspec.to_builtins(found.sources), where=where)
    for slug, item in entry.coverage.items():
        at = f"{entry.code}.coverage.{slug}"
        if not is_topic(slug):
            problems.append(f"{at}: unknown topic; known topics: {', '.join(t.slug for t in TOPICS)}")
        elif item.status not in coverage.COVERAGE_STATUSES:
            problems.append(f"{at}.status must be one of {', '.join(coverage.COVERAGE_STATUSES)}")
        elif item.status == coverage.NONE and slug in own_topics:
            problems.append(f"{at}: says no rule exists, but this folder has a {entry.code} document on {slug}")
        elif item.status == coverage.NONE and not coverage.quoted(msgspec.to_builtins(item.sources)):
            problems.append(f"{at}: 'none' needs a source with url and quote that says so")
        problems += coverage.source_problems(msgspec.to_builtins(item.sources), where=at)
    return problems


def _check_corrections(doc: DocumentFile) -> None:
    """Both sides agree: a version is `corrected` exactly when a later, non-draft version says `corrects` it; a
    correction's changelog says what was wrong."""
    by_number = {v.number: v for v in doc.versions}
    correctors: dict[int, VersionEntry] = {}
    for version in doc.versions:
        if version.corrects is None:
            continue
        at = f"version {version.number}"
        target = by_number.get(version.corrects)
        if target is None or version.corrects >= version.number:
            raise CorpusError(f"{at}: corrects {version.corrects}, which is not an earlier version")
        if version.corrects in correctors:
            raise CorpusError(f"{at}: version {version.corrects} is already corrected by version "
                              f"{correctors[version.corrects].number}")
        if not version.changelog.strip():
            raise CorpusError(f"{at}: a correction's changelog says what was wrong and the source")
        if version.status != lifecycle.DRAFT:
            correctors[version.corrects] = version
    for version in doc.versions:
        corrected = version.status == lifecycle.CORRECTED
        if corrected and version.number not in correctors:
            raise CorpusError(f"version {version.number}: status corrected, but no later version says "
                              f"\"corrects\": {version.number}")
        if not corrected and version.number in correctors:
            raise CorpusError(f"version {correctors[version.number].number}: corrects {version.number}, whose status "
                              f"is {version.status}, not corrected")


def _vocabularies(session: Session, corpus: Corpus) -> dict[str, dict]:
    found: dict[str, dict] = {}
    rows = session.exec(select(Document).where(Document.namespace == VOCABULARY_NAMESPACE)).all()
    for row in rows:
        latest = lifecycle.select_latest(session.exec(select(Version).where(Version.document_id == row.id)).all())
        if latest is not None:
            found[row.name] = latest.body
    for _, doc in corpus.documents:
        if doc.kind == "vocabulary":
            latest = lifecycle.select_latest(doc.versions)  # type: ignore[arg-type]
            if latest is not None:
                found[doc.name] = latest.schema
    return found


def load(session: Session, principal: Principal, root: Path, *,
         on_file: Callable[[FileReport], None] | None = None, max_expansion: int = DEFAULT_LIMIT) -> LoadReport:
    """Check every file first: if any fails, write nothing and return the report with its errors. Then write in
    the caller's transaction; a conflict found while writing raises, so the caller's transaction rolls back."""
    report = LoadReport()
    corpus, errors = read_folder(root)
    report.errors.extend(errors)
    codes = {j.code for j in corpus.jurisdictions.jurisdictions} if corpus.jurisdictions else set()
    codes |= set(session.exec(select(Jurisdiction.code)).all())
    if corpus.jurisdictions:
        for entry in corpus.jurisdictions.jurisdictions:
            try:
                check_code(entry.code)
                for member in entry.members:
                    check_code(member)
                if entry.kind not in ("economy", "bloc"):
                    raise CorpusError(f"{entry.code}: kind must be 'economy' or 'bloc'")
                for lang, other in entry.names.items():
                    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang) or not other.strip() or len(other) > 200:
                        raise CorpusError(f"{entry.code}: names.{lang} must map a language tag such as 'zh' to a "
                                          "name of 1 to 200 characters")
            except RegistryError as exc:
                report.errors.append(FileReport("jurisdictions.json", "error", exc.message))
            for problem in jurisdiction_problems(entry, _topics_of(corpus, entry)):
                report.errors.append(FileReport("jurisdictions.json", "error", problem))
    vocabularies = _vocabularies(session, corpus)
    for path, doc in corpus.documents:
        try:
            _check_document(doc, vocabularies, codes, max_expansion)
        except RegistryError as exc:
            report.errors.append(FileReport(str(path.relative_to(corpus.root)), "error", exc.message))
    if report.errors:
        for item in report.errors:
            if on_file:
                on_file(item)
        return report
    if corpus.jurisdictions:
        item = _write_jurisdictions(session, principal, corpus.jurisdictions)
        _count(report, item, on_file)
    # vocabularies first: documents are checked against them
    for path, doc in sorted(corpus.documents, key=lambda pd: pd[1].kind != "vocabulary"):
        try:
            item = _write_document(session, principal, doc, str(path.relative_to(corpus.root)))
        except RegistryError as exc:  # the caller's transaction rolls back: nothing is half-written
            if on_file:
                on_file(FileReport(str(path.relative_to(corpus.root)), "error", exc.message))
            raise
        _count(report, item, on_file)
    return report


def _count(report: LoadReport, item: FileReport, on_file: Callable[[FileReport], None] | None) -> None:
    report.files.append(item)
    if item.outcome in ("created", "updated", "unchanged"):
        setattr(report, item.outcome, getattr(report, item.outcome) + 1)
    if on_file:
        on_file(item)


def _write_jurisdictions(session: Session, principal: Principal, data: JurisdictionsFile) -> FileReport:
    created = updated = 0
    for entry in data.jurisdictions:
        row = session.get(Jurisdiction, entry.code)
        cooperation, covered = entry.cooperation_dict(), entry.coverage_dict()
        status = coverage.cooperation_status(cooperation)
        if row is None:
            session.add(Jurisdiction(code=entry.code, name=entry.name, names=entry.names or None, kind=entry.kind,
                                     region=entry.region,
                                     cooperation=cooperation, cooperation_status=status, coverage=covered,
                                     updated_at=utcnow()))
            created += 1
            audit.record(session, principal, "jurisdiction.load", f"jurisdiction/{entry.code}")
        elif (row.name, row.names, row.kind, row.region, row.cooperation, row.coverage) != (
                entry.name, entry.names or None, entry.kind, entry.region, cooperation, covered):
            row.name, row.kind, row.region, row.cooperation = entry.name, entry.kind, entry.region, cooperation
            row.names = entry.names or None
            row.cooperation_status, row.coverage, row.updated_at = status, covered, utcnow()
            session.add(row)
            updated += 1
            audit.record(session, principal, "jurisdiction.update", f"jurisdiction/{entry.code}")
    session.flush()
    for entry in data.jurisdictions:
        have = set(session.exec(select(Membership.member_code).where(Membership.bloc_code == entry.code)).all())
        for member in sorted(set(entry.members) - have):
            session.add(Membership(bloc_code=entry.code, member_code=member))
            updated += 0 if created else 1
    session.flush()
    outcome = "created" if created else ("updated" if updated else "unchanged")
    return FileReport("jurisdictions.json", outcome, f"{created} created, {updated} updated")


def _write_document(session: Session, principal: Principal, doc: DocumentFile, where: str) -> FileReport:
    name = parse_name(doc.name)
    check_slug(name.slug)
    row = session.exec(select(Document).where(Document.namespace == name.namespace,
                                              Document.slug == name.slug)).first()
    created_doc = row is None
    if row is None:
        row = Document(namespace=name.namespace, slug=name.slug, kind=doc.kind, topic=doc.topic, title=doc.title,
                       authority=doc.authority, legal_basis=doc.legal_basis, vocabulary=doc.vocabulary,
                       compatibility=doc.compatibility or default_compatibility(doc.kind))
        session.add(row)
        session.flush()
        audit.record(session, principal, "document.load", doc.name)
    stored = {v.number: v for v in session.exec(select(Version).where(Version.document_id == row.id)).all()}
    added = changed = 0
    for entry in doc.versions:
        hashes = version_hashes(entry.schema)
        digest = hashes["content_hash"]
        existing = stored.get(entry.number)
        if existing is None:
            version = Version(document_id=row.id, number=entry.number, status=entry.status,  # type: ignore[arg-type]
                              effective_from=entry.from_day, effective_to=entry.to_day, body=entry.schema,
                              **hashes, changelog=entry.changelog, author=entry.author or principal.actor,
                              recorded=entry.recorded, corrects=entry.corrects,
                              effective_from_precision=entry.precisions[0], effective_to_precision=entry.precisions[1])
            if entry.status != lifecycle.DRAFT:
                version.published_at = version.created_at
            session.add(version)
            session.flush()
            audit.record(session, principal, "version.load", f"{doc.name}@{entry.number}", after=digest)
            for amendment in entry.amendments:  # the history the files give; the text before is not known
                annotations.record(session, principal, row, version, entry.schema, reason=amendment.reason,
                                   author=amendment.author or CORPUS_AUTHOR, recorded=amendment.recorded,
                                   known_before=False)
            added += 1
            continue
        if existing.content_hash != digest:
            raise CorpusError(f"{doc.name}@{entry.number} is stored with hash {existing.content_hash[:12]}… but the "
                              f"file has {digest[:12]}…: its constraints differ, and published constraints never change "
                              f"({annotations.CONSTRAINT_CHANGED}): add a new version")
        amended = existing.body_hash != hashes["body_hash"]
        if amended:  # the same constraints, other annotations: an amendment
            last = entry.amendments[-1] if entry.amendments else None
            annotations.record(session, principal, row, existing, entry.schema,
                               reason=last.reason if last else CORPUS_REASON,
                               author=(last.author if last else "") or CORPUS_AUTHOR,
                               recorded=last.recorded if last else None)
        moved = _dated(existing) != (entry.status, entry.from_day, entry.to_day, *entry.precisions, entry.corrects)
        if moved:
            if existing.status != entry.status:
                lifecycle.check_transition(existing.status, entry.status, what=f"{doc.name}@{entry.number}")
            (existing.status, existing.effective_from, existing.effective_to, existing.effective_from_precision,
             existing.effective_to_precision, existing.corrects) = (
                entry.status, entry.from_day, entry.to_day, *entry.precisions, entry.corrects)
            session.add(existing)
            audit.record(session, principal, "version.update", f"{doc.name}@{entry.number}", before=digest,
                         after=digest, detail={"status": entry.status})
        changed += amended or moved
    session.flush()
    outcome = "created" if created_doc else ("updated" if added or changed else "unchanged")
    return FileReport(where, outcome, f"{len(doc.versions)} versions, {added} added, {changed} updated")


def _dated(version: Version) -> tuple:
    return (version.status, version.effective_from, version.effective_to, version.effective_from_precision,
            version.effective_to_precision, version.corrects)


def _version_entry(v: Version) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "number": v.number, "status": v.status,
        "effective_from": dates.reduced(v.effective_from, v.effective_from_precision),
        "effective_to": dates.reduced(v.effective_to, v.effective_to_precision)}
    if v.corrects is not None:
        entry["corrects"] = v.corrects
    entry.update({"changelog": v.changelog, "author": v.author,
                  "recorded": v.recorded.isoformat() if v.recorded else None,
                  "content_hash": v.content_hash, "schema": v.body})
    return entry


def export(session: Session, root: Path) -> list[Path]:
    """Write the whole registry back as a standards folder; returns the files written."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    entries = []
    for row in session.exec(select(Jurisdiction).order_by(Jurisdiction.code)).all():  # type: ignore[arg-type]
        members = list(session.exec(select(Membership.member_code).where(Membership.bloc_code == row.code)
                                    .order_by(Membership.member_code)).all())
        entries.append({"code": row.code, "name": row.name, **({"names": row.names} if row.names else {}),
                        "kind": row.kind, "region": row.region,
                        "members": members, "cooperation": row.cooperation, **({"coverage": row.coverage} if row.coverage else {})})
    written.append(_write_json(root / "jurisdictions.json", {"format": JURISDICTIONS_FORMAT, "jurisdictions": entries}))
    for doc in session.exec(select(Document).order_by(Document.namespace, Document.slug)).all():  # type: ignore[arg-type]
        versions = session.exec(select(Version).where(Version.document_id == doc.id)
                                .order_by(Version.number)).all()  # type: ignore[arg-type]
        amended = annotations.revisions_of(session, versions)
        body = {"format": DOCUMENT_FORMAT, "name": doc.name, "kind": doc.kind, "title": doc.title}
        if doc.kind != "vocabulary":
            body["topic"] = doc.topic
            body["vocabulary"] = doc.vocabulary
        body.update({"authority": doc.authority, "legal_basis": doc.legal_basis, "compatibility": doc.compatibility})
        body["versions"] = [{**_version_entry(v),
                             **({"amendments": [amendment_entry(r) for r in amended[v.id]]} if v.id in amended else {})}  # type: ignore[index]
                            for v in versions]
        target = (root / "vocabulary" / f"{doc.slug}.json" if doc.kind == "vocabulary"
                  else root / "documents" / doc.namespace / f"{doc.slug}.json")
        written.append(_write_json(target, body))
    return written


def amendment_entry(row: Any) -> dict[str, Any]:
    """An annotation revision as the files write it."""
    return {"recorded": (row.recorded or row.at.date()).isoformat(), "author": row.author, "reason": row.reason}


def _write_json(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def check_file(path: Path, standards_dir: Path, max_expansion: int = DEFAULT_LIMIT) -> None:
    """Check one document file on its own, against the vocabularies and jurisdictions of a standards folder."""
    doc = _read(path, DocumentFile, path.parent)
    reference, _ = read_folder(standards_dir) if standards_dir.is_dir() else (Corpus(standards_dir, None, []), [])
    vocabularies: dict[str, dict] = {}
    for _, other in reference.documents:
        latest = lifecycle.select_latest(other.versions) if other.kind == "vocabulary" else None  # type: ignore[arg-type]
        if latest is not None:
            vocabularies[other.name] = latest.schema
    codes = {j.code for j in reference.jurisdictions.jurisdictions} if reference.jurisdictions else set()
    codes.add(parse_name(doc.name).namespace)  # a new jurisdiction's file is checked on its own merits
    _check_document(doc, vocabularies, codes, max_expansion)


# ---- `registry corpus check`: is every rule's confidence supported by its sources? (issue 15) -------------------

@dataclass
class RuleCheck:
    """One x-rule of one version of one document file, its confidence basis and what is wrong with it."""

    document: str
    version: int
    status: str
    pointer: str
    rule_id: str
    confidence: str
    basis: str
    problems: list[str] = field(default_factory=list)
    kept_as_recorded: bool = False  # the old form in a corrected version (format.md): reported, not a failure

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "version": self.version, "status": self.status, "pointer": self.pointer,
                "rule": self.rule_id, "confidence": self.confidence, "basis": self.basis, "ok": self.ok,
                "problems": self.problems, "kept_as_recorded": self.kept_as_recorded}


def check_provenance(root: Path) -> tuple[list[RuleCheck], list[FileReport]]:
    """Every x-rule of every version of every document file under `root/documents`: its confidence basis and its
    provenance problems (no quote, a home page, a non-English quote without quote_en, a dispute without its text,
    a confidence its sources do not support). Files are read as JSON, so a file the loader would refuse for another
    reason is still checked here; unreadable files come back as errors."""
    root = root.resolve()
    if not root.is_dir():
        raise CorpusError(f"{root} is not a folder", code="not_a_folder")
    checks: list[RuleCheck] = []
    errors: list[FileReport] = []
    for path in sorted((root / "documents").glob("*/*.json")):
        where = str(path.relative_to(root))
        try:
            doc = parse_json(path.read_bytes(), max_depth=256)
        except RegistryError as exc:
            errors.append(FileReport(where, "error", exc.message))
            continue
        if not isinstance(doc, dict) or doc.get("kind") not in ("rule", "technical-standard"):
            continue
        for version in doc.get("versions") or []:
            if not isinstance(version, dict):
                continue
            status = str(version.get("status") or "")
            for pointer, rule in provenance.rules_with_pointers(version.get("schema")):
                checks.append(_rule_check(str(doc.get("name") or where), version.get("number"), status, pointer, rule))
    return checks, errors


def _rule_check(document: str, number: Any, status: str, pointer: str, rule: dict) -> RuleCheck:
    kept = provenance.is_legacy(rule) and status in provenance.LEGACY_KEPT_STATUSES
    problems = [] if kept else [f"{p.pointer}: {p.message}" for p in provenance.rule_problems(rule, pointer)]
    supported, basis = provenance.confidence_basis(rule)
    if kept:
        basis = f"{rule.get('confidence')}: kept as recorded (corrected version, old source form)"
    elif not supported:
        problems.append(f"{pointer}/confidence: {basis}")
    return RuleCheck(document, number if isinstance(number, int) else 0, status, pointer,
                     str(rule.get("id") or "(no id)"), str(rule.get("confidence")), basis, problems, kept)
