"""Provenance per rule (issue 15): deep links, verbatim quotes, the confidence basis, and the loader and publish
refusing a rule without them (one error shape naming the JSON pointer and the rule id)."""

from __future__ import annotations

import copy
import json

import pytest

from registry.domain import provenance
from registry.domain.provenance import confidence_basis, deep_link_problem, rule_problems
from registry.services import corpus
from registry.storage.database import write_session
from tests.conftest import EUR_LEX_SOURCE, TEST_ADMIN, auth
from tests.test_corpus_load import broken_copy, hashes

GOOD_LINKS = [
    "https://eur-lex.europa.eu/eli/dir/2011/83/oj",
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32011L0083",
    "https://adilet.zan.kz/rus/docs/K1700000120",
    "https://www.npc.gov.cn/npc/c30834/201808/abc.shtml",
    "https://thuvienphapluat.vn/van-ban/Thuong-mai/Nghi-dinh-52-2013-ND-CP-193429.aspx",
    "https://pravo.gov.ru/proxy/ips/?docbody=&nd=102108261",
    "https://www.sso.agc.gov.sg/Act/ETA2010",
    "https://example.gov/#/law/123",
    "http://www.consultant.ru/document/cons_doc_LAW_112701/",  # http where that is the only address of the text
]
BAD_LINKS = [
    ("https://esf.gov.kz/", "home page"),
    ("https://www.npc.gov.cn", "home page"),
    ("https://adilet.zan.kz/rus", "home page"),
    ("https://www.gov.cn/en/", "home page"),
    ("https://www.mof.gov.vn/zh-cn/index.html", "home page"),
    ("https://www.customs.gov.my/default.aspx", "home page"),
    ("https://example.gov/?lang=en", "home page"),
    ("https://example.gov/en/home/", "home page"),
    ("javascript:alert(1)", "http"),
    ("https://user@evil.example/law/1", "user name"),
    ("", "non-empty"),
    (None, "non-empty"),
]


RU_SECONDARY = {"url": "https://www.consultant.ru/document/cons_doc_LAW_61801/abc/", "title": "Комментарий",
                "publisher": "КонсультантПлюс", "kind": "secondary", "language": "ru", "quote": "Оператор обязан …",
                "quote_en": "The operator must …", "retrieved": "2026-12-02"}


@pytest.mark.parametrize("url", GOOD_LINKS)
def test_a_deep_link_is_taken(url):
    assert deep_link_problem(url) is None


@pytest.mark.parametrize("url, words", BAD_LINKS)
def test_home_pages_and_unsafe_addresses_are_not_deep_links(url, words):
    problem = deep_link_problem(url)
    assert problem is not None and words in problem


def rule(**changes) -> dict:
    base = {"id": "T-1", "citation": "Directive 2011/83/EU Art 9(1)", "summary": "14 days.", "obligation": "must",
            "confidence": "H", "recorded": "2026-12-02", "sources": [copy.deepcopy(EUR_LEX_SOURCE)]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_a_complete_rule_has_no_problem_and_its_basis_is_the_legal_text():
    assert rule_problems(rule(), "/x-rule") == []
    assert confidence_basis(rule()) == (True, "H: the legal text is quoted (Publications Office of the European "
                                              "Union (EUR-Lex))")


@pytest.mark.parametrize("edit, pointer, words", [
    (lambda r: r.pop("sources"), "/p/x-rule/sources", "`sources` is missing"),
    (lambda r: r.update(sources=[]), "/p/x-rule/sources", "`sources` is missing"),
    (lambda r: r["sources"][0].pop("quote"), "/p/x-rule/sources/0/quote", "verbatim quote"),
    (lambda r: r["sources"][0].update(quote="  "), "/p/x-rule/sources/0/quote", "verbatim quote"),
    (lambda r: r["sources"][0].update(url="https://eur-lex.europa.eu/"), "/p/x-rule/sources/0/url", "home page"),
    (lambda r: r["sources"][0].update(kind="blog"), "/p/x-rule/sources/0/kind", "not one of"),
    (lambda r: r["sources"][0].update(language="ru"), "/p/x-rule/sources/0/quote_en", "quote_en"),
    (lambda r: r["sources"][0].update(retrieved="December 2026"), "/p/x-rule/sources/0/retrieved", "YYYY-MM-DD"),
    (lambda r: r["sources"][0].update(colour="blue"), "/p/x-rule/sources/0/colour", "unknown source field"),
    (lambda r: r.update(disputed=True, sources=[EUR_LEX_SOURCE, RU_SECONDARY]), "/p/x-rule/dispute", "`dispute`"),
    (lambda r: r.update(disputed=True, dispute="A reads x; B reads y."), "/p/x-rule/sources", "at least two"),
    (lambda r: r.update(source="https://eur-lex.europa.eu/eli/dir/2011/83/oj"), "/p/x-rule/source", "replaced"),
    (lambda r: r.update(sources=["https://eur-lex.europa.eu/eli/dir/2011/83/oj"]), "/p/x-rule/sources", "no longer"),
])
def test_each_problem_names_its_pointer_and_the_rule(edit, pointer, words):
    bad = rule()
    edit(bad)
    problems = rule_problems(bad, "/p/x-rule")
    assert [p.pointer for p in problems] == [pointer], problems
    assert words in problems[0].message and problems[0].rule_id == "T-1"
    assert str(problems[0]).startswith(f"{pointer}: rule T-1: ")


def test_a_disputed_rule_with_both_sources_and_the_dispute_is_complete():
    disputed = rule(disputed=True, dispute="EUR-Lex reads 14 days; the note reads 7.",
                    sources=[EUR_LEX_SOURCE, RU_SECONDARY])
    assert rule_problems(disputed, "") == []


@pytest.mark.parametrize("changes, supported, basis", [
    ({"confidence": "H", "sources": [RU_SECONDARY]}, False, "H claimed, but one secondary source quotes the rule"),
    ({"confidence": "M", "sources": [RU_SECONDARY]}, True, "M: one secondary source quotes the rule (КонсультантПлюс)"),
    ({"confidence": "H", "sources": [RU_SECONDARY, {**RU_SECONDARY, "publisher": "Garant", "kind": "official"}]},
     True, "H: two independent sources agree (Garant; КонсультантПлюс)"),
    ({"confidence": "H", "sources": [RU_SECONDARY, {**RU_SECONDARY, "url": "https://www.consultant.ru/doc/2"}]},
     False, "H claimed"),  # the same publisher twice is one source, not two independent ones
    ({"confidence": "L", "sources": [{**RU_SECONDARY, "quote": ""}]}, False, "no source quotes the rule"),
    ({"confidence": "H", "source": "https://esf.gov.kz/", "sources": None}, False, "no source quotes the rule"),
])
def test_the_confidence_basis_in_words(changes, supported, basis):
    got = confidence_basis(rule(**changes))
    assert got[0] is supported and basis in got[1], got


LEGACY = {"id": "OLD-1", "citation": "Law Art 1", "source": "https://www.npc.gov.cn/", "summary": "s",
          "obligation": "must", "confidence": "H", "recorded": "2026-11-28"}


def test_the_old_form_is_taken_only_through_the_transition_function(monkeypatch):
    schema = {"properties": {"a": {"minimum": 1, "x-rule": LEGACY}}}
    assert provenance.is_legacy(LEGACY)
    monkeypatch.setattr(provenance, "legacy_provenance_allowed", lambda status: status == "corrected")
    assert provenance.provenance_problems(schema, "corrected") == []
    problems = provenance.provenance_problems(schema, "published")
    assert [(p.pointer, p.rule_id) for p in problems] == [("/properties/a/x-rule/sources", "OLD-1")]
    # even where the old form is taken, its address must be a safe one
    unsafe = {"properties": {"a": {"minimum": 1, "x-rule": {**LEGACY, "source": "javascript:alert(1)"}}}}
    assert [p.pointer for p in provenance.provenance_problems(unsafe, "corrected")] == ["/properties/a/x-rule/source"]


def _unquote(data):
    rule_ = data["versions"][0]["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]
    del rule_["x-rule"]["sources"][0]["quote"]


def _home_page(data):
    rule_ = data["versions"][0]["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]
    rule_["x-rule"]["sources"][0]["url"] = "https://www.npc.gov.cn/"


@pytest.mark.parametrize("edit, words", [
    (_unquote, "/properties/consumer_protection/properties/withdrawal_period_days/x-rule/sources/0/quote: rule T-CN-7D"),
    (_home_page, "/properties/consumer_protection/properties/withdrawal_period_days/x-rule/sources/0/url: rule T-CN-7D"),
])
def test_the_loader_refuses_a_rule_without_a_quoted_deep_link(engine, tmp_path, edit, words):
    folder = broken_copy(tmp_path, edit)
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    assert not report.ok
    assert [e.path for e in report.errors] == ["documents/CN/consumer-protection.json"]
    assert words in report.errors[0].detail, report.errors[0].detail
    assert hashes(engine) == {}


def test_publish_refuses_a_rule_without_a_quote_with_a_422_naming_pointer_and_rule(client, make_token):
    from tests.test_lifecycle import DOC, schema

    eu = auth(make_token("regulator", "EU"))
    body = schema(20)
    rule_ = body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]
    rule_["sources"] = [{**EUR_LEX_SOURCE, "quote": ""}]
    created = client.post(f"{DOC}/versions", json={"schema": body}, headers=eu)
    assert created.status_code == 201, created.text  # a draft may be incomplete
    number = created.json()["number"]
    refused = client.post(f"{DOC}/versions/{number}/publish", headers=eu)
    assert refused.status_code == 422, refused.text
    error = refused.json()
    assert error["code"] == "missing_provenance"
    assert error["pointer"] == "/properties/consumer_protection/properties/withdrawal_period_days/x-rule/sources/0/quote"
    assert "rule T-EU-20D" in error["message"]
    assert client.get(f"{DOC}/versions/{number}", headers=eu).json()["status"] == "draft"
    # with its quote it publishes
    rule_["sources"] = [EUR_LEX_SOURCE]
    etag = client.get(f"{DOC}/versions/{number}", headers=eu).headers["etag"]
    edited = client.put(f"{DOC}/versions/{number}", json={"schema": body}, headers={**eu, "If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert client.post(f"{DOC}/versions/{number}/publish", headers=eu).status_code == 200


def test_problem_dicts_are_json():
    problems = rule_problems(rule(sources=[]), "/x-rule")
    assert json.loads(json.dumps([p.to_dict() for p in problems])) == [
        {"pointer": "/x-rule/sources", "rule": "T-1", "message": problems[0].message}]
