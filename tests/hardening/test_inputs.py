"""Issue 13, item 6 (inputs, the data-facing part): numbers beyond range, far dates, ids in one canonical form,
LIKE wildcards, `$ref` cycles through anchors, ids and dynamic references, and unsafe URLs. Each answer is a 4xx in
the one error shape, and nothing stored changes on a refused request."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINI as MINI_FOLDER, auth
from tests.hardening.support import snapshot
from tests.test_compliance import SEVEN_DAYS
from tests.test_error_shape import check_shape

HUGE_INTEGER = "1" + "0" * 4999


# ---- numbers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [HUGE_INTEGER, "1e400", "-1e400", "1" + "0" * 400 + ".5"])
def test_a_number_beyond_range_is_one_error_line_in_a_batch_and_the_valid_lines_are_answered(corpus_client, number):
    lines = [json.dumps({"id": "a", "profile": SEVEN_DAYS}),
             '{"id": "big", "profile": {"consumer_protection": {"withdrawal_period_days": ' + number + '}}}',
             json.dumps({"id": "c", "profile": SEVEN_DAYS})]
    response = corpus_client.post("/api/v1/compliance/batch?markets=EU", content="\n".join(lines).encode())
    assert response.status_code == 200
    results = [json.loads(line) for line in response.text.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3]
    assert results[1]["error"]["code"] == "number_out_of_range" and results[1]["error"]["status"] == 400
    assert [r["id"] for r in (results[0], results[2])] == ["a", "c"]
    assert all(r["results"][0]["market"] == "EU" for r in (results[0], results[2]))


@pytest.mark.parametrize("number", [HUGE_INTEGER, "1e400"])
def test_a_number_beyond_range_in_a_schema_is_400(client, make_token, mini_engine, number):
    admin = auth(make_token("admin"))
    schema = '{"type": "object", "properties": {"n": {"maximum": ' + number + '}}}'
    before = snapshot(mini_engine)
    for url, body in [("/api/v1/documents/EU/consumer-protection/versions", '{"schema": ' + schema + '}'),
                      ("/api/v1/compare", '{"left_schema": ' + schema + ', "right_schema": {}}'),
                      ("/api/v1/compliance/check", '{"markets": ["EU"], "profile": {"n": ' + number + '}}')]:
        response = client.post(url, content=body.encode(), headers={**admin, "Content-Type": "application/json"})
        check_shape(response, 400, "number_out_of_range")
    assert snapshot(mini_engine) == before


# ---- far dates ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/meetings/calendar?month=9999-12", "/meetings/calendar?month=0001-01",
    "/api/v1/meetings.ics?from=9999-12-31", "/api/v1/meetings.ics?to=9999-12-31", "/api/v1/meetings.ics?to=0001-01-01",
    "/api/v1/meetings.ics?from=9999-12-31&to=9999-12-31", "/api/v1/meetings?to=9999-12-31",
    "/api/v1/meetings?from=0001-01-01", "/api/v1/meetings?from=9999-12-31&to=9999-12-31&q=dialogue",
    "/api/v1/meetings.csv?to=9999-12-31", "/meetings?to=9999-12-31",
])
def test_far_days_in_meeting_windows_are_400(client, url):
    response = client.get(url, headers={"Accept": "application/json"})
    if url.startswith("/meetings"):  # a page: the error page, with its status
        assert response.status_code == 400, response.text
    else:
        check_shape(response, 400, "date_out_of_range")


@pytest.mark.parametrize("start, end, zone", [
    ("9999-12-31T20:00", "9999-12-31T22:00", "Etc/GMT+12"),  # UTC would be in year 10000
    ("0001-01-01T01:00", "0001-01-01T02:00", "Pacific/Kiritimati"),  # UTC would be in year 0
    ("9999-12-31T20:00", "9999-12-31T22:00", "Europe/Berlin"),  # stored, its calendar was a 500
])
def test_far_meeting_times_are_400_and_nothing_is_stored(client, mini_engine, make_token, start, end, zone):
    from tests.meetings.support import MEETINGS, body

    secretariat = auth(make_token("secretariat"))
    before = snapshot(mini_engine)
    response = client.post(MEETINGS, json=body(start=start, end=end, timezone=zone), headers=secretariat)
    check_shape(response, 400, "date_out_of_range", "/start")
    assert snapshot(mini_engine) == before


def test_the_last_days_taken_still_make_a_calendar(client, make_token):
    from icalendar import Calendar

    from tests.meetings.support import create

    meeting = create(client, auth(make_token("secretariat")), start="9998-12-30T20:00", end="9998-12-30T22:00",
                     timezone="Etc/GMT+12")
    for url in (f"/api/v1/meetings/{meeting['id']}/ics", "/api/v1/meetings.ics?from=9998-12-01&to=9998-12-31"):
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert client.get("/meetings/calendar?month=9998-12").status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/gaps?from=EU&to=CN&as_of=9999-12-31", "/api/v1/documents/EU/consumer-protection/versions/9999-12-31",
    "/api/v1/documents/EU/consumer-protection/versions/0001-01-01/diff/1",
    "/compare?left=EU/consumer-protection@9999-12-31&right=CN/consumer-protection&as_of=9999-12-31",
])
def test_far_as_of_days_and_references_are_answered_never_a_500(client, url):
    assert client.get(url).status_code in (200, 404)


# ---- $ref cycles that consume no instance -------------------------------------------------------------------

CYCLES = {
    "pointers": ({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}, "/$defs/a/$ref"),
    "the root": ({"$ref": "#"}, "/$ref"),
    "an anchor": ({"$ref": "#a", "$defs": {"a": {"$anchor": "a", "$ref": "#a"}}}, "/$defs/a/$ref"),
    "two anchors through allOf and not": ({"$defs": {"a": {"$anchor": "a", "allOf": [{"$ref": "#b"}]},
                                                     "b": {"$anchor": "b", "not": {"$ref": "#a"}}}},
                                          "/$defs/a/allOf/0/$ref"),
    "ids": ({"$defs": {"a": {"$id": "urn:a", "$ref": "urn:b"}, "b": {"$id": "urn:b", "oneOf": [{"$ref": "urn:a#"}]}}},
            "/$defs/a/$ref"),
    "the root's id": ({"$id": "https://registry.example/s", "if": {"$ref": "https://registry.example/s"}}, "/if/$ref"),
    "a dynamic reference": ({"$dynamicAnchor": "node", "anyOf": [{"$dynamicRef": "#node"}]}, "/anyOf/0/$dynamicRef"),
    "a keyword the validator does not know": ({"$ref": "#/x-part", "x-part": {"$ref": "#/x-part"}}, "/x-part/$ref"),
}
RECURSIONS = {
    "the root under properties": {"type": "object", "properties": {"child": {"$ref": "#"}}},
    "an anchor under items": {"$anchor": "list", "type": "array", "items": {"$ref": "#list"}},
    "a dynamic reference under properties": {"$dynamicAnchor": "m", "properties": {"x": {"$dynamicRef": "#m"}}},
    "an id under additionalProperties": {"$ref": "urn:tree", "$defs": {"tree": {
        "$id": "urn:tree", "type": "object", "additionalProperties": {"$ref": "urn:tree"}}}},
    "a reference-like value in const": {"const": {"$ref": "#/const"}},
    "a chain without a loop": {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}}},
}


@pytest.mark.parametrize("name", CYCLES)
def test_every_instance_free_ref_cycle_is_refused(name):
    from registry.domain.schemas import check_schema
    from registry.errors import Unprocessable

    schema, pointer = CYCLES[name]
    with pytest.raises(Unprocessable) as caught:
        check_schema(schema)
    assert (caught.value.code, caught.value.pointer) == ("ref_cycle", pointer)


@pytest.mark.parametrize("name", RECURSIONS)
def test_recursion_that_descends_into_the_instance_stays_valid(name):
    from registry.domain.schemas import build_validator, check_schema

    check_schema(RECURSIONS[name])
    build_validator(RECURSIONS[name]).is_valid({"child": {"child": {}}, "x": [[1]]})  # and it ends


def test_ref_cycles_are_refused_wherever_a_schema_is_taken(client, make_token, mini_engine):
    from tests.test_lifecycle import schema as rule_schema

    admin = auth(make_token("admin"))
    eu = "/api/v1/documents/EU/consumer-protection"
    draft = client.post(f"{eu}/versions", json={"schema": rule_schema(20)}, headers=admin)
    assert draft.status_code == 201, draft.text
    before = snapshot(mini_engine)
    for cycle, pointer in CYCLES.values():
        body = {**rule_schema(20), **cycle, "$defs": {**rule_schema(20).get("$defs", {}), **cycle.get("$defs", {})}}
        for method, url, payload, extra in [
            ("POST", f"{eu}/versions", {"schema": body}, {}),
            ("PUT", f"{eu}/versions/{draft.json()['number']}", {"schema": body}, {"If-Match": draft.headers["etag"]}),
            ("POST", "/api/v1/compare", {"left_schema": body, "right": "EU/consumer-protection@latest"}, {}),
            ("POST", "/api/v1/compare", {"left": "EU/consumer-protection@latest", "right_schema": body}, {}),
            ("POST", "/api/v1/compliance/impact", {"document": "EU/consumer-protection", "schema": body}, {}),
        ]:
            response = client.request(method, url, json=payload, headers={**admin, **extra})
            where = check_shape(response, 422, "ref_cycle")["pointer"]
            assert where in (pointer, "/left_schema" + pointer, "/right_schema" + pointer), (url, where)
    assert snapshot(mini_engine) == before


# ---- web addresses --------------------------------------------------------------------------------------------

UNSAFE_ADDRESSES = ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
                    "//evil.example/x", "https://good.example@evil.example/", "https:evil.example", "file:///etc/passwd",
                    "https://evil.example\\@good.example", "https://exa mple.org", "vbscript:x", "/relative/path"]
SAFE_ADDRESSES = ["https://eur-lex.europa.eu/eli/dir/2011/83/oj", "http://localhost:8751/docs?a=1#b",
                  "https://[2001:db8::1]:8443/x", "https://例え.jp/法"]


@pytest.mark.parametrize("address", UNSAFE_ADDRESSES)
def test_unsafe_addresses_are_refused_by_the_one_check(address):
    from registry.domain.links import check_web_address, linkable
    from registry.errors import Unprocessable

    with pytest.raises(Unprocessable) as caught:
        check_web_address(address, pointer="/x")
    assert (caught.value.status, caught.value.code, caught.value.pointer) == (422, "invalid_link", "/x")
    assert linkable(address) is None


@pytest.mark.parametrize("address", SAFE_ADDRESSES)
def test_absolute_http_addresses_with_a_host_are_taken(address):
    from registry.domain.links import check_web_address, linkable

    assert check_web_address(address, pointer="/x") == address == linkable(address)


def _with_source(source: str) -> dict:
    from tests.test_lifecycle import schema as rule_schema

    body = rule_schema(20)
    rule = body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]
    rule["sources"] = [{**rule["sources"][0], "url": source}]
    return body


SOURCE = "/properties/consumer_protection/properties/withdrawal_period_days/x-rule/sources/0/url"


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,x", "//evil.example/law"])
def test_an_unsafe_rule_source_is_refused_wherever_a_schema_is_taken(client, make_token, mini_engine, address):
    from tests.test_lifecycle import schema as rule_schema

    admin = auth(make_token("admin"))
    eu = "/api/v1/documents/EU/consumer-protection"
    draft = client.post(f"{eu}/versions", json={"schema": rule_schema(20)}, headers=admin)
    before = snapshot(mini_engine)
    body = _with_source(address)
    for method, url, payload, extra, prefix in [
        ("POST", f"{eu}/versions", {"schema": body}, {}, ""),
        ("PUT", f"{eu}/versions/{draft.json()['number']}", {"schema": body}, {"If-Match": draft.headers["etag"]}, ""),
        ("POST", "/api/v1/compare", {"left_schema": body, "right": "EU/consumer-protection@latest"}, {}, "/left_schema"),
        ("POST", "/api/v1/compliance/impact", {"document": "EU/consumer-protection", "schema": body}, {}, None),
    ]:
        response = client.request(method, url, json=payload, headers={**admin, **extra})
        where = check_shape(response, 422, "invalid_link")["pointer"]
        assert where == (prefix + SOURCE if prefix is not None else where) and where.endswith(SOURCE), (url, where)
    assert snapshot(mini_engine) == before


def test_addresses_stored_before_the_check_are_not_made_links(client, make_token, mini_engine):
    from sqlalchemy import update

    from registry.storage.tables import Meeting, Version
    from tests.meetings.support import create

    with mini_engine.begin() as connection:  # as an older registry could have stored them
        connection.execute(update(Version).values(body=_with_source("javascript:alert(document.cookie)")))
    meeting = create(client, auth(make_token("secretariat")))
    with mini_engine.begin() as connection:
        connection.execute(update(Meeting).values(online_url="javascript:alert(2)"))
    pages = [client.get("/documents/EU/consumer-protection/versions/1"), client.get(f"/meetings/{meeting['id']}"),
             client.get("/compare?left=EU/consumer-protection&right=CN/consumer-protection")]
    for page in pages:
        assert page.status_code == 200, page.text
        assert 'href="javascript:' not in page.text
    assert "javascript:alert(2)" in pages[1].text  # shown as text, not as a link
    assert "alert(document.cookie)" not in pages[0].text.split("<pre")[0]  # the citation is shown, unlinked


# ---- the command line: markup, CSV apostrophes, token expiry ------------------------------------------------

from tests.test_cli import run  # noqa: E402,F401  (fixture)

HOSTILE_TITLES = ["Closing [/] bracket", "[link=https://evil.example]Official notice[/link]", "[bold red]loud[/]",
                  "esc \x1b]8;;https://evil.example\x1b\\hidden\x1b]8;;\x1b\\ link", "trailing backslash \\"]


def test_user_text_is_printed_literally_by_the_cli(run, client, make_token, mini_engine):
    from tests.meetings.support import create

    secretariat = auth(make_token("secretariat"))
    for title in HOSTILE_TITLES:
        create(client, secretariat, title=title, host=title)
    for index, title in enumerate(HOSTILE_TITLES[:3]):
        saved = run("profile", "save", _profile_file(run, title), "--owner", title, "--name", title)
        assert title in saved.output
    listed = run("meetings", "list").output
    profiles = run("profile", "list").output
    for title in HOSTILE_TITLES[:3]:
        assert title in listed and title in profiles  # as written, not read as markup
    assert "\x1b]8" not in listed and "\x1b" not in run("meetings", "show", "4").output
    assert "hidden" in listed  # the text stays visible; only the escape characters are replaced
    shown_one = run("meetings", "show", "2").output
    assert "[link=https://evil.example]Official notice[/link]" in shown_one


def _profile_file(run, title: str) -> str:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "profile.json"
    path.write_text(json.dumps({"seller": {"sells_b2c": True}, "note": title}))
    return str(path)


@pytest.mark.parametrize("value", ["'=written by a person", "'quoted", "''two", "=SUM(A1)", "'", "-3", "plain"])
def test_csv_import_takes_off_only_the_apostrophe_the_export_added(value):
    import csv
    import io

    from registry.reports.formats import cell_value, csv_text

    text = csv_text(["title"], [[value]])
    cells = next(csv.DictReader(io.StringIO(text)))
    assert cell_value(cells["title"]) == value
    assert not cells["title"].startswith(("=", "+", "-", "@"))


def test_a_leading_apostrophe_survives_a_meetings_export_and_import(run, tmp_path, database_url, monkeypatch):
    run("load", str(MINI_FOLDER))
    run("meetings", "add", "--title", "'=quoted by the author", "--start", "2025-02-01T09:00", "--end",
        "2025-02-01T11:00", "--timezone", "UTC")
    exported = run("meetings", "export", "--format", "csv").stdout
    target = tmp_path / "other.db"
    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite:///{target}") if database_url.startswith("sqlite") else None
    if database_url.startswith("sqlite"):
        run("load", str(MINI_FOLDER))
        (tmp_path / "m.csv").write_text(exported)
        run("meetings", "import", str(tmp_path / "m.csv"))
        again = run("meetings", "export", "--format", "json").stdout
        assert [m["meeting"]["title"] for m in json.loads(again)["meetings"]] == ["'=quoted by the author"]
    else:  # one database per test on PostgreSQL: read the file back instead
        from registry.services.meetings_exchange import records_from_csv

        assert records_from_csv(exported)[0][1]["meeting"]["title"] == "'=quoted by the author"


@pytest.mark.parametrize("expires", ["2020-01-01", "2000-01-01T00:00:00+00:00", "0d", "0h"])
def test_the_cli_refuses_a_token_expiry_in_the_past(run, expires, engine):
    before = snapshot(engine)
    refused = run("token", "create", "--role", "admin", "--name", "x", "--expires", expires, ok=False)
    assert refused.exit_code == 2 and "not in the future" in refused.output
    assert snapshot(engine) == before
    assert run("token", "create", "--role", "admin", "--name", "x", "--expires", "30d").exit_code == 0


@pytest.mark.parametrize("expires", ["99999999d", "9999-12-31T23:00-05:00", "tomorrow"])
def test_the_cli_refuses_an_expiry_that_is_not_a_time(run, expires):
    refused = run("token", "create", "--role", "admin", "--expires", expires, ok=False)
    assert refused.exit_code == 2 and "use a date" in refused.output


# ---- ids in one canonical form, LIKE wildcards ---------------------------------------------------------------

@pytest.mark.parametrize("written", ["+1", "01", "%201", "1%20", "%D9%A1", "%EF%BC%91", "%E0%A5%A7", "1_0"])
@pytest.mark.parametrize("template", ["/api/v1/meetings/{}", "/api/v1/meetings/{}/minutes", "/meetings/{}",
                                      "/api/v1/documents/EU/consumer-protection/versions/{}",
                                      "/api/v1/documents/EU/consumer-protection/versions/1/diff/{}"])
def test_an_id_not_written_canonically_names_nothing(client, make_token, template, written):
    from tests.meetings.support import create

    admin = auth(make_token("admin"))
    create(client, admin)
    assert client.get(template.format("1"), headers=admin).status_code in (200, 404)  # 404: no minutes yet
    response = client.get(template.format(written), headers={**admin, "Accept": "application/json"})
    assert response.status_code in (400, 404), (template, written, response.status_code)
    if template.startswith("/api"):
        check_shape(response, response.status_code)
    assert "EU–China dialogue" not in response.text


def test_a_document_link_to_a_version_is_written_canonically(client, make_token):
    from tests.meetings.support import MEETINGS, body

    admin = auth(make_token("admin"))
    for link in ("EU/consumer-protection@01", "EU/consumer-protection@١", "EU/consumer-protection@+1"):
        response = client.post(MEETINGS, json=body(documents=[link]), headers=admin)
        check_shape(response, 400, "invalid_version_selector", "/documents/0")


@pytest.mark.parametrize("url, key", [("/api/v1/documents?q={}", "slug"), ("/api/v1/jurisdictions?q={}", "code")])
def test_like_wildcards_in_a_search_are_text(client, url, key):
    everything = client.get(url.format("")).json()
    assert len(everything["items"] if isinstance(everything, dict) else everything) > 1
    for wildcard in ("%25", "_", "%5C", "%25%25", "a%25"):
        found = client.get(url.format(wildcard))
        assert found.status_code == 200, found.text
        items = found.json()["items"] if isinstance(found.json(), dict) else found.json()
        assert items == [], (wildcard, [i[key] for i in items])


# ---- the calendar: control characters --------------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in [*range(0x01, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0x85, 0x9b])  # not CR: a line break


def test_control_characters_never_reach_the_calendar(client, make_token):
    import re

    from icalendar import Calendar

    from tests.meetings.support import create

    secretariat = auth(make_token("secretariat"))
    meeting = create(client, secretariat, title=f"Talks{CONTROLS}end", place="Room\x0b4\x0c", host="Host\x1b[31m",
                     description="line one\r\nline two\x0bthree\ttabbed")
    for url in (f"/api/v1/meetings/{meeting['id']}/ics", "/api/v1/meetings.ics?from=2025-01-01&to=2025-12-31"):
        body = client.get(url).content
        text = body.decode("utf-8")
        assert re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text.replace("\r\n", "")) == [], url
        event = Calendar.from_ical(body).walk("VEVENT")[0]
        assert str(event["summary"]) == "Talksend"
        assert str(event["location"]).startswith("Room4")
        assert str(event["description"]).startswith("line one\nline twothree\ttabbed")
        assert "Host: Host[31m" in str(event["description"])


# ---- files readable by their owner only, and no restore under a running server -----------------------------

def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_the_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path):
    import os

    from sqlalchemy import text

    from registry.storage.database import make_engine

    old = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            created = {p.name: _mode(p) for p in tmp_path.iterdir()}
        engine.dispose()
        assert created == {"new.db": 0o600, "new.db-wal": 0o600, "new.db-shm": 0o600}
        shared = tmp_path / "old.db"
        shared.touch(mode=0o644)
        shared.chmod(0o644)
        make_engine(f"sqlite:///{shared}").dispose()
        assert _mode(shared) == 0o600  # a database left readable by others before is narrowed
    finally:
        os.umask(old)


def test_a_backup_is_owner_only(mini_engine, database_url, tmp_path):
    import os

    from tests.conftest import BACKEND
    from tests.hardening.test_faults import run as run_registry

    old = os.umask(0o022)
    try:
        backup = tmp_path / ("registry.backup" if BACKEND == "postgresql" else "backup.db")
        run_registry(database_url, "backup", str(backup))
    finally:
        os.umask(old)
    assert backup.stat().st_size > 0 and _mode(backup) == 0o600


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_restore_is_refused_while_a_server_holds_the_database(mini_engine, database_url, tmp_path):
    import subprocess
    import time

    import httpx

    from tests.conftest import BACKEND
    from tests.hardening.test_faults import registry, run as run_registry

    backup = tmp_path / ("registry.backup" if BACKEND == "postgresql" else "backup.db")
    run_registry(database_url, "backup", str(backup))
    mini_engine.dispose()
    port = _free_port()
    server = registry(database_url, "serve", "--no-corpus", "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
            time.sleep(0.2)
        before = snapshot(mini_engine)
        refused = run_registry(database_url, "restore", str(backup), "--yes", check=False)
        assert refused.returncode == 1 and "a server is using this database" in refused.stderr, refused.stderr
        assert snapshot(mini_engine) == before
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    mini_engine.dispose()
    assert "Restored" in run_registry(database_url, "restore", str(backup), "--yes").stdout  # the server is gone
