"""Compliance checks: one profile, many markets, any date; the rules in force are read once per check."""

from __future__ import annotations

import dataclasses

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from comparisons.bounded import BoundedCache
from registry.domain import dates, lifecycle
from registry.domain.canonical import content_hash
from registry.domain.coverage import COVERAGE_STATUSES
from registry.domain.compliance import MarketResult, RuleVersion, TopicLayout, check_market, concerned_topics
from registry.domain.references import check_code, parse_reference
from registry.domain.topics import topic as known_topic
from registry.domain.validation import checker
from registry.errors import Conflict, InvalidInput, NotFound, Unprocessable
from registry.services import annotations, combined, coverage, jurisdictions
from registry.storage.database import generation, read_session
from registry.storage.tables import Document, Version

PROFILE_VOCABULARY = "vocabulary/operating-profile"
MAX_MARKETS = 100


@dataclass
class Frameworks:
    """The rule versions in force on a date for each market, and the vocabulary profiles are checked against."""

    as_of: dt.date
    markets: dict[str, list[RuleVersion]]
    vocabulary_ref: str
    vocabulary_hash: str
    vocabulary: dict
    coverage: dict[str, dict[str, str]] = field(default_factory=dict)  # market -> topic -> coverage status
    topics: tuple[str, ...] = ()  # the topics the request names (none: those the profile fills in)

    layouts: dict[str, TopicLayout] = field(default_factory=dict)  # filled on first use, per market
    twins: dict[str, str] = field(default_factory=dict)  # market -> the first market it shares rules and coverage with

    def concerned(self, profile: Any) -> list[str]:
        return concerned_topics(profile, self.topics)

    def check(self, market: str, profile: Any, *, engine: str, format_assertion: bool,
              concerned: Sequence[str] | None = None) -> MarketResult:
        """One market's result, with its per-topic coverage (`concerned`: self.concerned(profile), worked out once
        per profile by a caller that checks many markets)."""
        versions = self.markets[market]
        layout = self.layouts.get(market)
        if layout is None:  # two threads may both compute it: the same value either way
            layout = self.layouts[market] = TopicLayout.of(versions)
        return check_market(market, versions, profile, engine=engine, format_assertion=format_assertion,
                            coverage=self.coverage.get(market, {}), layout=layout,
                            concerned=self.concerned(profile) if concerned is None else concerned)

    def check_all(self, profile: Any, *, engine: str, format_assertion: bool,
                  concerned: Sequence[str] | None = None) -> list[MarketResult]:
        """Every market's result, in order. Markets whose rules and coverage are the same (EU member states on EU
        law, partners with nothing recorded) are checked once: the others get a copy under their own name."""
        concerned = self.concerned(profile) if concerned is None else concerned
        done: dict[str, MarketResult] = {}
        out = []
        for market in self.markets:
            twin = self.twin(market)
            if twin in done:
                out.append(dataclasses.replace(done[twin], market=market))
            else:
                done[twin] = self.check(market, profile, engine=engine, format_assertion=format_assertion,
                                        concerned=concerned)
                out.append(done[twin])
        return out

    def twin(self, market: str) -> str:
        """The first market with the same rule versions (by body) and the same coverage as this one."""
        twins = self.twins
        if market not in twins:  # built whole, then set: a thread never sees half of it
            first: dict[tuple, str] = {}
            twins = {name: first.setdefault((tuple((v.ref, v.body_hash) for v in versions),
                                             tuple(sorted(self.coverage.get(name, {}).items()))), name)
                     for name, versions in self.markets.items()}
            self.twins = twins
        return twins[market]

    @property
    def versions_used(self) -> list[RuleVersion]:
        seen: dict[str, RuleVersion] = {}
        for versions in self.markets.values():
            for version in versions:
                seen.setdefault(version.ref, version)
        return sorted(seen.values(), key=lambda v: v.ref)


@dataclass
class Report:
    as_of: dt.date
    profile_hash: str
    results: list[MarketResult]
    frameworks: Frameworks
    combined: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    # what a rerun sends again: {"profile": {…}}, or a saved profile's {"profile_id", "profile_version"}
    source: dict = field(default_factory=dict)


def parse_markets(markets: Sequence[str] | str) -> list[str]:
    items = markets.split(",") if isinstance(markets, str) else list(markets)
    codes = [check_code(m.strip(), pointer="/markets") for m in items if m and m.strip()]
    if not codes:
        raise InvalidInput("name at least one market", pointer="/markets", code="markets_required")
    if len(codes) > MAX_MARKETS:
        raise InvalidInput(f"at most {MAX_MARKETS} markets at once", pointer="/markets", code="too_many_markets")
    return list(dict.fromkeys(codes))


_STAMP_SQL = ("SELECT (SELECT count(*) FROM version), (SELECT max(updated_at) FROM version), "
              "(SELECT count(*) FROM membership), (SELECT max(updated_at) FROM jurisdiction)")
# A write in this process is seen at once; one made by another process within this many seconds.
STAMP_TTL = 1.0


@dataclass
class _Cached:
    stamp: tuple
    generation: int
    checked: float
    frameworks: Frameworks


# keyed by the markets, date and topics a request names: its rule schemas count (each market's, even when shared)
_FRAMEWORKS = BoundedCache("frameworks", 1024, 32_000_000)


def registry_stamp(session: Session) -> tuple:
    """Changes whenever a version is added or changes, a membership is added or a jurisdiction's coverage
    changes, in any process: one cheap
    query (raw SQL: the ORM's per-query overhead was most of its cost)."""
    return tuple(session.connection().exec_driver_sql(_STAMP_SQL).one())


_TODAY: list = [0.0, dt.date.today()]  # (monotonic time to look again, today)


def _today() -> dt.date:
    """Today's date, looked up at most once a second (the lookup was a visible part of a check)."""
    now = time.monotonic()
    if now >= _TODAY[0]:
        _TODAY[:] = [now + 1.0, dt.date.today()]
    return _TODAY[1]


def _key(database: str, markets: Sequence[str], as_of: dt.date | None, topics: Sequence[str] | None) -> tuple:
    """The database is part of the key: two databases (tests copy one file) may share every stamp value."""
    return database, tuple(markets), as_of or _today(), tuple(topics or ())


def _database(bind: Any) -> str:
    return bind.url.render_as_string(hide_password=True)


def load_frameworks(session: Session, markets: Sequence[str], as_of: dt.date | None = None,
                    topics: Sequence[str] | None = None) -> Frameworks:
    """Every market's rule documents (its own and its blocs'), at their version in force on the date; cached
    until the registry changes."""
    key = _key(_database(session.get_bind()), markets, as_of, topics)
    current = generation()
    stamp = registry_stamp(session)
    cached = _FRAMEWORKS.get(key)
    if cached is None or cached.stamp != stamp:
        cached = _FRAMEWORKS[key] = _Cached(stamp, current, 0.0, _load_frameworks(session, markets, key[2], topics))
    cached.generation, cached.checked = current, time.monotonic()
    return cached.frameworks


def frameworks_for(engine: Engine, markets: Sequence[str], as_of: dt.date | None = None,
                   topics: Sequence[str] | None = None) -> Frameworks:
    """load_frameworks without opening the database when nothing can have changed: no write in this process
    since the last look, and that look less than STAMP_TTL seconds ago."""
    cached = _FRAMEWORKS.get(_key(_database(engine), markets, as_of, topics))
    if cached is not None and cached.generation == generation() and time.monotonic() - cached.checked < STAMP_TTL:
        return cached.frameworks
    with read_session(engine) as session:
        return load_frameworks(session, markets, as_of, topics)


def _load_frameworks(session: Session, markets: Sequence[str], as_of: dt.date,
                     topics: Sequence[str] | None) -> Frameworks:
    for slug in topics or ():
        known_topic(slug)
    codes_of = {market: jurisdictions.framework_codes(session, market) for market in markets}
    namespaces = sorted({c for codes in codes_of.values() for c in codes})
    query = select(Document).where(col(Document.namespace).in_(namespaces), Document.kind == "rule",
                                   Document.vocabulary == PROFILE_VOCABULARY)
    if topics:
        query = query.where(col(Document.topic).in_(list(topics)))
    documents = {d.id: d for d in session.exec(query).all()}
    by_document: dict[int, list[Version]] = defaultdict(list)
    if documents:
        for version in session.exec(select(Version).where(col(Version.document_id).in_(list(documents)),
                                                          col(Version.status).in_(lifecycle.IN_FORCE_STATUSES))).all():
            by_document[version.document_id].append(version)
    in_force: dict[str, list[tuple[Document, Version]]] = defaultdict(list)
    for document_id, versions in by_document.items():
        chosen = lifecycle.select_in_force(versions, as_of)
        if chosen is not None:
            document = documents[document_id]
            in_force[document.namespace].append((document, chosen))
    return _frameworks(session, codes_of, in_force, as_of, _vocabulary(session), topics)


def _frameworks(session: Session, codes_of: dict[str, list[str]], chosen: dict[str, list[tuple[Document, Version]]],
                as_of: dt.date, vocabulary: Version, topics: Sequence[str] | None,
                coverage_of: dict[str, dict[str, str]] | None = None) -> Frameworks:
    """Each market's rule versions: its own jurisdiction's and its blocs', in that order, each by slug; each
    market's coverage as recorded now, or as a rerun pins it."""
    result: dict[str, list[RuleVersion]] = {}
    for market, codes in codes_of.items():
        result[market] = [RuleVersion(market=market, jurisdiction=d.namespace, document=d.name, number=v.number,
                                      content_hash=v.content_hash, topic=d.topic or "", schema=v.body,
                                      body_hash=v.body_hash, corrects=v.corrects,
                                      effective_date_uncertain=dates.uncertain_on(
                                          v.effective_from, v.effective_from_precision, as_of))
                          for code in codes for d, v in sorted(chosen.get(code, []), key=lambda dv: dv[0].slug)]
    return Frameworks(as_of=as_of, markets=result, vocabulary_ref=f"{PROFILE_VOCABULARY}@{vocabulary.number}",
                      vocabulary_hash=vocabulary.content_hash, vocabulary=vocabulary.body,
                      coverage=coverage.coverage_map(session, list(codes_of)) if coverage_of is None else
                      {market: dict(coverage_of.get(market, {})) for market in codes_of},
                      topics=tuple(topics or ()))


def _vocabulary(session: Session, pin: tuple[str, str] | None = None) -> Version:
    """The vocabulary profiles are checked against: its latest published version, or the version a rerun pins."""
    namespace, slug = PROFILE_VOCABULARY.split("/")
    document = session.exec(select(Document).where(Document.namespace == namespace, Document.slug == slug)).first()
    versions = session.exec(select(Version).where(Version.document_id == document.id)).all() if document else []
    if pin is not None:
        return _pinned_version(versions, *pin)
    chosen = lifecycle.select_latest(versions)
    if chosen is None:
        raise Unprocessable(f"{PROFILE_VOCABULARY} has no published version: load the corpus first",
                            code="no_vocabulary")
    return chosen


def _pinned_version(versions: Sequence[Version], ref: str, digest: str) -> Version:
    number = parse_reference(ref, pointer="/versions").version.number
    found = next((v for v in versions if v.number == number and v.status != lifecycle.DRAFT), None)
    if found is None:
        raise NotFound(f"{ref} is not a recorded version", pointer="/versions", code="unknown_version")
    if found.content_hash != digest:
        raise Conflict(f"{ref} has hash {found.content_hash[:12]}…, not the pinned {digest[:12]}…", pointer="/versions",
                       code="pinned_version_changed")
    return found


@dataclass(frozen=True)
class _AsStated:
    """A pinned version with the annotations it had when the report was made (amended since: same constraints,
    other citation text); every other attribute is the stored version's."""

    version: Version
    body: Any
    body_hash: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.version, name)


def _with_body(session: Session, version: Version, body_hash: str | None) -> Version | _AsStated:
    """The version as it read when its body had this hash: the stored body, or the body before an amendment."""
    if not body_hash or body_hash == version.body_hash:
        return version
    for revision in annotations.revisions(session, version):
        if revision.body_before is not None and content_hash(revision.body_before) == body_hash:
            return _AsStated(version, revision.body_before, body_hash)
    return version  # the annotations it had are not kept (loaded from files): its current text, and its own hash


def pinned_frameworks(session: Session, markets: Sequence[str], as_of: dt.date,
                      pins: Sequence[tuple[str, str] | tuple[str, str, str | None]],
                      vocabulary: tuple[str, str] | None = None, *, topics: Sequence[str] | None = None,
                      coverage_of: dict[str, dict[str, str]] | None = None) -> Frameworks:
    """A rerun: exactly the versions a report used (document@number and content hash, and the body hash of the
    annotations it quoted), whatever has been published, corrected, back-dated or amended since; each applies in
    the markets whose framework includes its jurisdiction; `coverage_of`: each market's topics as researched when
    the report was made (market -> topic -> recorded | none | not-researched)."""
    for market, topics_ in (coverage_of or {}).items():
        for slug, state in topics_.items():
            if state not in COVERAGE_STATUSES:
                raise InvalidInput(f"coverage of {market} {slug}: {state!r} is not one of {', '.join(COVERAGE_STATUSES)}",
                                   pointer=f"/coverage/{market}/{slug}", code="invalid_coverage")
    codes_of = {market: jurisdictions.framework_codes(session, market) for market in markets}
    chosen: dict[str, list[tuple[Document, Version]]] = defaultdict(list)
    for ref, digest, *rest in pins:
        reference = parse_reference(ref, pointer="/versions")
        if reference.version.number is None:
            raise InvalidInput(f"{ref!r}: a pinned version names its number", pointer="/versions",
                               code="version_number_required")
        document = session.exec(select(Document).where(Document.namespace == reference.document.namespace,
                                                       Document.slug == reference.document.slug)).first()
        if document is None:
            raise NotFound(f"unknown document {reference.document}", pointer="/versions", code="unknown_document")
        rows = session.exec(select(Version).where(Version.document_id == document.id)).all()
        version = _with_body(session, _pinned_version(rows, ref, digest), rest[0] if rest else None)
        chosen[document.namespace].append((document, version))  # type: ignore[arg-type]
    return _frameworks(session, codes_of, chosen, as_of, _vocabulary(session, vocabulary), topics, coverage_of)


def check_profile_shape(frameworks: Frameworks, profile: Any, *, engine: str, format_assertion: bool) -> None:
    """A profile is an instance of the vocabulary; anything else is refused with the pointer of the problem."""
    if not isinstance(profile, dict):
        raise Unprocessable("a profile is a JSON object", pointer="/profile", code="invalid_profile")
    vocabulary = checker(frameworks.vocabulary_hash, frameworks.vocabulary, engine=engine,
                         format_assertion=format_assertion)
    if vocabulary.is_valid(profile):
        return
    failures = vocabulary.failures(profile)
    if failures:
        first = failures[0]
        where = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in first.instance_path)
        raise Unprocessable(f"the profile does not fit {frameworks.vocabulary_ref}: {first.keyword} fails at "
                            f"{where if first.instance_path else '/'}", pointer="/profile" + (where if first.instance_path else ""),
                            code="invalid_profile", detail={"failures": len(failures)})


def run_check(frameworks: Frameworks, profile: Any, *, engine: str = "rust", format_assertion: bool = True,
              combine: bool = True) -> Report:
    check_profile_shape(frameworks, profile, engine=engine, format_assertion=format_assertion)
    concerned = frameworks.concerned(profile)
    results = frameworks.check_all(profile, engine=engine, format_assertion=format_assertion, concerned=concerned)
    report = Report(as_of=frameworks.as_of, profile_hash=content_hash(profile), results=results, frameworks=frameworks,
                    source={"profile": profile})
    if combine:
        report.combined, report.conflicts = combined.combine(results, format_assertion=format_assertion)
    return report
