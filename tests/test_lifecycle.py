"""The life of a version through the API: drafts, edits with If-Match, publish, supersede, withdraw."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import EUR_LEX_SOURCE, auth

DOC = "/api/v1/documents/EU/consumer-protection"


def schema(days: int, refund: int | None = None) -> dict:
    properties: dict = {"withdrawal_period_days": {"minimum": days, "x-rule": {
        "id": f"T-EU-{days}D", "citation": "Directive 2011/83/EU Art 9(1)",
        "sources": [EUR_LEX_SOURCE], "summary": f"{days} days.",
        "obligation": "must", "confidence": "H", "recorded": "2026-11-28"}}}
    if refund is not None:
        properties["refund_within_days"] = {"maximum": refund, "x-rule": {
            "id": "T-EU-REFUND", "citation": "Directive 2011/83/EU Art 13(1)",
            "sources": [EUR_LEX_SOURCE], "summary": "Refund within 14 days.",
            "obligation": "must", "confidence": "H", "recorded": "2026-11-28"}}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"consumer_protection": {"type": "object", "properties": properties}}}


@pytest.fixture
def eu(client, make_token):
    return auth(make_token("regulator", "EU"))


def draft(client, headers, body, **fields):
    response = client.post(f"{DOC}/versions", json={"schema": body, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response


def test_draft_edit_publish_supersede(client, eu):
    created = draft(client, eu, schema(14, 14), effective_from="2024-01-01", changelog="Adds the refund rule.")
    body = created.json()
    assert body["number"] == 2 and body["status"] == "draft"
    etag = created.headers["etag"]

    # drafts are invisible to the public, visible to their writers
    assert client.get(f"{DOC}/versions/2").status_code == 404
    assert [v["number"] for v in client.get(f"{DOC}/versions").json()["items"]] == [1]
    assert client.get(f"{DOC}/versions/2", headers=eu).json()["status"] == "draft"

    edited = client.put(f"{DOC}/versions/2", json={"schema": schema(14, 10), "effective_from": "2024-01-01"},
                        headers={**eu, "If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] != etag
    assert edited.json()["content_hash"] != body["content_hash"]

    published = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["effective_from"] == "2024-01-01"

    first = client.get(f"{DOC}/versions/1").json()
    assert first["status"] == "superseded" and first["effective_to"] == "2024-01-01"
    latest = client.get(f"{DOC}/versions/latest").json()
    assert latest["number"] == 2
    assert latest["schema"]["properties"]["consumer_protection"]["properties"]["refund_within_days"]["maximum"] == 10


def test_published_bodies_never_change(client, eu):
    latest = client.get(f"{DOC}/versions/1")
    response = client.put(f"{DOC}/versions/1", json={"schema": schema(30)},
                          headers={**eu, "If-Match": latest.headers["etag"]})
    assert response.status_code == 409
    assert response.json()["code"] == "immutable_version"
    assert client.get(f"{DOC}/versions/1").json()["content_hash"] == latest.json()["content_hash"]
    # publishing again is not a transition a published version can take
    again = client.post(f"{DOC}/versions/1/publish", headers=eu)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_identical_republish_is_refused_naming_the_existing_version(client, eu):
    current = client.get(f"{DOC}/versions/1").json()["schema"]
    draft(client, eu, copy.deepcopy(current), effective_from="2025-01-01")
    response = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "identical_version"
    assert "EU/consumer-protection@1" in error["message"]
    assert client.get(f"{DOC}/versions/latest").json()["number"] == 1


def test_if_match_is_required_and_checked(client, eu):
    created = draft(client, eu, schema(14), effective_from="2024-01-01")
    missing = client.put(f"{DOC}/versions/2", json={"schema": schema(15)}, headers=eu)
    assert missing.status_code == 428 and missing.json()["code"] == "if_match_required"
    first = client.put(f"{DOC}/versions/2", json={"schema": schema(15)},
                       headers={**eu, "If-Match": created.headers["etag"]})
    assert first.status_code == 200
    stale = client.put(f"{DOC}/versions/2", json={"schema": schema(16)},
                       headers={**eu, "If-Match": created.headers["etag"]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "edit_conflict"
    assert client.get(f"{DOC}/versions/2", headers=eu).json()["schema"] == schema(15)


def test_withdraw_needs_a_reason_and_removes_the_version_from_look_ups(client, eu):
    no_reason = client.post(f"{DOC}/versions/1/withdraw", json={"reason": "  "}, headers=eu)
    assert no_reason.status_code == 400 and no_reason.json()["pointer"] == "/reason"
    response = client.post(f"{DOC}/versions/1/withdraw", json={"reason": "published in error",
                                                                "successor": "EU/consumer-protection@2"}, headers=eu)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn_reason"] == "published in error"
    assert client.get(f"{DOC}/versions/latest").status_code == 404
    assert client.get(f"{DOC}/versions/2020-01-01").status_code == 404
    assert client.get(f"{DOC}/versions/1").json()["status"] == "withdrawn"  # history stays readable
    again = client.post(f"{DOC}/versions/1/withdraw", json={"reason": "again"}, headers=eu)
    assert again.status_code == 409


def test_new_version_cannot_start_before_the_current_one(client, eu):
    draft(client, eu, schema(21), effective_from="2010-01-01")
    response = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert response.status_code == 409 and response.json()["code"] == "invalid_interval"
    assert client.get(f"{DOC}/versions/1").json()["status"] == "published"


@pytest.mark.parametrize("day, expected", [
    ("2014-06-12", None),  # the day before the first version starts
    ("2014-06-13", 1),     # its first day
    ("2023-12-31", 1),     # the last day before the second version
    ("2024-01-01", 2),     # the second version's first day: intervals are half-open
    ("2030-01-01", 2),
])
def test_as_of_look_ups_on_interval_edges(client, eu, day, expected):
    draft(client, eu, schema(21), effective_from="2024-01-01")
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    response = client.get(f"{DOC}/versions/{day}")
    if expected is None:
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_version"
    else:
        assert response.status_code == 200 and response.json()["number"] == expected


def test_an_explicit_end_date_is_kept_when_the_next_version_starts_later(client, eu):
    created = draft(client, eu, schema(21), effective_from="2026-07-01", effective_to="2028-07-01")
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200, created.text
    assert client.get(f"{DOC}/versions/2028-06-30").json()["number"] == 2
    assert client.get(f"{DOC}/versions/2028-07-01").status_code == 404


def test_structural_diff_between_versions(client, eu):
    draft(client, eu, schema(21), effective_from="2024-01-01")
    diff = client.get(f"{DOC}/versions/1/diff/2", headers=eu).json()
    pointers = {c["pointer"]: c for c in diff["changes"]}
    changed = pointers["/properties/consumer_protection/properties/withdrawal_period_days/minimum"]
    assert (changed["left"], changed["right"], changed["change"]) == (14, 21, "changed")
    assert diff["identical"] is False
