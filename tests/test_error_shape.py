"""Every error response has one shape: status, code, message, pointer (and detail where there is more)."""

from __future__ import annotations

import pytest

from tests.conftest import auth

DOC = "/api/v1/documents/EU/consumer-protection"
SHAPE = {"status", "code", "message", "pointer"}


def check_shape(response, status: int, code: str | None = None, pointer: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert SHAPE <= set(body) <= SHAPE | {"detail"}
    assert body["status"] == status and isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    if pointer is not None:
        assert body["pointer"] == pointer
    return body


@pytest.mark.parametrize("method, url, kwargs, status, code, pointer", [
    ("get", "/api/v1/nowhere", {}, 404, "not_found", None),
    ("delete", "/api/v1/documents", {}, 405, "method_not_allowed", None),
    ("get", "/api/v1/jurisdictions/XX", {}, 404, "unknown_jurisdiction", None),
    ("get", "/api/v1/jurisdictions/lower", {}, 400, "invalid_jurisdiction_code", None),
    ("get", "/api/v1/documents/EU/nothing", {}, 404, "unknown_document", None),
    ("get", "/api/v1/documents/EU/..%2F..%2Fetc", {}, 404, "not_found", None),
    ("get", "/api/v1/documents/EU/Bad_Slug", {}, 400, "invalid_slug", None),
    ("get", f"{DOC}/versions/99", {}, 404, "unknown_version", None),
    ("get", f"{DOC}/versions/2010-01-01", {}, 404, "unknown_version", None),
    ("get", f"{DOC}/versions/2010-02-30", {}, 400, "invalid_date", None),
    ("get", f"{DOC}/versions/someday", {}, 400, "invalid_version_selector", None),
    ("get", "/api/v1/documents?limit=0", {}, 400, "invalid_input", None),
    ("get", "/api/v1/documents?sort=sideways", {}, 400, "invalid_input", None),
])
def test_read_errors(client, method, url, kwargs, status, code, pointer):
    check_shape(getattr(client, method)(url, **kwargs), status, code, pointer)


@pytest.fixture
def admin(client, make_token):
    return auth(make_token("admin"))


@pytest.mark.parametrize("content, code", [
    (b'{"schema": {}', "invalid_json"),
    (b'{"schema": {"a": 1, "a": 2}}', "duplicate_key"),
    (b'{"schema": {"minimum": NaN}}', "invalid_json"),
    (b'{"schema": {"minimum": Infinity}}', "invalid_json"),
    (b'{"schema": {"title": "\xff\xfe"}}', "invalid_utf8"),
    (b'[' * 5000 + b']' * 5000, "too_deep"),
    (b'{"schema": ' + b'{"not": ' * 3000 + b'{}' + b'}' * 3001, "too_deep"),
])
def test_malformed_bodies(client, admin, content, code):
    response = client.post(f"{DOC}/versions", content=content, headers={**admin, "Content-Type": "application/json"})
    check_shape(response, 400, code)
    assert [v["number"] for v in client.get(f"{DOC}/versions", headers=admin).json()["items"]] == [1]


@pytest.mark.parametrize("body, pointer", [
    ({"schema": {}, "colour": "blue"}, "/colour"),
    ({"effective_from": "2024-01-01"}, "/schema"),
    ({"schema": {}, "effective_from": "2024-13-01"}, "/effective_from"),
    ({"schema": "not an object"}, "/schema"),
])
def test_invalid_fields_name_their_pointer(client, admin, body, pointer):
    check_shape(client.post(f"{DOC}/versions", json=body, headers=admin), 400, "invalid_input", pointer)


def test_a_body_over_the_limit_is_413(client, admin, settings):
    big = b'{"schema": {"description": "' + b"x" * (settings.max_body_bytes + 10) + b'"}}'
    response = client.post(f"{DOC}/versions", content=big, headers={**admin, "Content-Type": "application/json"})
    check_shape(response, 413, "payload_too_large")
