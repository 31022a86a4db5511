"""Sources shown (issue 15): the version page quotes each source in its language with the English rendering beside
it; compliance results and gap reports carry sources as objects, mark a disputed rule's result `disputed: true` with
its dispute text and both sources, and escape every quote (quotes are untrusted text)."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from sqlalchemy import update
from sqlmodel import select

from registry.domain.canonical import version_hashes
from registry.domain.rules import iter_constraints
from registry.storage.database import read_session
from registry.storage.tables import Document, Version, utcnow
from tests.conftest import EUR_LEX_SOURCE

CHECK = "/api/v1/compliance/check"
SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
HOSTILE = '<script>alert("q")</script> [link](javascript:x) **bold** | pipe'
SECOND = {"url": "https://www.example-law.com/notes/withdrawal-art-9", "title": "Withdrawal <b>note</b>",
          "publisher": "Example Law LLP", "kind": "secondary", "language": "fr", "quote": HOSTILE,
          "quote_en": "Seven days, says this note.", "retrieved": "2026-12-02"}
DISPUTE = "EUR-Lex reads 14 days; the note reads 7 <img src=x>; the registry applies the legal text."


def test_the_version_page_quotes_each_source_in_its_language(client):
    page = client.get("/documents/CN/consumer-protection/versions/1")
    assert page.status_code == 200
    text = page.text
    assert '<blockquote lang="zh">经营者采用网络' in text
    assert '<blockquote lang="en" class="quote-en">Where a business operator sells goods online' in text
    assert 'href="https://www.npc.gov.cn/zgrdw/npc/xinwen/2013-10/26/content_1811773.htm"' in text
    assert "H: the legal text is quoted (National People&#39;s Congress)" in text
    assert 'id="rule-T-CN-7D"' in text and 'href="#rule-T-CN-7D"' in text


@pytest.fixture
def disputed(corpus_client, corpus_engine):
    """The shipped EU withdrawal rule (every version) made disputed, with a hostile second source, written straight
    into the database (as a data file or an older registry might hold it)."""
    with read_session(corpus_engine) as session:
        document = session.exec(select(Document).where(Document.namespace == "EU",
                                                       Document.slug == "consumer-protection")).one()
        versions = session.exec(select(Version).where(Version.document_id == document.id)).all()
        bodies = {v.id: copy.deepcopy(v.body) for v in versions}
    for body in bodies.values():
        for c in iter_constraints(body):
            if c.instance_path == "/consumer_protection/withdrawal_period_days" and c.keyword == "minimum":
                c.rule.clear()
                c.rule.update(id="T-EU-14D", citation="Directive 2011/83/EU Art 9(1)", summary="14 days.",
                              obligation="must", confidence="H", recorded="2026-12-02", disputed=True,
                              dispute=DISPUTE, sources=[EUR_LEX_SOURCE, SECOND])
    with corpus_engine.begin() as connection:
        for key, body in bodies.items():
            # a new updated_at, as any write makes: the frameworks cached by the registry's stamp are read again
            connection.execute(update(Version).where(Version.id == key).values(
                body=body, **version_hashes(body), updated_at=utcnow()))
    return corpus_client


def test_a_check_using_a_disputed_rule_is_marked_with_the_dispute_and_both_sources(disputed):
    report = disputed.post(CHECK, json={"profile": SEVEN_DAYS, "markets": ["EU", "CN"],
                                        "topics": ["consumer-protection"]}).json()
    markets = {m["market"]: m for m in report["markets"]}
    assert markets["EU"]["status"] == "non_compliant" and markets["EU"]["disputed"] is True
    assert markets["CN"]["disputed"] is False and markets["CN"]["disputed_rules"] == []
    [violation] = markets["EU"]["violations"]
    assert violation["disputed"] is True
    rule = violation["rule"]
    assert rule["dispute"] == DISPUTE and "source" not in rule
    assert [s["url"] for s in rule["sources"]] == [EUR_LEX_SOURCE["url"], SECOND["url"]]
    assert rule["confidence_basis"].startswith("H: the legal text is quoted")
    assert [r["id"] for r in markets["EU"]["disputed_rules"]] == ["T-EU-14D"]
    # a market with no broken rule that rests on a disputed rule is marked too
    met = disputed.post(CHECK, json={"profile": {**SEVEN_DAYS, "consumer_protection": {"withdrawal_period_days": 14}},
                                     "markets": ["EU"], "topics": ["consumer-protection"]}).json()["markets"][0]
    # (incomplete: the other facts the EU rules ask are not stated; nothing is broken)
    assert met["status"] == "incomplete" and not met["violations"] and met["disputed"] is True


def test_reports_show_each_rule_s_sources_once_and_escape_the_quotes(disputed):
    body = {"profile": SEVEN_DAYS, "markets": ["EU"], "topics": ["consumer-protection"]}
    markdown = disputed.post(CHECK + "?format=md", json=body).text
    assert markdown.count("**T-EU-14D**") == 1 and "— **disputed**" in markdown
    assert "Dispute: EUR-Lex reads 14 days" in markdown
    assert "[Directive 2011/83/EU on consumer rights, Article 9](<https://eur-lex.europa.eu/eli/dir/2011/83/oj>)" \
        in markdown
    assert "<script>" not in markdown and "<img" not in markdown
    assert "[link](javascript" not in markdown and "\\[link\\](javascript:x)" in markdown  # literal, not a link
    assert "> (fr) &lt;script\\>" in markdown and "> (en) Seven days, says this note." in markdown
    page = disputed.post(CHECK + "?format=html", json=body).text
    assert "<script>" not in page and "<img src=x>" not in page and "<b>note</b>" not in page
    assert '<blockquote lang="fr">&lt;script&gt;' in page and "Dispute: EUR-Lex reads 14 days" in page
    table = list(csv.DictReader(io.StringIO(disputed.post(CHECK + "?format=csv", json=body).text)))
    assert table[0]["disputed"] == "yes"


def test_the_web_check_page_marks_the_dispute(disputed):
    page = disputed.get("/compliance", params={"markets": "EU", "profile": json.dumps(SEVEN_DAYS)})
    assert page.status_code == 200, page.text
    assert "status-disputed" in page.text and "Dispute:" in page.text and "<script>alert" not in page.text
    assert '<blockquote lang="fr">&lt;script&gt;' in page.text


def test_a_gap_report_marks_a_disputed_target_rule(disputed):
    data = disputed.get("/api/v1/gaps?from=CN&to=EU&topic=consumer-protection").json()
    [item] = [i for i in data["items"] if i["path"] == "/consumer_protection/withdrawal_period_days"]
    assert item["disputed"] is True and data["disputed"] is True
    assert [s["publisher"] for s in item["rule"]["sources"]] == [EUR_LEX_SOURCE["publisher"], "Example Law LLP"]
    markdown = disputed.get("/api/v1/gaps?from=CN&to=EU&topic=consumer-protection&format=md").text
    assert "## Sources" in markdown and markdown.count("**T-EU-14D**") == 1 and "<script>" not in markdown
    compare = disputed.get("/compare?left=CN&right=EU&topic=consumer-protection")
    assert compare.status_code == 200 and "status-disputed" in compare.text and "<script>alert" not in compare.text


def test_the_api_types_sources_as_a_list_of_source_structs_and_the_answers_fit_them(disputed):
    import msgspec

    from registry.api.structs import ComplianceReportOut, GapReportOut

    document = disputed.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["RuleOut"]["properties"]["sources"] == {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
    assert set(schemas["Source"]["properties"]) == {"url", "title", "publisher", "kind", "language", "quote",
                                                    "quote_en", "retrieved"}
    check = document["paths"]["/api/v1/compliance/check"]["post"]["responses"]["200"]["content"]["application/json"]
    gaps = document["paths"]["/api/v1/gaps"]["get"]["responses"]["200"]["content"]["application/json"]
    assert check["schema"] == {"$ref": "#/components/schemas/ComplianceReportOut"}
    assert gaps["schema"] == {"$ref": "#/components/schemas/GapReportOut"}
    # the real answers decode into those structs
    report = disputed.post(CHECK, json={"profile": SEVEN_DAYS, "markets": ["EU", "CN"]}).content
    decoded = msgspec.json.decode(report, type=ComplianceReportOut)
    eu = next(m for m in decoded.markets if m.market == "EU")
    assert eu.violations[0].rule.sources[1].quote == HOSTILE and eu.disputed_rules[0].dispute == DISPUTE
    gap = msgspec.json.decode(disputed.get("/api/v1/gaps?from=CN&to=EU&topic=consumer-protection").content,
                              type=GapReportOut)
    assert gap.disputed and any(i.rule and len(i.rule.sources) == 2 for i in gap.items)


def test_a_batch_check_marks_the_disputed_market_and_violation(disputed):
    lines = [json.dumps({"id": "a", "profile": SEVEN_DAYS})]
    response = disputed.post("/api/v1/compliance/batch?markets=CN,EU&topics=consumer-protection",
                             content="\n".join(lines).encode())
    [result] = [json.loads(line) for line in response.text.splitlines()]
    markets = {m["market"]: m for m in result["results"]}
    assert (markets["EU"]["disputed"], markets["CN"]["disputed"]) == (True, False)
    assert [v["disputed"] for v in markets["EU"]["violations"]] == [True]
