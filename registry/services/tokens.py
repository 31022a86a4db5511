"""Access tokens: shown once, stored only as a hash, compared in constant time, expiring and revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Sequence

from sqlmodel import Session, select

from registry.domain.access import ENTERPRISE, REGULATOR, ROLES, Principal
from registry.domain.references import check_code
from registry.errors import InvalidInput, NotFound, Unauthorized
from registry.services import audit
from registry.storage.database import locked
from registry.storage.tables import Jurisdiction, Profile, Token, utcnow

PREFIX = "rcr"
ORGANISATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _known_organisation(session: Session, organisation: str) -> bool:
    return (session.exec(select(Token.id).where(Token.organisation == organisation)).first() is not None
            or session.exec(select(Profile.id).where(Profile.owner == organisation)).first() is not None)


def check_organisation(session: Session, role: str, organisation: str | None) -> str | None:
    """An enterprise token names the organisation it acts for; other roles act for none. A new id is letters,
    digits and `._:@/-`; an id already in use (such as a migrated `legacy:<name>`) is accepted as it is."""
    if role != ENTERPRISE:
        if organisation:
            raise InvalidInput(f"only enterprise tokens act for an organisation; this one is {role}",
                               code="organisation_not_allowed", pointer="/organisation")
        return None
    if not organisation:
        raise InvalidInput("an enterprise token needs the id of the organisation it acts for (--organisation)",
                           code="organisation_required", pointer="/organisation")
    if not ORGANISATION.fullmatch(organisation) and not _known_organisation(session, organisation):
        raise InvalidInput("an organisation id is 1–200 letters, digits and . _ : @ / -, starting with a letter or "
                           "digit", code="invalid_organisation", pointer="/organisation")
    return organisation


def create(session: Session, by: Principal, *, name: str, role: str, jurisdictions: Sequence[str] = (),
           expires_at: dt.datetime | None = None, organisation: str | None = None) -> tuple[Token, str]:
    """A new token and its secret text `rcr_<id>_<secret>`; the text is not stored and cannot be shown again."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; roles: {', '.join(ROLES)}", code="unknown_role", pointer="/role")
    organisation = check_organisation(session, role, organisation)
    codes = [check_code(c, pointer="/jurisdictions") for c in jurisdictions]
    if role == REGULATOR and not codes:
        raise InvalidInput("a regulator token needs at least one jurisdiction", code="jurisdiction_required",
                           pointer="/jurisdictions")
    for code in codes:
        if session.get(Jurisdiction, code) is None:
            raise NotFound(f"unknown jurisdiction {code!r}", code="unknown_jurisdiction", pointer="/jurisdictions")
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.timezone.utc)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    token = Token(id=token_id, name=name, role=role, jurisdictions=codes, secret_hash=_hash(secret),
                  expires_at=expires_at, organisation=organisation)
    session.add(token)
    audit.record(session, by, "token.create", f"token/{token_id}",
                 detail={"name": name, "role": role, "jurisdictions": codes, "organisation": organisation,
                         "expires_at": expires_at.isoformat() if expires_at else None})
    return token, f"{PREFIX}_{token_id}_{secret}"


def revoke(session: Session, by: Principal, token_id: str) -> Token:
    token = session.exec(locked(select(Token).where(Token.id == token_id))).first()  # one revocation, one audit row
    if token is None:
        raise NotFound(f"unknown token {token_id!r}", code="unknown_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(session, by, "token.revoke", f"token/{token_id}")
    return token


def list_tokens(session: Session) -> Sequence[Token]:
    return session.exec(select(Token).order_by(Token.created_at)).all()  # type: ignore[arg-type]


def authenticate(session: Session, text: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal behind a bearer token; every failure says only what the caller may know."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or len(parts[1]) > 32:
        raise Unauthorized("the token is malformed", code="invalid_token")
    token = session.get(Token, parts[1])
    # compare even when the token is unknown, so that timing says nothing about which ids exist
    stored = token.secret_hash if token is not None else _hash("")
    if not hmac.compare_digest(stored, _hash(parts[2])) or token is None:
        raise Unauthorized("the token is not valid", code="invalid_token")
    now = now or utcnow()
    if token.revoked_at is not None:
        raise Unauthorized("the token has been revoked", code="token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("the token has expired", code="token_expired")
    return Principal(token_id=token.id, name=token.name, role=token.role, jurisdictions=tuple(token.jurisdictions),
                     organisation=token.organisation)
