"""Comparisons in the registry: two references or two schemas, whole frameworks (a jurisdiction's in-force
rules with its blocs'), gap reports and the alignment matrix, through one content-hash cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from sqlmodel import Session, col, select

from comparisons import ComparisonCache, all_of, gap
from comparisons.alignment import KINDS as ALIGNMENT_KINDS, alignment as align
from comparisons.bounded import BoundedCache
from registry.domain import lifecycle, provenance, rules
from registry.domain import witnesses
from registry.domain.access import Principal
from registry.domain.references import parse_reference
from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.schemas import check_schema
from registry.domain.topics import topic as known_topic
from registry.errors import RegistryError
from registry.domain.coverage import NONE, NOT_RESEARCHED
from registry.services import conditions, coverage, differences, documents, jurisdictions
from registry.services.compliance import PROFILE_VOCABULARY
from registry.storage.tables import Document, Jurisdiction, Version

CACHE = ComparisonCache()  # stored versions, shared by every request: an unchanged pair is compared once
# pairs with an inline schema, apart: a stream of distinct inline pairs fills this one only, and it fills quickly
INLINE = ComparisonCache(1_024, 4_000_000, name="inline-comparison")
_GAPS = BoundedCache("gap-reports", 1024, 16_000_000)  # by the versions' body hashes: gap items quote their x-rules


@dataclass(frozen=True)
class Vocabulary:
    """The latest published version of a vocabulary: `ref` (vocabulary/operating-profile@1) and its schema."""

    name: str
    ref: str
    schema: Any


def vocabulary_of(session: Session, names: set[str | None]) -> Vocabulary | None:
    """The one vocabulary a side's documents are written over (None for none or several)."""
    if len(names) != 1 or None in names:
        return None
    name = str(next(iter(names)))
    try:
        version, schema = documents.latest_schema(session, name)
    except RegistryError:  # not loaded, or no published version: witnesses of the schemas only
        return None
    return Vocabulary(name=name, ref=f"{name}@{version.number}", schema=schema)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a version, an inline schema, or a framework of several versions."""

    label: str
    refs: tuple[str, ...]
    hashes: tuple[str, ...]
    parts: tuple[Any, ...]
    schema: Any
    bodies: tuple[str, ...] = ()  # the versions' body hashes (annotations included): the key of cached reports
    vocabulary: Vocabulary | None = None  # what the documents are written over: witnesses are its instances

    def describe(self) -> dict[str, Any]:
        return {"label": self.label, "versions": [{"ref": r, "content_hash": h} for r, h in zip(self.refs, self.hashes)]}


def reference_side(session: Session, principal: Principal | None, text: str, *, pointer: str) -> Side:
    reference = parse_reference(text, pointer=pointer)
    document = documents.get_document(session, reference.document)
    version = documents.get_version(session, document, reference.version, principal)
    ref = f"{document.name}@{version.number}"
    return Side(label=ref, refs=(ref,), hashes=(version.content_hash,), parts=(version.body,), schema=version.body,
                bodies=(version.body_hash,), vocabulary=vocabulary_of(session, {document.vocabulary}))


def inline_side(schema: Any, label: str, *, pointer: str, max_expansion: int = DEFAULT_LIMIT) -> Side:
    try:
        check_schema(schema, max_expansion=max_expansion)
    except RegistryError as exc:  # name the problem inside the request body
        exc.pointer = pointer + (exc.pointer or "")
        raise
    return Side(label=label, refs=(), hashes=(), parts=(schema,), schema=schema)


def compare_sides(left: Side, right: Side, *, format_assertion: bool,
                  words: tuple[dict[str, int], dict[str, str]] = differences.NO_WORDS,
                  titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The relation of the two schemas and their differences, each naming its sides in words, aligned by the
    vocabulary's paths (`words`: differences.vocabulary_words) and saying under which condition its rules apply
    (`titles`: conditions.titles); the witnesses are instances of the vocabulary the sides share, minimal, found by
    comparing within it (`within_vocabulary`, docs/comparisons.md)."""
    cache = CACHE if left.refs and right.refs else INLINE
    labels = (left.label, right.label)
    result = cache.compare(left.schema, right.schema, format_assertion=format_assertion, labels=labels).to_dict()
    shared = shared_vocabulary(left, right)
    if shared is None:
        within = None
        if left.vocabulary and right.vocabulary:  # two vocabularies: no instance can be checked under both
            result = {**result, "witnesses_note": f"{left.label} is written over {left.vocabulary.ref} and "
                      f"{right.label} over {right.vocabulary.ref}: the witnesses are instances of the schemas only, "
                      "not of either vocabulary"}
    else:
        found = cache.compare_within(left.schema, right.schema, shared.schema, format_assertion=format_assertion,
                                     labels=labels).to_dict()
        result = witnesses.with_vocabulary_witnesses(result, found)
        within = witnesses.within_vocabulary(result, found, shared.name, shared.ref, labels)
    named = differences.name_sides({"left": left.describe(), "right": right.describe(), **result}, words,
                                   (left.schema, right.schema), format_assertion=format_assertion,
                                   titles=titles or {})
    return {**named, "within_vocabulary": within}


def shared_vocabulary(left: Side, right: Side) -> Vocabulary | None:
    """The vocabulary both sides are written over; an inline schema takes the other side's."""
    if left.vocabulary and right.vocabulary:
        return left.vocabulary if left.vocabulary.ref == right.vocabulary.ref else None
    return left.vocabulary or right.vocabulary


def compare_references(session: Session, principal: Principal | None, left_ref: str, right_ref: str, *,
                       format_assertion: bool) -> dict[str, Any]:
    return compare_sides(reference_side(session, principal, left_ref, pointer="/left"),
                         reference_side(session, principal, right_ref, pointer="/right"),
                         format_assertion=format_assertion,
                         words=differences.vocabulary_words(session), titles=conditions.titles(session))


# ---- frameworks ----------------------------------------------------------------------------------------------

def framework(session: Session, code: str, *, topic: str | None, as_of: dt.date | None) -> Side:
    """All rule documents in force for a jurisdiction (its own and its blocs') on a topic, as one schema."""
    if topic:
        known_topic(topic)
    day = as_of or dt.date.today()
    codes = jurisdictions.framework_codes(session, code)
    query = select(Document).where(col(Document.namespace).in_(codes), Document.kind == "rule")
    if topic:
        query = query.where(Document.topic == topic)
    chosen: list[tuple[str, Version]] = []
    written_over: set[str | None] = set()
    for document in session.exec(query.order_by(Document.namespace, Document.slug)).all():  # type: ignore[arg-type]
        versions = session.exec(select(Version).where(Version.document_id == document.id)).all()
        version = lifecycle.select_in_force(versions, day)
        if version is not None:
            chosen.append((f"{document.name}@{version.number}", version))
            written_over.add(document.vocabulary)
    schemas = tuple(v.body for _, v in chosen)
    schema: Any = all_of(schemas)  # each document keeps what its `$ref`s point at
    return Side(label=code, refs=tuple(r for r, _ in chosen), hashes=tuple(v.content_hash for _, v in chosen),
                parts=schemas, schema=schema, bodies=tuple(v.body_hash for _, v in chosen),
                vocabulary=vocabulary_of(session, written_over or {PROFILE_VOCABULARY}))


def not_machine_checkable(side: Side) -> list[dict]:
    found = []
    for schema in side.parts:
        for rule in rules.rules_not_machine_checkable(schema):
            found.append({**(provenance.rule_view(rule) or {}), "instance_path": rule.get("instance_path")})
    return found


def not_researched(session: Session, codes: list[str], topic: str | None) -> dict[str, list[str]]:
    """code -> the topics in scope (one, or all) that were never researched there."""
    found = coverage.coverage_map(session, codes)
    return {code: [slug for slug, state in found[code].items() if state == NOT_RESEARCHED and (topic in (None, slug))]
            for code in codes}


def framework_gap(session: Session, source: str, target: str, *, topic: str | None, as_of: dt.date | None,
                  format_assertion: bool) -> dict[str, Any]:
    """Each constraint of the target's framework that the source's does not already imply, with citations.
    Where the target was not researched on a topic in scope, its rules there are unknown: "covered: yes" cannot
    be claimed and becomes "unknown" (docs/comparisons.md)."""
    left = framework(session, source, topic=topic, as_of=as_of)
    right = framework(session, target, topic=topic, as_of=as_of)
    data = conditions.worded_gap({**gap_report(left, right, format_assertion=format_assertion),
                                  "from": left.describe(), "to": right.describe()}, conditions.titles(session))
    items = [_with_provenance(item) for item in data["items"]]
    unknown = not_researched(session, [source, target], topic)
    covered, reason = data["covered"], data.get("reason")
    if covered == "yes" and unknown[target] and source != target:
        covered = "unknown"
        reason = f"{target} has not been researched on {', '.join(unknown[target])}: its rules there are not known"
    return {"from": left.describe(), "to": right.describe(), "topic": topic,
            "as_of": (as_of or dt.date.today()).isoformat(), "covered": covered, "items": items,
            "disputed": any(item["disputed"] for item in items),
            "reason": reason, "not_machine_checkable": not_machine_checkable(right),
            "not_researched": {"from": unknown[source], "to": unknown[target]}}


def gap_report(left: Side, right: Side, *, format_assertion: bool) -> dict[str, Any]:
    """gap(left, right) within the vocabulary both are written over (its witnesses are instances of it), each
    item's witness told in words (`witness_says`); cached by the versions' bodies (computed once)."""
    shared = shared_vocabulary(left, right)
    key = (left.bodies, right.bodies, format_assertion, shared.ref if shared else None)
    data = _GAPS.get(key) if left.bodies and right.bodies else None
    if data is None:
        data = gap(left.schema, right.schema, format_assertion=format_assertion,
                   domain=shared.schema if shared else None).to_dict()
        if shared is not None:
            data["items"] = [witnesses.gap_item_words(item, shared.name, shared.ref, (left.label, right.label))
                             for item in data["items"]]
        if left.bodies and right.bodies:
            _GAPS[key] = data
    return data


def _with_provenance(item: dict[str, Any]) -> dict[str, Any]:
    """A gap item (a copy: the cached report stays as it is) with its rule's sources as objects, the confidence
    basis, and `disputed: true` when the target's rule is disputed."""
    rule = item.get("rule")
    return {**item, "rule": provenance.rule_view(rule) if isinstance(rule, dict) else rule,
            "disputed": isinstance(rule, dict) and rule.get("disputed") is True}


def unknown_counts(known: list[Side]) -> dict[str, int]:
    """A cell with a side not researched: every rule the other side states is `unknown` (whether the two agree
    there is not known), none is counted aligned or not."""
    stated = align([p for side in known for p in side.parts], [])["counts"]["one_sided"] if known else 0
    return {**dict.fromkeys(ALIGNMENT_KINDS, 0), "unknown": stated}


def alignment(left: Side, right: Side) -> dict[str, Any]:
    """Rules both sides state alike, alike under different conditions, differently, on one side only; and the
    score (comparisons.alignment; defined in docs/comparisons.md#the-matrix)."""
    return align(left.parts, right.parts)


def matrix(session: Session, topic: str, *, as_of: dt.date | None, format_assertion: bool,
           cooperation: str | None = None) -> dict[str, Any]:
    """Every pair of jurisdictions on the topic: relation and alignment score. A jurisdiction with rules in force,
    or researched with no such rule (`none`), is compared; one not researched is listed, and each of its cells is
    `unknown` with no score: silence is never read as alignment."""
    known_topic(topic)
    query = select(Jurisdiction.code).order_by(Jurisdiction.code)
    if cooperation:
        query = query.where(Jurisdiction.cooperation_status == cooperation)
    codes = list(session.exec(query).all())
    states = {code: found[topic] for code, found in coverage.coverage_map(session, codes).items()}
    sides = {}
    for code in codes:
        side = framework(session, code, topic=topic, as_of=as_of)
        if side.refs or states[code] == NONE:
            sides[code] = side
    # compared: those with rules in force or researched as none; then those not researched, with unknown cells
    names = [c for c in codes if c in sides] + [c for c in codes if states[c] == NOT_RESEARCHED]
    cells = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            cell: dict[str, Any] = {"left": a, "right": b, "coverage": {"left": states[a], "right": states[b]}}
            if a not in sides or b not in sides:
                missing = " and ".join(c for c in (a, b) if c not in sides)
                cells.append({**cell, "relation": "unknown", "score": None, "differences": None,
                              "counts": unknown_counts([sides[c] for c in (a, b) if c in sides]),
                              "reason": f"{missing} not researched on {topic}"})
                continue
            comparison = CACHE.compare(sides[a].schema, sides[b].schema, format_assertion=format_assertion,
                                       labels=(a, b)).to_dict()
            aligned = alignment(sides[a], sides[b])
            cells.append({**cell, "relation": comparison["relation"], "score": aligned["score"],
                          "counts": {**aligned["counts"], "unknown": 0},
                          "reason": comparison.get("reason"), "differences": len(comparison["differences"])})
    return {"topic": topic, "as_of": (as_of or dt.date.today()).isoformat(), "jurisdictions": names,
            "coverage": {c: states[c] for c in names}, "cooperation": cooperation,
            "versions": {c: sides[c].describe()["versions"] if c in sides else [] for c in names}, "cells": cells}
