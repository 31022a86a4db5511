"""HTTP caching (issue 18, item 4) and small HTTP corrections (item 9): strong ETags, If-None-Match → 304,
Cache-Control by kind of answer, Vary, compression, conditional GET on the calendar feeds, Allow on 405 and OPTIONS,
one charset, 201 with Location."""

from __future__ import annotations

import hashlib

import pytest

from registry.api.caching import matches
from registry.domain.etags import names_state
from tests.conftest import auth
from tests.test_lifecycle import DOC, draft, schema

IDENTITY = {"accept-encoding": "identity"}
IMMUTABLE = "public, max-age=31536000, immutable"


def vary(response) -> set[str]:
    return {v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("url", [f"{DOC}/versions/1", f"{DOC}/versions/latest", f"{DOC}/versions/current",
                                 f"{DOC}/versions", "/api/v1/jurisdictions", "/api/v1/documents", DOC,
                                 "/api/v1/meetings.ics", "/api/v1/gaps?from=CN&to=EU"])
def test_a_read_revalidates_with_its_etag(client, url):
    first = client.get(url, headers=IDENTITY)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    again = client.get(url, headers={**IDENTITY, "if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "no-cache"
    assert "content-type" not in again.headers
    other = client.get(url, headers={**IDENTITY, "if-none-match": '"not-this-one"'})
    assert other.status_code == 200 and other.content == first.content


def test_a_numbered_version_304_then_a_new_etag_once_it_changes(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    first = client.get(f"{DOC}/versions/1")
    etag = first.headers["etag"]
    own = first.json()["etag"]  # the version's own ETag, what If-Match expects; a read adds the body's hash
    assert etag.startswith(own[:-1] + ".") and names_state(etag, own)
    assert client.get(f"{DOC}/versions/1", headers={"if-none-match": etag}).status_code == 304
    head = client.head(f"{DOC}/versions/1")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert client.get(f"{DOC}/versions/latest", headers={"if-none-match": etag}).status_code == 304
    created = draft(client, eu, schema(30), effective_from="2024-01-01", changelog="Thirty days.")
    assert client.post(f"{DOC}/versions/{created.json()['number']}/publish", headers=eu).status_code == 200
    # version 1 is now superseded: its state changed, so its answer and ETag did
    after = client.get(f"{DOC}/versions/1", headers={"if-none-match": etag})
    assert after.status_code == 200 and after.json()["status"] == "superseded"
    assert client.get(f"{DOC}/versions/latest", headers={"if-none-match": etag}).status_code == 200


def test_schemas_by_hash_are_immutable_and_hash_to_their_name(client):
    version = client.get(f"{DOC}/versions/1").json()
    for digest in (version["body_hash"], version["content_hash"]):
        answer = client.get(f"/api/v1/schemas/{digest}", headers=IDENTITY)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == IMMUTABLE
        assert answer.headers["content-type"].startswith("application/schema+json")
        assert hashlib.sha256(answer.content).hexdigest() == digest
        assert client.get(f"/api/v1/schemas/{digest}",
                          headers={"if-none-match": answer.headers["etag"]}).status_code == 304
    with_annotations = client.get(f"/api/v1/schemas/{version['body_hash']}").json()
    assert with_annotations == version["schema"]
    for missing in ("0" * 64, "x" * 64, version["body_hash"].upper()):
        refused = client.get(f"/api/v1/schemas/{missing}")
        assert refused.status_code == 404 and "cache-control" not in refused.headers


def test_a_drafts_schema_is_not_offered_by_hash(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    created = draft(client, eu, schema(21), effective_from="2024-01-01", changelog="Draft.").json()
    assert client.get(f"/api/v1/schemas/{created['body_hash']}").status_code == 404


def test_large_answers_are_compressed_and_still_revalidate(client):
    url = "/api/v1/gaps?from=CN&to=EU"
    plain = client.get(url, headers=IDENTITY)
    assert "content-encoding" not in plain.headers and {"Accept-Encoding", "Accept"} <= vary(plain)
    for coding in ("br", "gzip"):
        packed = client.get(url, headers={"accept-encoding": coding})
        assert packed.headers["content-encoding"] == coding
        assert int(packed.headers["content-length"]) < len(plain.content)
        assert packed.content == plain.content  # httpx decodes it
        assert packed.headers["etag"] == "W/" + plain.headers["etag"]  # the bytes differ: a weak body hash
        assert sorted(vary(packed)) == sorted(vary(plain))  # named once
        assert client.get(url, headers={"accept-encoding": coding, "if-none-match": plain.headers["etag"]}
                          ).status_code == 304


def test_a_version_keeps_its_strong_etag_when_compressed(client):
    packed = client.get(f"{DOC}/versions/1", headers={"accept-encoding": "br"})
    assert packed.headers["content-encoding"] == "br"
    assert packed.headers["etag"] == client.get(f"{DOC}/versions/1", headers=IDENTITY).headers["etag"]
    assert names_state(packed.headers["etag"], packed.json()["etag"])


def test_answers_for_a_caller_stay_private(client, make_token):
    answer = client.get(f"{DOC}/versions/1", headers=auth(make_token("regulator", "EU")))
    assert answer.headers["cache-control"] == "private, no-store"


def test_the_calendar_feed_has_one_charset_and_revalidates(client):
    feed = client.get("/api/v1/meetings.ics")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert client.get("/api/v1/meetings.ics", headers={"if-none-match": feed.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("method, url, allowed", [
    ("DELETE", "/api/v1/documents", "GET, HEAD, OPTIONS, POST"),
    ("OPTIONS", "/api/v1/documents", "GET, HEAD, OPTIONS, POST"),
    ("OPTIONS", f"{DOC}/versions/1", "GET, HEAD, OPTIONS, PUT"),
    ("PATCH", f"{DOC}/versions/1", "GET, HEAD, OPTIONS, PUT"),
    ("DELETE", "/healthz", "GET, HEAD, OPTIONS"),
    ("GET", "/api/v1/compliance/check", "POST"),  # a raw ASGI route names its own
])
def test_allow_names_every_method_of_the_path(client, method, url, allowed):
    answer = client.request(method, url)
    assert answer.status_code == (204 if method == "OPTIONS" else 405)
    assert answer.headers["allow"] == allowed


def test_a_201_names_what_it_created(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    created = draft(client, eu, schema(25), effective_from="2024-01-01", changelog="Created.")
    assert created.headers["location"] == created.json()["url"]
    assert client.get(created.headers["location"], headers=eu).json()["number"] == created.json()["number"]


@pytest.mark.parametrize("header, etag, expected", [
    (b'"a"', b'"a"', True), (b'W/"a"', b'"a"', True), (b'"a"', b'W/"a"', True), (b'"b", "a"', b'"a"', True),
    (b"*", b'"a"', True), (b'"b"', b'"a"', False), (b'"ab"', b'"a"', False), (b"", b'"a"', False),
])
def test_if_none_match_compares_weakly(header, etag, expected):
    assert matches(header, etag) is expected


def test_if_match_takes_the_etag_a_read_carried(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    number = draft(client, eu, schema(28), effective_from="2024-01-01", changelog="Draft.").json()["number"]
    read = client.get(f"{DOC}/versions/{number}", headers=eu).headers["etag"]
    edited = client.put(f"{DOC}/versions/{number}", json={"schema": schema(27), "effective_from": "2024-01-01"},
                        headers={**eu, "if-match": read})
    assert edited.status_code == 200, edited.text
    stale = client.put(f"{DOC}/versions/{number}", json={"schema": schema(26), "effective_from": "2024-01-01"},
                       headers={**eu, "if-match": read})
    assert stale.status_code == 409


@pytest.mark.parametrize("sent, current, expected", [
    ('"1.1.ab"', '"1.1.ab"', True), ('W/"1.1.ab"', '"1.1.ab"', True), ('"1.1.ab.f00d"', '"1.1.ab"', True),
    ('"1.1.ab."', '"1.1.ab"', True), ('"1.1.abc"', '"1.1.ab"', False), ('"1.2.ab.f00d"', '"1.1.ab"', False),
    ('"1.1.ab.f00d', '"1.1.ab"', False), ('"1.1"', '"1.1.ab"', False),
])
def test_names_state(sent, current, expected):
    assert names_state(sent, current) is expected


def test_the_jurisdiction_list_names_the_same_members_and_blocs_as_each_jurisdiction(corpus_client):
    listed = corpus_client.get("/api/v1/jurisdictions?limit=500", headers=IDENTITY).json()["items"]
    assert any(j["members"] for j in listed) and any(j["blocs"] for j in listed)
    for item in listed:
        one = corpus_client.get(f"/api/v1/jurisdictions/{item['code']}").json()
        assert (item["members"], item["blocs"]) == (one["members"], one["blocs"]), item["code"]
