"""Admission (registry/api/admission.py): a write's caller is authenticated before its body is read, large bodies
are parsed and checks and comparisons run in worker threads (not on the event loop), and expensive requests are
capped per caller (429) and in all (503), in the one error shape with Retry-After."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest
from litestar.testing import TestClient

from registry.errors import ServiceBusy, TooManyRequests
from registry.api.admission import Slots
from registry.web.security import TOKEN_COOKIE
from tests.conftest import auth
from tests.hardening.test_protections import app_with
from tests.meetings.support import MEETINGS, body as meeting_body
from tests.test_error_shape import check_shape

CHECK = "/api/v1/compliance/check"
COMPARE = "/api/v1/compare"
SEVEN_DAYS = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}
GOOD = {"profile": SEVEN_DAYS, "markets": ["EU"], "topics": ["consumer-protection"]}
JSON = {"content-type": "application/json"}
LARGE = 200_000  # bytes: over the default REGISTRY_INLINE_BODY_BYTES (65,536)


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


def spy(monkeypatch, target: str) -> list[bool]:
    """Replace `target` by a wrapper that records, per call, whether it ran on the event loop's thread."""
    module, name = target.rsplit(".", 1)
    original = getattr(__import__(module, fromlist=[name]), name)
    seen: list[bool] = []

    def wrapper(*args, **kwargs):
        seen.append(on_event_loop())
        return original(*args, **kwargs)

    monkeypatch.setattr(target, wrapper)
    return seen


def padded(value: dict, size: int = LARGE) -> bytes:
    """The JSON text of `value` made `size` bytes long with whitespace (the same value, a large body)."""
    text = json.dumps(value).encode()
    return text[:-1] + b" " * (size - len(text)) + text[-1:]


def record_processes(monkeypatch) -> list:
    """Record each function sent to a worker process (and still send it)."""
    sent = []
    original = anyio.to_process.run_sync

    async def recorded(fn, *args, **kwargs):
        sent.append(fn)
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(anyio.to_process, "run_sync", recorded)
    return sent


def test_a_large_check_is_parsed_and_checked_in_a_worker_process(corpus_client, monkeypatch):
    sent = record_processes(monkeypatch)
    checks = spy(monkeypatch, "registry.services.compliance.run_check")
    response = corpus_client.post(CHECK, content=padded(GOOD), headers=JSON)
    assert response.status_code == 200, response.text
    assert len(sent) == 1 and checks == []  # the check ran in the other process
    small = corpus_client.post(CHECK, json=GOOD)  # a small one stays inline: cheaper than a hop
    assert small.status_code == 200 and checks == [True] and len(sent) == 1
    assert small.json() == response.json()
    refused = corpus_client.post(CHECK, content=padded({"markets": ["EU"]}), headers=JSON)
    check_shape(refused, 400, "profile_required")  # refusals come back from the process as they are


def test_without_worker_processes_a_large_check_runs_in_a_thread(corpus_engine, database_url, monkeypatch):
    checks = spy(monkeypatch, "registry.services.compliance.run_check")
    with TestClient(app_with(database_url, parser_processes=0), raise_server_exceptions=False) as client:
        response = client.post(CHECK, content=padded(GOOD), headers=JSON)
    assert response.status_code == 200, response.text
    assert checks == [False]


def test_a_saved_profile_check_runs_off_the_event_loop(corpus_client, make_token, monkeypatch):
    token = make_token("enterprise", name="acme")
    saved = corpus_client.post("/api/v1/profiles", json={"name": "shop", "profile": SEVEN_DAYS}, headers=auth(token))
    assert saved.status_code == 201, saved.text
    checks = spy(monkeypatch, "registry.services.compliance.run_check")
    response = corpus_client.post(CHECK, json={"profile_id": saved.json()["id"], "markets": ["EU"]}, headers=auth(token))
    assert response.status_code == 200, response.text
    assert checks == [False]


def test_comparisons_run_off_the_event_loop(corpus_client, monkeypatch):
    compared = spy(monkeypatch, "registry.services.comparing.compare_sides")
    response = corpus_client.post(COMPARE, json={"left_schema": {"type": "string"}, "right_schema": {"type": "integer"}})
    assert response.status_code == 200, response.text
    assert compared == [False]


def test_a_large_json_body_is_parsed_in_a_worker_process(client, make_token, monkeypatch):
    token = make_token("secretariat")
    sent = record_processes(monkeypatch)
    response = client.post(MEETINGS, content=padded(meeting_body()), headers={**JSON, **auth(token)})
    assert response.status_code == 201, response.text
    assert len(sent) == 1
    small = client.post(MEETINGS, json=meeting_body(title="Second"), headers=auth(token))
    assert small.status_code == 201, small.text
    assert len(sent) == 1  # a small body is parsed inline
    bad = client.post(MEETINGS, content=b'{"a": 1, "a": 2' + b" " * LARGE + b"}", headers={**JSON, **auth(token)})
    check_shape(bad, 400, "duplicate_key")  # the parser's refusals come back from the process as they are
    assert len(sent) == 2


@pytest.mark.parametrize("broken", [False, True])
def test_without_parser_processes_a_large_body_is_parsed_in_a_thread(corpus_engine, database_url, make_token,
                                                                     monkeypatch, broken):
    """REGISTRY_PARSER_PROCESSES=0, or a worker process that cannot start: a worker thread parses instead."""
    if broken:
        async def cannot_start(*args, **kwargs):
            raise anyio.BrokenWorkerProcess("no process")

        monkeypatch.setattr(anyio.to_process, "run_sync", cannot_start)
    parsed = spy(monkeypatch, "registry.api.admission.parse_json")
    token = make_token("secretariat")
    app = app_with(database_url, parser_processes=1 if broken else 0)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(MEETINGS, content=padded(meeting_body()), headers={**JSON, **auth(token)})
        assert response.status_code == 201, response.text
        assert client.post(MEETINGS, json=meeting_body(title="Second"), headers=auth(token)).status_code == 201
    assert parsed == [False, True]


def test_a_large_form_is_parsed_off_the_event_loop_before_the_csrf_check(client, monkeypatch):
    parsed = spy(monkeypatch, "registry.api.admission.parse_url_encoded_form_data")
    response = client.post("/sign-in", content=b"token=" + b"x" * LARGE,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403  # no CSRF token in the form: refused as before, the form read in a thread
    assert parsed == [False]


def asgi_post(app, path: str, headers: list[tuple[bytes, bytes]], announced: int) -> tuple[int, dict, int]:
    """POST to the app with a body announced as `announced` bytes that is never sent: (status, error, how often
    the app asked for the body)."""
    asked = []
    sent: list[dict] = []

    async def receive() -> dict:
        asked.append(1)
        await anyio.sleep(3600)  # a client that never sends its body
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"testserver"), (b"content-length", str(announced).encode()), *headers],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "state": {}}

    async def call() -> None:
        with anyio.fail_after(30):
            await app(scope, receive, send)

    anyio.run(call)
    return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]) or b"{}"), len(asked)


@pytest.mark.parametrize("path, headers, content_type", [
    (MEETINGS, [], b"application/json"),
    ("/api/v1/documents/EU/consumer-protection/versions", [], b"application/json"),
    (MEETINGS, [(b"authorization", b"Bearer rcr_0123456789abcdef_wrong")], b"application/json"),
    (CHECK, [(b"authorization", b"Bearer rcr_0123456789abcdef_wrong")], b"application/json"),
    ("/meetings/new", [], b"application/x-www-form-urlencoded"),
    ("/meetings/new", [(b"cookie", f"{TOKEN_COOKIE}=rcr_0123456789abcdef_wrong".encode())],
     b"application/x-www-form-urlencoded"),
])
def test_a_write_without_a_valid_token_is_refused_before_its_body_is_read(client, path, headers, content_type):
    status, error, asked = asgi_post(client.app, path, [(b"content-type", content_type), *headers], 9_800_000)
    assert (status, asked) == (401, 0), error
    assert error["status"] == 401 and error["code"] in ("token_required", "invalid_token", "unknown_token"), error


def test_slots_per_caller_then_in_all():
    slots = Slots(per_caller=2, total=3)
    slots.take("a")
    slots.take("a")
    with pytest.raises(TooManyRequests):
        slots.take("a")
    slots.take("b")
    with pytest.raises(ServiceBusy):
        slots.take("c")
    slots.give_back("a")
    slots.take("c")
    for caller in ("a", "b", "c"):
        slots.give_back(caller)
    assert (slots.count, slots.running) == (0, {})
    unlimited = Slots(per_caller=0, total=0)
    for _ in range(100):
        unlimited.take("a")


def test_expensive_requests_beyond_the_caps_are_refused_with_retry_after(corpus_engine, database_url, make_token,
                                                                         monkeypatch):
    """One comparison is held running; the same caller's next is a 429, another caller's a 503 (the total is
    reached); once it is answered, both may go again."""
    started, release = threading.Event(), threading.Event()
    from registry.services import comparing

    original = comparing.compare_sides

    def held(*args, **kwargs):
        started.set()
        release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr("registry.services.comparing.compare_sides", held)
    body = {"left_schema": {"type": "string"}, "right_schema": {"type": "string"}}
    token = make_token("enterprise", name="acme")
    app = app_with(database_url, expensive_per_caller=1, expensive_total=1)
    with TestClient(app, raise_server_exceptions=False) as client, ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, COMPARE, json=body)
        assert started.wait(30)
        mine = client.post(COMPARE, json=body)
        check_shape(mine, 429, "too_many_expensive_requests")
        assert mine.headers["retry-after"] == "1"
        other = client.post(COMPARE, json=body, headers=auth(token))
        check_shape(other, 503, "busy")
        assert other.headers["retry-after"] == "1"
        assert client.get("/healthz").status_code == 200  # cheap requests are not held
        release.set()
        assert first.result(30).status_code == 200
        monkeypatch.setattr("registry.services.comparing.compare_sides", original)
        assert client.post(COMPARE, json=body).status_code == 200
        assert client.post(COMPARE, json=body, headers=auth(token)).status_code == 200
        assert client.post(COMPARE, json={"left_schema": 1}).status_code // 100 == 4
        assert app.state.admission.slots.count == 0  # every slot given back, after errors too
