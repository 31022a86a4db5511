"""Issue 15, items 3 and 4: cooperation status and explicit coverage. The loader's checks, the jurisdiction API
and pages, `not_covered` in compliance results (API, batch, CLI), and unknown cells in the matrix and gap
reports. tests/data/coverage/jurisdictions.json is a fixture (example.org sources), loaded over the shipped
corpus; it states nothing about the law."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from registry.domain import coverage as words
from registry.domain.topics import TOPICS
from registry.services.corpus import JurisdictionEntry, jurisdiction_problems
from tests.conftest import ROOT, load_folder

FIXTURE = ROOT / "tests" / "data" / "coverage"
CHECK = "/api/v1/compliance/check"
# labelling is not researched in the EU (its personal-data rules were recorded in issue 17): the topic of these tests
EU_SELLER_LABELLING = {"seller": {"sells_b2c": True}, "labelling": {"label_languages": ["de"]}}
SOURCE = {"url": "https://example.org/a", "title": "A page", "publisher": "Example", "kind": "secondary",
          "language": "en", "quote": "words", "retrieved": "2026-12-02"}


@pytest.fixture
def client(corpus_engine, corpus_client):
    load_folder(corpus_engine, FIXTURE)
    return corpus_client


def entry(**fields) -> JurisdictionEntry:
    return msgspec.convert({"code": "XX", "name": "X", "kind": "economy", **fields}, JurisdictionEntry)


def markets_of(report: dict) -> dict[str, dict]:
    return {m["market"]: m for m in report["markets"]}


def topics_of(market: dict) -> dict[str, dict]:
    return {t["topic"]: t for t in market["topics"]}


# ---- the loader --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({"cooperation": {"status": "partner"}}, "XX.cooperation: status 'partner' needs a source with url and quote"),
    ({"cooperation": {"status": "not-partner", "sources": [{"url": "https://example.org/a"}]}},
     "needs a source with url and quote"),
    ({"cooperation": {"status": "friend"}}, "XX.cooperation.status must be one of partner, not-partner, unknown"),
    ({"cooperation": {"status": "partner", "since": "2017-13", "sources": [SOURCE]}}, "XX.cooperation.since"),
    ({"cooperation": {"status": "partner", "since": "2017-01-01T00:00", "sources": [SOURCE]}}, "is not YYYY"),
    ({"cooperation": {"status": "partner", "sources": [{**SOURCE, "url": "ftp://example.org/a"}]}},
     "XX.cooperation.sources[0]/url: "),
    ({"cooperation": {"status": "partner", "sources": [{**SOURCE, "url": "https://example.org/"}]}},
     "a portal's home page is not a source"),
    ({"cooperation": {"status": "partner", "sources": [{**SOURCE, "language": "zh"}]}}, "`quote_en` (an English rendering) is required"),
    ({"cooperation": {"status": "partner", "sources": [{"url": "https://example.org/a", "quote": "q"}]}},
     "XX.cooperation.sources[0]/title: `title` is missing"),
    ({"coverage": {"cooking": {"status": "none", "sources": [SOURCE]}}}, "XX.coverage.cooking: unknown topic"),
    ({"coverage": {"payments": {"status": "none"}}}, "XX.coverage.payments: 'none' needs a source"),
    ({"coverage": {"payments": {"status": "maybe"}}}, "XX.coverage.payments.status must be one of"),
    ({"cooperation": {"status": "partner", "confidence": "sure", "sources": [SOURCE]}},
     "XX.cooperation.confidence must be one of H, M"),
])
def test_the_loader_refuses_cooperation_and_coverage_it_cannot_trust(fields, message):
    problems = jurisdiction_problems(entry(**fields), set())
    assert any(message in p for p in problems), problems


def test_the_loader_accepts_the_format_and_refuses_none_beside_a_document():
    good = entry(cooperation={"status": "partner", "since": "2017-11", "memorandum": "M", "sources": [SOURCE]},
                 coverage={"payments": {"status": "none", "sources": [SOURCE]}, "labelling": {"status": "not-researched"}})
    assert jurisdiction_problems(good, set()) == []
    assert jurisdiction_problems(entry(cooperation=None), set()) == []
    clash = jurisdiction_problems(good, {"payments"})
    assert clash == ["XX.coverage.payments: says no rule exists, but this folder has a XX document on payments"]


def test_a_bad_jurisdictions_file_writes_nothing(corpus_engine, tmp_path):
    from registry.services import corpus
    from registry.storage.database import write_session
    from tests.conftest import TEST_ADMIN

    (tmp_path / "jurisdictions.json").write_text(json.dumps({"format": "registry-jurisdictions/1", "jurisdictions": [
        {"code": "MY", "name": "Malaysia", "kind": "economy", "cooperation": {"status": "partner"}}]}))
    with write_session(corpus_engine) as session:
        report = corpus.load(session, TEST_ADMIN, tmp_path)
    assert not report.ok and "MY.cooperation" in report.errors[0].detail
    with corpus_engine.connect() as connection:
        assert connection.execute(text("SELECT cooperation_status FROM jurisdiction WHERE code = 'MY'")).scalar() == "unknown"


def test_since_and_status_in_words():
    assert words.since_words("2017-11") == "November 2017"
    assert words.since_words("2017") == "2017 (month unknown)"
    assert words.since_words("2017-11-27") == "27 November 2017"
    assert words.cooperation_words(None) == "Cooperation status not researched"
    assert words.cooperation_words({"status": "partner", "since": "2017-11"}) == (
        "Partner of China's bilateral e-commerce cooperation mechanism since November 2017")
    assert words.cooperation_words({"status": "not-partner"}).startswith("Not a partner")
    # how sure, in words, where the entry says it
    assert words.cooperation_words({"status": "partner", "since": "2018-07", "confidence": "M"}) == (
        "Partner of China's bilateral e-commerce cooperation mechanism since July 2018 "
        "(confidence M: one secondary source)")
    assert words.cooperation_words({"status": "partner", "since": "2017-03-27", "confidence": "H"}).endswith(
        "since 27 March 2017 (confidence H: an official source or two independent sources)")


# ---- the API and the pages ---------------------------------------------------------------------------------

def test_the_api_shows_and_filters_by_cooperation(client):
    partners = client.get("/api/v1/jurisdictions?cooperation=partner").json()
    codes = [j["code"] for j in partners["items"]]  # the fixture's partners and the shipped corpus's own
    assert {"KE", "MY"} <= set(codes) and "SG" not in codes and partners["total"] == len(codes)
    assert all(j["cooperation"]["status"] == "partner" for j in partners["items"])
    assert [j["code"] for j in client.get("/api/v1/jurisdictions?cooperation=not-partner").json()["items"]] == ["SG"]
    unknown = client.get("/api/v1/jurisdictions?cooperation=unknown").json()
    assert "CN" in [j["code"] for j in unknown["items"]] and "MY" not in [j["code"] for j in unknown["items"]]
    my = client.get("/api/v1/jurisdictions/MY").json()["cooperation"]
    assert my["status"] == "partner" and my["since"] == "2017-11"
    assert my["text"] == "Partner of China's bilateral e-commerce cooperation mechanism since November 2017"
    assert my["sources"][0]["quote_en"] == "A test quote."
    cn = client.get("/api/v1/jurisdictions/CN").json()["cooperation"]
    assert cn["status"] == "unknown" and cn["text"] == "Cooperation status not researched"
    assert client.get("/api/v1/jurisdictions?cooperation=friend").status_code == 400


def test_coverage_per_topic(client):
    sg = {c["topic"]: c for c in client.get("/api/v1/jurisdictions/SG/coverage").json()}
    assert sg["consumer-protection"]["status"] == "recorded"
    assert sg["consumer-protection"]["documents"] == ["SG/consumer-protection"]
    assert sg["payments"]["status"] == "none" and sg["payments"]["sources"][0]["url"].startswith("https://")
    assert sg["labelling"]["status"] == "not-researched" and sg["e-invoicing"]["status"] == "not-researched"
    # a bloc's document counts for its members
    kz = {c["topic"]: c for c in client.get("/api/v1/jurisdictions/KZ/coverage").json()}
    assert kz["customs-and-tax"]["status"] == "recorded" and "EAEU/customs-low-value" in kz["customs-and-tax"]["documents"]
    assert list(kz) == [t.slug for t in TOPICS]  # every topic, in the fixed order
    assert client.get("/api/v1/jurisdictions/XX/coverage").status_code == 404


def test_the_pages_show_cooperation_in_words_and_the_coverage_table(client):
    page = client.get("/jurisdictions/MY").text
    assert "Partner of China&#39;s bilateral e-commerce cooperation mechanism since November 2017" in page
    assert "Test fixture memorandum" in page and 'href="https://example.org/fixture/my-memorandum"' in page
    assert "A test quote." in page and "Coverage by topic" in page
    sg = client.get("/jurisdictions/SG").text
    assert 'class="coverage-none"' in sg and 'class="coverage-not-researched"' in sg
    checked = client.get("/compliance", params={"markets": "EU", "profile": json.dumps(EU_SELLER_LABELLING)}).text
    assert "not researched in EU: the registry cannot say you comply there" in checked
    listing = client.get("/jurisdictions?cooperation=partner").text
    assert ">MY<" in listing and ">SG<" not in listing and ">CN<" not in listing


# ---- compliance ----------------------------------------------------------------------------------------------

def test_an_eu_sellers_labelling_against_the_eu_is_not_covered(client):
    response = client.post(CHECK, json={"profile": EU_SELLER_LABELLING, "markets": ["EU"], "as_of": "2026-08-01"})
    eu = markets_of(response.json())["EU"]
    # the EU's consumer rules apply to a B2C seller and ask facts this profile leaves out: incomplete comes first
    assert eu["status"] == "incomplete" and eu["questions"]
    assert topics_of(eu)["labelling"] == {"topic": "labelling", "coverage": "not-researched",
                                              "status": "not_covered", "documents": []}
    only = client.post(CHECK, json={"profile": EU_SELLER_LABELLING, "markets": ["EU"], "as_of": "2026-08-01",
                                    "topics": ["labelling"]}).json()
    assert markets_of(only)["EU"]["status"] == "not_covered"


def test_a_gap_found_still_says_non_compliant_and_lists_the_uncovered_topic(client):
    profile = {**EU_SELLER_LABELLING, "consumer_protection": {"withdrawal_period_days": 7}}
    eu = markets_of(client.post(CHECK, json={"profile": profile, "markets": ["EU"]}).json())["EU"]
    assert eu["status"] == "non_compliant"
    assert topics_of(eu)["consumer-protection"]["status"] == "non_compliant"
    assert topics_of(eu)["labelling"]["status"] == "not_covered"


def test_a_topic_researched_as_none_is_not_applicable_and_a_named_topic_counts(client):
    profile = {"seller": {"sells_b2c": True}, "payments": {"processes_payments": True}}
    sg = markets_of(client.post(CHECK, json={"profile": profile, "markets": ["SG"]}).json())["SG"]
    assert topics_of(sg)["payments"] == {"topic": "payments", "coverage": "none", "status": "not_applicable",
                                         "documents": []}
    assert sg["status"] not in ("not_covered", "non_compliant")
    # the same profile, the request naming labelling: not researched in SG
    named = client.post(CHECK, json={"profile": profile, "markets": ["SG", "CN"], "topics": ["labelling"]}).json()
    assert markets_of(named)["SG"]["status"] == "not_covered"
    assert [t["topic"] for t in markets_of(named)["SG"]["topics"]] == ["labelling"]
    assert markets_of(named)["CN"]["status"] == "not_covered"


def test_a_topic_the_profile_leaves_out_is_not_concerned(client):
    profile = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 14}}
    eu = markets_of(client.post(CHECK, json={"profile": profile, "markets": ["EU"]}).json())["EU"]
    assert eu["status"] != "not_covered" and "labelling" not in topics_of(eu)


def test_new_coverage_reaches_a_cached_check(client, corpus_engine, tmp_path):
    body = {"profile": {"seller": {"sells_b2c": True}, "payments": {"processes_payments": True}}, "markets": ["KE"]}
    assert topics_of(markets_of(client.post(CHECK, json=body).json())["KE"])["payments"]["status"] == "not_covered"
    data = json.loads((FIXTURE / "jurisdictions.json").read_text())
    ke = next(j for j in data["jurisdictions"] if j["code"] == "KE")
    ke["coverage"] = {"payments": {"status": "none", "sources": [SOURCE]}}
    (tmp_path / "jurisdictions.json").write_text(json.dumps(data))
    load_folder(corpus_engine, tmp_path)
    assert topics_of(markets_of(client.post(CHECK, json=body).json())["KE"])["payments"]["status"] == "not_applicable"


def test_formats_batch_and_cli_show_not_covered(client, database_url, monkeypatch, tmp_path):
    base = {"profile": EU_SELLER_LABELLING, "markets": ["EU"]}
    markdown = client.post(CHECK + "?format=md", json=base).text
    assert "| EU | labelling | not-researched | not_covered |" in markdown
    rows = list(csv.DictReader(io.StringIO(client.post(CHECK + "?format=csv", json=base).text)))
    assert any("labelling: not_covered" in r["requirement"] for r in rows)
    batch = client.post("/api/v1/compliance/batch?markets=EU",
                        content=json.dumps({"id": 1, "profile": EU_SELLER_LABELLING}) + "\n")
    [line] = [json.loads(x) for x in batch.text.splitlines() if x.strip()]
    assert line["results"][0]["status"] == "incomplete"  # the EU's consumer rules ask more (see above)
    assert {"topic": "labelling", "status": "not_covered"} in line["results"][0]["topics"]
    from registry.cli import main

    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "300")
    profile = tmp_path / "eu.json"
    profile.write_text(json.dumps(EU_SELLER_LABELLING))
    result = CliRunner().invoke(main, ["check", str(profile), "--markets", "EU", "--as-of", "2026-08-01"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "| EU | incomplete |" in result.output and "| EU | labelling | not-researched | not_covered |" in result.output


# ---- matrix and gap reports ----------------------------------------------------------------------------------

def test_matrix_cells_of_a_topic_not_researched_are_unknown(client):
    data = client.get("/api/v1/comparisons/matrix?topic=labelling").json()
    assert data["coverage"]["EU"] == "not-researched" and data["coverage"]["ID"] == "recorded"
    cell = next(c for c in data["cells"] if {c["left"], c["right"]} == {"ID", "EU"})
    assert cell["relation"] == "unknown" and cell["score"] is None and "EU not researched" in cell["reason"]
    known = next(c for c in data["cells"] if {c["left"], c["right"]} == {"ID", "VN"})
    assert known["score"] is not None
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/comparisons/matrix?topic=labelling&format=csv").text)))
    row = next(r for r in rows if {r["left"], r["right"]} == {"ID", "EU"})
    assert row["score"] == "" and "not-researched" in (row["left_coverage"], row["right_coverage"])
    page = client.get("/matrix?topic=labelling").text
    assert "not researched on it" in page and "EU" in page


def test_a_researched_none_is_compared_and_the_matrix_filters_by_cooperation(client):
    data = client.get("/api/v1/comparisons/matrix?topic=payments").json()
    assert data["coverage"]["SG"] == "none" and data["coverage"]["ID"] == "recorded"
    cell = next(c for c in data["cells"] if {c["left"], c["right"]} == {"ID", "SG"})
    assert cell["score"] is not None and cell["relation"] != "unknown"
    partners = client.get("/api/v1/comparisons/matrix?topic=personal-data&cooperation=partner").json()
    listed = partners["jurisdictions"]
    assert {"KE", "MY"} <= set(listed) and "SG" not in listed
    assert len(partners["cells"]) == len(listed) * (len(listed) - 1) // 2
    assert "cooperation" in client.get("/matrix?topic=payments&cooperation=partner").text


def test_a_gap_to_a_target_not_researched_is_unknown(client):
    data = client.get("/api/v1/gaps?from=ID&to=EU&topic=labelling").json()
    assert data["covered"] == "unknown" and "EU has not been researched on labelling" in data["reason"]
    assert data["not_researched"] == {"from": [], "to": ["labelling"]}
    markdown = client.get("/api/v1/gaps?from=ID&to=EU&topic=labelling&format=md").text
    assert "## Not researched" in markdown and "EU: labelling (rules unknown, not absent)" in markdown
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/gaps?from=ID&to=EU&topic=labelling&format=csv").text)))
    assert [r["status"] for r in rows] == ["not_researched"]
    # a target known on the topic keeps its answer
    assert client.get("/api/v1/gaps?from=ID&to=EU&topic=consumer-protection").json()["covered"] == "no"


# ---- the migration -------------------------------------------------------------------------------------------

def test_migration_0009_takes_the_status_from_stored_cooperation(engine):
    from registry.storage.migrate import migrate
    from tests.conftest import downgrade

    downgrade(engine, "0005_organisations")
    with engine.begin() as connection:
        for code, cooperation in (("AA", {"status": "partner", "since": "2017"}), ("BB", None),
                                  ("CC", {"status": "odd"})):
            connection.execute(text("INSERT INTO jurisdiction (code, name, kind, region, cooperation, created_at) "
                                    "VALUES (:code, 'x', 'economy', '', :cooperation, CURRENT_TIMESTAMP)"),
                               {"code": code, "cooperation": json.dumps(cooperation) if cooperation else None})
    migrate(engine)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT code, cooperation_status FROM jurisdiction")).all())
    assert found == {"AA": "partner", "BB": "unknown", "CC": "unknown"}
    downgrade(engine, "0005_organisations")
    migrate(engine)
