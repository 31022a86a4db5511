"""The shipped standards folder: format, names, valid schemas, citations, vocabulary paths, versions, counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pytest
import re2
from jsonschema import Draft202012Validator

from registry.domain.provenance import legacy_provenance_allowed, rule_problems
from registry.domain.rules import (
    iter_constraints,
    rules_not_machine_checkable,
    unannotated_constraints,
    unknown_paths,
)
from tests.corpus.support import (
    STANDARDS,
    DuplicateKey,
    _refuse_duplicates,
    all_documents,
    document_paths,
    parse_day,
    read_json,
    rule_documents,
    version_in_force,
    vocabularies,
    walk_schema,
)

TOPICS = {"consumer-protection", "customs-and-tax", "personal-data", "platform-presence", "e-signatures",
          "e-invoicing", "labelling", "payments"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
DOCUMENT_FIELDS = {"format", "name", "kind", "topic", "title", "authority", "legal_basis", "vocabulary",
                   "compatibility", "versions"}
VERSION_FIELDS = {"number", "status", "effective_from", "effective_to", "corrects", "changelog", "author", "recorded",
                  "amendments", "content_hash", "schema"}
# the days the shipped corpus was recorded: the first version (2026-11-28) and issue 15's corrections (2026-12-02)
RECORDED = {"2026-11-28", "2026-12-02"}
# `source` is the old form, kept only where registry.domain.provenance.legacy_provenance_allowed says so
RULE_FIELDS = {"id", "citation", "source", "summary", "obligation", "confidence", "recorded", "disputed", "dispute",
               "sources", "machine_checkable"}
DRAFT = "https://json-schema.org/draft/2020-12/schema"
NAMES = [doc["name"] for _, doc in all_documents()]


def by_name(name: str) -> dict:
    return next(doc for _, doc in all_documents() if doc["name"] == name)


def all_rules(schema: dict):
    for pointer, node in walk_schema(schema):
        if pointer.endswith("/x-rule") and isinstance(node, dict):
            yield pointer, node


def test_duplicate_keys_are_refused():
    with pytest.raises(DuplicateKey):
        json.loads('{"a": 1, "a": 2}', object_pairs_hook=_refuse_duplicates)


def test_every_file_parses_without_duplicate_keys():
    for path in [STANDARDS / "jurisdictions.json", *document_paths()]:
        read_json(path)


def test_jurisdictions_file():
    data = read_json(STANDARDS / "jurisdictions.json")
    assert data["format"] == "registry-jurisdictions/1"
    codes = [j["code"] for j in data["jurisdictions"]]
    assert len(codes) == len(set(codes))
    for entry in data["jurisdictions"]:
        assert set(entry) <= {"code", "name", "names", "kind", "region", "members", "cooperation", "coverage"}
        assert all(re.fullmatch(r"[a-z]{2,3}", lang) and name.strip() for lang, name in entry.get("names", {}).items())
        assert CODE.match(entry["code"]) and entry["name"] and entry["region"]
        assert entry["kind"] in ("economy", "bloc")
        assert bool(entry["members"]) == (entry["kind"] == "bloc")
        assert all(re.fullmatch(r"[A-Z]{2}", m) for m in entry["members"])
    blocs = {j["code"]: j["members"] for j in data["jurisdictions"]}
    assert len(blocs["EU"]) == 27
    assert sorted(blocs["EAEU"]) == ["AM", "BY", "KG", "KZ", "RU"]
    assert len(codes) >= 14
    names = {j["code"]: j.get("names", {}) for j in data["jurisdictions"]}
    assert names["CN"] == {"ru": "Китай", "zh": "中国"}  # site search finds CN by each (tests/test_search.py)


def test_cooperation_and_coverage_in_the_shipped_file_pass_the_loaders_checks():
    """The loader refuses a partner without a quoted source, a `none` without one, an unknown topic; checked here
    against the shipped documents too (a `none` beside the jurisdiction's own document on the topic)."""
    import msgspec

    from registry.services.corpus import JurisdictionsFile, jurisdiction_problems

    data = msgspec.convert(read_json(STANDARDS / "jurisdictions.json"), JurisdictionsFile)
    for entry in data.jurisdictions:
        own = {read_json(path).get("topic") for path in (STANDARDS / "documents" / entry.code).glob("*.json")}
        assert jurisdiction_problems(entry, own) == [], entry.code


@pytest.mark.parametrize("path", document_paths(), ids=lambda p: str(p.relative_to(STANDARDS)))
def test_document_format_and_place(path):
    doc = read_json(path)
    assert doc["format"] == "registry-document/1"
    assert set(doc) <= DOCUMENT_FIELDS
    jurisdictions = {j["code"] for j in read_json(STANDARDS / "jurisdictions.json")["jurisdictions"]}
    if path.parent.name == "vocabulary":
        assert doc["name"] == f"vocabulary/{path.stem}" and doc["kind"] == "vocabulary"
        assert "topic" not in doc and "vocabulary" not in doc
    else:
        assert doc["name"] == f"{path.parent.name}/{path.stem}"
        assert path.parent.name in jurisdictions and doc["kind"] in ("rule", "technical-standard")
        assert doc["topic"] in TOPICS
        assert doc["vocabulary"] in vocabularies()
    assert SLUG.match(path.stem)
    assert doc["compatibility"] == ("NONE" if doc["kind"] == "rule" else "BACKWARD")
    numbers = [v["number"] for v in doc["versions"]]
    assert numbers == list(range(1, len(numbers) + 1))
    statuses = [v["status"] for v in doc["versions"]]
    assert set(statuses) <= {"published", "superseded", "corrected"} and statuses.count("published") == 1
    live = [v for v in doc["versions"] if v["status"] in ("published", "superseded")]
    latest = max(live, key=lambda v: parse_day(v["effective_from"]))
    assert latest["status"] == "published", "the version that starts last is the published one, the others superseded"
    corrected = {v["number"] for v in doc["versions"] if v["status"] == "corrected"}
    assert corrected == {v["corrects"] for v in doc["versions"] if v.get("corrects")}, "corrected <-> corrects"
    for version in doc["versions"]:
        assert set(version) <= VERSION_FIELDS
        assert version["recorded"] in RECORDED and version["changelog"].strip()
        start, end = parse_day(version["effective_from"]), parse_day(version["effective_to"])
        assert start is not None and (end is None or start < end)


@pytest.mark.parametrize("path", document_paths(), ids=lambda p: str(p.relative_to(STANDARDS)))
def test_schemas_are_valid_and_safe(path):
    for version in read_json(path)["versions"]:
        schema = version["schema"]
        assert schema.get("$schema") == DRAFT
        Draft202012Validator.check_schema(schema)
        for pointer, node in walk_schema(schema):
            if not isinstance(node, dict):
                continue
            if isinstance(node.get("pattern"), str):
                re2.compile(node["pattern"])
            for key in ("$ref", "$dynamicRef"):
                if key in node:
                    assert str(node[key]).startswith("#"), f"non-local {key} at {pointer}"


def test_version_intervals_do_not_overlap():
    for _, doc in all_documents():
        live = sorted((v for v in doc["versions"] if v["status"] in ("published", "superseded")),
                      key=lambda v: v["effective_from"])
        for earlier, later in zip(live, live[1:]):
            assert earlier["effective_to"] is not None, doc["name"]
            assert parse_day(later["effective_from"]) >= parse_day(earlier["effective_to"]), doc["name"]


@pytest.mark.parametrize("doc", rule_documents(), ids=lambda d: d["name"])
def test_every_constraint_is_cited_and_in_the_vocabulary(doc):
    vocabulary = vocabularies()[doc["vocabulary"]]
    for version in doc["versions"]:
        at = f"{doc['name']}@{version['number']}"
        assert unannotated_constraints(version["schema"]) == [], at
        assert unknown_paths(version["schema"], vocabulary) == [], at
        assert iter_constraints(version["schema"]) or rules_not_machine_checkable(version["schema"]), f"{at} says nothing"


@pytest.mark.parametrize("doc", rule_documents(), ids=lambda d: d["name"])
def test_rule_annotations_are_complete(doc):
    for version in doc["versions"]:
        for pointer, rule in all_rules(version["schema"]):
            at = f"{doc['name']}@{version['number']}{pointer}"
            assert set(rule) <= RULE_FIELDS, at
            assert {"id", "citation", "sources" if "sources" in rule else "source", "summary", "obligation",
                    "confidence", "recorded"} <= set(rule), at
            assert rule["confidence"] in ("H", "M", "L"), at
            assert rule["obligation"] in ("must", "should"), at
            dt.date.fromisoformat(rule["recorded"])
            assert rule["recorded"] in RECORDED, at
            # sources: deep https links with verbatim quotes; a disputed rule has its dispute and two sources
            assert rule_problems(rule, pointer, legacy_allowed=legacy_provenance_allowed(version["status"])) == [], at
            if rule.get("disputed"):
                assert len(rule.get("sources", [])) >= 1, f"{at}: a disputed rule lists every source"
            if rule.get("machine_checkable") is False:
                holder = version["schema"]
                for token in pointer.split("/")[1:-1]:
                    holder = holder[int(token)] if isinstance(holder, list) else holder[token]
                assert not any(isinstance(v, (dict, list)) or k in ("const", "enum") for k, v in holder.items()
                               if k not in ("x-rule", "description", "title")), f"{at}: holds an assertion"


def test_rule_ids_are_unique_in_the_corpus():
    owner: dict[str, str] = {}
    for doc in rule_documents():
        for version in doc["versions"]:
            seen: dict[str, dict] = {}
            for _, rule in all_rules(version["schema"]):
                if rule["id"] in seen:
                    assert seen[rule["id"]] == rule, f"{doc['name']}: two different rules named {rule['id']}"
                seen[rule["id"]] = rule
                assert owner.setdefault(rule["id"], doc["name"]) == doc["name"], f"{rule['id']} in two documents"


def test_not_machine_checkable_rules_are_listed():
    listed = sum(len(rules_not_machine_checkable(v["schema"])) for d in rule_documents() for v in d["versions"])
    marked = sum(1 for d in rule_documents() for v in d["versions"] for _, r in all_rules(v["schema"])
                 if r.get("machine_checkable") is False)
    assert listed == marked


def test_acceptance_counts():
    jurisdictions = read_json(STANDARDS / "jurisdictions.json")["jurisdictions"]
    assert len(jurisdictions) >= 14
    docs = rule_documents()
    assert len({d["topic"] for d in docs}) >= 6
    latest = [(d["name"], c) for d in docs for c in iter_constraints(d["versions"][-1]["schema"]) if c.rule]
    assert len(latest) >= 40
    assert len([d for d in docs if d["kind"] == "technical-standard"]) >= 3
    assert len([d for d in docs if len(d["versions"]) > 1]) >= 5


def _declared_value_maxima(version: dict) -> set:
    return {c.value for c in iter_constraints(version["schema"])
            if c.instance_path == "/customs/declared_value_per_shipment/amount" and c.keyword == "maximum"}


@pytest.mark.parametrize("day, threshold", [("2018-06-01", 1000), ("2019-06-01", 500), ("2021-01-01", 200),
                                             ("2026-08-01", 200)])
def test_eaeu_low_value_phases(day, threshold):
    version = version_in_force(by_name("EAEU/customs-low-value"), dt.date.fromisoformat(day))
    assert version is not None
    assert _declared_value_maxima(version) == {threshold}
    assert '"EUR"' in json.dumps(version["schema"])


def test_disputed_facts_carry_both_sources_and_the_reading_applied():
    disputed = {(d["name"], r["id"]): r for d in rule_documents() for v in d["versions"] if v["status"] != "corrected"
                for _, r in all_rules(v["schema"]) if r.get("disputed")}
    assert ("EAEU/customs-low-value", "EAEU-CUS-DEMINIMIS-1000-EUR") in disputed  # the 2022-24 scope (issue 15)
    for rule in disputed.values():
        assert len(rule["sources"]) >= 2 and rule["dispute"].strip(), rule["id"]
