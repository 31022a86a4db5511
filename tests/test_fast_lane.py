"""The fast lane (registry/api/fast_lane.py) answers exactly as the ordinary way through litestar would: the same
status, headers and body for good requests and every kind of bad one; it refuses to serve a route it would skip a
protection for; browsers' CORS requests take the ordinary way."""

from __future__ import annotations

import json

import pytest
from litestar import asgi
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from registry.api.compliance import CHECK_PATH, check
from registry.api.fast_lane import RegistryApp
from registry.api.hosts import AllowedHosts
from tests.conftest import auth
from tests.hardening.test_protections import app_with
from tests.test_error_shape import check_shape

SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
GOOD = {"profile": SEVEN_DAYS, "markets": ["CN", "EU", "BR"], "topics": ["consumer-protection"]}
JSON = {"content-type": "application/json"}


def requests(token: str) -> list[tuple[str, dict, bytes]]:
    """(query, headers, body) of good and bad checks."""
    good = json.dumps(GOOD).encode()
    return [
        ("", JSON, good),
        ("?format=md", JSON, good),
        ("?format=csv", JSON, good),
        ("", {**JSON, "accept": "text/html"}, good),
        ("?format=pdf", JSON, good),
        ("", JSON, b'{"profile": {"seller": '),  # malformed
        ("", JSON, b'{"profile": {}, "profile": {}, "markets": ["EU"]}'),  # duplicate key
        ("", JSON, b'{"profile": {"a": "\\ud800"}, "markets": ["EU"]}'),  # lone surrogate
        ("", JSON, json.dumps({"profile": SEVEN_DAYS, "markets": "EU"}).encode()),  # wrong type
        ("", JSON, json.dumps({"profile": {"seller": {"sells_b2c": "yes"}}, "markets": ["EU"]}).encode()),  # 422
        ("", JSON, json.dumps({"profile": SEVEN_DAYS, "markets": ["XX"]}).encode()),  # unknown market
        ("", JSON, json.dumps({"markets": ["EU"]}).encode()),
        ("", {**JSON, "content-length": "99999999"}, good),  # announced too large
        ("", {**JSON, "authorization": "Bearer rcr_0123456789abcdef_wrong"}, good),
        ("", {**JSON, **auth(token)}, json.dumps({"profile_id": "nope", "markets": ["EU"]}).encode()),
        ("", {**JSON, "host": "evil.example"}, good),
        ("", {**JSON, "host": "bad host"}, good),
    ]


def answer(response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k.lower(), v) for k, v in response.headers.multi_items() if k.lower() != "date")
    return response.status_code, headers, response.content


def test_the_fast_lane_answers_as_the_ordinary_way(corpus_client, make_token, monkeypatch):
    app: RegistryApp = corpus_client.app
    taken = []
    fast = app._fast

    async def spy(*args):
        taken.append(1)
        await fast(*args)

    monkeypatch.setattr(app, "_fast", spy)
    token = make_token("enterprise", name="acme")
    for query, headers, body in requests(token):
        taken.clear()
        lane = answer(corpus_client.post(CHECK_PATH + query, headers=headers, content=body))
        # a host this registry does not answer for is refused the ordinary way
        assert bool(taken) == ("host" not in headers), "the request did not take the lane it should"
        lanes, app.lanes = app.lanes, {}
        try:
            taken.clear()
            ordinary = answer(corpus_client.post(CHECK_PATH + query, headers=headers, content=body))
            assert not taken
        finally:
            app.lanes = lanes
        assert lane == ordinary, (query, headers, body)
        assert lane[0] < 500 and dict(lane[1])["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_on_the_lane_is_a_500_in_the_one_shape(corpus_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("registry.services.compliance.run_check", broken)
    response = corpus_client.post(CHECK_PATH, json=GOOD)
    check_shape(response, 500, "internal_error")
    assert response.headers["x-frame-options"] == "DENY"


def test_browser_cors_requests_take_the_ordinary_way(corpus_engine, database_url):
    with TestClient(app_with(database_url, cors_origins="https://portal.example.org")) as client:
        fast = client.app._fast
        client.app._fast = None  # the lane would fail if taken
        allowed = client.post(CHECK_PATH, json=GOOD, headers={"Origin": "https://portal.example.org"})
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://portal.example.org"
        client.app._fast = fast
        assert client.post(CHECK_PATH, json=GOOD).status_code == 200  # no Origin: the lane


def deny(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    raise PermissionError


async def passthrough(scope: Scope, receive: Receive, send: Send) -> None:
    return None


@pytest.mark.parametrize("extra, problem", [
    ({"guards": [deny]}, "guards"),
    ({"middleware": [lambda app: app]}, "middleware other than the allowed hosts"),
    ({"exception_handlers": {ValueError: lambda request, exc: None}}, "not exactly one error handler"),
])
def test_a_route_the_lane_would_skip_a_protection_for_is_refused(extra, problem):
    hosts = AllowedHosts(("*",))
    guarded = asgi("/guarded", copy_scope=False, **extra)(passthrough)
    with pytest.raises(RuntimeError, match=problem):
        RegistryApp(route_handlers=[guarded], middleware=[hosts.middleware], hosts=hosts, fast_lane=[guarded],
                    exception_handlers={Exception: lambda request, exc: None})
    plain = asgi("/plain", copy_scope=False)(passthrough)
    app = RegistryApp(route_handlers=[plain], middleware=[hosts.middleware], hosts=hosts, fast_lane=[plain],
                      exception_handlers={Exception: lambda request, exc: None})
    assert set(app.lanes) == {"/plain"}


def test_the_app_serves_the_check_on_the_lane(corpus_client):
    assert corpus_client.app.lanes[CHECK_PATH][0] is check.fn
