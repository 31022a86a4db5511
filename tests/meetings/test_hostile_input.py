"""Bad input gets a 4xx in the one error shape, and changes nothing."""

from __future__ import annotations

import pytest

from tests.meetings.support import MEETINGS, body, create
from tests.test_error_shape import check_shape


@pytest.mark.parametrize("changes, status, code, pointer", [
    ({"timezone": "Mars/Olympus"}, 400, "unknown_timezone", "/timezone"),
    ({"timezone": "../../etc/passwd"}, 400, "unknown_timezone", "/timezone"),
    ({"timezone": "CEST"}, 400, "unknown_timezone", "/timezone"),
    ({"start": "2025-03-30T02:30", "end": "2025-03-30T04:00"}, 422, "nonexistent_local_time", "/start"),
    ({"start": "tomorrow"}, 400, "invalid_datetime", "/start"),
    ({"start": "2025-02-30T10:00"}, 400, "invalid_datetime", "/start"),
    ({"end": "2025-06-12T09:00"}, 422, "end_before_start", "/end"),
    ({"end": "2025-06-12T10:00"}, 422, "end_before_start", "/end"),
    ({"end": "2025-09-12T10:00"}, 422, "too_long", "/end"),
    ({"type": "party"}, 400, "unknown_type", "/type"),
    ({"jurisdictions": ["EU", "XX"]}, 422, "unknown_jurisdiction", "/jurisdictions/1"),
    ({"topics": ["astrology"]}, 422, "unknown_topic", "/topics/0"),
    ({"documents": ["EU/nothing"]}, 422, "unknown_document", "/documents/0"),
    ({"documents": ["EU/consumer-protection@9"]}, 422, "unknown_version", "/documents/0"),
    ({"documents": ["not a name"]}, 400, "invalid_name", "/documents/0"),
    ({"agenda": [{"title": "x", "documents": ["CN/nothing"]}]}, 422, "unknown_document", "/agenda/0/documents/0"),
    ({"online_url": "javascript:alert(1)"}, 422, "invalid_link", "/online_url"),
    ({"sources": [{"url": "file:///etc/passwd"}]}, 422, "invalid_link", "/sources/0/url"),
    ({"attachments": [{"url": "//evil.example/x"}]}, 422, "invalid_link", "/attachments/0/url"),
    ({"participants": [{"name": "X", "email": "not-an-address"}]}, 400, "invalid_email", "/participants/0/email"),
    ({"participants": [{"name": "X", "role": "king"}]}, 400, "unknown_participant_role", "/participants/0/role"),
    ({"participants": [{"name": "X", "jurisdiction": "ZZ"}]}, 422, "unknown_jurisdiction", "/participants/0/jurisdiction"),
    ({"colour": "blue"}, 400, "invalid_input", "/colour"),
    ({"title": ""}, 400, "invalid_input", "/title"),
    ({"agenda": [{"title": "x", "duration_minutes": -5}]}, 400, "invalid_input", "/agenda/0/duration_minutes"),
])
def test_bad_meetings_are_refused_with_a_pointer(client, secretariat, changes, status, code, pointer):
    check_shape(client.post(MEETINGS, json=body(**changes), headers=secretariat), status, code, pointer)
    assert client.get(MEETINGS).json()["total"] == 0


def test_a_time_without_a_zone_is_refused(client, secretariat):
    data = body()
    del data["timezone"]
    check_shape(client.post(MEETINGS, json=data, headers=secretariat), 400, "invalid_input", "/timezone")
    assert client.get(MEETINGS).json()["total"] == 0


def test_a_refused_edit_changes_nothing(client, secretariat):
    meeting = create(client, secretariat)
    url = f"{MEETINGS}/{meeting['id']}"
    headers = {**secretariat, "If-Match": meeting["etag"]}
    check_shape(client.put(url, json=body(title="New", end="2025-06-12T09:00"), headers=headers), 422, "end_before_start")
    check_shape(client.patch(url, json={"start": "2025-03-30T02:15", "end": "2025-03-30T05:00"}, headers=headers),
                422, "nonexistent_local_time", "/start")
    check_shape(client.patch(url, json={"topics": ["nope"]}, headers=headers), 422, "unknown_topic", "/topics/0")
    check_shape(client.patch(url, json={"sample": "yes"}, headers=headers), 400, "invalid_input", "/sample")
    after = client.get(url).json()
    assert after == {**meeting, "participants": after["participants"]} and after["sequence"] == 0
    check_shape(client.get(f"{MEETINGS}/999"), 404, "unknown_meeting")
    check_shape(client.get(f"{MEETINGS}/abc"), 404)


@pytest.mark.parametrize("q", ['"', 'NEAR(', 'a*', '"unbalanced', "OR", "AND NOT", "title:x", "^x", "(((", "-x",
                               "\x00", "'; DROP TABLE meeting; --", "ü" * 400, "NEAR(a b, 2)", "*", "{x y}: z"])
def test_hostile_search_strings_never_fail(client, secretariat, q):
    create(client, secretariat)
    response = client.get(MEETINGS, params={"q": q, "jurisdiction": "EU"})
    assert response.status_code == 200, response.text
    assert response.json()["total"] in (0, 1)
    assert client.get(f"{MEETINGS}/stats", params={"q": q}).status_code == 200
    assert client.get(MEETINGS).json()["total"] == 1


def test_bad_filters_are_400(client):
    check_shape(client.get(MEETINGS, params={"from": "2025-13-01"}), 400, "invalid_input")
    check_shape(client.get(MEETINGS, params={"status": "imagined"}), 400, "invalid_input")
    check_shape(client.get(MEETINGS, params={"q": "x" * 501}), 400, "invalid_input")
    check_shape(client.get(MEETINGS, params={"sort": "mood"}), 400, "invalid_input")


def test_holding_a_meeting_before_it_starts_is_refused(client, secretariat):
    future = create(client, secretariat, start="2099-01-01T10:00", end="2099-01-01T11:00")
    check_shape(client.post(f"{MEETINGS}/{future['id']}/hold", headers=secretariat), 409, "not_started")
    check_shape(client.post(f"{MEETINGS}/{future['id']}/minutes/approve", headers=secretariat), 404, "no_minutes")
    assert client.get(f"{MEETINGS}/{future['id']}").json()["status"] == "planned"
