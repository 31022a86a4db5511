"""The comparison engine in the registry: compare, gap reports, the matrix, semantic diffs and the
compatibility policy on publish."""

from __future__ import annotations

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import EUR_LEX_SOURCE, auth


def test_gap_cn_to_eu_lists_the_fourteen_day_rule_with_its_citation(corpus_client):
    data = corpus_client.get("/api/v1/gaps?from=CN&to=EU&topic=consumer-protection").json()
    assert data["covered"] == "no"
    items = {(i["path"], i["keyword"]): i for i in data["items"]}
    item = items[("/consumer_protection/withdrawal_period_days", "minimum")]
    assert item["required"] == 14
    assert item["citation"] == "Directive 2011/83/EU Art 9(1)" and item["obligation"] == "must"
    assert [v["ref"].split("@")[0] for v in data["to"]["versions"]] == ["EU/consumer-protection"]


def test_gap_eu_to_cn_lists_nothing_that_eu_already_implies(corpus_client):
    data = corpus_client.get("/api/v1/gaps?from=EU&to=CN&topic=consumer-protection").json()
    keys = {(i["path"], i["keyword"]) for i in data["items"]}
    # EU's 14 days imply CN's 7: that requirement must not be reported
    assert ("/consumer_protection/withdrawal_period_days", "minimum") not in keys
    for item in data["items"]:
        assert item["citation"] and item["status"] in ("missing", "weaker", "unknown", "combination")
        if item["status"] == "unknown":
            assert item["reason"]


def test_a_framework_gap_to_itself_is_empty(corpus_client):
    data = corpus_client.get("/api/v1/gaps?from=EU&to=EU").json()
    assert data["covered"] == "yes" and data["items"] == []


@pytest.mark.parametrize("fmt, media, marker", [("md", "text/markdown", "# Gap report CN → EU"),
                                                ("csv", "text/csv", "path,keyword,required"),
                                                ("html", "text/html", "<table>")])
def test_gap_formats(corpus_client, fmt, media, marker):
    response = corpus_client.get(f"/api/v1/gaps?from=CN&to=EU&topic=consumer-protection&format={fmt}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert marker in response.text and "Directive 2011/83/EU Art 9(1)" in response.text


def test_gap_items_carry_a_witness_in_every_format(corpus_client):
    url = "/api/v1/gaps?from=CN&to=EU&topic=consumer-protection"
    items = corpus_client.get(url).json()["items"]
    found = [i for i in items if i["status"] in ("missing", "weaker", "narrower_condition", "combination")]
    assert found and all("witness" in i for i in found), items
    days = next(i for i in found if i["path"] == "/consumer_protection/withdrawal_period_days")
    assert days["witness"]["consumer_protection"]["withdrawal_period_days"] < 14
    rows = list(csv.DictReader(io.StringIO(corpus_client.get(url + "&format=csv").text)))
    assert [json.loads(r["witness"]) for r in rows if r["status"] != "unknown"] == [i["witness"] for i in found]
    markdown = corpus_client.get(url + "&format=md").text
    assert "| witness |" in markdown and json.dumps(days["witness"], ensure_ascii=False) in markdown


def test_the_matrix_covers_every_pair_with_a_score(corpus_client):
    data = corpus_client.get("/api/v1/comparisons/matrix?topic=consumer-protection").json()
    names = data["jurisdictions"]
    assert {"CN", "EU", "BR"} <= set(names)
    assert len(data["cells"]) == len(names) * (len(names) - 1) // 2
    for cell in data["cells"]:
        researched = "not-researched" not in cell["coverage"].values()
        assert (0 <= cell["score"] <= 1) if researched else cell["score"] is None
        assert cell["relation"] in ("equivalent", "stricter", "looser", "overlapping", "disjoint", "unknown")
        if cell["relation"] == "unknown":
            assert cell["reason"]
    rows = list(csv.DictReader(io.StringIO(corpus_client.get(
        "/api/v1/comparisons/matrix?topic=consumer-protection&format=csv").text)))
    assert len(rows) == len(data["cells"])


@pytest.mark.parametrize("topic", ["consumer-protection", "customs-and-tax", "personal-data", "platform-presence",
                                   "e-signatures", "e-invoicing", "labelling", "payments"])
def test_gap_and_matrix_run_over_the_whole_corpus(corpus_client, topic):
    matrix = corpus_client.get(f"/api/v1/comparisons/matrix?topic={topic}")
    assert matrix.status_code == 200
    for cell in matrix.json()["cells"]:
        if cell["score"] is None:  # a side not researched on the topic: unknown, nothing to compare
            assert cell["relation"] == "unknown" and "not researched" in cell["reason"]
            continue
        gap = corpus_client.get(f"/api/v1/gaps?from={cell['left']}&to={cell['right']}&topic={topic}")
        assert gap.status_code == 200, gap.text
        for item in gap.json()["items"]:
            assert item["status"] != "unknown" or item["reason"], item


def test_compare_two_references(corpus_client):
    response = corpus_client.post("/api/v1/compare", json={"left": "EU/consumer-protection@latest",
                                                            "right": "CN/consumer-protection@latest"})
    data = response.json()
    assert response.status_code == 200
    assert data["relation"] in ("overlapping", "stricter", "looser", "disjoint")
    days = [d for d in data["differences"] if d["path"] == "/consumer_protection/withdrawal_period_days"]
    assert days and days[0]["left_rule"]["citation"] == "Directive 2011/83/EU Art 9(1)"




def test_compare_inline_schemas_with_witnesses(corpus_client):
    left = {"type": "object", "properties": {"days": {"type": "integer", "minimum": 14}}, "required": ["days"]}
    right = {"type": "object", "properties": {"days": {"type": "integer", "minimum": 7}}, "required": ["days"]}
    data = corpus_client.post("/api/v1/compare", json={"left_schema": left, "right_schema": right}).json()
    assert data["relation"] == "stricter"
    witness = data["only_right"]
    assert Draft202012Validator(right).is_valid(witness) and not Draft202012Validator(left).is_valid(witness)


@pytest.mark.parametrize("body, status, code, pointer", [
    ({"left": "EU/consumer-protection@latest"}, 400, "side_required", "/right"),
    ({"left": "EU/consumer-protection@latest", "right": "XX/none@1"}, 404, "unknown_document", None),
    ({"left": "nonsense", "right": "EU/consumer-protection@1"}, 400, "invalid_name", "/left"),
    ({"left_schema": {"$ref": "http://169.254.169.254/"}, "right": "EU/consumer-protection@1"}, 422,
     "remote_ref_refused", "/left_schema/$ref"),
    ({"left_schema": {"pattern": "(?=x)"}, "right_schema": {}}, 422, "pattern_refused", "/left_schema/pattern"),
])
def test_compare_refuses_bad_input(corpus_client, body, status, code, pointer):
    response = corpus_client.post("/api/v1/compare", json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    if pointer:
        assert response.json()["pointer"] == pointer


def test_the_version_diff_is_semantic(corpus_client, make_token):
    eu = auth(make_token("regulator", "EU"))
    url = "/api/v1/documents/EU/consumer-protection"
    current = corpus_client.get(f"{url}/versions/latest").json()
    stricter = json.loads(json.dumps(current["schema"]).replace('"minimum": 14', '"minimum": 21'))
    created = corpus_client.post(f"{url}/versions", json={"schema": stricter, "effective_from": "2027-01-01"},
                                 headers=eu).json()
    diff = corpus_client.get(f"{url}/versions/{current['number']}/diff/{created['number']}", headers=eu).json()
    assert diff["containment"]["older_vs_newer"] == "looser"  # the old version accepts more than the new one
    assert diff["verdict"] == "tightened"
    [change] = [d for d in diff["differences"] if d["path"] == "/consumer_protection/withdrawal_period_days"]
    assert (change["older"], change["newer"], change["change"]) == (14, 21, "tightened")
    assert diff["compatibility"]["compatible"] == "no"  # BACKWARD: a profile valid before is refused now


def test_a_const_false_beside_not_const_0_is_a_breaking_change(corpus_client, make_token):
    # issue 14: {"const": 0} and {"const": false} were taken as equal, v2 as equivalent to v1
    eu = auth(make_token("regulator", "EU"))
    url = "/api/v1/documents/EU/consumer-protection"
    current = corpus_client.get(f"{url}/versions/latest").json()
    text = json.dumps(current["schema"])
    assert '"minimum": 14' in text
    tricky = json.loads(text.replace('"minimum": 14', '"minimum": 14, "anyOf": [{"const": false}, {"not": {"const": 14}}]'))
    created = corpus_client.post(f"{url}/versions", json={"schema": tricky, "effective_from": "2027-01-01"},
                                 headers=eu)
    assert created.status_code == 201, created.text
    diff = corpus_client.get(f"{url}/versions/{current['number']}/diff/{created.json()['number']}", headers=eu).json()
    assert diff["containment"]["older_vs_newer"] != "equivalent" and diff["verdict"] != "unchanged"
    assert diff["compatibility"]["compatible"] == "no"  # BACKWARD: 14 days passed before and fails now
    witness = diff["compatibility"]["witness"]
    assert Draft202012Validator(current["schema"]).is_valid(witness)
    assert not Draft202012Validator(tricky).is_valid(witness)


def test_compare_keeps_what_hash_ref_means(corpus_client):
    linked = {"type": "object", "properties": {"next": {"$ref": "#"}}}
    keyed = {"type": "object", "required": ["k"], "properties": {"k": {"const": 5}}}
    data = corpus_client.post("/api/v1/compare", json={"left_schema": keyed, "right_schema": linked}).json()
    assert data["relation"] != "disjoint"  # {"k": 5, "next": {}} is valid under both
    if "both" in data:
        assert Draft202012Validator(linked).is_valid(data["both"]) and Draft202012Validator(keyed).is_valid(data["both"])


def _technical_standard(corpus_client):
    documents = corpus_client.get("/api/v1/documents?kind=technical-standard").json()["items"]
    return next(d for d in documents if d["name"] == "EU/en-16931-core")


def test_publishing_a_breaking_version_of_a_backward_compatible_standard_is_refused(corpus_client, make_token):
    standard = _technical_standard(corpus_client)
    assert standard["compatibility"] == "BACKWARD"
    url = f"/api/v1/documents/{standard['name']}"
    eu = auth(make_token("regulator", "EU"))
    admin = auth(make_token("admin"))
    current = corpus_client.get(f"{url}/versions/latest").json()
    breaking = json.loads(json.dumps(current["schema"]))
    # a newly required business term: invoices valid under the current version may lack it
    breaking["allOf"].append({"required": ["buyer_reference"], "x-rule": {}})
    breaking["allOf"][-1]["x-rule"] = {"id": "TEST-BREAK", "citation": "test", "sources": [EUR_LEX_SOURCE],
                                       "summary": "test", "obligation": "must", "confidence": "L",
                                       "recorded": "2026-11-28"}
    created = corpus_client.post(f"{url}/versions", json={"schema": breaking, "effective_from": "2030-01-01"},
                                 headers=eu)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    refused = corpus_client.post(f"{url}/versions/{number}/publish", headers=eu)
    assert refused.status_code == 409, refused.text
    error = refused.json()
    assert error["code"] == "incompatible_version"
    assert error["detail"]["compatible"] == "no" and "witness" in error["detail"]
    old_validator = Draft202012Validator(current["schema"])
    new_validator = Draft202012Validator(breaking)
    witness = error["detail"]["witness"]
    assert old_validator.is_valid(witness) and not new_validator.is_valid(witness)
    assert corpus_client.get(f"{url}/versions/latest").json()["number"] == current["number"]

    overridden = corpus_client.post(f"{url}/versions/{number}/publish",
                                    json={"override_reason": "agreed at the 2030 dialogue"}, headers=eu)
    assert overridden.status_code == 200, overridden.text
    log = corpus_client.get(f"/api/v1/audit?action=version.publish&target={standard['name']}", headers=admin).json()
    assert log["items"][0]["detail"]["override_reason"] == "agreed at the 2030 dialogue"
