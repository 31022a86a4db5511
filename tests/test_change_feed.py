"""The public change feed (registry/services/changes.py) on the home page and /changes: versions published,
scheduled, corrected and withdrawn, in the users' words; never drafts or internal events (issue 16, item 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.services import changes
from registry.storage.database import read_session
from tests.conftest import auth
from tests.test_lifecycle import DOC, draft, schema

NEXT_YEAR = dt.date(dt.date.today().year + 1, 3, 15)


@pytest.fixture
def eu(client, make_token):
    return auth(make_token("regulator", "EU"))


def feed(engine, **options):
    with read_session(engine) as session:
        return changes.feed(session, **options)


def body(minimum: int | None = None, const: object = None) -> dict:
    properties: dict = {}
    if minimum is not None:
        properties["withdrawal_period_days"] = {"minimum": minimum}
    if const is not None:
        properties["sells_b2c"] = {"const": const}
    return {"properties": {"consumer_protection": {"properties": properties}}}


# ---- words from the diff -------------------------------------------------------------------------------------

def test_a_raised_bound_is_told_from_the_new_side():
    [found] = changes.differences(body(14), body(30))
    assert found.reformed == "raised the minimum withdrawal period days from 14 to 30"
    assert found.corrected == "minimum withdrawal period days: 30, not 14"
    [lowered] = changes.differences(body(30), body(14))
    assert lowered.reformed == "lowered the minimum withdrawal period days from 30 to 14"


def test_added_removed_and_required_values():
    assert [d.reformed for d in changes.differences(body(), body(7))] == ["added a minimum withdrawal period days of 7"]
    assert [d.reformed for d in changes.differences(body(7), body())] == [
        "removed the minimum withdrawal period days of 7"]
    assert [d.reformed for d in changes.differences(body(), body(const=True))] == [
        "now requires sells b2c to be true"]
    assert [d.reformed for d in changes.differences(body(const=True), body())] == [
        "no longer requires sells b2c to be true"]


def test_values_are_compared_as_json_so_zero_and_false_differ():
    assert [d.reformed for d in changes.differences(body(const=0), body(const=False))] == [
        "changed the required value sells b2c from 0 to false"]
    assert changes.differences(body(14, const=True), body(14, const=True)) == []


# ---- the feed --------------------------------------------------------------------------------------------------

def test_a_version_published_to_start_later_is_a_scheduled_change_in_words(client, eu, mini_engine):
    draft(client, eu, schema(30), effective_from=NEXT_YEAR.isoformat(), changelog="Thirty days.")
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    [entry] = [e for e in feed(mini_engine) if e.ref == "EU/consumer-protection@2"]
    assert entry.kind == "scheduled" and entry.jurisdiction == "EU" and entry.version == 2
    assert entry.effective == NEXT_YEAR.isoformat() and entry.recorded_on == dt.date.today()
    assert entry.words == (f"EU raised the minimum withdrawal period days from 14 to 30 "
                           f"(consumer-protection @2, to take effect on {NEXT_YEAR.isoformat()})")
    home = client.get("/").text
    assert entry.words in home and 'status-scheduled">scheduled</span>' in home
    # read on or after its day, the same entry no longer says "scheduled"
    assert entry.label(NEXT_YEAR - dt.timedelta(days=1)) == "scheduled"
    assert entry.label(NEXT_YEAR) == "took effect" and entry.kind == "scheduled"


def test_drafts_and_internal_events_never_reach_the_home_page_or_the_feed(client, eu, mini_engine):
    draft(client, eu, schema(21), effective_from="2027-01-01", changelog="A draft nobody may see yet.")
    for headers in ({}, eu):  # anonymous, and even the draft's own writer
        for address in ("/", "/changes", "/changes?jurisdiction=EU"):
            html = client.get(address, headers=headers).text
            assert "/documents/EU/consumer-protection/versions/2" not in html, address
            assert "consumer-protection @2" not in html and "version create" not in html, address
    assert [e for e in feed(mini_engine) if e.version == 2] == []
    # the feed holds only versions that were recorded: here the mini corpus's first versions
    assert {e.kind for e in feed(mini_engine)} == {"published"}


def test_withdrawals_and_corrections_are_public_changes(client, eu, mini_engine):
    draft(client, eu, schema(30), effective_from="2025-01-01")
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    response = client.post(f"{DOC}/versions/2/withdraw", headers=eu, json={"reason": "Published in error."})
    assert response.status_code == 200, response.text
    correction = draft(client, eu, schema(15), corrects=1, changelog="The period is 15 days: Art 9(1) as amended.")
    assert client.post(f"{DOC}/versions/{correction.json()['number']}/publish", headers=eu).status_code == 200
    entries = feed(mini_engine, jurisdiction="EU")
    kinds = [(e.kind, e.version) for e in entries]
    assert kinds[:3] == [("correction", 3), ("withdrawn", 2), ("published", 2)]
    assert entries[0].words == ("The registry corrected EU consumer-protection @1 with @3: minimum withdrawal period "
                                "days: 15, not 14")
    assert entries[0].corrects == 1
    assert entries[1].words == ("EU consumer-protection @2 was withdrawn from the registry (treated as never in "
                                "force): Published in error.")
    assert all(e.jurisdiction == "EU" for e in entries)


def test_the_feed_is_cached_until_a_version_changes(client, eu, mini_engine):
    before = feed(mini_engine, limit=5)
    assert feed(mini_engine, limit=5) == before
    draft(client, eu, schema(30), effective_from="2025-01-01")
    assert feed(mini_engine, limit=5) == before  # a draft is no public change
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    after = feed(mini_engine, limit=5)
    assert after[0].ref == "EU/consumer-protection@2" and after[0].kind == "published"
    assert after[1:] == before[:4]


def test_the_changes_page_filters_by_jurisdiction(client, mini_engine):
    cn = client.get("/changes?jurisdiction=CN")
    assert cn.status_code == 200
    assert "CN published consumer-protection @1" in cn.text and "EU published" not in cn.text
    everything = client.get("/changes").text
    assert "CN published consumer-protection @1" in everything and "EU published consumer-protection @1" in everything
    assert client.get("/changes?jurisdiction=cn!").status_code == 400


def test_the_home_page_no_longer_shows_the_audit_log_to_visitors(client, eu):
    draft(client, eu, schema(21), effective_from="2027-01-01")
    home = client.get("/").text
    assert "/api/v1/audit" not in home and "by regulator" not in home and "document create" not in home
    assert "EU published consumer-protection @1" in home and 'href="/changes"' in home
