"""Issue 17, item 4: the coverage grid — every jurisdiction × every topic (recorded / none exists / not
researched; number of rules; newest source date), as JSON, CSV and the /coverage page, filterable by partner
status and region, and the share researched as a badge on the home page. tests/data/coverage is a fixture
(example.org sources) loaded over the shipped corpus; it states nothing about the law."""

from __future__ import annotations

import csv
import io
import re

import pytest

from registry.domain.topics import TOPICS
from registry.reports.coverage import COVERAGE_COLUMNS
from tests.conftest import ROOT, load_folder

FIXTURE = ROOT / "tests" / "data" / "coverage"


@pytest.fixture
def client(corpus_engine, corpus_client):
    load_folder(corpus_engine, FIXTURE)
    return corpus_client


def rules_in(schema) -> int:
    """x-rule objects in a schema, counted here independently of the service."""
    if isinstance(schema, dict):
        return ("x-rule" in schema) + sum(rules_in(v) for k, v in schema.items() if k != "x-rule")
    if isinstance(schema, list):
        return sum(rules_in(v) for v in schema)
    return 0


def test_every_jurisdiction_and_topic_has_a_cell(client):
    grid = client.get("/api/v1/coverage").json()
    listed = client.get("/api/v1/jurisdictions?limit=500").json()
    assert [j["code"] for j in grid["jurisdictions"]] == sorted(j["code"] for j in listed["items"])
    assert [t["slug"] for t in grid["topics"]] == [t.slug for t in TOPICS]
    for row in grid["jurisdictions"]:
        assert list(row["topics"]) == [t.slug for t in TOPICS]
        for cell in row["topics"].values():
            assert cell["status"] in ("recorded", "none", "not-researched")
            assert (cell["rules"] > 0) == (cell["status"] == "recorded"), (row["code"], cell)
    states = [c["status"] for j in grid["jurisdictions"] for c in j["topics"].values()]
    summary = grid["summary"]
    assert summary["cells"] == len(states) == len(grid["jurisdictions"]) * len(TOPICS)
    assert summary["recorded"] == states.count("recorded") and summary["none"] == states.count("none")
    assert summary["researched"] == summary["recorded"] + summary["none"] == len(states) - summary["not_researched"]
    assert summary["share_researched"] == round(summary["researched"] / summary["cells"], 4)


def test_cells_agree_with_the_jurisdiction_coverage_and_count_the_rules_in_force(client):
    grid = {j["code"]: j for j in client.get("/api/v1/coverage").json()["jurisdictions"]}
    sg = grid["SG"]["topics"]
    assert sg["payments"] == {"status": "none", "rules": 0, "newest_source": "2026-12-02"}
    assert sg["labelling"]["status"] == "not-researched" and sg["labelling"]["newest_source"] is None
    for code in ("SG", "CN", "KZ"):
        per_topic = {c["topic"]: c for c in client.get(f"/api/v1/jurisdictions/{code}/coverage").json()}
        assert {t: c["status"] for t, c in grid[code]["topics"].items()} == \
            {t: c["status"] for t, c in per_topic.items()}
    # CN's customs rules: the x-rules of the version in force today of each of CN's documents on the topic
    cn = {c["topic"]: c for c in client.get("/api/v1/jurisdictions/CN/coverage").json()}
    expected = 0
    for name in cn["customs-and-tax"]["documents"]:
        version = client.get(f"/api/v1/documents/{name}/versions/latest").json()
        expected += rules_in(version["schema"])
    assert expected > 0 and grid["CN"]["topics"]["customs-and-tax"]["rules"] == expected
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", grid["CN"]["topics"]["customs-and-tax"]["newest_source"])
    # a member counts its bloc's rules: KZ's customs cell holds at least the EAEU document's
    eaeu = client.get("/api/v1/documents/EAEU/customs-low-value/versions/latest").json()
    assert grid["KZ"]["topics"]["customs-and-tax"]["rules"] >= rules_in(eaeu["schema"]) > 0


def test_filters_by_partner_status_and_region(client):
    partners = client.get("/api/v1/coverage?cooperation=partner").json()
    codes = {j["code"] for j in partners["jurisdictions"]}
    assert {"KE", "MY"} <= codes and "SG" not in codes and "CN" not in codes
    assert all(j["cooperation"]["status"] == "partner" for j in partners["jurisdictions"])
    assert partners["filters"] == {"cooperation": "partner", "region": None}
    south_east = client.get("/api/v1/coverage", params={"region": "South-East Asia"}).json()
    assert south_east["jurisdictions"] and all(j["region"] == "South-East Asia" for j in south_east["jurisdictions"])
    assert client.get("/api/v1/coverage?cooperation=friend").status_code == 400
    nothing = client.get("/api/v1/coverage", params={"region": "Atlantis"}).json()
    assert nothing["jurisdictions"] == [] and nothing["summary"]["cells"] == 0
    assert nothing["summary"]["share_researched"] is None


def test_csv_has_a_row_per_cell_with_the_same_facts(client):
    grid = client.get("/api/v1/coverage").json()
    answer = client.get("/api/v1/coverage?format=csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == COVERAGE_COLUMNS
    assert len(rows) == grid["summary"]["cells"]
    sg_payments = next(r for r in rows if r["code"] == "SG" and r["topic"] == "payments")
    assert sg_payments["status"] == "none" and sg_payments["newest_source"] == "2026-12-02"
    assert sg_payments["cooperation_status"] == "not-partner"
    assert client.get("/api/v1/coverage", headers={"accept": "text/csv"}).text == answer.text
    refused = client.get("/api/v1/coverage?format=md")
    assert refused.status_code == 400 and refused.json()["code"] == "unsupported_format"


def test_the_page_shows_every_cell_in_words_and_filters(client):
    grid = client.get("/api/v1/coverage").json()
    page = client.get("/coverage")
    assert page.status_code == 200
    for row in grid["jurisdictions"]:
        assert f'href="/jurisdictions/{row["code"]}"' in page.text
    cells = re.findall(r'<td class="coverage-(recorded|none|not-researched)">([^<]*)', page.text)
    assert len(cells) == grid["summary"]["cells"]
    words = {"recorded": "recorded: ", "none": "researched: none exists", "not-researched": "not researched"}
    assert all(text.startswith(words[state]) for state, text in cells)
    assert f'{grid["summary"]["not_researched"]} not researched' in page.text
    assert "partner since November 2017" in page.text  # the fixture's MY, in words
    filtered = client.get("/coverage?cooperation=partner&region=").text
    assert 'href="/jurisdictions/MY"' in filtered and 'href="/jurisdictions/SG"' not in filtered
    assert 'href="/api/v1/coverage?cooperation=partner&amp;format=csv"' in filtered


def test_the_home_page_badge_gives_the_share_researched(client):
    summary = client.get("/api/v1/coverage").json()["summary"]
    home = client.get("/").text
    badge = re.search(r'id="coverage-badge"><span class="figure">(\d+)%</span> researched \((\d+) of (\d+) ', home)
    assert badge, "no coverage badge on the home page"
    assert int(badge[2]) == summary["researched"] and int(badge[3]) == summary["cells"]
    assert int(badge[1]) == round(100 * summary["researched"] / summary["cells"])
