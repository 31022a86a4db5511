"""Who may write what: roles, jurisdiction scopes, token expiry and revocation, and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.storage.database import write_session
from registry.services import tokens
from tests.conftest import TEST_ADMIN, auth
from tests.test_lifecycle import schema

EU = "/api/v1/documents/EU/consumer-protection"
CN = "/api/v1/documents/CN/consumer-protection"


def new_draft(client, url, headers):
    return client.post(f"{url}/versions", json={"schema": schema(20), "effective_from": "2025-01-01"}, headers=headers)


def test_a_cn_regulator_cannot_write_eu_documents(client, make_token):
    cn = auth(make_token("regulator", "CN"))
    refused = new_draft(client, EU, cn)
    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope"
    assert new_draft(client, CN, cn).status_code == 201
    create = client.post("/api/v1/documents", json={"jurisdiction": "EU", "slug": "labels", "kind": "rule",
                                                     "title": "x", "topic": "labelling",
                                                     "vocabulary": "vocabulary/mini-profile"}, headers=cn)
    assert create.status_code == 403
    assert client.get(f"{EU}/versions").json()["items"][-1]["number"] == 1


@pytest.mark.parametrize("role", ["enterprise", "secretariat"])
def test_other_roles_cannot_write_documents(client, make_token, role):
    response = new_draft(client, EU, auth(make_token(role)))
    assert response.status_code == 403


def test_writes_need_a_token_and_reads_do_not(client):
    response = new_draft(client, EU, {})
    assert response.status_code == 401
    assert response.json()["code"] == "token_required"
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get(f"{EU}/versions/latest").status_code == 200


@pytest.mark.parametrize("header, code", [
    ("Bearer rcr_nope_secret", "invalid_token"),
    ("Bearer garbage", "invalid_token"),
    ("Basic dXNlcjpwYXNz", "invalid_token"),
    ("Bearer ", "invalid_token"),
])
def test_bad_tokens_are_refused_even_for_reads(client, header, code):
    response = client.get(f"{EU}/versions", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_a_token_with_a_wrong_secret_is_refused(client, make_token):
    token = make_token("admin")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert new_draft(client, EU, auth(forged)).status_code == 401


def test_expired_and_revoked_tokens_stop_working(client, make_token, engine):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    expired = make_token("regulator", "EU", expires_at=past)
    response = new_draft(client, EU, auth(expired))
    assert response.status_code == 401 and response.json()["code"] == "token_expired"

    live = make_token("regulator", "EU", expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    assert new_draft(client, EU, auth(live)).status_code == 201
    with write_session(engine) as session:
        tokens.revoke(session, TEST_ADMIN, live.split("_")[1])
    response = new_draft(client, EU, auth(live))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_tokens_are_stored_only_as_hashes(engine, make_token):
    from sqlmodel import select

    from registry.storage.database import read_session
    from registry.storage.tables import Token

    text = make_token("admin")
    secret = text.split("_", 2)[2]
    with read_session(engine) as session:
        row = session.exec(select(Token)).one()
    assert secret not in row.secret_hash and row.secret_hash != secret
    assert len(row.secret_hash) == 64


def test_every_write_is_in_the_audit_log(client, make_token):
    admin = auth(make_token("admin"))
    eu = auth(make_token("regulator", "EU", name="eu-desk"))
    created = new_draft(client, EU, eu)
    etag = created.headers["etag"]
    client.put(f"{EU}/versions/2", json={"schema": schema(21), "effective_from": "2025-01-01"},
               headers={**eu, "If-Match": etag})
    client.post(f"{EU}/versions/2/publish", headers=eu)
    client.post(f"{EU}/versions/1/withdraw", json={"reason": "error"}, headers=eu)
    client.post("/api/v1/documents", json={"jurisdiction": "EU", "slug": "labels", "kind": "rule", "title": "Labels",
                                           "topic": "labelling", "vocabulary": "vocabulary/mini-profile"}, headers=eu)
    log = client.get("/api/v1/audit?limit=500", headers=admin).json()["items"]
    mine = [(e["action"], e["target"]) for e in log if e["actor"] == "regulator:eu-desk"]
    assert mine[::-1] == [
        ("version.create", "EU/consumer-protection@2"),
        ("version.update", "EU/consumer-protection@2"),
        ("version.supersede", "EU/consumer-protection@1"),
        ("version.publish", "EU/consumer-protection@2"),
        ("version.withdraw", "EU/consumer-protection@1"),
        ("document.create", "EU/labels"),
    ]
    update = next(e for e in log if e["action"] == "version.update")
    assert update["before_hash"] and update["after_hash"] and update["before_hash"] != update["after_hash"]
    # refused writes leave no trace and change nothing
    before = client.get("/api/v1/audit", headers=admin).json()["total"]
    new_draft(client, EU, auth(make_token("regulator", "CN")))
    # creating that token was itself a write (token.create)
    assert client.get("/api/v1/audit", headers=admin).json()["total"] == before + 1


def test_the_audit_log_is_for_admins_only(client, make_token):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers=auth(make_token("regulator", "EU"))).status_code == 403
    assert client.get("/api/v1/audit", headers=auth(make_token("admin"))).status_code == 200
