"""What a version body must be: draft 2020-12, local references only (never fetched), linear-time patterns,
only the vocabulary's paths."""

from __future__ import annotations

import http.server
import threading

import pytest

from registry.domain.schemas import build_validator, check_schema
from registry.errors import Unprocessable
from tests.conftest import auth
from tests.test_lifecycle import schema

DOC = "/api/v1/documents/EU/consumer-protection"


@pytest.fixture
def eu(client, make_token):
    return auth(make_token("regulator", "EU"))


@pytest.fixture
def recording_server():
    """A local HTTP server that records every request it gets and would serve a permissive schema."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = b'{"$schema": "https://json-schema.org/draft/2020-12/schema"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def with_ref(ref: str) -> dict:
    body = schema(14)
    body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["$ref"] = ref
    return body


def test_remote_refs_are_refused_and_never_fetched(client, eu, recording_server, tmp_path):
    base, hits = recording_server
    target = tmp_path / "other.json"
    target.write_text('{"minimum": 0}')
    for ref in (f"{base}/schema.json", f"{base}/schema.json#/defs/x", target.as_uri(),
                "http://169.254.169.254/latest/meta-data/", "other.json", "//evil.example/s.json"):
        response = client.post(f"{DOC}/versions", json={"schema": with_ref(ref)}, headers=eu)
        assert response.status_code == 422, (ref, response.text)
        error = response.json()
        assert error["code"] == "remote_ref_refused"
        assert error["pointer"] == "/properties/consumer_protection/properties/withdrawal_period_days/$ref"
    assert hits == []
    assert [v["number"] for v in client.get(f"{DOC}/versions", headers=eu).json()["items"]] == [1]


def test_validators_never_fetch_either(recording_server):
    base, hits = recording_server
    validator = build_validator({"$ref": f"{base}/schema.json"})
    with pytest.raises(Exception):
        validator.is_valid({})
    assert hits == []


def test_local_refs_including_recursive_ones_are_accepted(client, eu):
    body = schema(14)
    body["$defs"] = {"days": {"type": "integer", "minimum": 0}}
    body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["$ref"] = "#/$defs/days"
    response = client.post(f"{DOC}/versions", json={"schema": body}, headers=eu)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("body, code, pointer", [
    ({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}, "ref_cycle", "/$defs/a/$ref"),
    ({"$ref": "#/$defs/missing"}, "unresolvable_ref", "/$ref"),
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, "unsupported_dialect", "/$schema"),
    ({"type": "objekt"}, "invalid_schema", "/type"),
    ({"properties": {"a": {"minimum": "x"}}}, "invalid_schema", "/properties/a/minimum"),
    ({"pattern": "(" * 2000}, "pattern_refused", "/pattern"),
    ({"pattern": "a{99999999999999}"}, "pattern_refused", "/pattern"),
    ({"pattern": "(?u)(?a)"}, "pattern_refused", "/pattern"),
    ({"pattern": "(?=lookahead)"}, "pattern_refused", "/pattern"),
    ({"patternProperties": {"(a)\\1": {}}}, "pattern_refused", "/patternProperties/(a)\\1"),
    ([], "invalid_schema", ""),
])
def test_invalid_schemas_are_refused_with_a_pointer(body, code, pointer):
    with pytest.raises(Unprocessable) as caught:
        check_schema(body)
    assert caught.value.code == code
    assert caught.value.pointer == pointer


def test_catastrophic_patterns_validate_in_linear_time():
    validator = build_validator({"pattern": "^(a+)+$"})
    # Python's re takes ~0.4 s at 24 characters and doubles with each one more; RE2 answers at once
    assert validator.is_valid("a" * 200) is True
    assert validator.is_valid("a" * 100_000 + "!") is False


def test_format_is_asserted():
    validator = build_validator({"format": "date"})
    assert validator.is_valid("2024-02-29") and not validator.is_valid("2023-02-29")


def test_unknown_vocabulary_paths_are_refused_naming_the_path(client, eu):
    body = schema(14)
    body["properties"]["consumer_protection"]["properties"]["cooling_off_hours"] = {"minimum": 1}
    response = client.post(f"{DOC}/versions", json={"schema": body}, headers=eu)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "unknown_vocabulary_path"
    assert "/consumer_protection/cooling_off_hours" in error["message"]
    assert error["pointer"] == "/consumer_protection/cooling_off_hours"


def test_publishing_needs_every_constraint_cited(client, eu):
    body = schema(15)  # not 14: @1's constraints, which would be refused as identical (annotations do not count)
    del body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]
    assert client.post(f"{DOC}/versions", json={"schema": body, "effective_from": "2025-01-01"},
                       headers=eu).status_code == 201  # a draft may be incomplete
    response = client.post(f"{DOC}/versions/2/publish", headers=eu)
    assert response.status_code == 422
    assert response.json()["code"] == "uncited_constraint"
