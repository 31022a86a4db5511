"""Issue 16, items 7 and 8: a compliance report replays exactly (inline and saved, after a back-dated version and
an annotation amendment), and a profile that leaves applicable rules unanswered is `incomplete`, never `compliant`:
per market and per topic, with the questions in the vocabulary's words, summary counts and the CLI's exit codes."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from registry.domain import compliance as domain
from registry.domain.compliance import RuleVersion, check_market, first_status, question_words
from tests.conftest import auth

CHECK = "/api/v1/compliance/check"
CN_DOC = "/api/v1/documents/CN/consumer-protection"
SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
STATED_CN = {"seller": {"sells_b2c": True},
             "consumer_protection": {"withdrawal_period_days": 7, "withdrawal_period_counted_from": "receipt-of-goods",
                                     "withdrawal_requires_reason": False, "refund_deadline_days": 7}}


def markets_of(report: dict) -> dict[str, dict]:
    return {m["market"]: m for m in report["markets"]}


def post(client, body: dict, **headers) -> dict:
    response = client.post(CHECK, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# ---- item 8: unstated is not compliant ---------------------------------------------------------------------

def test_an_empty_profile_against_cn_is_incomplete_with_the_questions_in_words(corpus_client):
    cn = markets_of(post(corpus_client, {"profile": {}, "markets": ["CN"]}))["CN"]
    assert cn["status"] == "incomplete"
    assert cn["status_text"].startswith("CN on ") and "incomplete, not compliant" in cn["status_text"]
    questions = {q["path"]: q for q in cn["questions"]}
    # the rules CN's empty-profile answer used to call "compliant" (registration, licence display) are asked
    assert {"/platform_presence/registered_as_market_entity", "/platform_presence/displays_licence_information"} \
        <= set(questions)
    sells = questions["/seller/sells_b2c"]
    assert sells["question"] == "Sells to consumers (business-to-consumer)"
    assert sells["decides_whether_rules_apply"] is True and sells["constrained_by_rules"] is False
    assert {"CN-CP-RETURN-7D", "CN-CP-REFUND-7D"} <= {r["id"] for r in sells["rules"]}
    assert all(r["citation"] and r["document"].startswith("CN/consumer-protection@") for r in sells["rules"])
    licence = questions["/platform_presence/displays_licence_information"]
    assert licence["constrained_by_rules"] is True and licence["question"] != "displays licence information"
    assert cn["summary"]["rules_decided"] == 0 and cn["summary"]["rules_violated"] == 0
    assert cn["summary"]["rules_open"] >= 2 and cn["summary"]["questions"] == len(cn["questions"])
    # per topic too: every CN topic asks something of an empty profile
    assert cn["topics"] and {t["status"] for t in cn["topics"]} == {"incomplete"}


def test_summary_counts_rules_decided_violated_and_left_open(corpus_client):
    report = post(corpus_client, {"profile": SEVEN_DAYS, "markets": ["CN", "EU"], "topics": ["consumer-protection"]})
    cn, eu = markets_of(report)["CN"], markets_of(report)["EU"]
    assert cn["summary"] == {"rules_decided": 1, "rules_violated": 0, "rules_open": 3, "rules_to_review": 1,
                             "questions": 3}
    assert eu["status"] == "non_compliant" and eu["summary"]["rules_violated"] == 1
    assert eu["summary"]["rules_open"] > 0  # broken, and still open elsewhere: both said
    totals = report["summary"]
    assert totals["statuses"] == {"CN": "incomplete", "EU": "non_compliant"}
    assert totals["rules_violated"] == 1 and totals["rules_open"] == cn["summary"]["rules_open"] + eu["summary"]["rules_open"]


def test_stating_every_fact_turns_incomplete_into_an_answer(corpus_client):
    cn = markets_of(post(corpus_client, {"profile": STATED_CN, "markets": ["CN"],
                                         "topics": ["consumer-protection"]}))["CN"]
    assert cn["questions"] == [] and cn["violations"] == []
    # who pays the return freight is recorded but not machine-checkable: it comes before compliant
    assert cn["status"] == "not_checkable" and "to review by hand" in cn["status_text"]
    short = {**STATED_CN, "consumer_protection": {**STATED_CN["consumer_protection"], "refund_deadline_days": 30}}
    broken = markets_of(post(corpus_client, {"profile": short, "markets": ["CN"],
                                             "topics": ["consumer-protection"]}))["CN"]
    assert broken["status"] == "non_compliant" and broken["summary"]["rules_violated"] == 1


def test_per_topic_statuses_follow_the_same_order(corpus_client):
    profile = {**SEVEN_DAYS, "platform_presence": {"registered_as_market_entity": True}}
    cn = markets_of(post(corpus_client, {"profile": profile, "markets": ["CN"]}))["CN"]
    topics = {t["topic"]: t["status"] for t in cn["topics"]}
    assert topics["consumer-protection"] == "incomplete" and topics["platform-presence"] == "incomplete"
    assert set(topics) >= {"consumer-protection", "platform-presence", "customs-and-tax"}
    eu = markets_of(post(corpus_client, {"profile": SEVEN_DAYS, "markets": ["EU"]}))["EU"]
    assert {t["topic"]: t["status"] for t in eu["topics"]}["consumer-protection"] == "non_compliant"


def test_a_condition_stated_false_settles_the_rule_without_a_question(corpus_client):
    b2b = {"seller": {"sells_b2c": False}, "consumer_protection": {"withdrawal_period_days": 0}}
    cn = markets_of(post(corpus_client, {"profile": b2b, "markets": ["CN"], "topics": ["consumer-protection"]}))["CN"]
    assert cn["status"] == "not_applicable" and cn["questions"] == []


def test_the_formats_list_the_questions(corpus_client):
    body = {"profile": {}, "markets": ["CN"], "topics": ["platform-presence"]}
    markdown = corpus_client.post(CHECK + "?format=md", json=body).text
    assert "## Questions to answer" in markdown and "CN on " in markdown and "incomplete, not compliant" in markdown
    assert "Rules decided: 0, of which violated: 0; left open by the profile: " in markdown
    csv_text = corpus_client.post(CHECK + "?format=csv", json=body).text
    assert "open question: " in csv_text and "/platform_presence/registered_as_market_entity" in csv_text
    html = corpus_client.post(CHECK + "?format=html", json=body).text
    assert "<h2>Questions to answer</h2>" in html


def test_the_page_shows_statuses_and_questions_in_words(corpus_client):
    page = corpus_client.get("/compliance", params={"markets": "CN", "profile": "{}"}).text
    assert "incomplete: questions open" in page and "Questions to answer for CN" in page
    assert "Sells to consumers (business-to-consumer)" in page and "decides whether these rules apply" in page
    assert "CN on " in page and "incomplete, not compliant" in page
    assert ">compliant<" not in page
    # the page offers the replay request: sent back, it answers as the page did
    import html as html_
    import re

    found = re.search(r'<pre class="replay" tabindex="0"><code>(.*?)</code></pre>', page, re.S)
    rerun = json.loads(html_.unescape(found.group(1)))
    assert rerun["profile"] == {} and rerun["versions"]
    assert markets_of(post(corpus_client, rerun))["CN"]["status"] == "incomplete"


def test_the_batch_lines_carry_questions_and_counts(corpus_client):
    response = corpus_client.post("/api/v1/compliance/batch?markets=CN",
                                  content=json.dumps({"id": 1, "profile": {}}) + "\n")
    [line] = [json.loads(x) for x in response.text.splitlines() if x.strip()]
    [cn] = line["results"]
    assert cn["status"] == "incomplete" and "/seller/sells_b2c" in cn["questions"]
    assert cn["summary"]["rules_open"] > 0 and cn["summary"]["rules_decided"] == 0


# ---- the order of statuses and the domain, without a database ------------------------------------------------

@pytest.mark.parametrize("applies, expected", [
    ({"non_compliant": True, "incomplete": True, "not_covered": True, "not_checkable": True, "compliant": True},
     "non_compliant"),
    ({"incomplete": True, "not_covered": True, "not_checkable": True, "compliant": True}, "incomplete"),
    ({"not_covered": True, "not_checkable": True, "compliant": True}, "not_covered"),
    ({"not_checkable": True, "compliant": True}, "not_checkable"),
    ({"compliant": True}, "compliant"),
    ({}, "not_applicable"),
])
def test_a_status_is_the_first_that_applies(applies, expected):
    assert first_status(applies) == expected
    assert domain.STATUSES == ("non_compliant", "incomplete", "not_covered", "not_checkable", "compliant",
                               "not_applicable")


RULE = {"id": "T-1", "citation": "Test Act Art 1", "obligation": "must"}
SCHEMA = {"type": "object", "if": {"properties": {"seller": {"properties": {"sells_b2c": {"const": True}},
                                                             "required": ["sells_b2c"]}},
                                   "required": ["seller"]},
          "then": {"properties": {"consumer_protection": {"properties": {
              "withdrawal_period_days": {"minimum": 14, "x-rule": RULE}}}}}}


def _version(schema: dict = SCHEMA) -> RuleVersion:
    body = json.dumps(schema, sort_keys=True)
    return RuleVersion(market="XX", jurisdiction="XX", document="XX/consumer-protection", number=1,
                       content_hash=str(hash(body)), topic="consumer-protection", schema=schema,
                       body_hash="outcomes-" + str(hash(body)))


@pytest.mark.parametrize("profile, status, asked", [
    ({}, "incomplete", ["/seller/sells_b2c"]),  # the condition's fact is not stated
    ({"seller": {"sells_b2c": True}}, "incomplete", ["/consumer_protection/withdrawal_period_days"]),
    ({"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}, "non_compliant", []),
    ({"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 14}}, "compliant", []),
    ({"seller": {"sells_b2c": False}}, "not_applicable", []),
])
def test_check_market_decides_each_case(profile, status, asked):
    result = check_market("XX", [_version()], profile, coverage={}, concerned=["consumer-protection"])
    assert result.status == status
    assert [q["path"] for q in result.questions] == asked
    assert [t["status"] for t in result.topics] == [status]


def test_an_unresearched_topic_comes_after_an_open_question():
    result = check_market("XX", [_version()], {}, coverage={}, concerned=["consumer-protection", "labelling"])
    assert result.status == "incomplete"
    assert {t["topic"]: t["status"] for t in result.topics} == {"consumer-protection": "incomplete",
                                                               "labelling": "not_covered"}
    stated = check_market("XX", [_version()], {"seller": {"sells_b2c": False}}, coverage={},
                          concerned=["consumer-protection", "labelling"])
    assert stated.status == "not_covered"


def test_tested_facts_and_question_words():
    assert domain.tested_facts(SCHEMA["if"]) == (("seller", "sells_b2c"),)
    nested = {"allOf": [{"not": {"properties": {"seller": {"properties": {"goods_categories": {"items": {}}}}}}}],
              "required": ["customs"]}
    assert domain.tested_facts(nested) == (("customs",), ("seller", "goods_categories"))
    vocabulary = {"$defs": {"money": {"description": "An amount of money. In one currency."}},
                  "properties": {"seller": {"properties": {"sells_b2c": {"description": "Sells to consumers. More."},
                                                           "titled": {"title": "A title", "description": "x"},
                                                           "price": {"$ref": "#/$defs/money"},
                                                           "bare": {}}}}}
    assert question_words(vocabulary, "/seller/sells_b2c") == "Sells to consumers"
    assert question_words(vocabulary, "/seller/titled") == "A title"
    assert question_words(vocabulary, "/seller/price") == "An amount of money"
    assert question_words(vocabulary, "/seller/bare") == "bare"


# ---- the command line ----------------------------------------------------------------------------------------

@pytest.fixture
def cli(corpus_engine, database_url, monkeypatch):
    from registry.cli import main

    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "300")
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_cli_exits_3_only_for_non_compliant(cli, tmp_path):
    empty, short = tmp_path / "empty.json", tmp_path / "short.json"
    empty.write_text("{}")
    short.write_text(json.dumps(SEVEN_DAYS))
    incomplete = cli("check", str(empty), "--markets", "CN")
    assert incomplete.exit_code == 0 and "| CN | incomplete |" in incomplete.output
    broken = cli("check", str(short), "--markets", "EU", "--topics", "consumer-protection")
    assert broken.exit_code == 3 and "| EU | non_compliant |" in broken.output
    uncovered = cli("check", str(empty), "--markets", "SG", "--topics", "labelling", "--format", "json")
    assert uncovered.exit_code == 0 and json.loads(uncovered.output)["markets"][0]["status"] == "not_covered"
    batch = tmp_path / "sellers.jsonl"
    batch.write_text(json.dumps({"id": 1, "profile": {}}) + "\n")
    assert cli("check", str(batch), "--markets", "CN,EU", "--output", str(tmp_path / "a.jsonl")).exit_code == 0
    batch.write_text(json.dumps({"id": 1, "profile": {}}) + "\n" + json.dumps({"id": 2, "profile": SEVEN_DAYS}) + "\n")
    assert cli("check", str(batch), "--markets", "CN,EU", "--output", str(tmp_path / "b.jsonl")).exit_code == 3


# ---- item 7: replayable reports ------------------------------------------------------------------------------

def _back_dated_reform(client, make_token, effective_from: str) -> int:
    """A CN reform asking 10 days, published now with a start before the date checked."""
    cn = auth(make_token("regulator", "CN"))
    body = copy.deepcopy(client.get(f"{CN_DOC}/versions/latest").json()["schema"])
    text = json.dumps(body)
    assert '"minimum": 7' in text, "the shipped CN return rule no longer asks 7 days"
    created = client.post(f"{CN_DOC}/versions", headers=cn, json={
        "schema": json.loads(text.replace('"minimum": 7', '"minimum": 10')), "effective_from": effective_from,
        "changelog": "Test reform (fictional): 10 days."})
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    published = client.post(f"{CN_DOC}/versions/{number}/publish", headers=cn)
    assert published.status_code == 200, published.text
    return number


def test_a_report_reruns_identically_after_a_back_dated_version(corpus_client, make_token):
    question = {"profile": STATED_CN, "markets": ["CN", "EU"], "topics": ["consumer-protection"],
                "as_of": "2026-06-01"}
    first = post(corpus_client, question)
    assert markets_of(first)["CN"]["status"] == "not_checkable"
    assert first["rerun"]["profile"] == STATED_CN  # the rerun is a whole request: sent as it is
    number = _back_dated_reform(corpus_client, make_token, "2026-01-01")

    assert post(corpus_client, first["rerun"]) == first  # the very same answer, every field
    fresh = post(corpus_client, first["check_again"])
    assert markets_of(fresh)["CN"]["status"] == "non_compliant"
    assert f"CN/consumer-protection@{number}" in markets_of(fresh)["CN"]["documents"]


def test_a_report_says_which_corrections_it_used(corpus_client, make_token):
    cn = auth(make_token("regulator", "CN"))
    latest = corpus_client.get(f"{CN_DOC}/versions/latest").json()
    created = corpus_client.post(f"{CN_DOC}/versions", headers=cn, json={
        "schema": latest["schema"], "corrects": latest["number"], "effective_from": latest["effective_from"],
        "changelog": "Test correction (fictional)."})
    assert created.status_code == 201, created.text
    assert corpus_client.post(f"{CN_DOC}/versions/{created.json()['number']}/publish", headers=cn).status_code == 200
    report = post(corpus_client, {"profile": SEVEN_DAYS, "markets": ["CN"], "topics": ["consumer-protection"]})
    [used] = report["versions_used"]
    assert used["ref"] == f"CN/consumer-protection@{created.json()['number']}"
    assert used["corrects"] == f"CN/consumer-protection@{latest['number']}"
    markdown = corpus_client.post(CHECK + "?format=md", json={
        "profile": SEVEN_DAYS, "markets": ["CN"], "topics": ["consumer-protection"]}).text
    assert f"- {used['ref']}, a correction of {used['corrects']} (`" in markdown
    page = corpus_client.get("/compliance", params={"markets": "CN", "profile": json.dumps(SEVEN_DAYS)}).text
    assert f"a correction of {used['corrects']}" in page


def test_a_saved_check_reruns_identically_from_its_history(corpus_client, make_token):
    acme = auth(make_token("enterprise", name="acme"))
    saved = corpus_client.post("/api/v1/profiles", json={"name": "CN shop", "profile": STATED_CN}, headers=acme)
    assert saved.status_code == 201, saved.text
    first = post(corpus_client, {"profile_id": saved.json()["id"], "markets": ["CN"], "as_of": "2026-06-01",
                                 "topics": ["consumer-protection"]}, **acme)
    [run] = corpus_client.get(f"/api/v1/profiles/{saved.json()['id']}/checks", headers=acme).json()
    assert run["rerun"] == first["rerun"]
    assert run["rerun"]["profile_id"] == saved.json()["id"] and run["rerun"]["profile_version"] == 1
    assert "profile" not in run["rerun"]  # a saved profile is named, not copied into the history
    _back_dated_reform(corpus_client, make_token, "2026-01-01")
    # the profile is edited since, too: the rerun names the version it checked
    changed = {**STATED_CN, "consumer_protection": {**STATED_CN["consumer_protection"], "refund_deadline_days": 3}}
    assert corpus_client.put(f"/api/v1/profiles/{saved.json()['id']}", json={"profile": changed},
                             headers=acme).status_code == 200
    assert post(corpus_client, run["rerun"], **acme) == first
    assert corpus_client.post(CHECK, json=run["rerun"]).status_code in (401, 404)  # still private


def test_a_rerun_quotes_the_annotations_it_quoted_before_an_amendment(corpus_client, make_token):
    cn = auth(make_token("regulator", "CN"))
    question = {"profile": {**STATED_CN, "consumer_protection": {**STATED_CN["consumer_protection"],
                                                                 "refund_deadline_days": 30}},
                "markets": ["CN"], "topics": ["consumer-protection"]}
    first = post(corpus_client, question)
    [violation] = markets_of(first)["CN"]["violations"]
    version = corpus_client.get(f"{CN_DOC}/versions/latest")
    body = copy.deepcopy(version.json()["schema"])
    text = json.dumps(body, ensure_ascii=False).replace(violation["citation"], violation["citation"] + " (amended)")
    amended = corpus_client.put(f"{CN_DOC}/versions/{version.json()['number']}/annotations",
                                json={"schema": json.loads(text), "reason": "Test amendment (fictional)."},
                                headers={**cn, "If-Match": version.headers["ETag"]})
    assert amended.status_code == 200, amended.text
    now = post(corpus_client, question)
    assert markets_of(now)["CN"]["violations"][0]["citation"].endswith("(amended)")
    assert post(corpus_client, first["rerun"]) == first


def test_the_frameworks_cache_tells_two_databases_apart(corpus_engine, database_url, tmp_path):
    """Two databases with the same registry stamp (tests copy one file; a stamp counts versions and their last
    change): each gets its own rules, not the other's from the process-wide cache."""
    import shutil

    from registry.services import compliance
    from registry.storage.database import make_engine

    if not database_url.startswith("sqlite:///"):
        pytest.skip("copies a SQLite file")
    shutil.copyfile(database_url[len("sqlite:///"):], tmp_path / "other.db")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with other.begin() as conn:  # another body under the same stamp: updated_at untouched
        conn.exec_driver_sql("UPDATE version SET content_hash = 'f' || substr(content_hash, 2)")
    corpus = compliance.frameworks_for(corpus_engine, ["CN"], None, ["consumer-protection"])
    copied = compliance.frameworks_for(other, ["CN"], None, ["consumer-protection"])
    again = compliance.load_frameworks  # and through the stamp check, with a session of each
    from registry.storage.database import read_session
    with read_session(other) as session:
        checked = again(session, ["CN"], None, ["consumer-protection"])
    other.dispose()
    assert all(v.content_hash.startswith("f") for v in copied.versions_used + checked.versions_used)
    assert [v.content_hash for v in corpus.versions_used] != [v.content_hash for v in copied.versions_used]


def test_a_rerun_keeps_the_coverage_it_read(corpus_engine, corpus_client, tmp_path):
    from tests.conftest import ROOT, load_folder

    fixture = ROOT / "tests" / "data" / "coverage"
    load_folder(corpus_engine, fixture)  # SG: labelling not researched
    first = post(corpus_client, {"profile": {"seller": {"sells_b2c": True}}, "markets": ["SG"], "topics": ["labelling"]})
    assert markets_of(first)["SG"]["status"] == "not_covered"
    assert first["rerun"]["coverage"]["SG"]["labelling"] == "not-researched"
    data = json.loads((fixture / "jurisdictions.json").read_text())
    sg = next(j for j in data["jurisdictions"] if j["code"] == "SG")
    sg["coverage"] = {**sg.get("coverage", {}), "labelling": {"status": "none", "sources": [{
        "url": "https://example.org/sg-labelling", "title": "A page", "publisher": "Example", "kind": "secondary",
        "language": "en", "quote": "no such rule", "retrieved": "2026-12-02"}]}}
    (tmp_path / "jurisdictions.json").write_text(json.dumps(data))
    load_folder(corpus_engine, tmp_path)
    assert markets_of(post(corpus_client, first["check_again"]))["SG"]["status"] == "not_applicable"
    assert post(corpus_client, first["rerun"]) == first
    bad = corpus_client.post(CHECK, json={**first["rerun"], "coverage": {"SG": {"labelling": "maybe"}}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_coverage"
    unpinned = corpus_client.post(CHECK, json={**first["check_again"], "coverage": {"SG": {}}})
    assert unpinned.status_code == 400 and unpinned.json()["code"] == "versions_required"


def test_the_rerun_column_migrates_both_ways(engine):
    """0010_compliance_rerun: checks recorded before it keep a null rerun; downgrading drops only that column."""
    from sqlalchemy import inspect, text

    from registry.storage.migrate import migrate
    from tests.conftest import downgrade

    assert "rerun" in {c["name"] for c in inspect(engine).get_columns("compliance_run")}
    downgrade(engine, "0009_coverage")
    assert "rerun" not in {c["name"] for c in inspect(engine).get_columns("compliance_run")}
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO profile (id, owner, name, created_at, updated_at) "
                                "VALUES ('p1', 'org', 'Shop', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO compliance_run (profile_id, profile_number, as_of, markets, topics, "
                                "statuses, versions_used, created_at) VALUES ('p1', 1, '2026-01-01', '[\"CN\"]', "
                                "'[]', '{}', '[]', CURRENT_TIMESTAMP)"))
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT rerun FROM compliance_run")).all() == [(None,)]
