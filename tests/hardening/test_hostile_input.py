"""Hostile input on every route that takes one: each gets a precise 4xx in the error shape, and nothing stored
changes. The JSON routes come from the access matrix (itself checked against the route table)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from registry.domain.validation import checker
from registry.services import corpus
from tests.conftest import MINI, auth, copy_tree
from tests.hardening.support import snapshot
from tests.hardening.test_access_matrix import MATRIX, World
from tests.test_error_shape import check_shape
from tests.test_lifecycle import schema
from tests.test_schema_checks import recording_server, with_ref  # noqa: F401  (fixture)

EU = "/api/v1/documents/EU/consumer-protection"
# routes that read a JSON body (the others take none, or JSON Lines)
JSON_ROUTES = sorted(r for r in MATRIX if r[0] in ("POST", "PUT", "PATCH") and not r[1].endswith(
    ("/confirm", "/hold", "/cancel", "/approve", "/minutes/publish", "/batch")))
MEGA = "x" * 3_000_000
BODIES = {
    "malformed": (b'{"a": ', 400, "invalid_json"),
    "invalid_utf8": (b'{"a": "\xff\xfe"}', 400, "invalid_utf8"),
    "nan": (b'{"a": NaN}', 400, "invalid_json"),
    "infinity": (b'{"a": -Infinity}', 400, "invalid_json"),
    "duplicate_keys": (b'{"a": 1, "a": 2}', 400, "duplicate_key"),
    "nested_5000_arrays": (b"[" * 5000 + b"]" * 5000, 400, "too_deep"),
    "nested_5000_objects": (b'{"a":' * 5000 + b"1" + b"}" * 5000, 400, "too_deep"),
    "megabyte_key": (b'{"' + MEGA.encode() + b'": 1}', 413, "string_too_long"),
    "nul_character": (b'{"a": "x\\u0000y"}', 400, "nul_character"),  # PostgreSQL cannot store it
    "lone_surrogate": (b'{"a": "x\\uD800"}', 400, "invalid_unicode"),  # not UTF-8: cannot be stored or validated
    "integer_of_5000_digits": (b'{"a": 1' + b"0" * 4999 + b'}', 400, "number_out_of_range"),  # int() refuses it
    "number_beyond_a_double": (b'{"a": [1e400]}', 400, "number_out_of_range"),  # reads as inf
    "long_decimal_beyond_a_double": (b'{"a": -1' + b"0" * 400 + b'.5}', 400, "number_out_of_range"),
}


@pytest.fixture
def world(client, make_token):
    admin = auth(make_token("admin", name="root"))
    enterprise = auth(make_token("enterprise", name="acme"))
    import itertools
    return World(client=client, admin=admin, tokens={"enterprise": enterprise}, counter=itertools.count(1))


@pytest.mark.parametrize("route", JSON_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_malformed_json_on_every_json_route(route, world, mini_engine):
    prepare, _ = MATRIX[route]
    url, valid, extra = prepare(world)
    before = snapshot(mini_engine)
    for name, (content, status, code) in BODIES.items():
        response = world.client.request(route[0], url, content=content,
                                        headers={**world.admin, **extra, "Content-Type": "application/json"})
        check_shape(response, status, code)
    if valid:  # an unknown field is named by its pointer
        response = world.client.request(route[0], url, json={**valid, "colour": "blue"}, headers={**world.admin, **extra})
        check_shape(response, 400, "invalid_input", "/colour")
    assert snapshot(mini_engine) == before


@pytest.mark.parametrize("url, body, status, code, pointer", [
    ("/api/v1/documents", {"jurisdiction": "EU", "slug": "big", "kind": "rule", "title": MEGA[:100_000],
                           "topic": "labelling", "vocabulary": "vocabulary/mini-profile"}, 400, "invalid_input", "/title"),
    (f"{EU}/versions", {"schema": schema(20), "changelog": MEGA[:100_000]}, 400, "invalid_input", "/changelog"),
    (f"{EU}/versions", {"schema": {**schema(20), "description": MEGA}}, 413, "string_too_long", "/schema/description"),
    ("/api/v1/profiles", {"name": "big", "profile": {"company": {"name": MEGA}}}, 413, "string_too_long",
     "/profile/company/name"),
    ("/api/v1/compliance/check", {"markets": ["EU"], "profile": {"company": {"name": MEGA}}}, 413, "string_too_long",
     "/profile/company/name"),
    (f"{EU}/versions/1/withdraw", {"reason": MEGA[:10_000]}, 400, "invalid_input", "/reason"),
    (f"{EU}/versions", {"schema": schema(20), "effective_from": "0000-01-01"}, 400, "invalid_input", "/effective_from"),
    (f"{EU}/versions", {"schema": schema(20), "effective_from": "10000-01-01"}, 400, "invalid_input", "/effective_from"),
    (f"{EU}/versions", {"schema": schema(20), "effective_to": "2024-02-30"}, 400, "invalid_input", "/effective_to"),
    ("/api/v1/compliance/check", {"markets": ["EU"], "profile": {}, "as_of": "99999-01-01"}, 400, "invalid_input",
     "/as_of"),
    ("/api/v1/compliance/impact", {"document": "EU/consumer-protection", "schema": schema(20),
                                   "as_of": "0000-12-31"}, 400, "invalid_input", "/as_of"),
    ("/api/v1/compliance/check", {"markets": ["XX"], "profile": {}}, 404, None, None),
    ("/api/v1/compare", {"left": "EU/nothing@latest", "right": "CN/consumer-protection@latest"}, 404, None, None),
    ("/api/v1/compare", {"left": "EU/consumer-protection@99", "right": "CN/consumer-protection@latest"}, 404, None, None),
])
def test_oversized_out_of_range_and_unknown_values(world, mini_engine, url, body, status, code, pointer):
    before = snapshot(mini_engine)
    check_shape(world.client.post(url, json=body, headers=world.admin), status, code, pointer)
    assert snapshot(mini_engine) == before


@pytest.mark.parametrize("url", [
    "/api/v1/documents/EU/..%2F..%2Fetc%2Fpasswd", "/api/v1/documents/..%2F..%2Fetc/passwd",
    "/api/v1/documents/EU/consumer-protection/versions/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/v1/documents/EU/consumer-protection/versions/1/diff/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/jurisdictions/..%2F..%2Fetc%2Fpasswd", "/api/v1/profiles/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/meetings/..%2F1", "/api/v1/meetings/1%2F..%2F..%2Fetc%2Fpasswd/minutes",
    "/docs/..%2F..%2Fetc%2Fpasswd", "/docs/..%2F..%2Fpyproject.toml", "/docs/files/screenshots/..%2F..%2F..%2Fpyproject.toml",
    "/docs/files/screenshots/%2Fetc%2Fpasswd", "/static/..%2F..%2Fapp.py", "/static/../../registry/app.py",
    "/jurisdictions/..%2F..%2Fetc%2Fpasswd", "/documents/EU/..%2F..%2Fetc%2Fpasswd",
])
def test_path_traversal_in_every_path_parameter(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert "root:" not in response.text and "[project]" not in response.text and "create_app" not in response.text


def test_load_refuses_traversal_and_symbolic_links(tmp_path, engine):
    folder = copy_tree(MINI, tmp_path / "standards")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text((MINI / "documents/EU/consumer-protection.json").read_text())
    (folder / "documents/EU/linked.json").symlink_to(outside / "secret.json")
    (folder / "documents/XX").symlink_to(outside, target_is_directory=True)
    traversal = (MINI / "documents/EU/consumer-protection.json").read_text().replace(
        '"EU/consumer-protection"', '"EU/../../etc/x"')
    (folder / "documents/EU/escape.json").write_text(traversal)
    before = snapshot(engine)
    _, errors = corpus.read_folder(folder)
    assert {e.path for e in errors} == {"documents/EU/linked.json", "documents/XX/secret.json",
                                        "documents/EU/escape.json"}
    with pytest.raises(corpus.CorpusError):
        corpus.read_folder(folder / "documents" / ".." / ".." / "etc")
    assert snapshot(engine) == before


def test_refs_elsewhere_are_refused_in_every_place_a_schema_is_taken(world, mini_engine, recording_server, tmp_path):
    base, hits = recording_server
    draft = world.draft()
    before = snapshot(mini_engine)
    for ref in (f"{base}/s.json", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
                "https://registry.example.org/s.json", "//evil.example/s.json"):
        body = with_ref(ref)
        for method, url, payload, extra in [
            ("POST", f"{EU}/versions", {"schema": body}, {}),
            ("PUT", f"{EU}/versions/{draft['number']}", {"schema": body}, {"If-Match": draft["etag"]}),
            ("POST", "/api/v1/compare", {"left_schema": body, "right": "EU/consumer-protection@latest"}, {}),
            ("POST", "/api/v1/compare", {"left": "EU/consumer-protection@latest", "right_schema": body}, {}),
            ("POST", "/api/v1/compliance/impact", {"document": "EU/consumer-protection", "schema": body}, {}),
        ]:
            response = world.client.request(method, url, json=payload, headers={**world.admin, **extra})
            error = check_shape(response, 422)
            assert error["code"] == "remote_ref_refused", (url, ref, error)
    assert hits == []
    assert snapshot(mini_engine) == before


@pytest.mark.parametrize("engine", ["rust", "python"])
def test_validation_is_bounded_in_time(engine):
    """^(a+)+$ takes Python's re seconds at 30 characters; both validation engines answer at once."""
    check = checker(f"redos-{engine}", {"type": "object", "properties": {"name": {"pattern": "^(a+)+$"}}},
                    engine=engine)
    started = time.perf_counter()
    failures = check.failures({"name": "a" * 100_000 + "!"})
    assert time.perf_counter() - started < 1.0
    assert [f.keyword for f in failures] == ["pattern"]
    assert check.is_valid({"name": "a" * 100_000})


@pytest.mark.parametrize("url", ["/api/v1/meetings/99999999999", "/api/v1/meetings/402392139258930556567552/outcomes",
                                 "/api/v1/actions?meeting=99999999999", "/api/v1/meetings/0"])
def test_ids_beyond_the_database_range_are_400_not_500(client, url):
    check_shape(client.get(url), 400, "invalid_input")


@pytest.mark.parametrize("url", ["/api/v1/meetings/stats?organisation=%00h", "/api/v1/meetings.csv?q=a%00b",
                                 "/api/v1/documents?q=%00", "/api/v1/actions?owner=%00"])
def test_nul_characters_in_query_parameters_are_never_a_500(client, url):
    """Found by the fuzzer on PostgreSQL (text cannot hold NUL): SQLite answers, PostgreSQL gets 400."""
    response = client.get(url)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        check_shape(response, 400)


def test_surrogate_escapes_pair_or_are_refused():
    from registry.domain.jsonbody import parse_json
    from registry.errors import InvalidInput

    assert parse_json(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}  # a pair is one character
    assert parse_json(b'{"a": "\\\\ud800"}') == {"a": "\\ud800"}  # an escaped backslash, then text
    for lone in (b'"\\ud800"', b'"\\udc00x"', b'{"\\uDBFF": 1}', b'["\\ude00\\ud83d"]'):
        with pytest.raises(InvalidInput) as caught:
            parse_json(lone)
        assert caught.value.code == "invalid_unicode"


@pytest.mark.parametrize("path", ["/api/v1/compliance/check", "/api/v1/compliance/batch?markets=EU"])
def test_raw_compliance_routes_refuse_other_methods_and_oversized_bodies(client, path, database_url):
    answer = client.get(path)
    check_shape(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == "POST"
    if path.endswith("/check"):
        from litestar.testing import TestClient

        from tests.hardening.test_protections import app_with

        with TestClient(app_with(database_url, max_body_bytes=1000)) as small:
            check_shape(small.post(path, content=b"{" + b" " * 2000 + b"}"), 413, "payload_too_large")
