"""The web forms keep the API's limits (writes per token, failed sign-ins per client address, 429 with Retry-After),
a sign-in cookie whose token is no longer good is cleared while the page is still served, and answers that depend
on who asks are never stored by a shared cache."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from litestar.testing import TestClient

from registry.services import tokens
from registry.storage.database import make_engine, write_session
from tests.conftest import TEST_ADMIN, auth
from tests.hardening.support import snapshot
from tests.hardening.test_protections import BAD, app_with

EU = "/api/v1/documents/EU/consumer-protection"
MEETING = {"title": "Dialogue", "type": "government-enterprise-dialogue", "start": "2030-01-10T10:00",
           "end": "2030-01-10T11:00", "timezone": "UTC", "place": "", "host": "", "description": "",
           "jurisdictions": "EU"}
NO_STORE = "private, no-store"


def csrf(client: TestClient, url: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def sign_in(client: TestClient, token: str):
    return client.post("/sign-in", data={"token": token, "_csrf_token": csrf(client, "/sign-in")},
                       follow_redirects=False)


def test_failed_sign_ins_are_limited_per_address_with_retry_after(mini_engine, database_url, make_token):
    good = make_token("secretariat", name="desk")
    with TestClient(app_with(database_url, auth_failures_per_minute=3), raise_server_exceptions=False) as client:
        assert [sign_in(client, "rcr_0123456789abcdef_guess").status_code for _ in range(3)] == [401] * 3
        refused = sign_in(client, "rcr_0123456789abcdef_guess")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert sign_in(client, good).status_code == 429  # guessing gains nothing until the bucket refills
        as_page = client.post("/sign-in", data={"token": good, "_csrf_token": csrf(client, "/sign-in")},
                              headers={"Accept": "text/html"})
        assert as_page.status_code == 429 and "text/html" in as_page.headers["content-type"]
        assert int(as_page.headers["retry-after"]) >= 1  # people's pages carry it too
        assert client.get(f"{EU}/versions", headers=auth(good)).status_code == 429  # one bucket with the API
        assert client.get("/sign-in").status_code == 200  # the page itself is still served


def test_api_failures_count_against_sign_ins_too(mini_engine, database_url):
    with TestClient(app_with(database_url, auth_failures_per_minute=2), raise_server_exceptions=False) as client:
        assert [client.get(f"{EU}/versions", headers=BAD).status_code for _ in range(2)] == [401, 401]
        assert sign_in(client, "rcr_0123456789abcdef_guess").status_code == 429


def test_forms_spend_the_signed_in_tokens_writes(mini_engine, database_url, make_token):
    desk = make_token("secretariat", name="desk")
    with TestClient(app_with(database_url, write_rate_per_minute=3), raise_server_exceptions=False) as client:
        assert sign_in(client, desk).status_code == 303
        made = [client.post("/meetings/new", data={**MEETING, "_csrf_token": csrf(client, "/meetings/new")},
                            follow_redirects=False).status_code for _ in range(3)]
        assert made == [303, 303, 303]
        token = csrf(client, "/meetings/new")
        before = snapshot(mini_engine)
        refused = client.post("/meetings/new", data={**MEETING, "_csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert snapshot(mini_engine) == before
        assert client.get(f"{EU}/versions", headers=auth(desk)).status_code == 200  # reads go on
        assert client.post(f"{EU}/versions", json={}, headers=auth(desk)).status_code == 429  # one bucket per token


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked"])
def test_a_bad_sign_in_cookie_is_cleared_and_the_page_served(client, make_token, database_url, state):
    if state == "unknown":
        token = "rcr_0123456789abcdef_not-the-secret"
    else:
        expired = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) if state == "expired" else None
        token = make_token("regulator", "EU", name="old", expires_at=expired)
        if state == "revoked":
            engine = make_engine(database_url)
            with write_session(engine) as session:
                tokens.revoke(session, TEST_ADMIN, token.split("_")[1])
            engine.dispose()
    client.cookies.set("rcr_token", token)
    for url in ("/", "/documents", "/meetings", "/sign-in"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("rcr_token=")]
        assert cleared and "max-age=0" in cleared[0].lower(), (url, response.headers.get_list("set-cookie"))
        assert response.headers["cache-control"] == NO_STORE, url  # an answer that sets a cookie is no one else's
        assert "Sign out" not in response.text


def test_a_good_sign_in_cookie_is_kept_and_its_pages_are_private(client, make_token):
    assert sign_in(client, make_token("secretariat", name="desk")).headers["cache-control"] == NO_STORE
    response = client.get("/meetings")
    assert response.status_code == 200
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("rcr_token=")]
    assert response.headers["cache-control"] == NO_STORE
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}


def test_answers_that_depend_on_the_caller_are_private(client, make_token):
    enterprise = auth(make_token("enterprise", name="acme"))
    saved = client.post("/api/v1/profiles", json={"name": "p", "profile": {}}, headers=enterprise).json()
    for url in ("/api/v1/profiles", f"/api/v1/profiles/{saved['id']}", f"/api/v1/profiles/{saved['id']}/checks",
                f"{EU}/versions", "/api/v1/jurisdictions"):
        response = client.get(url, headers=enterprise)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == NO_STORE, url
        assert {"Authorization", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}, url
    admin = auth(make_token("admin", name="root"))
    assert client.get("/api/v1/audit", headers=admin).headers["cache-control"] == NO_STORE
    assert client.get("/api/v1/audit", headers=BAD).headers["cache-control"] == NO_STORE  # a refusal too


def test_public_answers_are_not_marked_private_but_vary_by_caller(client):
    first = client.get("/documents")  # sets the browser's CSRF cookie: an answer for this browser only
    assert "rcr_csrf=" in first.headers.get("set-cookie", "") and first.headers["cache-control"] == NO_STORE
    for url in (f"{EU}/versions", "/api/v1/jurisdictions", "/documents"):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" not in response.headers.get("cache-control", ""), url
        assert {"Authorization", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}, url
    static = client.get("/static/registry.css")
    # the same for every caller: it varies by the coding only (compressed), never by Authorization or Cookie
    assert static.headers.get("vary", "Accept-Encoding") == "Accept-Encoding" and "cache-control" not in static.headers
