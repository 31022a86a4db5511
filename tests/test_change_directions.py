"""Issue 16, item 1: a version diff tells what the change did, from the newer side (tightened, loosened, added,
removed, changed), with both values and both citations, in the API and its Markdown and CSV exports; a comparison
of two jurisdictions names the sides."""

from __future__ import annotations

import csv
import io
import json

from tests.conftest import STANDARDS, auth

CN_LOW_VALUE = "/api/v1/documents/CN/customs-low-value"
EAEU_LOW_VALUE = "/api/v1/documents/EAEU/customs-low-value"
LIMIT = "/customs/per_transaction_amount/amount"
MARKETPLACE = "EAEU-CUS-MARKETPLACE-200-EUR"


def _one(diff: dict, path: str, keyword: str = "maximum") -> dict:
    [found] = [d for d in diff["differences"] if d["path"] == path and d["keyword"] == keyword]
    return found


def test_cn_low_value_1_to_2_loosened_the_per_transaction_limit(corpus_client):
    diff = corpus_client.get(f"{CN_LOW_VALUE}/versions/1/diff/2").json()
    limit = _one(diff, LIMIT)
    assert limit["change"] == "loosened" and (limit["older"], limit["newer"]) == (2000, 5000)
    assert limit["older_rule"]["id"] == "CN-CUS-CBEC-PER-TX-2000"
    assert limit["newer_rule"]["id"] == "CN-CUS-CBEC-PER-TX-5000"
    assert limit["older_rule"]["citation"] and limit["newer_rule"]["citation"]
    assert limit["older_rule"]["citation"] in limit["summary"] and limit["newer_rule"]["citation"] in limit["summary"]
    assert "loosened" in limit["summary"] and "at most 2000" in limit["summary"] and "at most 5000" in limit["summary"]
    assert diff["verdict"] == "loosened"
    # the engine's word stays, under a name that says which way it reads
    assert limit["older_vs_newer"] == "stricter" and diff["containment"]["older_vs_newer"] == "stricter"
    assert "relation" not in diff and "direction" not in limit


def test_the_diff_is_told_from_the_older_version_whatever_the_order_asked(corpus_client):
    diff = corpus_client.get(f"{CN_LOW_VALUE}/versions/2/diff/1").json()
    assert (diff["older"]["number"], diff["newer"]["number"]) == (1, 2)
    assert _one(diff, LIMIT)["change"] == "loosened" and diff["verdict"] == "loosened"


def raised_minimum(client, headers: dict, name: str, old: int, new: int) -> tuple[str, int, int]:
    """A draft of `name` whose minimum `old` is raised to `new`: the document's URL, the latest number, the draft's."""
    url = f"/api/v1/documents/{name}"
    current = client.get(f"{url}/versions/latest").json()
    text = json.dumps(current["schema"])
    assert f'"minimum": {old}' in text
    created = client.post(f"{url}/versions", headers=headers, json={
        "schema": json.loads(text.replace(f'"minimum": {old}', f'"minimum": {new}')), "effective_from": "2027-01-01"})
    assert created.status_code == 201, created.text
    return url, current["number"], created.json()["number"]


def test_a_draft_raising_the_minimum_return_period_tightened_it(corpus_client, make_token):
    cn = auth(make_token("regulator", "CN"))
    url, older, newer = raised_minimum(corpus_client, cn, "CN/consumer-protection", 7, 10)
    diff = corpus_client.get(f"{url}/versions/{older}/diff/{newer}", headers=cn).json()
    days = _one(diff, "/consumer_protection/withdrawal_period_days", "minimum")
    assert (days["change"], days["older"], days["newer"]) == ("tightened", 7, 10)
    assert "at least 7 days" in days["summary"] and "at least 10 days" in days["summary"]
    assert diff["verdict"] == "tightened" and diff["containment"]["older_vs_newer"] == "looser"
    # the breaking differences of the compatibility check read the same way
    [breaking] = [d for d in diff["compatibility"]["differences"] if d["path"] == days["path"]]
    assert (breaking["change"], breaking["newer_vs_older"]) == ("tightened", "stricter") and "direction" not in breaking
    # the page says so too (its regulator signed in)
    from registry.web.security import TOKEN_COOKIE

    corpus_client.cookies.set(TOKEN_COOKIE, cn["Authorization"].removeprefix("Bearer "))
    page = corpus_client.get(f"/documents/CN/consumer-protection/diff?from={older}&to={newer}").text
    assert '<span class="status status-tightened">tightened</span>' in page
    assert "at least 7 days" in page and "at least 10 days" in page and "looser" not in page


def test_the_eaeu_marketplace_rule_is_added(corpus_client):
    diff = corpus_client.get(f"{EAEU_LOW_VALUE}/versions/9/diff/4").json()
    [added] = [d for d in diff["differences"] if (d["newer_rule"] or {}).get("id") == MARKETPLACE]
    assert added["change"] == "added" and added["older"] is None and added["newer"] == 200
    assert added["older_rule"] is None and added["newer_rule"]["citation"] in added["summary"]
    assert diff["verdict"] == "added"
    # the new rule is implied by the EUR 200 rule for everyone: the same profiles pass, and the answer says so
    assert diff["containment"]["older_vs_newer"] == "equivalent"
    assert "exactly the same profiles" in diff["effect"]


def test_an_eaeu_maximum_that_appears_is_added_not_removed(corpus_client):
    diff = corpus_client.get(f"{EAEU_LOW_VALUE}/versions/2/diff/3").json()
    weight = _one(diff, "/customs/weight_kg_per_shipment")
    assert (weight["change"], weight["older"], weight["newer"]) == ("added", None, 31)
    assert _one(diff, "/customs/declared_value_per_shipment/amount")["change"] == "tightened"  # EUR 500 -> 200
    assert diff["verdict"] == "mixed"  # two words: tightened and added


def test_the_markdown_export_says_loosened_with_both_citations(corpus_client):
    response = corpus_client.get(f"{CN_LOW_VALUE}/versions/1/diff/2?format=md")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith("# Changes from CN/customs-low-value@1 to CN/customs-low-value@2")
    assert "Verdict: **loosened**" in text
    row = next(line for line in text.splitlines() if line.startswith(f"| {LIMIT} "))
    assert "| loosened |" in row and "| 2000 | 5000 |" in row
    assert "stricter" not in row  # the engine's word is only in the Containment section, read as it is meant
    assert "## Containment" in text and "## Sources" in text


def test_the_csv_export_says_loosened_and_added(corpus_client):
    rows = list(csv.DictReader(io.StringIO(corpus_client.get(f"{CN_LOW_VALUE}/versions/1/diff/2?format=csv").text)))
    [limit] = [r for r in rows if r["path"] == LIMIT]
    assert (limit["change"], limit["older_value"], limit["newer_value"]) == ("loosened", "2000", "5000")
    assert limit["older_citation"] and limit["newer_citation"] and limit["older_vs_newer"] == "stricter"
    eaeu = list(csv.DictReader(io.StringIO(corpus_client.get(f"{EAEU_LOW_VALUE}/versions/9/diff/4",
                                                              headers={"Accept": "text/csv"}).text)))
    assert [r["change"] for r in eaeu if r["newer_rule"] == MARKETPLACE] == ["added"]


def test_the_markdown_export_of_a_raised_return_period_says_tightened(corpus_client, make_token):
    eu = auth(make_token("regulator", "EU"))
    url, older, newer = raised_minimum(corpus_client, eu, "EU/consumer-protection", 14, 21)
    text = corpus_client.get(f"{url}/versions/{older}/diff/{newer}?format=md", headers=eu).text
    row = next(line for line in text.splitlines() if line.startswith("| /consumer_protection/withdrawal_period_days "))
    assert "| tightened |" in row and "| 14 | 21 |" in row
    rows = csv.DictReader(io.StringIO(corpus_client.get(f"{url}/versions/{older}/diff/{newer}?format=csv",
                                                        headers=eu).text))
    assert [r["change"] for r in rows if r["path"] == "/consumer_protection/withdrawal_period_days"] == ["tightened"]


def test_a_diff_refuses_a_format_it_does_not_have(corpus_client):
    response = corpus_client.get(f"{CN_LOW_VALUE}/versions/1/diff/2?format=html")
    assert response.status_code == 400 and response.json()["code"] == "unsupported_format"


def test_the_openapi_document_describes_the_diff_answer(corpus_client):
    spec = corpus_client.get("/schema/openapi.json").json()
    answer = spec["paths"]["/api/v1/documents/{jurisdiction}/{slug}/versions/{a}/diff/{b}"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert {"verdict", "containment", "differences"} <= set(spec["components"]["schemas"][name]["properties"])


# ---- comparisons of two jurisdictions: the sides named --------------------------------------------------------

def test_eu_vs_cn_names_the_weaker_side_with_both_citations(corpus_client):
    data = corpus_client.post("/api/v1/compare", json={"left": "EU/consumer-protection@latest",
                                                        "right": "CN/consumer-protection@latest"}).json()
    eu, cn = data["left"]["label"], data["right"]["label"]
    # one row for the rule both state (under different conditions), not "EU only" and "CN only"
    [days] = [d for d in data["differences"]
              if d["path"] == "/consumer_protection/withdrawal_period_days" and d["keyword"] == "minimum"]
    assert (days["left"], days["right"], days["stricter_side"]) == (14, 7, eu)
    assert days["conditions"]["left"] and days["conditions"]["right"]
    summary = days["summary"]
    assert f"{eu} requires at least 14 days (Directive 2011/83/EU Art 9(1)); " in summary
    assert f"{cn} at least 7 days ({days['right_rule']['citation']}): {cn}'s rule is weaker" in summary
    assert days["left_vs_right"] == "stricter" and data["containment"]["left_vs_right"] == data["relation"]


def test_the_compare_page_names_the_sides(corpus_client):
    data = corpus_client.get("/compare?left=EU&right=CN&topic=consumer-protection&format=json").json()["comparison"]
    [days] = [d for d in data["differences"]
              if d["path"] == "/consumer_protection/withdrawal_period_days" and d["keyword"] == "minimum"]
    assert days["summary"].startswith("/consumer_protection/withdrawal_period_days: EU requires at least 14 days")
    assert "CN at least 7 days" in days["summary"] and "CN's rule is weaker" in days["summary"]
    page = corpus_client.get("/compare?left=EU&right=CN&topic=consumer-protection").text
    assert "Which is stricter" in page and "CN&#39;s rule is weaker" in page


def test_compare_rows_follow_the_vocabulary_order(corpus_client):
    data = corpus_client.post("/api/v1/compare", json={"left": "EU/consumer-protection@latest",
                                                        "right": "CN/consumer-protection@latest"}).json()
    vocabulary = corpus_client.get("/api/v1/documents/vocabulary/operating-profile/versions/latest").json()["schema"]
    order = list(vocabulary["properties"]["consumer_protection"]["properties"])
    paths = [d["path"].split("/")[2] for d in data["differences"] if d["path"].startswith("/consumer_protection/")]
    assert paths == sorted(paths, key=order.index) and len(set(paths)) > 1


def test_inline_schemas_name_each_side_that_alone_has_a_rule():
    from registry.services import differences as changes

    comparison = {"left": {"label": "A"}, "right": {"label": "B"}, "relation": "overlapping", "differences": [
        {"path": "/x", "keyword": "minimum", "left": 3, "right": None, "direction": "added"},
        {"path": "/y", "keyword": "maximum", "left": None, "right": 5, "direction": "removed"}]}
    rows = changes.name_sides(comparison)["differences"]
    assert [(r["only_side"], r["stricter_side"]) for r in rows] == [("A", None), ("B", None)]
    assert rows[0]["summary"] == "/x: A requires at least 3; B has no such rule"
    assert rows[1]["summary"] == "/y: A has no such rule; B requires at most 5"


def test_compare_keeps_the_engine_relation_readable(corpus_client):
    left = {"type": "object", "properties": {"days": {"type": "integer", "minimum": 14}}, "required": ["days"]}
    right = {"type": "object", "properties": {"days": {"type": "integer", "minimum": 7}}, "required": ["days"]}
    data = corpus_client.post("/api/v1/compare", json={"left_schema": left, "right_schema": right}).json()
    [days] = data["differences"]
    assert data["containment"] == {"left_vs_right": "stricter"} and days["stricter_side"] == "left"
    assert days["summary"] == "/days: left requires at least 14; right at least 7: right's rule is weaker"


def test_the_compare_exports_name_the_sides(corpus_client):
    body = {"left": "EU/consumer-protection@latest", "right": "CN/consumer-protection@latest"}
    markdown = corpus_client.post("/api/v1/compare?format=md", json=body)
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    days_row = "| /consumer_protection/withdrawal_period_days | minimum "
    row = next(line for line in markdown.text.splitlines() if line.startswith(days_row))
    assert "| 14 | 7 | EU/consumer-protection@" in row and "'s rule is weaker" in row
    rows = list(csv.DictReader(io.StringIO(corpus_client.post("/api/v1/compare?format=csv", json=body).text)))
    [days] = [r for r in rows
              if r["path"] == "/consumer_protection/withdrawal_period_days" and r["keyword"] == "minimum"]
    assert (days["left_value"], days["right_value"]) == ("14", "7")
    assert days["left_citation"] == "Directive 2011/83/EU Art 9(1)"
    assert days["stricter_side"] == days["left"] and days["left_vs_right"] == "stricter"
    page = corpus_client.get("/compare?left=EU&right=CN&topic=consumer-protection&format=csv")
    assert page.headers["content-type"].startswith("text/csv")
    assert any(r["stricter_side"] == "EU" for r in csv.DictReader(io.StringIO(page.text)))
    assert "CN's rule is weaker" in corpus_client.get("/compare?left=EU&right=CN&topic=consumer-protection&format=md").text


def test_the_cli_compare_names_the_stricter_side(corpus_engine, database_url, monkeypatch):
    from click.testing import CliRunner

    from registry.cli import main

    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("REGISTRY_STANDARDS_DIR", str(STANDARDS))
    monkeypatch.setenv("COLUMNS", "1000")
    result = CliRunner().invoke(main, ["compare", "EU/consumer-protection@latest", "CN/consumer-protection@latest"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "stricter side" in result.output
    assert "EU/consumer-protection@" in result.output and "'s rule is weaker" in result.output
