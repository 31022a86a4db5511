"""The fast lane (registry/api/fast_lane.py) answers exactly as the ordinary way through litestar would: the same
status, headers and body for good requests and every kind of bad one; it refuses to serve a route it would skip a
protection for; browsers' CORS requests take the ordinary way."""

from __future__ import annotations

import json

import anyio
import pytest
from litestar import Router, asgi
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from registry.api.compliance import CHECK_PATH, check
from registry.api.fast_lane import RegistryApp
from registry.api.hosts import AllowedHosts
from registry.errors import InvalidInput
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


def both_ways(app: RegistryApp, scope: dict, body: bytes) -> tuple[tuple, tuple]:
    """The answer (status, headers without date, body) of the app to one hand-built request, on the lane if the
    app gives it one, then the ordinary way (no lanes)."""
    def once() -> tuple:
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

    lane = once()
    lanes, app.lanes = app.lanes, {}
    try:
        return lane, once()
    finally:
        app.lanes = lanes


def scope_of(*headers: tuple[bytes, bytes], path: str = CHECK_PATH, root_path: str = "", method: str = "POST") -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "root_path": root_path, "query_string": b"",
            "headers": [(b"content-type", b"application/json"), *headers], "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000)}


HOSTILE_HOSTS = [b"a b.example.org", b"evil.test/x.example.org", b"bad host", b'"><script>.example.org',
                 b"eu.example.org", b"EU.Example.org:443", b"[::1]:8000", b""]


@pytest.mark.parametrize("allowed", ["*", "*.example.org", "eu.example.org"])
def test_hosts_are_judged_as_the_ordinary_way_judges_them(corpus_engine, database_url, allowed):
    app = app_with(database_url, allowed_hosts=allowed)
    good = json.dumps(GOOD).encode()
    with TestClient(app):  # start-up
        for host in HOSTILE_HOSTS:
            lane, ordinary = both_ways(app, scope_of((b"host", host)), good)
            assert lane == ordinary, (allowed, host)
        # the router reads the first header named exactly "host"; the allowed-hosts check the first of any case
        lane, ordinary = both_ways(app, scope_of((b"Host", b"eu.example.org"), (b"host", b"bad host")), good)
        assert lane == ordinary and lane[0] == 400


def test_other_ways_in_are_answered_as_the_ordinary_way_answers_them(corpus_client):
    app = corpus_client.app
    good = json.dumps(GOOD).encode()
    host = (b"host", b"testserver")
    for scope in (scope_of(host, root_path="/api", path="/api/v1/compliance/check"),  # a proxy's root path
                  scope_of(host, root_path="/api", path="/api" + CHECK_PATH),
                  scope_of(host, path=CHECK_PATH + "/"), scope_of(host, method="HEAD"), scope_of(host, method="PUT")):
        lane, ordinary = both_ways(app, scope, good)
        assert lane == ordinary, scope
    lane, ordinary = both_ways(app, scope_of(host), good)  # the body in two messages
    assert lane == ordinary and lane[0] == 200


def test_an_error_the_error_handler_cannot_answer_is_answered_in_the_one_shape(corpus_client, monkeypatch):
    def unanswerable(*args, **kwargs):
        raise InvalidInput("bad", detail={"x": object()})  # a detail that cannot be encoded

    monkeypatch.setattr("registry.services.compliance.run_check", unanswerable)
    lane, ordinary = both_ways(corpus_client.app, scope_of((b"host", b"testserver")), json.dumps(GOOD).encode())
    assert lane == ordinary and lane[0] == 500 and json.loads(lane[2])["code"] == "internal_error"


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


def test_an_origin_header_of_any_case_takes_the_ordinary_way_when_cors_is_on(corpus_engine, database_url):
    app = app_with(database_url, cors_origins="https://portal.example.org")
    with TestClient(app):
        for name in (b"origin", b"Origin"):
            lane, ordinary = both_ways(app, scope_of((b"host", b"testserver"), (name, b"https://portal.example.org")),
                                       json.dumps(GOOD).encode())
            assert lane == ordinary and (b"access-control-allow-origin", b"https://portal.example.org") in lane[1]


def deny(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    raise PermissionError


async def passthrough(scope: Scope, receive: Receive, send: Send) -> None:
    return None


def lane_app(handler, **app_options) -> RegistryApp:
    hosts = AllowedHosts(("*",))
    return RegistryApp(route_handlers=[handler], middleware=[hosts.middleware], hosts=hosts, fast_lane=[handler],
                       exception_handlers={Exception: lambda request, exc: None}, **app_options)


@pytest.mark.filterwarnings("ignore:Python Debugger on exception")
@pytest.mark.parametrize("extra, app_options, problem", [
    ({"guards": [deny]}, {}, "guards"),
    ({"middleware": [lambda app: app]}, {}, "middleware other than the allowed hosts"),
    ({"exception_handlers": {ValueError: lambda request, exc: None}}, {}, "not exactly one error handler"),
    ({}, {"csrf_config": CSRFConfig(secret="x" * 32)}, "CSRF, compression"),
    ({}, {"compression_config": CompressionConfig(backend="gzip")}, "CSRF, compression"),
    ({}, {"allowed_hosts": ["api.example.org"]}, "CSRF, compression or litestar's allowed hosts"),
    ({}, {"debug": True}, "debugging"),
    ({}, {"pdb_on_exception": True}, "debugging"),
    ({}, {"logging_config": LoggingConfig(log_exceptions="always")}, "exception logging"),
    ({}, {"after_exception": [lambda exc, scope: None]}, "after_exception"),
    ({"copy_scope": True}, {}, "a copied scope"),
])
def test_a_route_the_lane_would_skip_a_protection_for_is_refused(extra, app_options, problem):
    guarded = asgi("/guarded", **{"copy_scope": False, **extra})(passthrough)
    with pytest.raises(RuntimeError, match=problem):
        lane_app(guarded, **app_options)
    plain = asgi("/plain", copy_scope=False)(passthrough)
    assert set(lane_app(plain).lanes) == {"/plain"}


def test_the_lane_is_keyed_by_the_full_path_and_refuses_parameters():
    inner = asgi("/check", copy_scope=False)(passthrough)
    hosts = AllowedHosts(("*",))
    app = RegistryApp(route_handlers=[Router("/prefix", route_handlers=[inner])], middleware=[hosts.middleware],
                      hosts=hosts, fast_lane=[inner], exception_handlers={Exception: lambda request, exc: None})
    assert set(app.lanes) == {"/prefix/check"}
    with pytest.raises(RuntimeError, match="path parameters"):
        lane_app(asgi("/items/{item:int}", copy_scope=False)(passthrough))


def test_the_app_serves_the_check_on_the_lane(corpus_client):
    assert corpus_client.app.lanes[CHECK_PATH].handler is check.fn
