"""Search finds a meeting by a word of its minutes on both databases, filters combine (acceptance 3); figures;
outcomes, action items and the overdue list; the meetings that discussed a document."""

from __future__ import annotations

import datetime as dt

from tests.meetings.support import MEETINGS, body, create
from tests.test_error_shape import check_shape


def publish_minutes(client, headers, meeting_id: int, markdown: str) -> None:
    url = f"{MEETINGS}/{meeting_id}"
    client.post(f"{url}/hold", headers=headers)
    assert client.put(f"{url}/minutes", json={"markdown": markdown}, headers=headers).status_code == 200
    assert client.post(f"{url}/minutes/approve", headers=headers).status_code == 200
    assert client.post(f"{url}/minutes/publish", headers=headers).status_code == 200


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


def test_search_finds_a_word_of_the_minutes_and_filters_combine(client, secretariat):
    berlin = create(client, secretariat, title="Berlin round", jurisdictions=["EU", "DE"], topics=["consumer-protection"])
    beijing = create(client, secretariat, title="Beijing round", start="2024-03-05T09:00", end="2024-03-05T17:00",
                     timezone="Asia/Shanghai", jurisdictions=["CN"], topics=["e-invoicing"], type="bilateral",
                     host="Ministry of Commerce", participants=[], documents=[], agenda=[])
    training = create(client, secretariat, title="Training on e-invoices", type="training", jurisdictions=["CN", "EU"],
                      topics=["e-invoicing"], start="2025-09-01T10:00", end="2025-09-01T12:00")
    publish_minutes(client, secretariat, berlin["id"], "The parties discussed **interoperability** of refunds.")
    publish_minutes(client, secretariat, beijing["id"], "Interoperability of e-invoice formats was agreed.")

    assert sorted(ids(client.get(MEETINGS, params={"q": "interoperability"}))) == sorted([berlin["id"], beijing["id"]])
    assert ids(client.get(MEETINGS, params={"q": "INTEROPERABILITY formats"})) == [beijing["id"]]
    assert ids(client.get(MEETINGS, params={"q": "interoperability", "jurisdiction": "CN"})) == [beijing["id"]]
    assert ids(client.get(MEETINGS, params={"q": "interoperability", "from": "2025-01-01"})) == [berlin["id"]]
    assert ids(client.get(MEETINGS, params={"q": "interoperability", "to": "2024-03-05"})) == [beijing["id"]]
    assert ids(client.get(MEETINGS, params={"topic": "e-invoicing", "type": "training"})) == [training["id"]]
    assert ids(client.get(MEETINGS, params={"topic": "e-invoicing", "status": "held"})) == [beijing["id"]]
    assert ids(client.get(MEETINGS, params={"organisation": "ministry of commerce"})) == [beijing["id"]]
    assert ids(client.get(MEETINGS, params={"organisation": "Alibaba", "jurisdiction": "DE"})) == [berlin["id"]]
    assert ids(client.get(MEETINGS, params={"q": "interoperability", "topic": "payments"})) == []
    # quotes, stars and brackets are separators; NEAR is a word like any other
    assert len(ids(client.get(MEETINGS, params={"q": '"interoperability* ('}))) == 2
    assert ids(client.get(MEETINGS, params={"q": "NEAR(interoperability"})) == []
    assert ids(client.get(MEETINGS, params={"sort": "start"})) == [beijing["id"], berlin["id"], training["id"]]
    assert ids(client.get(MEETINGS, params={"sample": "true"})) == []
    page = client.get(MEETINGS, params={"limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 1, 1, 1)

    stats = client.get(f"{MEETINGS}/stats").json()
    assert stats["total"] == 3
    assert {c["key"]: c["meetings"] for c in stats["by_year"]} == {"2024": 1, "2025": 2}
    assert {c["key"]: c["meetings"] for c in stats["by_jurisdiction"]} == {"CN": 2, "EU": 2, "DE": 1}
    assert {c["key"]: c["meetings"] for c in stats["by_topic"]} == {"e-invoicing": 2, "consumer-protection": 1}
    assert {c["key"]: c["meetings"] for c in stats["by_status"]} == {"held": 2, "planned": 1}
    filtered = client.get(f"{MEETINGS}/stats", params={"jurisdiction": "CN", "type": "bilateral"}).json()
    assert filtered["total"] == 1 and filtered["by_year"] == [{"key": "2024", "meetings": 1}]


def test_filters_narrow_the_full_text_search_and_follow_every_change(client, secretariat):
    """Filter values are words of the search text: a search with filters finds exactly what the filters allow,
    after the meeting's tags and date change too."""
    meeting = create(client, secretariat, title="Round on quillwort", jurisdictions=["EU"], topics=["e-invoicing"])
    other = create(client, secretariat, title="Quillwort again", jurisdictions=["CN"], topics=["e-invoicing"],
                   start="2024-02-01T10:00", end="2024-02-01T12:00")
    search = lambda **p: sorted(ids(client.get(MEETINGS, params={"q": "quillwort", **p})))  # noqa: E731
    assert search() == sorted([meeting["id"], other["id"]])
    assert search(jurisdiction="EU", topic="e-invoicing", **{"from": "2025-06-01", "to": "2025-06-30"}) == [meeting["id"]]
    assert search(**{"from": "2024-01-01", "to": "2024-12-31"}) == [other["id"]]
    assert search(**{"from": "2023-12-31", "to": "2024-01-31"}) == []  # the right years, not the right days
    assert search(organisation="  ALIBABA ") == sorted([meeting["id"], other["id"]])  # a participant's organisation
    changed = client.put(f"{MEETINGS}/{meeting['id']}", headers={**secretariat, "If-Match": meeting["etag"]},
                         json=body(title="Round on quillwort", jurisdictions=["DE"], topics=["payments"],
                                   start="2026-03-02T10:00", end="2026-03-02T12:00"))
    assert changed.status_code == 200, changed.text
    assert search(jurisdiction="EU") == [] and search(jurisdiction="DE", topic="payments") == [meeting["id"]]
    assert search(**{"from": "2026-01-01", "to": "2026-12-31"}) == [meeting["id"]]
    assert search(**{"from": "2025-01-01", "to": "2025-12-31"}) == []


def test_a_meetings_own_text_cannot_pass_for_a_filter(client, secretariat):
    """The filter words narrow the search; the filters are still checked exactly: a meeting whose text holds the
    word of another tag, a long or exotic filter value, or a query of `_` finds only what the filters allow."""
    from registry.domain.meetings import filter_word, year_word

    eu = create(client, secretariat, title="Sedgeword EU", jurisdictions=["EU"])
    forged = create(client, secretariat, title="Sedgeword CN", jurisdictions=["CN"],
                    description=f"Tips: {filter_word('jurisdiction', 'EU')} finds EU meetings, {year_word(2024)} 2024")
    search = lambda **p: sorted(ids(client.get(MEETINGS, params={"q": "sedgeword", **p})))  # noqa: E731
    assert search(jurisdiction="EU") == [eu["id"]]
    assert search(**{"from": "2024-01-01", "to": "2024-12-31"}) == []
    assert client.get(f"{MEETINGS}/stats", params={"q": "sedgeword", "jurisdiction": "EU"}).json()["total"] == 1
    assert search(organisation="\U0001F601" * 256) == []  # 1,024 bytes: PostgreSQL drops words over 2,047
    assert ids(client.get(MEETINGS, params={"q": "_", "jurisdiction": "EU"})) == []
    assert forged["id"] in search()


def test_many_long_organisations_leave_the_meeting_findable(client, secretariat):
    names = [f"{n:03d} " + "organisation of a very long name " * 8 for n in range(200)]
    meeting = create(client, secretariat, title="Pondweed round", description="About pondweed",
                     participants=[{"name": name, "kind": "organisation", "role": "association"} for name in names])
    assert ids(client.get(MEETINGS, params={"q": "pondweed"})) == [meeting["id"]]
    assert ids(client.get(MEETINGS, params={"q": "pondweed", "organisation": names[-1].upper()})) == [meeting["id"]]


def test_outcomes_actions_and_the_overdue_list(client, secretariat, admin):
    meeting = create(client, secretariat)
    later = create(client, secretariat, title="Next round", start="2026-01-20T10:00", end="2026-01-20T12:00")
    url = f"{MEETINGS}/{meeting['id']}"
    outcome = client.post(f"{url}/outcomes", json={"text": "Align withdrawal periods", "kind": "agreement",
                                                    "result": "agreed", "documents": ["EU/consumer-protection"]},
                          headers=secretariat)
    assert outcome.status_code == 201, outcome.text
    assert client.get(f"{url}/outcomes").json()["items"][0]["text"] == "Align withdrawal periods"
    check_shape(client.post(f"{url}/outcomes", json={"text": "x", "documents": ["EU/none"]}, headers=secretariat),
                422, "unknown_document", "/documents/0")

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    late = client.post(f"{url}/actions", json={"title": "Send the draft guidance", "owner_organisation": "DG JUST",
                                               "due_date": yesterday, "agenda_item": 1}, headers=secretariat).json()
    soon = client.post(f"{url}/actions", json={"title": "Circulate the list", "owner_person": "Chen Wei",
                                               "due_date": tomorrow}, headers=secretariat).json()
    assert late["overdue"] is True and soon["overdue"] is False and late["agenda_item"] == 1
    check_shape(client.post(f"{url}/actions", json={"title": "Nobody's"}, headers=secretariat), 422, "owner_required")
    check_shape(client.post(f"{url}/actions", json={"title": "x", "owner_person": "y", "agenda_item": 9},
                            headers=secretariat), 422, "unknown_agenda_item", "/agenda_item")

    overdue = client.get("/api/v1/actions", params={"overdue": "true"}).json()
    assert [a["id"] for a in overdue["items"]] == [late["id"]] and overdue["total"] == 1
    assert [a["id"] for a in client.get(f"{url}/actions").json()["items"]] == [late["id"], soon["id"]]
    csv_text = client.get("/api/v1/actions.csv", params={"overdue": "true"}).text
    assert "Send the draft guidance" in csv_text and "Circulate" not in csv_text
    assert client.get(f"{MEETINGS}/stats").json()["actions"]["overdue"] == 1

    action = f"/api/v1/actions/{late['id']}"
    moved = client.patch(action, json={"status": "in_progress", "carried_to": later["id"]}, headers=secretariat)
    assert moved.status_code == 200, moved.text
    assert moved.json()["carried_to"] == later["id"] and moved.json()["overdue"] is True
    check_shape(client.patch(action, json={"carried_to": meeting["id"]}, headers=secretariat), 422, "invalid_carry_over")
    check_shape(client.patch(action, json={"status": "sleeping"}, headers=secretariat), 400, "unknown_action_status")
    assert client.patch(action, json={"status": "done"}, headers=secretariat).json()["status"] == "done"
    check_shape(client.patch(action, json={"status": "open"}, headers=secretariat), 409, "invalid_transition", "/status")
    assert client.get("/api/v1/actions", params={"overdue": "true"}).json()["total"] == 0
    check_shape(client.patch(action, json={"status": "open"}), 401)
    check_shape(client.patch("/api/v1/actions/999", json={"status": "done"}, headers=secretariat), 404, "unknown_action")

    audit = client.get("/api/v1/audit", params={"target": "action/"}, headers=admin).json()["items"]
    assert sorted(e["action"] for e in audit) == ["action.create", "action.create", "action.update", "action.update"]


def test_an_action_item_patch_with_a_stale_etag_is_refused_and_changes_nothing(client, secretariat):
    meeting = create(client, secretariat)
    item = client.post(f"{MEETINGS}/{meeting['id']}/actions", json={"title": "Circulate the list", "owner_person": "Chen Wei"},
                       headers=secretariat).json()
    action = f"/api/v1/actions/{item['id']}"
    first = client.patch(action, json={"status": "in_progress"}, headers=secretariat)  # no If-Match: allowed
    assert first.status_code == 200 and first.headers["etag"] == first.json()["etag"] != item["etag"]
    stale = client.patch(action, json={"title": "Circulate the final list"}, headers={**secretariat, "If-Match": item["etag"]})
    body = check_shape(stale, 409, "edit_conflict")
    assert body["detail"]["etag"] == first.json()["etag"]
    assert client.get(f"{MEETINGS}/{meeting['id']}/actions").json()["items"][0]["title"] == "Circulate the list"
    fresh = client.patch(action, json={"title": "Circulate the final list"},
                         headers={**secretariat, "If-Match": "W/" + first.json()["etag"]})
    assert fresh.status_code == 200 and fresh.json()["title"] == "Circulate the final list"
    assert fresh.json()["status"] == "in_progress"  # the field not sent is kept


def test_a_document_lists_the_meetings_that_discussed_it(client, secretariat, make_token):
    from tests.conftest import auth
    from tests.test_lifecycle import schema

    meeting = create(client, secretariat, documents=["EU/consumer-protection@1"])
    create(client, secretariat, title="Unrelated", documents=[], agenda=[])
    found = client.get("/api/v1/documents/EU/consumer-protection/meetings").json()
    assert [m["id"] for m in found["items"]] == [meeting["id"]] and found["total"] == 1
    assert [m["id"] for m in client.get("/api/v1/documents/CN/consumer-protection/meetings").json()["items"]] == [
        meeting["id"]]  # through its agenda
    check_shape(client.get("/api/v1/documents/EU/nothing/meetings"), 404, "unknown_document")

    links = client.get(f"{MEETINGS}/{meeting['id']}").json()["documents"]
    assert {(d["name"], d["version"], d["via"]) for d in links} == {("EU/consumer-protection", 1, "meeting"),
                                                                    ("CN/consumer-protection", None, "agenda")}
    # the mini corpus was loaded (so its version 1 published) after this 2025 meeting
    assert [d["published_after"] for d in links] == [[1], [1]]
    future = create(client, secretariat, title="Future", start="2099-01-01T10:00", end="2099-01-01T11:00",
                    documents=["EU/consumer-protection"], agenda=[])
    regulator = auth(make_token("regulator", "EU"))
    draft = client.post("/api/v1/documents/EU/consumer-protection/versions",
                        json={"schema": schema(20), "effective_from": "2026-01-01"}, headers=regulator)
    assert draft.status_code == 201, draft.text
    number = draft.json()["number"]
    published = client.post(f"/api/v1/documents/EU/consumer-protection/versions/{number}/publish", headers=regulator)
    assert published.status_code == 200, published.text
    links = client.get(f"{MEETINGS}/{meeting['id']}").json()["documents"]
    assert next(d for d in links if d["via"] == "meeting")["published_after"] == [1, number]
    assert client.get(f"{MEETINGS}/{future['id']}").json()["documents"][0]["published_after"] == []
