"""Reforms and corrections (issue 15): a correction replaces the wrong version for every "as of" date yet keeps it
retrievable (`@N`, marked `corrected_by`); `as_recorded` answers as the registry did on an earlier day; dates known
only to the month or year keep their precision."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from registry.app import create_app
from registry.domain import dates, lifecycle
from registry.services import corpus
from registry.storage.database import make_engine, read_session, write_session
from registry.storage.migrate import migrate
from registry.storage.tables import Document, Version
from tests.conftest import EUR_LEX_SOURCE, MINI, TEST_ADMIN, auth, copy_tree, load_folder

DOC = "/api/v1/documents/EU/consumer-protection"
CHECK = "/api/v1/compliance/check"
WRONG_NOTE = "Art 9(1) gives 14 days, not 10: the registry misread it. Source: https://eur-lex.europa.eu/eli/dir/2011/83/oj"


def schema(days: int) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {
        "consumer_protection": {"type": "object", "properties": {"withdrawal_period_days": {"minimum": days, "x-rule": {
            "id": "T-EU-WITHDRAWAL", "citation": "Directive 2011/83/EU Art 9(1)",
            "sources": [EUR_LEX_SOURCE], "summary": f"{days} days to withdraw.",
            "obligation": "must", "confidence": "H", "recorded": "2026-11-28"}}}}}}


@pytest.fixture
def eu(client, make_token):
    return auth(make_token("regulator", "EU"))


def draft(client, headers, body, **fields):
    return client.post(f"{DOC}/versions", json={"schema": body, **fields}, headers=headers)


# ---- through the API ----------------------------------------------------------------------------------------

def test_a_correction_takes_the_wrong_versions_place_and_keeps_it_retrievable(client, eu):
    assert draft(client, eu, schema(15), corrects=1).json()["code"] == "changelog_required"
    assert draft(client, eu, schema(15), corrects=1, changelog="  ").status_code == 400
    assert draft(client, eu, schema(15), corrects=9, changelog=WRONG_NOTE).status_code == 404
    created = draft(client, eu, schema(15), corrects=1, changelog=WRONG_NOTE)
    assert created.status_code == 201, created.text
    assert created.json()["corrects"] == 1 and created.json()["effective_from"] is None
    assert client.get(f"{DOC}/versions/1").json()["status"] == "published"  # a draft corrects nothing yet

    published = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert published.status_code == 200, published.text
    # the correction takes over the corrected version's interval and status
    assert published.json()["status"] == "published" and published.json()["effective_from"] == "2014-06-13"

    wrong = client.get(f"{DOC}/versions/1").json()
    assert wrong["status"] == "corrected" and wrong["corrected_by"] == 2
    assert wrong["correction"]["changelog"] == WRONG_NOTE and wrong["correction"]["ref"] == "EU/consumer-protection@2"
    assert wrong["schema"] == client.get(f"{DOC}/versions/1").json()["schema"]  # kept as it was
    assert client.get(f"{DOC}/versions/latest").json()["number"] == 2
    for day in ("2014-06-13", "2020-01-01", "2030-01-01"):
        assert client.get(f"{DOC}/versions/{day}").json()["number"] == 2
    assert client.get(f"{DOC}/versions/2014-06-12").status_code == 404
    listed = {v["number"]: v for v in client.get(f"{DOC}/versions").json()["items"]}
    assert listed[1]["corrected_by"] == 2 and listed[2]["corrected_by"] is None and listed[2]["corrects"] == 1

    # a corrected version is corrected once; it cannot be withdrawn or corrected again
    again = draft(client, eu, schema(16), corrects=1, changelog=WRONG_NOTE)
    assert again.status_code == 409 and again.json()["code"] == "invalid_correction"
    assert client.post(f"{DOC}/versions/1/withdraw", json={"reason": "x"}, headers=eu).status_code == 409

    page = client.get("/documents/EU/consumer-protection/versions/1").text
    assert "Corrected by" in page and "version 2</a> on" in page and "the registry misread it" in page
    assert "Corrected by" not in client.get("/documents/EU/consumer-protection/versions/2").text


def test_a_correction_of_the_date_alone_keeps_the_body_and_gives_its_own_interval(client, eu):
    body = client.get(f"{DOC}/versions/1").json()["schema"]
    # the same body again is no new version ...
    assert draft(client, eu, body).status_code == 201
    refused = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert refused.status_code == 409 and refused.json()["code"] == "identical_version"
    # ... but a correction of the date with the same body is
    assert draft(client, eu, body, corrects=1, effective_from="2014-07",
                 changelog="The Directive applies from June 2014 in the registry's copy; the member-state law "
                           "from July 2014. Source: national gazette.").status_code == 201
    published = client.post(f"{DOC}/versions/3/publish", headers=eu)
    assert published.status_code == 200, published.text
    assert published.json()["effective_from"] == "2014-07"
    assert published.json()["effective_from_precision"] == "month"
    assert client.get(f"{DOC}/versions/2014-06-20").status_code == 404  # before the corrected start
    uncertain = client.get(f"{DOC}/versions/2014-07-20").json()
    assert uncertain["number"] == 3 and uncertain["effective_date_uncertain"] is True
    assert client.get(f"{DOC}/versions/2014-08-01").json()["effective_date_uncertain"] is False
    assert client.get(f"{DOC}/versions/3").json()["effective_date_uncertain"] is None  # not an as-of look-up


def test_a_correction_that_would_overlap_a_later_version_is_refused(client, eu):
    assert draft(client, eu, schema(30), effective_from="2020-01-01").status_code == 201
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    # @1 is superseded on 2020-01-01; a correction that runs it into 2020 would overlap @2
    assert draft(client, eu, schema(15), corrects=1, effective_from="2014-06-13", effective_to="2021",
                 changelog=WRONG_NOTE).status_code == 201
    # a correction of the start alone keeps the corrected version's end
    assert draft(client, eu, schema(15), corrects=1, effective_from="2014-06-13",
                 changelog=WRONG_NOTE).status_code == 201
    clash = client.post(f"{DOC}/versions/3/publish", headers=eu)
    assert clash.status_code == 409 and clash.json()["code"] == "invalid_interval"
    fits = client.post(f"{DOC}/versions/4/publish", headers=eu)
    assert fits.status_code == 200, fits.text
    # a correction of a superseded version is superseded too: it never becomes `latest`
    assert fits.json()["status"] == "superseded" and fits.json()["effective_to"] == "2020-01-01"
    assert client.get(f"{DOC}/versions/latest").json()["number"] == 2
    assert client.get(f"{DOC}/versions/2019-12-31").json()["number"] == 4
    assert client.get(f"{DOC}/versions/2020-01-01").json()["number"] == 2


@pytest.mark.parametrize("text, stored, precision, reduced", [
    ("2010", dt.date(2010, 1, 1), "year", "2010"),
    ("2010-07", dt.date(2010, 7, 1), "month", "2010-07"),
    ("2010-07-15", dt.date(2010, 7, 15), "day", "2010-07-15"),
])
def test_partial_dates_are_stored_as_their_first_day_with_a_precision(text, stored, precision, reduced):
    parsed = dates.parse(text)
    assert parsed == (stored, precision) and dates.reduced(*parsed) == reduced


@pytest.mark.parametrize("text", ["2010-13", "2010-02-30", "10", "2010-1", "2010/07", "2010-07-01T00:00"])
def test_malformed_dates_are_refused(text):
    with pytest.raises(Exception) as caught:
        dates.parse(text)
    assert getattr(caught.value, "code", None) == "invalid_date"


def test_uncertain_span_edges():
    start = dt.date(2010, 1, 1)
    assert dates.uncertain_on(start, "year", dt.date(2010, 1, 1))
    assert dates.uncertain_on(start, "year", dt.date(2010, 12, 31))
    assert not dates.uncertain_on(start, "year", dt.date(2011, 1, 1))
    assert not dates.uncertain_on(start, "year", dt.date(2009, 12, 31))
    assert dates.uncertain_on(dt.date(2010, 12, 1), "month", dt.date(2010, 12, 31))
    assert not dates.uncertain_on(dt.date(2010, 12, 1), "month", dt.date(2011, 1, 1))
    assert not dates.uncertain_on(start, "day", start)


def test_a_year_only_start_through_the_api_and_the_pages(client, eu):
    assert draft(client, eu, schema(30), effective_from="2030").status_code == 201
    refused = draft(client, eu, schema(31), effective_from="2031-13").json()
    assert refused["code"] == "invalid_input" and refused["pointer"] == "/effective_from"
    published = client.post(f"{DOC}/versions/2/publish", headers=eu).json()
    assert published["effective_from"] == "2030" and published["effective_from_precision"] == "year"
    first = client.get(f"{DOC}/versions/1").json()  # closed where @2 starts, known as far as that start is
    assert (first["effective_to"], first["effective_to_precision"]) == ("2030", "year")
    assert client.get(f"{DOC}/versions/2029-12-31").json()["number"] == 1  # arithmetic on the first day
    inside = client.get(f"{DOC}/versions/2030-06-01").json()
    assert inside["number"] == 2 and inside["effective_date_uncertain"] is True
    assert client.get(f"{DOC}/versions/2031-01-01").json()["effective_date_uncertain"] is False
    page = client.get("/documents/EU/consumer-protection").text
    # issue 16: @2 starts later than today, so it reads "scheduled"; @1's end is known only to the year, as @2's start
    assert "scheduled from 2030; day unknown" in page and "2030-01-01" not in page
    assert "in force since 2014-06-13, until 2030; day unknown" in page
    version_page = client.get("/documents/EU/consumer-protection/versions/2030-06-01").text
    assert "since 2030; day unknown" in version_page and "Effective date uncertain" in version_page
    assert "Effective date uncertain" not in client.get("/documents/EU/consumer-protection/versions/2031-06-01").text


# ---- a corpus with a version, a correction recorded later, and a reform recorded later -----------------------

def history_folder(tmp_path: Path) -> Path:
    """EU/consumer-protection: @1 recorded 2026-01-10 with the wrong 10 days (from June 2014, day unknown); @2
    recorded 2026-03-01 corrects it (14 days); @3 recorded 2026-05-01 is a reform from 2026-06-01 (30 days)."""
    folder = copy_tree(MINI, tmp_path / "standards")
    path = folder / "documents/EU/consumer-protection.json"
    doc = json.loads(path.read_text())
    doc["versions"] = [
        {"number": 1, "status": "corrected", "effective_from": "2014-06", "effective_to": None,
         "changelog": "First version.", "recorded": "2026-01-10", "schema": schema(10)},
        {"number": 2, "status": "superseded", "effective_from": "2014-06", "effective_to": "2026-06-01", "corrects": 1,
         "changelog": WRONG_NOTE, "recorded": "2026-03-01", "schema": schema(14)},
        {"number": 3, "status": "published", "effective_from": "2026-06-01", "effective_to": None,
         "changelog": "Reform: 30 days.", "recorded": "2026-05-01", "schema": schema(30)},
    ]
    path.write_text(json.dumps(doc, indent=2))
    return folder


@pytest.fixture
def history(tmp_path, engine, database_url):
    load_folder(engine, history_folder(tmp_path))
    from registry.settings import Settings
    from tests.conftest import STANDARDS
    settings = Settings.from_env({}, database_url=database_url, load_corpus_on_start=False, standards_dir=STANDARDS)
    with TestClient(app=create_app(settings)) as client:
        yield client


def look(client, ref, day=None):
    return client.get(f"{DOC}/versions/{ref}" + (f"?as_recorded={day}" if day else ""))


def test_as_recorded_answers_as_the_registry_did_on_that_day(history):
    # before anything was recorded
    assert look(history, "latest", "2026-01-09").status_code == 404
    # after @1: the wrong version answers, as it did then; the later correction and reform are not seen
    then = look(history, "latest", "2026-02-01").json()
    assert then["number"] == 1 and then["status"] == "published" and then["corrected_by"] is None
    assert then["effective_to"] is None and then["as_recorded"] == "2026-02-01"
    assert look(history, "2027-01-01", "2026-02-01").json()["number"] == 1
    assert look(history, "1", "2026-02-01").json()["status"] == "published"
    assert look(history, "2", "2026-02-01").status_code == 404
    # after the correction, before the reform
    assert look(history, "latest", "2026-04-01").json()["number"] == 2
    corrected = look(history, "1", "2026-04-01").json()
    assert corrected["status"] == "corrected" and corrected["corrected_by"] == 2
    assert look(history, "2027-01-01", "2026-04-01").json()["number"] == 2
    assert look(history, "2027-01-01", "2026-04-01").json()["effective_to"] is None
    # after the reform was recorded (before it took effect, too)
    assert look(history, "2027-01-01", "2026-05-01").json()["number"] == 3
    old = look(history, "2020-01-01", "2026-05-01").json()
    assert old["number"] == 2 and old["status"] == "superseded" and old["effective_to"] == "2026-06-01"
    # today: the same as no as_recorded
    for ref in ("1", "2", "3", "latest", "2020-01-01", "2027-01-01"):
        now, plain = look(history, ref, "2099-01-01").json(), look(history, ref).json()
        assert {k: now[k] for k in ("number", "status", "effective_from", "effective_to", "corrected_by")} == \
               {k: plain[k] for k in ("number", "status", "effective_from", "effective_to", "corrected_by")}
    assert look(history, "latest", "2026-13-01").status_code == 400
    page = history.get("/documents/EU/consumer-protection/versions/1?as_recorded=2026-02-01").text
    assert "As the registry recorded it on 2026-02-01" in page and "Corrected by" not in page
    assert "Corrected by" in history.get("/documents/EU/consumer-protection/versions/1").text


def test_as_of_inside_a_month_only_start_is_uncertain(history):
    inside = look(history, "2014-06-20").json()
    assert inside["number"] == 2 and inside["effective_date_uncertain"] is True
    assert inside["effective_from"] == "2014-06" and inside["effective_from_precision"] == "month"
    assert look(history, "2014-07-01").json()["effective_date_uncertain"] is False
    assert look(history, "2014-05-31").status_code == 404


def test_replaying_every_recording_gives_the_stored_state(history, engine):
    with read_session(engine) as session:
        document = session.exec(select(Document).where(Document.namespace == "EU")).first()
        rows = session.exec(select(Version).where(Version.document_id == document.id)).all()
        replayed = {r.number: (r.status, r.effective_from, r.effective_to, r.corrected_by)
                    for r in lifecycle.as_recorded(rows, dt.date(2099, 1, 1))}
        stored = {v.number: (v.status, v.effective_from, v.effective_to,
                             next((w.number for w in rows if w.corrects == v.number), None)) for v in rows}
    assert replayed == stored


def test_load_and_export_keep_corrections_and_partial_dates(tmp_path, engine):
    folder = history_folder(tmp_path)
    load_folder(engine, folder)
    with read_session(engine) as session:
        corpus.export(session, tmp_path / "out")
    exported = json.loads((tmp_path / "out/documents/EU/consumer-protection.json").read_text())
    original = json.loads((folder / "documents/EU/consumer-protection.json").read_text())
    keys = ("number", "status", "effective_from", "effective_to", "corrects", "changelog", "recorded")
    assert [{k: v.get(k) for k in keys} for v in exported["versions"]] == \
           [{k: v.get(k) for k in keys} for v in original["versions"]]
    assert "corrects" not in exported["versions"][0]
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    load_folder(fresh, tmp_path / "out")
    with read_session(fresh) as session:
        rows = {v.number: v for v in session.exec(select(Version).join(Document).where(Document.namespace == "EU")).all()}
    assert rows[2].corrects == 1 and rows[1].status == "corrected"
    assert (rows[1].effective_from, rows[1].effective_from_precision) == (dt.date(2014, 6, 1), "month")


def _broken(tmp_path: Path, change) -> list[str]:
    folder = history_folder(tmp_path)
    path = folder / "documents/EU/consumer-protection.json"
    doc = json.loads(path.read_text())
    change(doc["versions"])
    path.write_text(json.dumps(doc))
    engine = make_engine(f"sqlite:///{tmp_path / 'broken.db'}")
    migrate(engine)
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    return [e.detail for e in report.errors]


@pytest.mark.parametrize("change, message", [
    (lambda vs: vs[1].pop("corrects"), "status corrected, but no later version says"),
    (lambda vs: vs[0].update(status="superseded", effective_to="2014-07"), "whose status is superseded, not corrected"),
    (lambda vs: vs[1].update(changelog=""), "a correction's changelog says what was wrong"),
    (lambda vs: vs[1].update(corrects=3), "which is not an earlier version"),
    (lambda vs: vs[0].update(effective_from="2014-6"), "is not a date"),
    (lambda vs: vs[2].update(effective_from="2014"), "overlap"),
])
def test_the_loader_checks_that_both_sides_of_a_correction_agree(tmp_path, change, message):
    errors = _broken(tmp_path, change)
    assert any(message in e for e in errors), errors


# ---- a compliance report replays exactly -----------------------------------------------------------------

def _with_minimum(body: dict, old: int, new: int) -> dict:
    """The body with every `minimum: old` of withdrawal_period_days set to `new`."""
    changed = copy.deepcopy(body)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "withdrawal_period_days" and isinstance(value, dict) and value.get("minimum") == old:
                    value["minimum"] = new
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(changed)
    return changed


def test_a_rerun_replays_exactly_after_a_back_dated_correction(corpus_client, make_token):
    regulator = auth(make_token("regulator", "EU"))
    question = {"profile": {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}},
                "markets": ["EU"], "topics": ["consumer-protection"], "as_of": "2020-06-01"}
    first = corpus_client.post(CHECK, json=question).json()
    [eu] = first["markets"]
    assert eu["status"] == "non_compliant"
    wrong = corpus_client.get(f"{DOC}/versions/2020-06-01").json()
    body = _with_minimum(wrong["schema"], 14, 7)
    assert body != wrong["schema"], "the shipped EU consumer rule no longer asks 14 days"
    created = corpus_client.post(f"{DOC}/versions", headers=regulator, json={
        "schema": body, "corrects": wrong["number"], "changelog": "Test correction: 7 days (fictional)."})
    assert created.status_code == 201, created.text
    published = corpus_client.post(f"{DOC}/versions/{created.json()['number']}/publish", headers=regulator)
    assert published.status_code == 200, published.text
    assert published.json()["effective_from"] == wrong["effective_from"]  # back-dated: it takes over the interval

    replay = corpus_client.post(CHECK, json={"profile": question["profile"], **first["rerun"]})
    assert replay.status_code == 200, replay.text
    assert replay.json()["markets"] == first["markets"] and replay.json()["versions_used"] == first["versions_used"]
    fresh = corpus_client.post(CHECK, json={"profile": question["profile"], **first["check_again"]}).json()
    assert fresh["markets"][0]["violations"] == [] and fresh["markets"][0]["status"] == "incomplete"  # facts unstated
    assert f"EU/consumer-protection@{created.json()['number']}" in fresh["markets"][0]["documents"]

    tampered = {**first["rerun"], "versions": [{**first["rerun"]["versions"][0], "content_hash": "0" * 64}]}
    refused = corpus_client.post(CHECK, json={"profile": question["profile"], **tampered})
    assert refused.status_code == 409 and refused.json()["code"] == "pinned_version_changed"


def test_a_compliance_check_inside_a_year_only_start_says_its_date_is_uncertain(corpus_client, make_token):
    regulator = auth(make_token("regulator", "EU"))
    latest = corpus_client.get(f"{DOC}/versions/latest").json()
    body = _with_minimum(latest["schema"], 14, 15)
    assert body != latest["schema"], "the shipped EU consumer rule no longer asks 14 days"
    created = corpus_client.post(f"{DOC}/versions", headers=regulator,
                                 json={"schema": body, "effective_from": "2035", "changelog": "Test reform (fictional)."})
    assert created.status_code == 201, created.text
    assert corpus_client.post(f"{DOC}/versions/{created.json()['number']}/publish", headers=regulator).status_code == 200
    question = {"profile": {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 14}},
                "markets": ["EU", "CN"], "topics": ["consumer-protection"]}
    inside = corpus_client.post(CHECK, json={**question, "as_of": "2035-06-01"}).json()
    markets = {m["market"]: m for m in inside["markets"]}
    assert markets["EU"]["effective_date_uncertain"] is True and markets["EU"]["status"] == "non_compliant"
    assert markets["EU"]["uncertain_dates"] == [f"EU/consumer-protection@{created.json()['number']}"]
    assert markets["CN"]["effective_date_uncertain"] is False
    after = corpus_client.post(CHECK, json={**question, "as_of": "2036-01-01"}).json()
    assert all(m["effective_date_uncertain"] is False for m in after["markets"])
    text = corpus_client.post(CHECK + "?format=md", json={**question, "as_of": "2035-06-01"}).text
    assert "## Effective dates uncertain" in text and "starts in a month or year that contains 2035-06-01" in text
