"""Enterprise data belongs to the organisation id on the token, never to the token's name: two enterprises whose
tokens share a name (or have none, and so are all named "enterprise") cannot see or change each other's profiles,
check histories or impact answers; two tokens of one organisation share them. Migration 0005 gives stored data
the documented legacy ids, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from registry.services import tokens
from registry.storage.database import read_session, write_session
from registry.storage.migrate import migrate
from registry.storage.tables import Profile, Token
from tests.conftest import TEST_ADMIN, auth, downgrade
from tests.test_cli import run  # noqa: F401  (the fixture that runs the command line)

PROFILES = "/api/v1/profiles"
SHOP = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}


def enterprise(make_token, organisation: str, name: str) -> dict[str, str]:
    return auth(make_token("enterprise", name=name, organisation=organisation))


@pytest.mark.parametrize("name", ["acme", "enterprise"], ids=["same name", "no name (the CLI's default)"])
def test_two_organisations_with_one_token_name_cannot_reach_each_others_profiles(corpus_client, make_token, name):
    mine, theirs = enterprise(make_token, "org-one", name), enterprise(make_token, "org-two", name)
    created = corpus_client.post(PROFILES, json={"name": "Shop", "profile": SHOP}, headers=mine)
    assert created.status_code == 201, created.text
    profile_id = created.json()["id"]
    assert created.json()["owner"] == "org-one"
    assert corpus_client.post("/api/v1/compliance/check", json={"profile_id": profile_id, "markets": ["EU"]},
                       headers=mine).status_code == 200

    assert corpus_client.get(PROFILES, headers=theirs).json()["total"] == 0
    for method, path, body in (("GET", f"{PROFILES}/{profile_id}", None),
                               ("GET", f"{PROFILES}/{profile_id}/checks", None),
                               ("PUT", f"{PROFILES}/{profile_id}", {"profile": {"seller": {}}, "name": "Mine now"}),
                               ("POST", "/api/v1/compliance/check", {"profile_id": profile_id, "markets": ["EU"]})):
        refused = corpus_client.request(method, path, json=body, headers=theirs)
        assert refused.status_code == 404 and refused.json()["code"] == "unknown_profile", (method, path)
    impact = corpus_client.post("/api/v1/compliance/impact", json={"document": "EU/consumer-protection",
                                                            "schema": {"type": "object"}}, headers=theirs)
    assert impact.status_code == 200 and impact.json()["profiles_checked"] == 0

    unchanged = corpus_client.get(f"{PROFILES}/{profile_id}", headers=mine).json()
    assert unchanged["name"] == "Shop" and len(unchanged["versions"]) == 1
    assert len(corpus_client.get(f"{PROFILES}/{profile_id}/checks", headers=mine).json()) == 1


def test_tokens_of_one_organisation_share_its_profiles_whatever_their_names(corpus_client, make_token):
    first, second = enterprise(make_token, "org-acme", "alice"), enterprise(make_token, "org-acme", "bob")
    profile_id = corpus_client.post(PROFILES, json={"name": "Shop", "profile": SHOP}, headers=first).json()["id"]
    assert corpus_client.put(f"{PROFILES}/{profile_id}", json={"profile": {"seller": {}}}, headers=second).status_code == 200
    assert [p["id"] for p in corpus_client.get(PROFILES, headers=first).json()["items"]] == [profile_id]


def test_an_enterprise_token_needs_an_organisation_and_only_it_has_one(engine):
    with write_session(engine) as session:
        for role, organisation, code in (("enterprise", None, "organisation_required"),
                                         ("enterprise", "", "organisation_required"),
                                         ("enterprise", "acme corp", "invalid_organisation"),
                                         ("enterprise", "legacy:acme corp", "invalid_organisation"),
                                         ("secretariat", "acme", "organisation_not_allowed")):
            with pytest.raises(Exception) as refused:
                tokens.create(session, TEST_ADMIN, name="x", role=role, organisation=organisation)
            assert getattr(refused.value, "code", None) == code, (role, organisation)
        row, secret = tokens.create(session, TEST_ADMIN, name="x", role="enterprise", organisation="DE:HRB-12345")
    with read_session(engine) as session:
        principal = tokens.authenticate(session, secret)
    assert principal.organisation == "DE:HRB-12345" and principal.name == "x"


def test_cli_creates_enterprise_tokens_for_an_organisation(run):
    refused = run("token", "create", "--role", "enterprise", ok=False)
    assert refused.exit_code == 1 and "--organisation" in refused.output
    created = run("token", "create", "--role", "enterprise", "--organisation", "acme-gmbh")
    assert created.stdout.strip().splitlines()[-1].startswith("rcr_")
    assert "acme-gmbh" in run("token", "list").output


def _at_0004(engine) -> None:
    downgrade(engine, "0004")


def test_migration_0005_gives_each_owner_name_a_legacy_organisation(engine):
    """Down to 0004, stored as the old code stored them; up again: each name N became `legacy:N` for its profiles
    and its enterprise tokens (other roles act for none); an id in use is accepted for a new token; down again
    gives the names back."""
    _at_0004(engine)
    with engine.begin() as connection:
        for token_id, name, role in (("t1", "acme corp", "enterprise"), ("t2", "enterprise", "enterprise"),
                                     ("t3", "enterprise", "enterprise"), ("t4", "eu-desk", "regulator")):
            connection.execute(text("INSERT INTO token (id, name, role, jurisdictions, secret_hash, created_at) "
                                    "VALUES (:id, :name, :role, '[]', 'x', CURRENT_TIMESTAMP)"),
                               {"id": token_id, "name": name, "role": role})
        for profile_id, owner in (("p1", "acme corp"), ("p2", "enterprise"), ("p3", "gone")):
            connection.execute(text("INSERT INTO profile (id, owner, name, created_at, updated_at) "
                                    "VALUES (:id, :owner, 'Shop', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                               {"id": profile_id, "owner": owner})
    migrate(engine)
    with read_session(engine) as session:
        assert {t.id: t.organisation for t in session.exec(select(Token)).all()} == {
            "t1": "legacy:acme corp", "t2": "legacy:enterprise", "t3": "legacy:enterprise", "t4": None}
        assert {p.id: p.owner for p in session.exec(select(Profile)).all()} == {
            "p1": "legacy:acme corp", "p2": "legacy:enterprise", "p3": "legacy:gone"}
    with write_session(engine) as session:  # a legacy id stays usable for new tokens, spaces and all
        row, _ = tokens.create(session, TEST_ADMIN, name="acme", role="enterprise", organisation="legacy:acme corp")
        assert row.organisation == "legacy:acme corp"
    _at_0004(engine)
    with engine.connect() as connection:
        owners = dict(connection.execute(text("SELECT id, owner FROM profile")).all())
    assert owners == {"p1": "acme corp", "p2": "enterprise", "p3": "gone"}
    migrate(engine)


def test_no_page_shows_a_profile_to_another_organisation_signed_in_with_the_same_name(corpus_client, make_token):
    """The pages read the signed-in token from its cookie: none of them may show another organisation's profile."""
    from registry.web.security import TOKEN_COOKIE

    marker = "Profile-of-org-one-7f3a"
    mine = make_token("enterprise", name="enterprise", organisation="org-one")
    theirs = make_token("enterprise", name="enterprise", organisation="org-two")
    profile_id = corpus_client.post(PROFILES, json={"name": marker, "profile": SHOP}, headers=auth(mine)).json()["id"]
    corpus_client.cookies.set(TOKEN_COOKIE, theirs)
    for path in ("/", "/compliance", "/documents", "/meetings", "/sign-in"):
        answer = corpus_client.get(path)
        assert answer.status_code == 200 and marker not in answer.text and profile_id not in answer.text, path
