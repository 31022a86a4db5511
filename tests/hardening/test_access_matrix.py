"""Every write route × every caller (each role, own and other jurisdiction or owner, expired, revoked, malformed
and missing tokens): the expected status, and nothing stored changes when the answer is a refusal. The routes come
from the app's route table, so a new write route that this matrix does not classify fails the suite."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Callable

import pytest

from registry.app import create_app
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import make_engine, write_session
from registry.web.security import TOKEN_COOKIE
from tests.conftest import TEST_ADMIN, auth
from tests.hardening.support import WRITE_METHODS, route_key, snapshot, write_routes
from tests.test_error_shape import check_shape
from tests.meetings.support import MEETINGS, body as meeting_body
from tests.test_lifecycle import schema

API = "/api/v1"
EU = f"{API}/documents/EU/consumer-protection"
CALLERS = ("admin", "regulator_own", "regulator_other", "enterprise", "enterprise_other", "secretariat",
           "anonymous", "expired", "revoked", "malformed")
_BAD = {"anonymous": 401, "expired": 401, "revoked": 401, "malformed": 401}
DOCUMENT_WRITERS = {"admin": 2, "regulator_own": 2, "regulator_other": 403, "enterprise": 403,
                    "enterprise_other": 403, "secretariat": 403, **_BAD}
SECRETARIAT_ONLY = {"admin": 2, "regulator_own": 403, "regulator_other": 403, "enterprise": 403,
                    "enterprise_other": 403, "secretariat": 2, **_BAD}
# reads sent as POST, storing nothing: any caller gets past access (0: neither 401, 403 nor 429), bad tokens do not.
# The mini corpus has no operating-profile vocabulary, so the checks themselves answer 422 after access.
OPEN = {**{c: 0 for c in CALLERS}, "expired": 401, "revoked": 401, "malformed": 401}


@dataclass
class World:
    """The test client with an admin token, to set up what each cell needs."""

    client: object
    admin: dict
    tokens: dict
    counter: itertools.count

    def n(self) -> int:
        return next(self.counter)

    def ok(self, response, *statuses: int):
        assert response.status_code in (statuses or (200, 201)), response.text
        return response

    def draft(self) -> dict:
        n = self.n()  # each draft takes effect after the one before (publishing checks the order)
        made = self.ok(self.client.post(f"{EU}/versions", json={
            "schema": schema(20 + n), "effective_from": str(dt.date(2025, 1, 1) + dt.timedelta(days=n))},
            headers=self.admin))
        return {"number": made.json()["number"], "etag": made.headers["etag"]}

    def published(self) -> int:
        number = self.draft()["number"]
        self.ok(self.client.post(f"{EU}/versions/{number}/publish", headers=self.admin))
        return number

    def meeting(self, *verbs: str) -> dict:
        made = self.ok(self.client.post(MEETINGS, json=meeting_body(), headers=self.admin))
        meeting_id = made.json()["id"]
        for verb in verbs:
            self.ok(self.client.post(f"{MEETINGS}/{meeting_id}/{verb}", headers=self.admin))
        return {"id": meeting_id, "etag": self.client.get(f"{MEETINGS}/{meeting_id}").headers["etag"]}

    def minutes(self, *steps: str) -> int:
        meeting_id = self.meeting("hold")["id"]
        self.ok(self.client.put(f"{MEETINGS}/{meeting_id}/minutes", json={"markdown": "# Minutes"}, headers=self.admin))
        for step in steps:
            self.ok(self.client.post(f"{MEETINGS}/{meeting_id}/minutes/{step}", headers=self.admin))
        return meeting_id

    def action(self) -> int:
        meeting_id = self.meeting()["id"]
        return self.ok(self.client.post(f"{MEETINGS}/{meeting_id}/actions",
                                        json={"title": "Follow up", "owner_organisation": "DG JUST"},
                                        headers=self.admin)).json()["id"]

    def profile(self) -> str:
        return self.ok(self.client.post(f"{API}/profiles", json={"name": f"p{self.n()}", "profile": {}},
                                        headers=self.tokens["enterprise"])).json()["id"]


Prepare = Callable[[World], tuple[str, dict, dict]]  # → url, JSON body, extra headers


def _meeting_put(w: World):
    m = w.meeting()
    return f"{MEETINGS}/{m['id']}", meeting_body(), {"If-Match": m["etag"]}


def _meeting_patch(w: World):
    m = w.meeting()
    return f"{MEETINGS}/{m['id']}", {"title": "Renamed"}, {"If-Match": m["etag"]}


def _draft_put(w: World):
    d = w.draft()
    return f"{EU}/versions/{d['number']}", {"schema": schema(30 + w.n())}, {"If-Match": d["etag"]}


def _annotations_put(w: World):
    number = w.published()
    got = w.ok(w.client.get(f"{EU}/versions/{number}"))
    body = got.json()["schema"]
    body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]["summary"] += " Quoted."
    return f"{EU}/versions/{number}/annotations", {"schema": body, "reason": "quote added"}, {"If-Match": got.headers["etag"]}


MATRIX: dict[tuple[str, str], tuple[Prepare, dict[str, int]]] = {
    ("POST", f"{API}/documents"): (lambda w: (f"{API}/documents", {
        "jurisdiction": "EU", "slug": f"labels-{w.n()}", "kind": "rule", "title": "Labels", "topic": "labelling",
        "vocabulary": "vocabulary/mini-profile"}, {}), DOCUMENT_WRITERS),
    ("POST", f"{API}/documents/{{jurisdiction}}/{{slug}}/versions"): (lambda w: (f"{EU}/versions", {
        "schema": schema(40 + w.n())}, {}), DOCUMENT_WRITERS),
    ("PUT", f"{API}/documents/{{jurisdiction}}/{{slug}}/versions/{{ref}}"): (_draft_put, DOCUMENT_WRITERS),
    ("PUT", f"{API}/documents/{{jurisdiction}}/{{slug}}/versions/{{ref}}/annotations"): (_annotations_put,
                                                                                      DOCUMENT_WRITERS),
    ("POST", f"{API}/documents/{{jurisdiction}}/{{slug}}/versions/{{ref}}/publish"): (
        lambda w: (f"{EU}/versions/{w.draft()['number']}/publish", {}, {}), DOCUMENT_WRITERS),
    ("POST", f"{API}/documents/{{jurisdiction}}/{{slug}}/versions/{{ref}}/withdraw"): (
        lambda w: (f"{EU}/versions/{w.published()}/withdraw", {"reason": "annulled"}, {}), DOCUMENT_WRITERS),
    ("POST", f"{API}/profiles"): (lambda w: (f"{API}/profiles", {"name": f"p{w.n()}", "profile": {}}, {}), {
        # a new profile belongs to the token's organisation, and an admin token acts for none
        "admin": 403, "regulator_own": 403, "regulator_other": 403, "enterprise": 2, "enterprise_other": 2,
        "secretariat": 403, **_BAD}),
    ("PUT", f"{API}/profiles/{{profile_id}}"): (lambda w: (f"{API}/profiles/{w.profile()}", {"profile": {}}, {}), {
        "admin": 2, "regulator_own": 403, "regulator_other": 403, "enterprise": 2, "enterprise_other": 404,
        "secretariat": 403, **_BAD}),
    ("POST", f"{API}/compliance/impact"): (lambda w: (f"{API}/compliance/impact", {
        "document": "EU/consumer-protection", "schema": schema(21)}, {}), {
        "admin": 2, "regulator_own": 2, "regulator_other": 403, "enterprise": 2, "enterprise_other": 2,
        "secretariat": 403, **_BAD}),
    ("POST", f"{API}/compliance/check"): (lambda w: (f"{API}/compliance/check", {
        "markets": ["EU"], "profile": {}}, {}), OPEN),
    # checks the profiles sent in the body; stores nothing; a token that is sent is checked before the body is read
    ("POST", f"{API}/compliance/batch"): (lambda w: (f"{API}/compliance/batch?markets=EU", {}, {}), OPEN),
    ("POST", f"{API}/compare"): (lambda w: (f"{API}/compare", {
        "left": "EU/consumer-protection@latest", "right": "CN/consumer-protection@latest"}, {}), OPEN),
    ("POST", f"{API}/meetings"): (lambda w: (MEETINGS, meeting_body(), {}), SECRETARIAT_ONLY),
    ("PUT", f"{API}/meetings/{{meeting_id}}"): (_meeting_put, SECRETARIAT_ONLY),
    ("PATCH", f"{API}/meetings/{{meeting_id}}"): (_meeting_patch, SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/confirm"): (
        lambda w: (f"{MEETINGS}/{w.meeting()['id']}/confirm", {}, {}), SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/hold"): (
        lambda w: (f"{MEETINGS}/{w.meeting()['id']}/hold", {}, {}), SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/cancel"): (
        lambda w: (f"{MEETINGS}/{w.meeting()['id']}/cancel", {}, {}), SECRETARIAT_ONLY),
    ("PUT", f"{API}/meetings/{{meeting_id}}/minutes"): (
        lambda w: (f"{MEETINGS}/{w.meeting('hold')['id']}/minutes", {"markdown": "# Minutes"}, {}), SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/minutes/approve"): (
        lambda w: (f"{MEETINGS}/{w.minutes()}/minutes/approve", {}, {}), SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/minutes/publish"): (
        lambda w: (f"{MEETINGS}/{w.minutes('approve')}/minutes/publish", {}, {}), SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/outcomes"): (
        lambda w: (f"{MEETINGS}/{w.meeting()['id']}/outcomes", {"text": "Agreed", "kind": "decision"}, {}),
        SECRETARIAT_ONLY),
    ("POST", f"{API}/meetings/{{meeting_id}}/actions"): (
        lambda w: (f"{MEETINGS}/{w.meeting()['id']}/actions", {"title": "Follow up", "owner_organisation": "DG"}, {}),
        SECRETARIAT_ONLY),
    ("PATCH", f"{API}/actions/{{action_id}}"): (
        lambda w: (f"{API}/actions/{w.action()}", {"status": "in_progress"}, {}), SECRETARIAT_ONLY),
}


def _app_routes() -> set[tuple[str, str]]:
    return write_routes(create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False)))


def test_every_write_route_is_classified():
    """API write routes are in MATRIX; page forms (outside /api/) are covered by the CSRF test below."""
    api = {route for route in _app_routes() if route[1].startswith("/api/")}
    assert api - set(MATRIX) == set(), "write routes missing from the access matrix"
    assert set(MATRIX) - api == set(), "the matrix names routes that do not exist"


@pytest.fixture
def world(client, make_token, database_url):
    made = {
        "admin": make_token("admin", name="root"),
        "regulator_own": make_token("regulator", "EU", name="eu-desk"),
        "regulator_other": make_token("regulator", "CN", name="cn-desk"),
        "enterprise": make_token("enterprise", name="acme"),
        "enterprise_other": make_token("enterprise", name="globex"),
        "secretariat": make_token("secretariat", name="secretariat"),
        "expired": make_token("regulator", "EU", name="old", expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
        "revoked": make_token("regulator", "EU", name="gone"),
    }
    engine = make_engine(database_url)
    with write_session(engine) as session:
        tokens.revoke(session, TEST_ADMIN, made["revoked"].split("_")[1])
    engine.dispose()
    headers = {name: auth(text) for name, text in made.items()}
    headers["anonymous"] = {}
    headers["malformed"] = {"Authorization": "Bearer rcr_0123456789abcdef_not-the-secret"}
    return World(client=client, admin=headers["admin"], tokens=headers, counter=itertools.count(1))


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_access_matrix(route, world, mini_engine):
    prepare, expected = MATRIX[route]
    method = route[0].lower()
    wrong = []
    for caller in CALLERS:
        url, body, extra = prepare(world)
        before = snapshot(mini_engine)
        kwargs = {"content": b"{}\n"} if route[1].endswith("/batch") else {"json": body}
        response = getattr(world.client, method)(url, headers={**world.tokens[caller], **extra}, **kwargs)
        want, status = expected[caller], response.status_code
        if {0: status in (401, 403, 429), 2: status // 100 != 2}.get(want, status != want):
            wrong.append((caller, want, response.status_code, response.text[:200]))
        elif want != 2:
            assert snapshot(mini_engine) == before, (caller, "a refused write changed what is stored")
    assert wrong == []


def _read_routes() -> list[str]:
    """Every API GET route of the app's route table, its path parameters filled with values that exist."""
    fill = {"{jurisdiction}": "EU", "{code}": "EU", "{slug}": "consumer-protection", "{ref}": "1", "{number}": "1",
            "{meeting_id}": "1", "{action_id}": "1", "{profile_id}": "1", "{a}": "1", "{b}": "2",
            "{digest}": "0" * 64}
    urls = []
    for route in create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False)).routes:
        if "GET" not in (getattr(route, "methods", None) or ()) or not route.path.startswith("/api/"):
            continue
        url = route_key(route.path)
        for name, value in fill.items():
            url = url.replace(name, value)
        assert "{" not in url, f"no value to fill {url} with: add its parameter here"
        urls.append(url)
    return sorted(urls)


def test_a_bad_token_is_refused_on_every_api_route(world, monkeypatch):
    """Every API route, read or write, answers 401 to an expired, revoked or malformed token (and to a header that
    is not a bearer token), whether or not the route reads the caller: before its parameters or body are read."""
    urls = _read_routes()
    assert len(urls) >= 25, urls
    monkeypatch.setattr(world.client.app.state.limits.auth_failures, "per_minute", 0)  # 120 failures, no 429
    bad = {caller: world.tokens[caller] for caller in ("expired", "revoked", "malformed")}
    bad["not_bearer"] = {"Authorization": "Basic dXNlcjpwYXNz"}
    wrong = []
    for url in urls:
        for caller, headers in bad.items():
            response = world.client.get(url, headers=headers)
            if response.status_code != 401:
                wrong.append((url, caller, response.status_code))
            else:
                check_shape(response, 401)
        if world.client.get(url, headers=world.admin).status_code == 401:
            wrong.append((url, "admin", 401))
    assert wrong == []
    for method, path in sorted(MATRIX):  # writes too, with a body the route would refuse: the token is judged first
        url = route_key(path).replace("{jurisdiction}", "EU").replace("{slug}", "consumer-protection") \
            .replace("{ref}", "1").replace("{meeting_id}", "1").replace("{action_id}", "1").replace("{profile_id}", "1")
        response = world.client.request(method, url, content=b"{not json", headers=world.tokens["expired"])
        assert response.status_code == 401, (method, url, response.status_code)


def test_every_page_form_refuses_a_post_without_its_csrf_token(client, make_token):
    """Write routes outside /api/ are forms for people: without the CSRF token the form carries, 403 (signed in
    or not); a form that needs a signed-in person refuses one who is not with 401 before reading the form."""
    forms = sorted(route for route in _app_routes() if not route[1].startswith("/api/"))
    assert forms, "no page forms found: the route table changed shape"
    anonymous_forms = {"/sign-in", "/sign-in/out", "/compliance"}
    for method, path in forms:
        url = path.replace("{jurisdiction}", "EU").replace("{slug}", "consumer-protection") \
                  .replace("{meeting_id}", "1").replace("{number}", "1")
        client.cookies.clear()
        response = client.request(method, url, data={"x": "1"})
        assert response.status_code == (403 if path in anonymous_forms else 401), (method, path, response.status_code)
        client.cookies.set(TOKEN_COOKIE, make_token("admin"))
        response = client.request(method, url, data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
    client.cookies.clear()


MARKER = "acme-private-7f3a9c"


def test_private_profiles_never_reach_another_caller(world):
    """acme's saved profile (its name and body carry a marker) is absent from every GET answer to anyone else:
    lists, counts, search, exports, pages, and the profile's own URLs (404, as if it did not exist)."""
    acme, client = world.tokens["enterprise"], world.client
    saved = world.ok(client.post(f"{API}/profiles", json={"name": MARKER, "profile": {"company": {"name": MARKER}}},
                                 headers=acme)).json()
    assert MARKER in client.get(f"{API}/profiles", headers=acme).text
    app_routes = create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False)).routes
    urls = {f"{API}/profiles/{saved['id']}", f"{API}/profiles/{saved['id']}/checks"}
    urls |= {route.path for route in app_routes if "GET" in (getattr(route, "methods", None) or ())
             and "{" not in route.path and not route.path.startswith("/schema")}
    urls |= {f"{url}?q={MARKER[-6:]}" for url in ("/search", f"{API}/documents", f"{API}/meetings", "/meetings")}
    for caller in ("enterprise_other", "regulator_own", "secretariat", "anonymous"):
        for url in sorted(urls):
            response = client.get(url, headers=world.tokens[caller])
            assert MARKER not in response.text, (caller, url)
            assert saved["id"] in url or saved["id"] not in response.text, (caller, url)  # 404s echo the asked id
        listed = client.get(f"{API}/profiles", headers=world.tokens[caller])
        assert listed.status_code in (401, 403) or listed.json()["total"] == 0, (caller, listed.text)
        assert client.get(f"{API}/profiles/{saved['id']}", headers=world.tokens[caller]).status_code in (401, 403, 404)
