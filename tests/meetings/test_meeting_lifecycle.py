"""Issue 6, acceptance 1: a meeting created, updated, held, minuted, approved, published and cancelled through the
API; every step in the audit log; the calendar shows the right UID, SEQUENCE and STATUS after each change, and
local times survive a round trip through the time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.meetings.support import MEETINGS, body, create


def event_of(client, meeting_id: int):
    response = client.get(f"{MEETINGS}/{meeting_id}/ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def feed_event(client, meeting_id: int, **params):
    response = client.get(f"{MEETINGS}.ics", params={"from": "2025-01-01", "to": "2027-12-31", **params})
    assert response.status_code == 200
    found = [e for e in Calendar.from_ical(response.content).walk("VEVENT")
             if str(e["UID"]) == f"meeting-{meeting_id}@registry"]
    assert len(found) == 1
    return found[0]


def check_calendar(client, meeting_id: int, sequence: int, status: str) -> None:
    for event in (event_of(client, meeting_id), feed_event(client, meeting_id)):
        assert str(event["UID"]) == f"meeting-{meeting_id}@registry"
        assert int(event["SEQUENCE"]) == sequence
        assert str(event["STATUS"]) == status


def test_a_meeting_from_creation_to_published_minutes_and_a_cancelled_one(client, secretariat, admin):
    created = client.post(MEETINGS, json=body(), headers=secretariat)
    assert created.status_code == 201, created.text
    meeting = created.json()
    mid, url = meeting["id"], f"{MEETINGS}/{meeting['id']}"
    assert meeting["status"] == "planned" and meeting["sequence"] == 0
    assert created.headers["etag"] == meeting["etag"]
    assert meeting["start"].startswith("2025-06-12T08:00:00") and meeting["local_start"] == "2025-06-12T10:00:00+02:00"
    check_calendar(client, mid, 0, "TENTATIVE")

    # update: PUT needs the ETag; a stale one is refused and changes nothing
    assert client.put(url, json=body(title="Renamed"), headers=secretariat).status_code == 428
    stale = client.put(url, json=body(title="Renamed"), headers={**secretariat, "If-Match": '"1.99"'})
    assert stale.status_code == 409 and stale.json()["code"] == "edit_conflict"
    updated = client.put(url, json=body(title="EU–China dialogue, session 2", place="Berlin"),
                         headers={**secretariat, "If-Match": meeting["etag"]})
    assert updated.status_code == 200, updated.text
    assert updated.json()["sequence"] == 1 and updated.json()["title"] == "EU–China dialogue, session 2"
    check_calendar(client, mid, 1, "TENTATIVE")
    patched = client.patch(url, json={"place": "Brussels"}, headers={**secretariat, "If-Match": updated.json()["etag"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["place"] == "Brussels" and patched.json()["title"] == "EU–China dialogue, session 2"
    assert patched.json()["participants"] == updated.json()["participants"]
    check_calendar(client, mid, 2, "TENTATIVE")

    assert client.post(f"{url}/confirm", headers=secretariat).json()["status"] == "confirmed"
    check_calendar(client, mid, 3, "CONFIRMED")
    held = client.post(f"{url}/hold", headers=secretariat)
    assert held.status_code == 200 and held.json()["status"] == "held"
    check_calendar(client, mid, 4, "CONFIRMED")

    # minutes: draft → approved → published
    written = client.put(f"{url}/minutes", json={"markdown": "# Minutes\n\nAgreed on **refunds**."}, headers=secretariat)
    assert written.status_code == 200, written.text
    assert written.json()["status"] == "draft" and "<strong>refunds</strong>" in written.json()["html"]
    assert client.get(f"{url}/minutes").status_code == 404  # the public does not see drafts
    again = client.put(f"{url}/minutes", json={"markdown": "# Minutes\n\nAgreed on **refunds** within 14 days."},
                       headers={**secretariat, "If-Match": written.json()["etag"]})
    assert again.status_code == 200 and again.json()["revision"] == 2
    approved = client.post(f"{url}/minutes/approve", headers=secretariat)
    assert approved.status_code == 200 and approved.json()["approved_by"] == "secretariat:test-secretariat"
    published = client.post(f"{url}/minutes/publish", headers=secretariat)
    assert published.status_code == 200 and published.json()["status"] == "published"
    public = client.get(f"{url}/minutes")
    assert public.status_code == 200 and "within 14 days" in public.json()["markdown"]
    assert client.put(f"{url}/minutes", json={"markdown": "changed"},
                      headers={**secretariat, "If-Match": published.json()["etag"]}).json()["code"] == "minutes_published"
    history = client.get(f"{url}/minutes/history", headers=secretariat).json()["items"]
    assert [h["revision"] for h in history] == [1, 2]
    assert "-Agreed on **refunds**." in history[1]["diff"] and "+Agreed on **refunds** within 14 days." in history[1]["diff"]
    check_calendar(client, mid, 4, "CONFIRMED")  # minutes are not a change of the calendar entry

    # a held meeting is not cancelled; a second, planned meeting is, and stays in the feed
    assert client.post(f"{url}/cancel", headers=secretariat).json()["code"] == "invalid_transition"
    other = create(client, secretariat, title="Follow-up", start="2026-12-01T09:00", end="2026-12-01T10:00")
    cancelled = client.post(f"{MEETINGS}/{other['id']}/cancel", headers=secretariat)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    check_calendar(client, other["id"], 1, "CANCELLED")
    assert client.put(f"{MEETINGS}/{other['id']}", json=body(), headers={**secretariat, "If-Match": cancelled.json()["etag"]}
                      ).json()["code"] == "meeting_cancelled"

    audit = client.get("/api/v1/audit", params={"target": f"meeting/{mid}", "limit": 100}, headers=admin).json()["items"]
    actions = [e["action"] for e in reversed(audit)]
    assert actions == ["meeting.create", "meeting.update", "meeting.update", "meeting.confirm", "meeting.hold",
                       "minutes.update", "minutes.update", "minutes.approve", "minutes.publish"]
    assert all(e["actor"] == "secretariat:test-secretariat" for e in audit)
    assert audit[-1]["after_hash"] and audit[-2]["before_hash"] != audit[-2]["after_hash"]
    other_audit = client.get("/api/v1/audit", params={"target": f"meeting/{other['id']}"}, headers=admin).json()["items"]
    assert [e["action"] for e in reversed(other_audit)] == ["meeting.create", "meeting.cancel"]


def test_local_times_survive_a_round_trip_through_the_time_zone(client, secretariat):
    summer = create(client, secretariat, start="2025-07-01T09:30", end="2025-07-01T11:00")
    winter = create(client, secretariat, start="2025-01-15T09:30", end="2025-01-15T11:00")
    for meeting, utc_hour in ((summer, 7), (winter, 8)):
        assert dt.datetime.fromisoformat(meeting["start"]).hour == utc_hour
        event = event_of(client, meeting["id"])
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
            dt.datetime.fromisoformat(meeting["local_start"]).replace(tzinfo=None),
            dt.datetime.fromisoformat(meeting["local_end"]).replace(tzinfo=None))
        assert start.astimezone(dt.timezone.utc) == dt.datetime.fromisoformat(meeting["start"])
    ics = client.get(f"{MEETINGS}/{summer['id']}/ics").text
    assert "BEGIN:VTIMEZONE" in ics and "TZID:Europe/Berlin" in ics
    # the VTIMEZONE itself, without the system's zone database, gives the same instant
    timezone = Calendar.from_ical(ics).walk("VTIMEZONE")[0].to_tz()
    local = dt.datetime(2025, 7, 1, 9, 30, tzinfo=timezone)
    assert local.astimezone(dt.timezone.utc) == dt.datetime(2025, 7, 1, 7, 30, tzinfo=dt.timezone.utc)


def test_the_autumn_fold_takes_the_first_occurrence_unless_an_offset_says_otherwise(client, secretariat):
    first = create(client, secretariat, start="2025-10-26T02:30", end="2025-10-26T04:00")
    assert first["start"].startswith("2025-10-26T00:30:00")  # 02:30 CEST
    second = create(client, secretariat, start="2025-10-26T02:30:00+01:00", end="2025-10-26T04:00")
    assert second["start"].startswith("2025-10-26T01:30:00")  # 02:30 CET
    assert second["local_start"] == "2025-10-26T02:30:00+01:00"
    assert ZoneInfo("Europe/Berlin")  # the zone the test relies on exists here


def test_the_feed_keeps_to_its_window_and_filters(client, secretariat):
    inside = create(client, secretariat, title="Inside", start="2025-06-01T10:00", end="2025-06-01T11:00")
    create(client, secretariat, title="Outside", start="2019-06-01T10:00", end="2019-06-01T11:00")
    response = client.get(f"{MEETINGS}.ics", params={"from": "2025-01-01", "to": "2025-12-31"})
    uids = [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert uids == [f"meeting-{inside['id']}@registry"]
    none = client.get(f"{MEETINGS}.ics", params={"from": "2025-01-01", "to": "2025-12-31", "topic": "payments"})
    assert Calendar.from_ical(none.content).walk("VEVENT") == []
    too_wide = client.get(f"{MEETINGS}.ics", params={"from": "2000-01-01", "to": "2025-12-31"})
    assert too_wide.status_code == 400 and too_wide.json()["code"] == "window_too_large"


def test_the_calendar_never_carries_e_mail_addresses(client, secretariat):
    meeting = create(client, secretariat)
    for text in (client.get(f"{MEETINGS}/{meeting['id']}/ics").text,
                 client.get(f"{MEETINGS}.ics", params={"from": "2025-01-01", "to": "2025-12-31"}).text):
        assert "chen.wei@example.com" not in text and "mailto:" not in text.lower() and "@example" not in text
        assert f"/api/v1/meetings/{meeting['id']}" in text.replace("\r\n ", "")  # the permalink
