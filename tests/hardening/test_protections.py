"""Rate limits (writes per token, failed authentications per client address, keyed behind a trusted proxy),
allowed hosts, CORS off by default, security headers on every response, secrets never logged, and an audit
log that no route can change."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient

from registry.app import create_app
from registry.settings import Settings
from registry.storage.rate_limits import SharedBucket
from tests.conftest import STANDARDS, auth
from tests.hardening.support import snapshot, write_routes
from tests.test_error_shape import check_shape
from tests.test_lifecycle import schema

EU = "/api/v1/documents/EU/consumer-protection"
BAD = {"Authorization": "Bearer rcr_0123456789abcdef_wrong"}


def app_with(database_url: str, **overrides):
    return create_app(Settings.from_env({}, database_url=database_url, load_corpus_on_start=False,
                                        standards_dir=STANDARDS, **overrides))


def test_a_shared_bucket_refills_over_time_and_forgets_full_buckets(engine):
    now = [1_000.0]
    bucket = SharedBucket("test", 6, engine, clock=lambda: now[0])  # 6 a minute: one every 10 s
    assert [bucket.take("k").retry_after for _ in range(7)] == [0, 0, 0, 0, 0, 0, 10]
    assert bucket.peek("k").remaining == 0 and bucket.peek("k").reset == 60
    now[0] += 10.0
    assert bucket.take("k").retry_after == 0 and bucket.take("k").retry_after == 10
    assert bucket.take("other").remaining == 5
    assert SharedBucket("test", 0, engine).take("k") is None  # 0: no limit
    now[0] += 61.0  # both buckets full again: the next take deletes their rows
    assert bucket.take("third").retry_after == 0
    with engine.connect() as connection:
        assert [row.key for row in connection.exec_driver_sql("SELECT key FROM rate_limit_bucket")] == ["test third"]


def test_writes_per_token_are_limited_with_retry_after(mini_engine, database_url, make_token):
    eu, other = auth(make_token("regulator", "EU", name="eu")), auth(make_token("regulator", "EU", name="eu2"))
    with TestClient(app_with(database_url, write_rate_per_minute=3)) as client:
        made = [client.post(f"{EU}/versions", json={"schema": schema(20 + i)}, headers=eu) for i in range(3)]
        assert [r.status_code for r in made] == [201, 201, 201]
        assert [r.headers["ratelimit-remaining"] for r in made] == ["2", "1", "0"]
        before = snapshot(mini_engine)
        refused = client.post(f"{EU}/versions", json={"schema": schema(30)}, headers=eu)
        check_shape(refused, 429, "too_many_writes")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-policy"] == "3; w=60" and int(refused.headers["ratelimit-reset"]) >= 1
        assert snapshot(mini_engine) == before
        assert client.get(f"{EU}/versions", headers=eu).status_code == 200  # reads are not writes
        assert client.post(f"{EU}/versions", json={"schema": schema(31)}, headers=other).status_code == 201


def test_failed_authentication_is_limited_per_client_address(mini_engine, database_url, make_token):
    good = auth(make_token("admin"))
    with TestClient(app_with(database_url, auth_failures_per_minute=5)) as client:
        failed = [client.get(f"{EU}/versions", headers=BAD) for _ in range(4)]
        read = client.get(f"{EU}/versions", headers=good)
        assert read.status_code == 200 and "ratelimit-limit" not in read.headers  # a good token spends nothing
        failed.append(client.get(f"{EU}/versions", headers=BAD))
        assert [r.status_code for r in failed] == [401] * 5
        assert [r.headers["ratelimit-remaining"] for r in failed] == ["4", "3", "2", "1", "0"]
        refused = client.get(f"{EU}/versions", headers=BAD)
        check_shape(refused, 429, "too_many_auth_failures")
        assert int(refused.headers["retry-after"]) >= 1
        # the address is blocked for tokens, even a good one, until the bucket refills: guessing gains nothing
        assert client.get(f"{EU}/versions", headers=good).status_code == 429
        assert client.get(f"{EU}/versions").status_code == 200  # anonymous reads go on


@pytest.mark.parametrize("trusted, forwarded, separate", [
    ("", ["203.0.113.1", "203.0.113.2"], False),          # no trusted proxy: X-Forwarded-For is ignored
    ("127.0.0.0/8,testclient", ["203.0.113.1", "203.0.113.2"], True),
])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_key(mini_engine, database_url, trusted, forwarded,
                                                                   separate, monkeypatch):
    app = app_with(database_url, auth_failures_per_minute=2, trusted_proxies=trusted.replace(",testclient", ""))
    with TestClient(app) as client:
        monkeypatch.setattr(type(app.state.limits), "client_address", _peer_is_proxy(app.state.limits))
        first, second = ({**BAD, "X-Forwarded-For": f"198.51.100.9, {ip}"} for ip in forwarded)
        assert [client.get(f"{EU}/versions", headers=first).status_code for _ in range(3)] == [401, 401, 429]
        assert client.get(f"{EU}/versions", headers=second).status_code == (401 if separate else 429)


def _peer_is_proxy(limits):
    """TestClient's peer is 'testclient'; stand in 127.0.0.1, the address of a local reverse proxy."""
    original = type(limits).client_address

    def client_address(self, connection):
        connection.scope["client"] = ("127.0.0.1", 50000)
        return original(self, connection)

    return client_address


def test_forwarded_for_from_an_untrusted_peer_cannot_pick_its_bucket(mini_engine, database_url):
    with TestClient(app_with(database_url, trusted_proxies="10.0.0.0/8")) as client:
        request = client.build_request("GET", "/")
        from litestar.connection import ASGIConnection
        scope = {"type": "http", "client": ("198.51.100.7", 1), "headers": [(b"x-forwarded-for", b"10.0.0.5, 1.2.3.4")],
                 "app": client.app, "path": "/", "method": "GET", "query_string": b""}
        assert client.app.state.limits.client_address(ASGIConnection(scope)) == "198.51.100.7"
        scope["client"] = ("10.0.0.1", 1)
        assert client.app.state.limits.client_address(ASGIConnection(scope)) == "1.2.3.4"
        del request


def test_other_hosts_are_refused_in_the_error_shape(client):
    check_shape(client.get("/api/v1/jurisdictions", headers={"Host": "evil.example"}), 400, "invalid_host")
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000", "testserver.local"):
        assert client.get("/api/v1/jurisdictions", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_setting_and_wildcards(mini_engine, database_url):
    with TestClient(app_with(database_url, allowed_hosts="registry.example.org,*.partners.example")) as client:
        assert client.get("/healthz", headers={"Host": "registry.example.org"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "eu.partners.example:443"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200  # REGISTRY_HOST
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400  # not in the setting
        assert client.get("/healthz", headers={"Host": "partners.example.evil"}).status_code == 400


def test_cors_is_off_by_default_and_on_for_named_origins(client, mini_engine, database_url):
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    answer = client.options("/api/v1/documents", headers=preflight)
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in client.get("/api/v1/documents", headers={"Origin": "https://x"}).headers
    with TestClient(app_with(database_url, cors_origins="https://portal.example.org")) as cors:
        allowed = cors.get("/api/v1/documents", headers={"Origin": "https://portal.example.org"})
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example.org"
        assert "access-control-allow-origin" not in cors.get("/api/v1/documents",
                                                             headers={"Origin": "https://evil.example"}).headers


@pytest.mark.parametrize("url", ["/api/v1/documents", "/api/v1/nowhere", "/healthz", "/schema/openapi.json", "/",
                                 "/docs", "/static/nothing.css", f"{EU}/versions/latest"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]
    assert headers["x-frame-options"] == "DENY" or "frame-ancestors 'none'" in headers.get("content-security-policy", "")


def test_secrets_never_reach_the_logs(client, make_token, caplog, monkeypatch):
    """Requests with a token — a success, a refusal and a 500 — log neither the token nor its secret part."""
    text_ = make_token("admin")
    secret = text_.split("_", 2)[2]
    caplog.set_level(logging.DEBUG)
    client.post(f"{EU}/versions", json={"schema": schema(20)}, headers=auth(text_))
    client.get("/api/v1/audit", headers=auth(text_ + "x"))
    from registry.services import documents

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(documents, "list_documents", explode)
    assert client.get("/api/v1/documents", headers=auth(text_)).status_code == 500
    assert "unexpected error" in caplog.text  # the 500 was logged …
    assert secret not in caplog.text and text_ not in caplog.text  # … without the secret


def test_uvicorn_access_logs_hold_no_secret(tmp_path):
    """The access log line of a real server names the path, never the Authorization header."""
    import subprocess
    import sys
    import time

    import httpx

    port = _free_port()
    env = {"REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "REGISTRY_LOAD_CORPUS": "false",
           "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--no-corpus"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        secret = "rcr_0123456789abcdef_" + "s3cr3t" * 6
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/documents/EU/x/versions",
                          headers={"Authorization": f"Bearer {secret}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "GET /api/v1/documents/EU/x/versions" in output
    assert "s3cr3t" not in output


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_audit_log_is_append_only_through_the_api():
    app = create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False))
    audit_routes = {(m, p) for m, p in write_routes(app) if "audit" in p}
    assert audit_routes == set()
    assert not any(m == "DELETE" for m, _ in write_routes(app))
