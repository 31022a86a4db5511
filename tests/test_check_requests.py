"""POST /api/v1/compliance/check, a raw ASGI route, answers good and hostile requests like every other route: the
one error shape, the security headers, the Host checks, CORS, never a 500 for the caller's input. (These cases
were written for the fast lane, removed in issue 13; they now hold the ordinary route.)"""

from __future__ import annotations

import json

import anyio
import pytest
from litestar.testing import TestClient

from registry.api.compliance import CHECK_PATH
from registry.errors import InvalidInput
from tests.conftest import auth
from tests.hardening.test_protections import app_with
from tests.test_error_shape import check_shape

SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
GOOD = {"profile": SEVEN_DAYS, "markets": ["CN", "EU", "BR"], "topics": ["consumer-protection"]}
JSON = {"content-type": "application/json"}


def cases(token: str) -> list[tuple[str, dict, bytes, int, str | None]]:
    """(query, headers, body, status, error code) of good and bad checks."""
    good = json.dumps(GOOD).encode()
    return [
        ("", JSON, good, 200, None),
        ("?format=md", JSON, good, 200, None),
        ("?format=csv", JSON, good, 200, None),
        ("", {**JSON, "accept": "text/html"}, good, 200, None),
        ("?format=pdf", JSON, good, 400, "unknown_format"),
        ("", JSON, b'{"profile": {"seller": ', 400, "invalid_json"),
        ("", JSON, b'{"profile": {}, "profile": {}, "markets": ["EU"]}', 400, "duplicate_key"),
        ("", JSON, b'{"profile": {"a": "\\ud800"}, "markets": ["EU"]}', 400, "invalid_unicode"),
        ("", JSON, json.dumps({"profile": SEVEN_DAYS, "markets": "EU"}).encode(), 400, "invalid_input"),
        ("", JSON, json.dumps({"profile": {"seller": {"sells_b2c": "yes"}}, "markets": ["EU"]}).encode(), 422, None),
        ("", JSON, json.dumps({"profile": SEVEN_DAYS, "markets": ["XX"]}).encode(), 404, None),
        ("", JSON, json.dumps({"markets": ["EU"]}).encode(), 400, "profile_required"),
        ("", {**JSON, "content-length": "99999999"}, good, 413, "payload_too_large"),
        ("", {**JSON, "authorization": "Bearer rcr_0123456789abcdef_wrong"}, good, 401, None),
        ("", {**JSON, **auth(token)}, json.dumps({"profile_id": "nope", "markets": ["EU"]}).encode(), 404, None),
        ("", {**JSON, "host": "evil.example"}, good, 400, "invalid_host"),
        ("", {**JSON, "host": "bad host"}, good, 400, None),
    ]


def test_good_and_hostile_checks_get_their_answers(corpus_client, make_token):
    token = make_token("enterprise", name="acme")
    for query, headers, body, status, code in cases(token):
        response = corpus_client.post(CHECK_PATH + query, headers=headers, content=body)
        assert response.headers["x-content-type-options"] == "nosniff"
        if status == 200:
            assert response.status_code == 200, (query, headers, response.text)
        else:
            check_shape(response, status, code)


def raw_call(app, scope: dict, body: bytes) -> tuple[int, list, bytes]:
    """The app's answer (status, headers without date, body) to one hand-built request, its body in two parts."""
    messages: list[dict] = []
    chunks = [{"type": "http.request", "body": body[:10], "more_body": True},
              {"type": "http.request", "body": body[10:], "more_body": False}]

    async def receive() -> dict:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)

    anyio.run(app, {**scope, "headers": list(scope["headers"]), "state": {}}, receive, send)
    start = messages[0]
    return (start["status"], sorted((k, v) for k, v in start["headers"] if k != b"date"),
            b"".join(m.get("body", b"") for m in messages[1:]))


def scope_of(*headers: tuple[bytes, bytes], path: str = CHECK_PATH, root_path: str = "", method: str = "POST") -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "root_path": root_path, "query_string": b"",
            "headers": [(b"content-type", b"application/json"), *headers], "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000)}


HOSTILE_HOSTS = [b"a b.example.org", b"evil.test/x.example.org", b"bad host", b'"><script>.example.org',
                 b"eu.example.org", b"EU.Example.org:443", b"[::1]:8000", b""]


@pytest.mark.parametrize("allowed", ["*", "*.example.org", "eu.example.org"])
def test_hostile_hosts_are_refused_with_400_never_500(corpus_engine, database_url, allowed):
    app = app_with(database_url, allowed_hosts=allowed)
    good = json.dumps(GOOD).encode()
    with TestClient(app):  # start-up
        for host in HOSTILE_HOSTS:
            status, _, body = raw_call(app, scope_of((b"host", host)), good)
            assert status in (200, 400), (allowed, host, status)
            if status == 400:
                assert set(json.loads(body)) >= {"status", "code", "message", "pointer"}
        assert raw_call(app, scope_of((b"host", b"eu.example.org")), good)[0] == 200
        # the router reads the first header named exactly "host"; the allowed-hosts check the first of any case
        assert raw_call(app, scope_of((b"Host", b"eu.example.org"), (b"host", b"bad host")), good)[0] == 400


def test_other_ways_in_never_reach_a_500(corpus_client):
    app = corpus_client.app
    good = json.dumps(GOOD).encode()
    host = (b"host", b"testserver")
    for scope in (scope_of(host, root_path="/api", path="/api/v1/compliance/check"),  # a proxy's root path
                  scope_of(host, root_path="/api", path="/api" + CHECK_PATH),
                  scope_of(host, path=CHECK_PATH + "/"), scope_of(host, method="HEAD")):
        assert raw_call(app, scope, good)[0] < 500, scope
    status, headers, _ = raw_call(app, scope_of(host, method="PUT"), good)
    assert status == 405 and (b"allow", b"POST") in headers
    assert raw_call(app, scope_of(host), good)[0] == 200  # the body in two messages


def test_an_error_the_error_handler_cannot_encode_is_a_500_in_the_one_shape(corpus_client, monkeypatch):
    def unanswerable(*args, **kwargs):
        raise InvalidInput("bad", detail={"x": object()})  # a detail that cannot be encoded

    monkeypatch.setattr("registry.services.compliance.run_check", unanswerable)
    status, _, body = raw_call(corpus_client.app, scope_of((b"host", b"testserver")), json.dumps(GOOD).encode())
    assert status == 500 and json.loads(body)["code"] == "internal_error"


def test_an_unexpected_error_is_a_500_in_the_one_shape_with_the_security_headers(corpus_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("registry.services.compliance.run_check", broken)
    response = corpus_client.post(CHECK_PATH, json=GOOD)
    check_shape(response, 500, "internal_error")
    assert response.headers["x-frame-options"] == "DENY"


def test_browser_cors_requests_get_their_headers(corpus_engine, database_url):
    with TestClient(app_with(database_url, cors_origins="https://portal.example.org")) as client:
        for name in ("origin", "Origin"):
            allowed = client.post(CHECK_PATH, json=GOOD, headers={name: "https://portal.example.org"})
            assert allowed.status_code == 200
            assert allowed.headers["access-control-allow-origin"] == "https://portal.example.org"
        assert client.post(CHECK_PATH, json=GOOD).status_code == 200
