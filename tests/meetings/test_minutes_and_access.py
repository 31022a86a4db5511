"""Minutes are stored as written and rendered harmless (acceptance 2); who may write and who may see what."""

from __future__ import annotations

import re

import pytest

from tests.meetings.support import MEETINGS, body, create
from tests.test_error_shape import check_shape

HOSTILE = """# Minutes

<script>alert('x')</script>

<img src=x onerror=alert(1)>

[click](javascript:alert(1)) [again](JaVaScRiPt:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)

[elsewhere](//evil.example/phish) and <//evil.example> and ![pic](//evil.example/p.png)

[fine](https://example.org/report) and [relative](/api/v1/meetings)
"""


def held_meeting(client, headers) -> str:
    meeting = create(client, headers)
    url = f"{MEETINGS}/{meeting['id']}"
    assert client.post(f"{url}/hold", headers=headers).status_code == 200
    return url


def test_hostile_minutes_are_stored_as_written_and_rendered_harmless(client, secretariat):
    url = held_meeting(client, secretariat)
    saved = client.put(f"{url}/minutes", json={"markdown": HOSTILE}, headers=secretariat)
    assert saved.status_code == 200, saved.text
    assert saved.json()["markdown"] == HOSTILE
    client.post(f"{url}/minutes/approve", headers=secretariat)
    client.post(f"{url}/minutes/publish", headers=secretariat)
    public = client.get(f"{url}/minutes").json()
    assert public["markdown"] == HOSTILE
    html = public["html"]
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert hrefs == ["https://example.org/report", "/api/v1/meetings"], hrefs
    assert not re.search(r"<a[^>]*(javascript|data:|//evil)", html, re.IGNORECASE)
    assert all('rel="noopener nofollow"' in tag for tag in re.findall(r"<a [^>]*>", html))
    exported = client.get(f"{url}/minutes.md")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/markdown")
    assert exported.text.endswith(HOSTILE.rstrip() + "\n")


def test_minutes_are_capped(client, secretariat):
    url = held_meeting(client, secretariat)
    check_shape(client.put(f"{url}/minutes", json={"markdown": "a" * 200_001}, headers=secretariat), 413,
                "minutes_too_long", "/markdown")
    check_shape(client.put(f"{url}/minutes", json={"markdown": "[" * 5_001}, headers=secretariat), 422,
                "minutes_too_complex", "/markdown")
    assert client.get(f"{url}/minutes", headers=secretariat).status_code == 404
    assert client.put(f"{url}/minutes", json={"markdown": "a" * 200_000}, headers=secretariat).status_code == 200


def test_draft_and_approved_minutes_are_invisible_to_the_public(client, secretariat, make_token):
    from tests.conftest import auth

    url = held_meeting(client, secretariat)
    client.put(f"{url}/minutes", json={"markdown": "Secret draft wording"}, headers=secretariat)
    regulator = auth(make_token("regulator", "EU"))
    for headers in ({}, regulator):
        missing = client.get(f"{url}/minutes", headers=headers)
        check_shape(missing, 404, "no_minutes")
        assert "Secret" not in missing.text
        assert client.get(f"{url}/minutes.md", headers=headers).status_code == 404
        assert client.get(url, headers=headers).json()["minutes"] is None
        assert client.get(f"{url}/minutes/history", headers=headers).status_code in (401, 403)
        assert "Secret" not in client.get(f"{MEETINGS}.json", headers=headers).text
    client.post(f"{url}/minutes/approve", headers=secretariat)
    assert client.get(f"{url}/minutes").status_code == 404
    assert client.get(url, headers=secretariat).json()["minutes"] == "approved"
    # search never reveals unpublished minutes either
    assert client.get(MEETINGS, params={"q": "secret draft"}).json()["total"] == 0
    client.post(f"{url}/minutes/publish", headers=secretariat)
    assert client.get(url).json()["minutes"] == "published"
    assert client.get(MEETINGS, params={"q": "secret draft"}).json()["total"] == 1


def test_e_mail_addresses_are_for_the_secretariat_only(client, secretariat):
    meeting = create(client, secretariat)
    url = f"{MEETINGS}/{meeting['id']}"
    assert meeting["participants"][1]["email"] == "chen.wei@example.com"
    public = client.get(url)
    assert "chen.wei@example.com" not in public.text and "email" not in public.json()["participants"][1]
    assert "chen.wei@example.com" not in client.get(f"{url}/participants.csv").text
    assert "chen.wei@example.com" in client.get(f"{url}/participants.csv", headers=secretariat).text
    assert "chen.wei@example.com" not in client.get(f"{MEETINGS}.json").text


@pytest.mark.parametrize("role, status", [(None, 401), ("regulator", 403), ("enterprise", 403)])
def test_only_the_secretariat_and_admins_write(client, secretariat, make_token, role, status):
    from tests.conftest import auth

    meeting = create(client, secretariat)
    url = f"{MEETINGS}/{meeting['id']}"
    headers = auth(make_token(role, *(["EU"] if role == "regulator" else []))) if role else {}
    attempts = [
        client.post(MEETINGS, json=body(), headers=headers),
        client.put(url, json=body(title="x"), headers={**headers, "If-Match": meeting["etag"]}),
        client.patch(url, json={"title": "x"}, headers={**headers, "If-Match": meeting["etag"]}),
        client.post(f"{url}/hold", headers=headers),
        client.post(f"{url}/cancel", headers=headers),
        client.put(f"{url}/minutes", json={"markdown": "x"}, headers=headers),
        client.post(f"{url}/outcomes", json={"text": "x"}, headers=headers),
        client.post(f"{url}/actions", json={"title": "x", "owner_organisation": "y"}, headers=headers),
    ]
    for response in attempts:
        check_shape(response, status)
    after = client.get(url).json()
    assert (after["title"], after["status"], after["sequence"]) == (meeting["title"], "planned", 0)
    assert client.get(MEETINGS).json()["total"] == 1


def test_an_admin_writes_meetings_too(client, admin):
    assert client.post(MEETINGS, json=body(), headers=admin).status_code == 201
