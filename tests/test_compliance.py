"""Compliance checks against the shipped corpus: per market, as of a date, combined, formats, batch,
saved profiles and their privacy, and the impact of a draft rule."""

from __future__ import annotations

import csv
import io
import json
from unittest.mock import ANY

import pytest

from tests.conftest import auth

CHECK = "/api/v1/compliance/check"
SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
# every fact the CN, EU and BR consumer rules ask of a B2C seller, stated (docs/compliance.md)
STATED = {"seller": {"sells_b2c": True, "is_marketplace": False},
          "consumer_protection": {"withdrawal_period_days": 7, "withdrawal_period_counted_from": "receipt-of-goods",
                                  "withdrawal_requires_reason": False, "refund_deadline_days": 7,
                                  "refund_includes_delivery_charges": True, "withdrawal_information_given": True}}


def check(client, profile=SEVEN_DAYS, markets=("CN", "EU", "BR"), **extra):
    body = {"profile": profile, "markets": list(markets), "topics": ["consumer-protection"], **extra}
    response = client.post(CHECK, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def by_market(report):
    return {m["market"]: m for m in report["markets"]}


def test_seven_days_leaves_cn_and_br_open_and_breaks_the_eu_rule(corpus_client):
    report = check(corpus_client)
    markets = by_market(report)
    # CN's and BR's rules ask more than the period: unstated is not compliant
    assert markets["CN"]["status"] == "incomplete" and markets["BR"]["status"] == "incomplete"
    assert [q["path"] for q in markets["CN"]["questions"]] == [
        "/consumer_protection/withdrawal_period_counted_from", "/consumer_protection/withdrawal_requires_reason",
        "/consumer_protection/refund_deadline_days"]
    assert markets["EU"]["status"] == "non_compliant"
    [violation] = markets["EU"]["violations"]
    assert violation["path"] == "/consumer_protection/withdrawal_period_days"
    assert violation["expected"] == 14 and violation["actual"] == 7
    assert violation["citation"] == "Directive 2011/83/EU Art 9(1)"
    assert violation["obligation"] == "must" and violation["confidence"] == "H"
    assert violation["document"].startswith("EU/consumer-protection@")
    combined = [c for c in report["combined"]
                if c["path"] == "/consumer_protection/withdrawal_period_days" and c["keyword"] == "minimum"]
    assert [c["value"] for c in combined] == [14]
    assert combined[0]["labels"] == ["EU"]
    assert {v["ref"].split("@")[0] for v in report["versions_used"]} == {
        "CN/consumer-protection", "EU/consumer-protection", "BR/consumer-protection"}


def test_seven_days_with_every_fact_stated_meets_cn_and_br_but_not_eu(corpus_client):
    markets = by_market(check(corpus_client, STATED))
    assert markets["BR"]["status"] == "compliant"
    # CN's rule on who pays the return freight is recorded but no machine can check it
    assert markets["CN"]["status"] == "not_checkable" and markets["CN"]["summary"]["rules_to_review"] == 1
    assert markets["EU"]["status"] == "non_compliant"


def test_fourteen_days_with_every_fact_stated_breaks_nothing_anywhere(corpus_client):
    profile = {**STATED, "consumer_protection": {**STATED["consumer_protection"], "withdrawal_period_days": 14}}
    markets = by_market(check(corpus_client, profile))
    assert {m: r["status"] for m, r in markets.items()} == {"CN": "not_checkable", "EU": "not_checkable",
                                                             "BR": "compliant"}
    assert all(not r["violations"] and not r["questions"] for r in markets.values())


def test_a_rule_not_yet_in_force_is_not_seen(corpus_client):
    # Directive 2011/83/EU applies from 2014-06-13 in the corpus
    before = by_market(check(corpus_client, as_of="2014-06-12"))
    assert before["EU"]["status"] == "not_applicable" and before["EU"]["documents"] == []
    after = by_market(check(corpus_client, as_of="2014-06-13"))
    assert after["EU"]["status"] == "non_compliant"


def test_the_report_names_the_versions_it_used_for_an_exact_rerun(corpus_client):
    report = check(corpus_client, as_of="2020-06-01")
    question = {"profile": SEVEN_DAYS, "markets": ["CN", "EU", "BR"], "as_of": "2020-06-01",
                "topics": ["consumer-protection"]}
    assert report["check_again"] == question
    assert report["rerun"] == {**question, "vocabulary": {"ref": report["vocabulary"], "content_hash": ANY},
                               "versions": [{"ref": v["ref"], "content_hash": v["content_hash"],
                                             "body_hash": v["body_hash"]} for v in report["versions_used"]],
                               "coverage": {m: ANY for m in question["markets"]}}
    assert all(len(v["content_hash"]) == 64 for v in report["versions_used"])
    again = check(corpus_client, as_of="2020-06-01")
    assert again["versions_used"] == report["versions_used"]


def test_bloc_rules_apply_to_members(corpus_client):
    response = corpus_client.post(CHECK, json={"profile": SEVEN_DAYS, "markets": ["KZ"]})
    documents = by_market(response.json())["KZ"]["documents"]
    assert any(d.startswith("EAEU/customs-low-value@") for d in documents)
    assert any(d.startswith("KZ/") for d in documents)


@pytest.mark.parametrize("fmt, accept, media, marker", [
    ("md", None, "text/markdown", "# Compliance check"),
    (None, "text/markdown", "text/markdown", "Directive 2011/83/EU Art 9(1)"),
    ("csv", None, "text/csv", "market,status,path"),
    (None, "text/csv", "text/csv", "non_compliant"),
    ("html", None, "text/html", "<table>"),
    (None, "text/html", "text/html", "Directive 2011/83/EU Art 9(1)"),
    ("json", "text/csv", "application/json", '"markets"'),
])
def test_formats(corpus_client, fmt, accept, media, marker):
    url = CHECK + (f"?format={fmt}" if fmt else "")
    response = corpus_client.post(url, json={"profile": SEVEN_DAYS, "markets": ["CN", "EU", "BR"],
                                             "topics": ["consumer-protection"]},
                                  headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text


def test_csv_rows_carry_the_citation(corpus_client):
    response = corpus_client.post(CHECK + "?format=csv", json={"profile": SEVEN_DAYS, "markets": ["EU"],
                                                               "topics": ["consumer-protection"]})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    [row] = [r for r in rows if r["path"] and not r["requirement"].startswith("open question: ")]
    assert row["citation"] == "Directive 2011/83/EU Art 9(1)" and row["status"] == "non_compliant"


def test_csv_cells_never_start_a_formula():
    from registry.reports.formats import csv_text

    text = csv_text(["a"], [["=HYPERLINK(\"http://x\")"], ["+1"], ["-1"], ["@SUM(A1)"], ["fine"]])
    assert [r[0] for r in csv.reader(io.StringIO(text))][1:] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-1",
                                                                 "'@SUM(A1)", "fine"]


@pytest.mark.parametrize("body, status, code, pointer", [
    ({"profile": {"seller": {"sells_b2c": "yes"}}, "markets": ["EU"]}, 422, "invalid_profile", "/profile/seller/sells_b2c"),
    ({"profile": {"no_such_topic": {}}, "markets": ["EU"]}, 422, "invalid_profile", None),
    ({"profile": SEVEN_DAYS, "markets": []}, 400, "markets_required", "/markets"),
    ({"profile": SEVEN_DAYS, "markets": ["XX"]}, 404, "unknown_jurisdiction", None),
    ({"profile": SEVEN_DAYS, "markets": ["eu"]}, 400, "invalid_jurisdiction_code", "/markets"),
    ({"profile": SEVEN_DAYS, "markets": ["EU"], "topics": ["gardening"]}, 404, "unknown_topic", None),
    ({"markets": ["EU"]}, 400, "profile_required", "/profile"),
    ({"profile": SEVEN_DAYS, "markets": ["EU"], "as_of": "2024-02-30"}, 400, "invalid_input", "/as_of"),
])
def test_bad_requests(corpus_client, body, status, code, pointer):
    response = corpus_client.post(CHECK, json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    if pointer is not None:
        assert response.json()["pointer"] == pointer


def test_batch_streams_one_result_per_line_and_survives_bad_lines(corpus_client):
    lines = [json.dumps({"id": "a", "profile": SEVEN_DAYS}), "this is not json", "",
             json.dumps({"id": "b", "profile": {"seller": {"sells_b2c": "no"}}}),
             json.dumps({"id": "c", "profile": {**SEVEN_DAYS, "consumer_protection": {"withdrawal_period_days": 30}}}),
             json.dumps({"id": "d"}), "[" * 5000]
    response = corpus_client.post("/api/v1/compliance/batch?markets=CN,EU&topics=consumer-protection",
                                  content="\n".join(lines).encode())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    results = [json.loads(line) for line in response.text.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 4, 5, 6, 7]  # physical line numbers; line 3 is blank
    assert [r.get("id") for r in results] == ["a", None, "b", "c", None, None]
    assert {m["market"]: m["status"] for m in results[0]["results"]} == {"CN": "incomplete", "EU": "non_compliant"}
    assert "/consumer_protection/refund_deadline_days" in results[0]["results"][0]["questions"]
    assert results[1]["error"]["code"] == "invalid_json"
    assert results[2]["error"]["code"] == "invalid_profile"
    assert {m["status"] for m in results[3]["results"]} == {"incomplete"}  # 30 days, the rest unstated
    assert results[4]["error"]["code"] == "invalid_line"
    assert results[5]["error"]["code"] == "too_deep"


def test_batch_refuses_a_line_over_the_limit_and_goes_on(corpus_client):
    big = json.dumps({"id": "big", "profile": {"x": "y" * 1_100_000}})
    body = "\n".join([big, json.dumps({"id": "ok", "profile": SEVEN_DAYS})]).encode()
    results = [json.loads(x) for x in corpus_client.post("/api/v1/compliance/batch?markets=EU",
                                                          content=body).text.splitlines()]
    assert results[0]["error"]["code"] == "line_too_long"
    assert results[1]["id"] == "ok" and results[1]["results"][0]["status"] == "non_compliant"


def test_batch_with_bad_markets_is_one_error(corpus_client):
    response = corpus_client.post("/api/v1/compliance/batch?markets=", content=b"{}")
    assert response.status_code == 400 and response.json()["code"] == "markets_required"


# ---- saved profiles -----------------------------------------------------------------------------------------

@pytest.fixture
def acme(corpus_client, make_token):
    return auth(make_token("enterprise", name="acme"))


@pytest.fixture
def globex(corpus_client, make_token):
    return auth(make_token("enterprise", name="globex"))


def save(client, headers, profile=SEVEN_DAYS, name="EU shop"):
    response = client.post("/api/v1/profiles", json={"name": name, "profile": profile}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_saved_profiles_are_private(corpus_client, acme, globex, make_token):
    mine = save(corpus_client, acme)
    url = f"/api/v1/profiles/{mine['id']}"
    assert corpus_client.get(url, headers=acme).json()["versions"][-1]["profile"] == SEVEN_DAYS
    for outsider in (globex, auth(make_token("regulator", "EU")), auth(make_token("secretariat")), {}):
        response = corpus_client.get(url, headers=outsider)
        assert response.status_code in (404,) if outsider else response.status_code == 404
        assert response.json()["code"] == "unknown_profile"
        checked = corpus_client.post(CHECK, json={"profile_id": mine["id"], "markets": ["EU"]}, headers=outsider)
        assert checked.status_code == 404
    assert corpus_client.get("/api/v1/profiles", headers=globex).json()["total"] == 0
    assert corpus_client.get("/api/v1/profiles", headers=acme).json()["total"] == 1
    assert corpus_client.get(f"{url}/checks", headers=globex).status_code == 404
    assert corpus_client.put(url, json={"profile": {}}, headers=globex).status_code == 404


def test_saved_profiles_are_versioned_and_keep_their_check_history(corpus_client, acme):
    mine = save(corpus_client, acme)
    url = f"/api/v1/profiles/{mine['id']}"
    same = corpus_client.put(url, json={"profile": SEVEN_DAYS}, headers=acme).json()
    assert len(same["versions"]) == 1  # an unchanged body adds nothing
    better = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 14}}  # the rest open
    assert len(corpus_client.put(url, json={"profile": better, "note": "14 days"}, headers=acme).json()["versions"]) == 2
    first = corpus_client.post(CHECK, json={"profile_id": mine["id"], "profile_version": 1, "markets": ["EU"],
                                            "topics": ["consumer-protection"]}, headers=acme).json()
    latest = corpus_client.post(CHECK, json={"profile_id": mine["id"], "markets": ["EU"],
                                             "topics": ["consumer-protection"]}, headers=acme).json()
    assert first["markets"][0]["status"] == "non_compliant" and latest["markets"][0]["status"] == "incomplete"
    history = corpus_client.get(f"{url}/checks", headers=acme).json()
    assert [(h["profile_number"], h["statuses"]) for h in history] == [(1, {"EU": "non_compliant"}),
                                                                       (2, {"EU": "incomplete"})]
    assert all(h["versions_used"] for h in history)


def test_only_enterprises_save_profiles(corpus_client, make_token):
    response = corpus_client.post("/api/v1/profiles", json={"name": "x", "profile": {}},
                                  headers=auth(make_token("regulator", "EU")))
    assert response.status_code == 403
    assert corpus_client.post("/api/v1/profiles", json={"name": "x", "profile": {}}).status_code == 401


# ---- impact of a draft ----------------------------------------------------------------------------------------

def test_impact_counts_profiles_a_draft_would_turn_non_compliant(corpus_client, acme, globex, make_token):
    def days(n):
        return {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": n}}

    own = save(corpus_client, acme, days(15), "ok today")
    save(corpus_client, globex, days(16), "theirs")
    save(corpus_client, acme, days(30), "generous")
    save(corpus_client, acme, days(7), "already short")
    eu = auth(make_token("regulator", "EU"))
    current = corpus_client.get("/api/v1/documents/EU/consumer-protection/versions/latest").json()["schema"]
    draft = json.loads(json.dumps(current).replace('"minimum": 14', '"minimum": 21'))
    created = corpus_client.post("/api/v1/documents/EU/consumer-protection/versions",
                                 json={"schema": draft, "effective_from": "2027-01-01"}, headers=eu)
    assert created.status_code == 201, created.text
    number = created.json()["number"]

    answer = corpus_client.post("/api/v1/compliance/impact", json={"document": "EU/consumer-protection",
                                                                   "version": number}, headers=eu).json()
    assert answer["profiles_checked"] == 4
    assert answer["turned_non_compliant"] == 2
    assert answer["already_non_compliant"] == 1
    assert answer["paths"] == [{"path": "/consumer_protection/withdrawal_period_days", "profiles": 2,
                                "citation": "Directive 2011/83/EU Art 9(1)"}]
    assert "your_profiles" not in answer  # a regulator sees counts only

    inline = corpus_client.post("/api/v1/compliance/impact", json={"document": "EU/consumer-protection",
                                                                   "schema": draft}, headers=acme).json()
    # an enterprise's counts cover its own profiles only: globex's would leak through a schema acme chooses
    assert (inline["profiles_checked"], inline["turned_non_compliant"], inline["already_non_compliant"]) == (3, 1, 1)
    assert inline["your_profiles"] == [own["id"]]

    cn = auth(make_token("regulator", "CN"))
    refused = corpus_client.post("/api/v1/compliance/impact", json={"document": "EU/consumer-protection",
                                                                    "version": number}, headers=cn)
    assert refused.status_code == 403
