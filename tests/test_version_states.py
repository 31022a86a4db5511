"""Version states computed for a day (in force, scheduled, superseded, corrected, withdrawn, draft) beside the stored
lifecycle status; `@current` (in force today) beside `@latest` (newest published); the pages and the compliance
check's default use the version in force (issue 16, item 5)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from registry.domain import dates, lifecycle
from registry.domain.lifecycle import Interval
from registry.domain.references import parse_reference, parse_selector
from registry.errors import InvalidInput
from tests.conftest import auth
from tests.test_lifecycle import DOC, draft, schema

TODAY = dt.date.today()
NEXT_YEAR = dt.date(TODAY.year + 1, 3, 15)


@pytest.fixture
def eu(client, make_token):
    return auth(make_token("regulator", "EU"))


@pytest.fixture
def scheduled(client, eu):
    """EU/consumer-protection @1 (14 days, in force since 2014-06-13) and @2 (30 days) published to start next
    year."""
    draft(client, eu, schema(30), effective_from=NEXT_YEAR.isoformat(), changelog="Thirty days.")
    response = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert response.status_code == 200, response.text
    return response.json()


# ---- the domain --------------------------------------------------------------------------------------------

def version(status: str, start: dt.date | None, end: dt.date | None = None, *, start_precision: str = dates.DAY,
            end_precision: str = dates.DAY) -> Interval:
    row = Interval(1, status, start, end)
    row.effective_from_precision, row.effective_to_precision = start_precision, end_precision  # type: ignore[attr-defined]
    return row


@pytest.mark.parametrize("status, start, end, day, expected", [
    ("published", dt.date(2020, 1, 1), None, dt.date(2026, 1, 1), "in_force"),
    ("published", dt.date(2027, 3, 15), None, dt.date(2026, 12, 2), "scheduled"),
    ("published", dt.date(2027, 3, 15), None, dt.date(2027, 3, 15), "in_force"),
    # stored as superseded when @2 was published, but @2 starts later: still in force until then
    ("superseded", dt.date(2020, 1, 1), dt.date(2027, 3, 15), dt.date(2027, 3, 14), "in_force"),
    ("superseded", dt.date(2020, 1, 1), dt.date(2027, 3, 15), dt.date(2027, 3, 15), "superseded"),
    ("withdrawn", dt.date(2020, 1, 1), None, dt.date(2026, 1, 1), "withdrawn"),
    ("corrected", dt.date(2020, 1, 1), None, dt.date(2026, 1, 1), "corrected"),
    ("draft", dt.date(2020, 1, 1), None, dt.date(2026, 1, 1), "draft"),
])
def test_state_on_a_day(status, start, end, day, expected):
    state = lifecycle.state_on(version(status, start, end), day)
    assert state.state == expected and state.day == day and state.uncertain is False


def test_scheduled_and_superseded_words_name_the_date():
    assert lifecycle.state_on(version("published", dt.date(2027, 3, 15)), dt.date(2026, 12, 2)).words == \
        "scheduled from 2027-03-15"
    assert lifecycle.state_on(version("superseded", dt.date(2020, 1, 1), dt.date(2027, 3, 15)),
                              dt.date(2028, 1, 1)).words == "superseded: in force until 2027-03-15"
    assert lifecycle.state_on(version("published", dt.date(2020, 1, 1)), dt.date(2026, 1, 1)).words == \
        "in force since 2020-01-01"


@pytest.mark.parametrize("day, expected, uncertain", [
    (dt.date(2025, 12, 31), "scheduled", False),  # before the year: certainly not yet
    (dt.date(2026, 1, 1), "in_force", True),      # inside the year: which day is not known
    (dt.date(2026, 12, 31), "in_force", True),
    (dt.date(2027, 1, 1), "in_force", False),     # after the year: certainly started
])
def test_a_start_known_to_the_year_is_decided_by_what_is_certain(day, expected, uncertain):
    state = lifecycle.state_on(version("published", dt.date(2026, 1, 1), start_precision=dates.YEAR), day)
    assert (state.state, state.uncertain) == (expected, uncertain)
    if uncertain:
        assert "uncertain" in state.words and "may not have started yet" in state.words
        assert "2026; day unknown" in state.words


def test_an_end_known_to_the_month_is_uncertain_inside_that_month():
    row = version("superseded", dt.date(2020, 1, 1), dt.date(2026, 7, 1), end_precision=dates.MONTH)
    inside = lifecycle.state_on(row, dt.date(2026, 7, 20))
    assert (inside.state, inside.uncertain) == ("superseded", True)
    assert "may still be in force" in inside.words
    assert lifecycle.state_on(row, dt.date(2026, 8, 1)).uncertain is False


def test_current_is_a_reference_beside_latest():
    assert parse_selector("current").current is True and parse_selector("current").latest is False
    assert str(parse_reference("EU/consumer-protection@current")) == "EU/consumer-protection@current"
    assert parse_selector("latest").latest is True
    with pytest.raises(InvalidInput) as raised:
        parse_selector("now")
    assert "'current'" in raised.value.message


def test_select_scheduled_lists_future_published_versions_soonest_first():
    rows = [Interval(1, "superseded", dt.date(2020, 1, 1), dt.date(2027, 3, 15)),
            Interval(2, "published", dt.date(2027, 3, 15), None), Interval(3, "draft", dt.date(2028, 1, 1), None)]
    for row in rows:
        row.effective_from_precision = row.effective_to_precision = dates.DAY  # type: ignore[attr-defined]
    assert [v.number for v in lifecycle.select_scheduled(rows, dt.date(2026, 12, 2))] == [2]
    assert lifecycle.select_in_force(rows, dt.date(2026, 12, 2)).number == 1


# ---- the API ----------------------------------------------------------------------------------------------

def test_after_publishing_a_future_version_current_is_todays_and_latest_the_new_one(client, scheduled):
    assert scheduled["state"]["state"] == "scheduled"
    assert scheduled["state"]["text"] == f"scheduled from {NEXT_YEAR.isoformat()}"
    current = client.get(f"{DOC}/versions/current").json()
    latest = client.get(f"{DOC}/versions/latest").json()
    assert current["number"] == 1 and latest["number"] == 2
    # the stored lifecycle status stays as it was; the state says what each is today
    assert current["status"] == "superseded" and current["state"]["state"] == "in_force"
    assert current["state"]["on"] == TODAY.isoformat() and current["state"]["uncertain"] is False
    assert latest["status"] == "published" and latest["state"]["state"] == "scheduled"
    listed = {v["number"]: v["state"]["state"] for v in client.get(f"{DOC}/versions").json()["items"]}
    assert listed == {1: "in_force", 2: "scheduled"}
    # on the day it starts, the new version is the one in force
    assert client.get(f"{DOC}/versions/{NEXT_YEAR.isoformat()}").json()["number"] == 2


def test_current_without_a_version_in_force_says_which_is_scheduled(client, eu, make_token):
    admin = auth(make_token())
    created = client.post("/api/v1/documents", headers=admin, json={
        "jurisdiction": "EU", "slug": "future-rule", "kind": "rule", "title": "A rule that starts next year",
        "topic": "consumer-protection", "vocabulary": "vocabulary/mini-profile"})
    assert created.status_code in (200, 201), created.text
    url = "/api/v1/documents/EU/future-rule"
    assert client.post(f"{url}/versions", headers=eu, json={
        "schema": schema(30), "effective_from": NEXT_YEAR.isoformat()}).status_code == 201
    assert client.post(f"{url}/versions/1/publish", headers=eu).status_code == 200
    response = client.get(f"{url}/versions/current")
    assert response.status_code == 404 and response.json()["code"] == "unknown_version"
    assert f"no version in force on {TODAY}" in response.json()["message"]
    assert f"@1 is scheduled from {NEXT_YEAR}" in response.json()["message"]
    assert client.get(f"{url}/versions/latest").json()["number"] == 1


def test_compare_by_current_and_latest_names_the_versions_used(client, scheduled):
    response = client.post("/api/v1/compare", json={"left": "EU/consumer-protection@current",
                                                    "right": "EU/consumer-protection@latest"})
    assert response.status_code == 200, response.text
    assert [v["ref"] for v in (response.json()["left"]["versions"] + response.json()["right"]["versions"])] == [
        "EU/consumer-protection@1", "EU/consumer-protection@2"]


def test_a_reference_without_a_selector_is_the_version_in_force_today(client, scheduled):
    assert parse_reference("EU/consumer-protection").version.current is True
    response = client.post("/api/v1/compare", json={"left": "EU/consumer-protection",
                                                    "right": "EU/consumer-protection@latest"})
    assert response.status_code == 200, response.text
    assert response.json()["left"]["versions"][0]["ref"] == "EU/consumer-protection@1"
    assert response.json()["relation"] != "equivalent"  # 14 days today, 30 from next year


# ---- the pages --------------------------------------------------------------------------------------------

def test_document_page_reads_in_force_and_scheduled(client, scheduled):
    html = client.get("/documents/EU/consumer-protection").text
    assert f"scheduled from {NEXT_YEAR.isoformat()}" in html
    assert 'status-in_force">in force</span>' in html and 'status-scheduled">scheduled</span>' in html
    assert 'status-superseded">superseded</span>' not in html  # today's version is not called superseded


def test_version_pages_by_current_and_latest(client, scheduled):
    current = client.get("/documents/EU/consumer-protection/versions/current")
    assert current.status_code == 200
    assert "@1" in current.text and 'status-in_force">in force</span>' in current.text
    latest = client.get("/documents/EU/consumer-protection/versions/latest").text
    assert f"Scheduled from {NEXT_YEAR.isoformat()}:" in latest
    assert 'status-scheduled">scheduled</span>' in latest


# ---- compliance ---------------------------------------------------------------------------------------------

def test_compliance_default_uses_the_version_in_force_today(corpus_client, make_token):
    regulator = auth(make_token("regulator", "EU"))
    url = "/api/v1/documents/EU/consumer-protection"
    before = corpus_client.get(f"{url}/versions/latest").json()
    body = copy.deepcopy(before["schema"])
    days = body["allOf"][0]["then"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]
    assert days["minimum"] == 14
    days["minimum"] = 30
    created = corpus_client.post(f"{url}/versions", headers=regulator, json={
        "schema": body, "effective_from": NEXT_YEAR.isoformat(), "changelog": "Thirty days (a test reform)."})
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert corpus_client.post(f"{url}/versions/{number}/publish", headers=regulator).status_code == 200

    profile = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 14}}
    request = {"profile": profile, "markets": ["EU"], "topics": ["consumer-protection"]}
    today = corpus_client.post("/api/v1/compliance/check", json=request)
    assert today.status_code == 200, today.text
    assert f"EU/consumer-protection@{before['number']}" in [v["ref"] for v in today.json()["versions_used"]]
    assert not [v for v in today.json()["markets"][0]["violations"] if v["path"].endswith("withdrawal_period_days")]
    later = corpus_client.post("/api/v1/compliance/check", json={**request, "as_of": NEXT_YEAR.isoformat()}).json()
    assert f"EU/consumer-protection@{number}" in [v["ref"] for v in later["versions_used"]]
    [violation] = [v for v in later["markets"][0]["violations"] if v["path"].endswith("withdrawal_period_days")]
    assert violation["expected"] == 30 and violation["actual"] == 14
