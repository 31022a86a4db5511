"""Issue 18, items 6 and 7: /readyz and a 503 (never a 500) while the database is unreachable, Prometheus metrics,
X-Request-ID echoed and in every log line, JSON logs without tokens; litestar's own logging, metrics, compression
and OpenTelemetry middleware compose with the app (the compliance check among the routes they wrap)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Iterator

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from registry.api.logs import redact
from registry.app import create_app
from registry.settings import Settings
from registry.storage.availability import unreachable
from registry.storage.database import make_engine, normalise_url
from registry.storage.migrate import migrate
from tests.conftest import BACKEND, STANDARDS
from tests.tcp_proxy import TcpProxy

CHECK = {"profile": {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}},
         "markets": ["EU"], "topics": ["consumer-protection"]}


def _settings(url: str, **overrides: object) -> Settings:
    return Settings.from_env({}, database_url=url, load_corpus_on_start=False, standards_dir=STANDARDS, **overrides)


# ---- X-Request-ID --------------------------------------------------------------------------------------------------

def test_a_request_id_sent_is_echoed_and_one_is_made_when_none_is(client):
    assert client.get("/api/v1/jurisdictions", headers={"X-Request-ID": "trace-7f3a:1"}).headers["x-request-id"] == "trace-7f3a:1"
    made = client.get("/api/v1/jurisdictions").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/api/v1/jurisdictions").headers["x-request-id"] != made


@pytest.mark.parametrize("sent", ["a b", "x" * 129, "<script>", "é"])
def test_a_request_id_that_is_not_plain_is_replaced(client, sent):
    echoed = client.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")}).headers["x-request-id"]
    assert echoed != sent and len(echoed) == 32


def test_routing_answers_and_host_refusals_carry_a_request_id_too(client):
    assert client.get("/no/such/page", headers={"X-Request-ID": "r-404"}).headers["x-request-id"] == "r-404"
    assert client.delete("/healthz", headers={"X-Request-ID": "r-405"}).headers["x-request-id"] == "r-405"
    refused = client.get("/healthz", headers={"Host": "evil.example", "X-Request-ID": "r-host"})
    assert refused.status_code == 400 and refused.headers["x-request-id"] == "r-host"


# ---- logs ----------------------------------------------------------------------------------------------------------

def _lines(capsys: pytest.CaptureFixture[str], until: str) -> list[str]:
    """stderr's lines once one holds `until` (the queue's thread writes them a moment later)."""
    seen = ""
    for _ in range(100):
        seen += capsys.readouterr().err
        if until in seen:
            return seen.splitlines()
        time.sleep(0.02)
    raise AssertionError(f"{until!r} never logged; stderr was:\n{seen}")


def test_json_log_lines_carry_the_request_id_and_never_a_token(settings, mini_engine, make_token, capsys, monkeypatch):
    token = make_token("admin")
    secret = token.split("_", 2)[2]
    app = create_app(Settings.from_env({"REGISTRY_LOG_FORMAT": "json"}, database_url=settings.database_url,
                                       load_corpus_on_start=False, standards_dir=STANDARDS))
    from registry.services import jurisdictions

    def explode(*args, **kwargs):
        raise RuntimeError(f"boom with {token} inside")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/jurisdictions", headers={"X-Request-ID": "req-ok-1",
                                                             "Authorization": f"Bearer {token}"}).status_code == 200
        assert client.get("/api/v1/audit", headers={"X-Request-ID": "req-401",
                                                     "Authorization": f"Bearer {token}x"}).status_code == 401
        monkeypatch.setattr(jurisdictions, "list_jurisdictions", explode)
        assert client.get("/api/v1/jurisdictions", headers={"X-Request-ID": "req-500"}).status_code == 500
        lines = _lines(capsys, '"path": "/api/v1/jurisdictions", "status": 500')
    records = [json.loads(line) for line in lines if line.startswith("{")]
    access = {r["request_id"]: r for r in records if r["logger"] == "registry.access"}
    assert access["req-ok-1"]["status"] == 200 and access["req-ok-1"]["method"] == "GET"
    assert access["req-ok-1"]["path"] == "/api/v1/jurisdictions" and access["req-401"]["status"] == 401
    [error] = [r for r in records if r["level"] == "ERROR" and r["request_id"] == "req-500"]
    assert "unexpected error on GET /api/v1/jurisdictions" in error["message"] and "boom" in error["exception"]
    assert [line for line in lines if secret in line] == []
    assert "rcr_" in error["exception"]  # the token named, its secret cut


def test_text_log_lines_carry_the_request_id(capsys, client):  # capsys first: the handler writes where stderr was
    client.get("/healthz", headers={"X-Request-ID": "text-line-1"})
    assert any("[text-line-1] GET /healthz 200" in line for line in _lines(capsys, "text-line-1"))


def test_the_access_log_can_be_switched_off(settings, mini_engine, capsys):
    with TestClient(create_app(_settings(settings.database_url, access_log=False))) as client:
        client.get("/healthz", headers={"X-Request-ID": "quiet-1"})
        logging.getLogger("registry").warning("marker-line")
        lines = _lines(capsys, "marker-line")
    assert not [line for line in lines if "quiet-1" in line]


@pytest.mark.no_database
def test_redaction_cuts_bearer_tokens_and_registry_secrets():
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [redacted]"
    assert redact("token rcr_0a1b_s3cr3t-Part_x used") == "token rcr_0a1b_[redacted] used"
    assert redact("no secret here") == "no secret here"


@pytest.mark.no_database
def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="REGISTRY_LOG_FORMAT"):
        create_app(_settings("sqlite://", log_format="yaml"))


# ---- metrics -------------------------------------------------------------------------------------------------------

def _samples(client: TestClient) -> dict[tuple[str, frozenset], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=")
    assert answer.headers["content-type"].count("charset") == 1
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def _value(samples: dict, name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def test_metrics_count_requests_by_route_checks_and_cache_hits(corpus_client):
    client = corpus_client
    before = _samples(client)
    for code in ("EU", "CN", "BR"):
        assert client.get(f"/api/v1/jurisdictions/{code}").status_code == 200
    for _ in range(2):
        assert client.post("/api/v1/compliance/check", json=CHECK).status_code == 200
    # refused by admission, before its handler runs: counted as the 401 it is
    assert client.post("/api/v1/documents/EU/consumer-protection/versions", json={}).status_code == 401
    after = _samples(client)
    refused = {"path": "/api/v1/documents/{jurisdiction}/{slug}/versions", "method": "POST", "status_code": "401"}
    assert _value(after, "registry_requests_total", **refused) - _value(before, "registry_requests_total", **refused) == 1
    route = {"path": "/api/v1/jurisdictions/{code}", "method": "GET", "status_code": "200"}
    assert _value(after, "registry_requests_total", **route) - _value(before, "registry_requests_total", **route) == 3
    assert not [ls for (n, ls) in after if n == "registry_requests_total" and ("path", "/api/v1/jurisdictions/EU") in ls]
    latency = _value(after, "registry_request_duration_seconds_count", **route)
    assert latency - _value(before, "registry_request_duration_seconds_count", **route) == 3
    checks = {"route": "check"}
    assert _value(after, "registry_compliance_checks_total", **checks) - _value(before, "registry_compliance_checks_total", **checks) == 2
    # the second identical check finds what the first left in the caches
    assert _value(after, "registry_cache_hits_total") > _value(before, "registry_cache_hits_total")
    assert _value(after, "registry_cache_entries", cache="frameworks") >= 1


def test_metrics_can_be_switched_off(settings, mini_engine):
    with TestClient(create_app(_settings(settings.database_url, metrics=False))) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200


# ---- readiness and an unreachable database -------------------------------------------------------------------------

def _assert_unavailable(answer) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["code"] == "database_unavailable"


def test_readyz_and_the_api_answer_503_while_postgresql_is_unreachable(database_url, mini_engine):
    """The app reaches PostgreSQL through a TCP proxy that the test closes (the shared server keeps running)."""
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL only (REGISTRY_TEST_DATABASE_URL): the SQLite case is the next test")
    url = make_url(normalise_url(database_url))
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).open()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with TestClient(create_app(_settings(proxied)), raise_server_exceptions=False) as client:
            assert client.get("/readyz").json()["status"] == "ready"
            assert client.get("/api/v1/jurisdictions").status_code == 200
            proxy.close()
            _assert_unavailable(client.get("/readyz"))
            _assert_unavailable(client.get("/api/v1/jurisdictions"))
            _assert_unavailable(client.get("/api/v1/documents/EU/consumer-protection/versions/1"))
            assert client.get("/healthz").status_code == 200  # alive, not ready: no restart needed
            proxy.open()
            assert client.get("/readyz").status_code == 200
            assert client.get("/api/v1/jurisdictions").status_code == 200
    finally:
        proxy.close()


def test_readyz_and_the_api_answer_503_while_the_sqlite_file_cannot_be_opened(tmp_path):
    if BACKEND != "sqlite":
        pytest.skip("SQLite only: the PostgreSQL case is the test before")
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'registry.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(_settings(url)), raise_server_exceptions=False) as client:
        assert client.get("/readyz").status_code == 200
        client.app.state.engine.dispose()  # open connections would keep the moved file
        folder.rename(tmp_path / "moved")
        _assert_unavailable(client.get("/readyz"))
        _assert_unavailable(client.get("/api/v1/jurisdictions"))
        (tmp_path / "moved").rename(folder)
        assert client.get("/readyz").status_code == 200
        assert client.get("/api/v1/jurisdictions").status_code == 200


@pytest.mark.no_database
@pytest.mark.parametrize("message, expected", [("database is locked", True), ("unable to open database file", True),
                                               ("no such table: jurisdiction", False), ("near \"x\": syntax error", False)])
def test_which_sqlite_errors_mean_the_database_is_unavailable(message, expected):
    import sqlite3

    assert unreachable(OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))) is expected


# ---- litestar's logging, metrics, compression and OpenTelemetry, together ------------------------------------------

def test_litestar_logging_compression_and_opentelemetry_compose_with_the_app(capsys, database_url, corpus_engine,
                                                                             make_token):
    from litestar.config.compression import CompressionConfig
    from litestar.middleware.logging import LoggingMiddlewareConfig
    from litestar.plugins.opentelemetry import OpenTelemetryConfig
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))

    def deployment(config):
        config.middleware += [OpenTelemetryConfig(tracer_provider=provider).middleware,
                              LoggingMiddlewareConfig(request_log_fields=("path", "method", "headers")).middleware]
        config.compression_config = CompressionConfig(backend="gzip", minimum_size=100)
        return config

    token = make_token("admin")
    app = create_app(_settings(database_url), on_app_init=[deployment])
    with TestClient(app, raise_server_exceptions=False) as client:
        checked = client.post("/api/v1/compliance/check", json=CHECK, headers={"Accept-Encoding": "gzip"})
        assert checked.status_code == 200 and checked.json()["markets"][0]["market"] == "EU"
        listed = client.get("/api/v1/jurisdictions", headers={"Accept-Encoding": "gzip",
                                                               "Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.headers["content-encoding"] == "gzip"
        assert listed.headers["x-request-id"] and _value(_samples(client), "registry_requests_total") >= 2
        lines = _lines(capsys, "HTTP Request")  # litestar's logging middleware, through our handler
    names = [span.name for span in spans.get_finished_spans()]
    assert any("/api/v1/compliance/check" in name for name in names), names
    assert token.split("_", 2)[2] not in "\n".join(lines)


_WORKER = """
import sys
from litestar.testing import TestClient
from registry.app import create_app
from registry.settings import Settings

app = create_app(Settings.from_env({}, database_url=sys.argv[1], load_corpus_on_start=False))
with TestClient(app) as client:
    for _ in range(int(sys.argv[2])):
        assert client.get("/healthz").status_code == 200
    if sys.argv[3] == "scrape":
        print(client.get("/metrics").text)
"""


def test_several_worker_processes_are_summed_with_prometheus_multiproc_dir(tmp_path, database_url, engine):
    """Two processes serve 3 and 4 requests; a third's /metrics counts 7 (prometheus_client's multiprocess mode)."""
    import os
    import subprocess
    import sys

    (tmp_path / "metrics").mkdir()  # a folder of its own: prometheus_client reads every *.db file in it
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "PYTHONPATH": str(STANDARDS.parent)}

    def run(count: int, scrape: bool) -> str:
        return subprocess.run([sys.executable, "-c", _WORKER, database_url, str(count), "scrape" if scrape else "-"],
                              env=env, capture_output=True, text=True, check=True, timeout=120).stdout

    run(3, False)
    run(4, False)
    text = run(0, True)
    counted = {tuple(sorted(s.labels.items())): s.value for family in text_string_to_metric_families(text)
               for s in family.samples if s.name == "registry_requests_total"}
    assert counted[tuple(sorted({"app_name": "registry", "method": "GET", "path": "/healthz",
                                 "status_code": "200"}.items()))] == 7
