"""Jurisdictions and blocs: look-ups, memberships, and the codes whose rules make up a framework."""

from __future__ import annotations

from typing import Sequence

from sqlmodel import Session, col, func, or_, select

from registry.domain.references import check_code
from registry.errors import NotFound
from registry.storage.tables import Jurisdiction, Membership


def get(session: Session, code: str) -> Jurisdiction:
    check_code(code)
    found = session.get(Jurisdiction, code)
    if found is None:
        raise NotFound(f"unknown jurisdiction {code!r}", code="unknown_jurisdiction")
    return found


def members(session: Session, bloc: str) -> list[str]:
    return list(session.exec(select(Membership.member_code).where(Membership.bloc_code == bloc)
                             .order_by(Membership.member_code)).all())


def blocs_of(session: Session, code: str) -> list[str]:
    return list(session.exec(select(Membership.bloc_code).where(Membership.member_code == code)
                             .order_by(Membership.bloc_code)).all())


def memberships(session: Session, codes: Sequence[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """For each of `codes`: its members (a bloc's) and the blocs it belongs to, in one query for a whole list."""
    rows = session.exec(select(Membership.bloc_code, Membership.member_code).where(
        or_(col(Membership.bloc_code).in_(codes), col(Membership.member_code).in_(codes)))
        .order_by(Membership.bloc_code, Membership.member_code)).all()
    members: dict[str, list[str]] = {code: [] for code in codes}
    blocs: dict[str, list[str]] = {code: [] for code in codes}
    for bloc, member in rows:
        if bloc in members:
            members[bloc].append(member)
        if member in blocs:
            blocs[member].append(bloc)
    return members, blocs


def framework_codes(session: Session, code: str) -> list[str]:
    """A jurisdiction's own code and the blocs it belongs to: their in-force rules make its framework."""
    get(session, code)
    return [code, *blocs_of(session, code)]


def list_jurisdictions(session: Session, *, region: str | None = None, kind: str | None = None,
                       bloc: str | None = None, cooperation: str | None = None, text: str | None = None, sort: str = "code", limit: int = 100,
                       offset: int = 0) -> tuple[Sequence[Jurisdiction], int]:
    query = select(Jurisdiction)
    if region:
        query = query.where(Jurisdiction.region == region)
    if kind:
        query = query.where(Jurisdiction.kind == kind)
    if cooperation:
        query = query.where(Jurisdiction.cooperation_status == cooperation)
    if bloc:
        query = query.where(col(Jurisdiction.code).in_(select(Membership.member_code)
                                                      .where(Membership.bloc_code == bloc)))
    if text:
        # autoescape: `%`, `_` and the escape character are the text searched for, not wildcards
        query = query.where(or_(*(func.lower(column).contains(text.lower(), autoescape=True)
                                  for column in (Jurisdiction.name, Jurisdiction.code))))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    column = {"code": Jurisdiction.code, "name": Jurisdiction.name, "region": Jurisdiction.region}[sort.lstrip("-")]
    order = col(column).desc() if sort.startswith("-") else col(column).asc()
    return session.exec(query.order_by(order).offset(offset).limit(limit)).all(), total
