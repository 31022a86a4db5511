"""The Host header is parsed strictly (RFC 3986 host[:port]) and refused in the error shape before routing, never
with a 500; HEAD answers like GET without a body on every GET route."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from litestar.testing import TestClient

from registry.api.hosts import parse_host
from tests.hardening.test_protections import app_with
from tests.test_error_shape import check_shape

EU = "/api/v1/documents/EU/consumer-protection"
# every kind of route: a handler, routing's own 404 and 405, a page, a raw ASGI route, the static files
URLS = [("get", "/healthz"), ("get", "/api/v1/nowhere"), ("delete", "/api/v1/documents"), ("get", "/"),
        ("post", "/api/v1/compliance/check"), ("get", "/static/nothing.css"), ("get", f"{EU}/versions/latest")]
MALFORMED = ["localhost:80@evil.example", "localhost:8751/evil", '127.0.0.1:1"x', "localhost:abc", "localhost:99999",
             "localhost:-1", "[::1", "[::1]x", "[fe80::1%25eth0]", "[not-an-ip]", "local host", "localhost\\x",
             "127.0.0.1:80:80", "user@localhost", "localhost#x", "localhost?x=1"]


@pytest.mark.parametrize("header, host", [
    ("localhost", "localhost"), ("LocalHost:8000", "localhost"), ("127.0.0.1:80", "127.0.0.1"),
    ("[::1]:8000", "[::1]"), ("[::1]", "[::1]"), ("registry.example.org:", "registry.example.org"),
    ("[v1.fe]:1", "[v1.fe]"), ("xn--bcher-kva.example", "xn--bcher-kva.example"), ("a%41b", "a%41b"),
    *((bad, None) for bad in MALFORMED),
])
def test_parse_host(header, host):
    assert parse_host(header) == host


def test_a_malformed_host_is_a_400_on_every_route(client):
    for header in MALFORMED:
        for method, url in URLS:
            check_shape(client.request(method.upper(), url, headers={"Host": header}), 400, "invalid_host")


def test_a_malformed_host_is_refused_even_where_any_host_is_allowed(mini_engine, database_url):
    with TestClient(app_with(database_url, allowed_hosts="*"), raise_server_exceptions=False) as client:
        for header in MALFORMED:
            for method, url in URLS:
                check_shape(client.request(method.upper(), url, headers={"Host": header}), 400, "invalid_host")
        assert client.get("/api/v1/nowhere", headers={"Host": "anything.example:8443"}).status_code == 404


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(header=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=30))
def test_no_host_header_makes_a_500(any_host_client, header):
    for url in ("/api/v1/nowhere", "/healthz", "/api/v1/meetings.ics"):
        assert any_host_client.get(url, headers={"Host": header}).status_code < 500, header


@pytest.fixture
def any_host_client(mini_engine, database_url):
    with TestClient(app_with(database_url, allowed_hosts="*"), raise_server_exceptions=False) as client:
        yield client


def test_head_answers_like_get_without_a_body(client):
    for url in ["/healthz", "/api/v1/jurisdictions", f"{EU}/versions/latest", "/", "/documents", "/docs",
                "/schema/openapi.json", "/static/registry.css", "/api/v1/meetings.ics"]:
        got, head = client.get(url), client.head(url)
        assert got.status_code == head.status_code == 200, (url, head.status_code)
        assert head.content == b"" and got.content
        assert head.headers["content-type"] == got.headers["content-type"]
        if "content-length" in got.headers:
            assert head.headers["content-length"] == got.headers["content-length"]


def test_head_on_a_route_without_get_is_still_refused(client):
    response = client.head("/api/v1/compliance/check")
    assert response.status_code == 405 and response.content == b""
    assert client.head("/api/v1/nowhere").status_code == 404
