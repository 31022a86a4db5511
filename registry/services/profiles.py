"""Saved operating profiles: private to the enterprise that owns them, versioned, with their check history."""

from __future__ import annotations

import secrets
from typing import Any, Sequence

from sqlmodel import Session, func, select

from registry.domain.access import ADMIN, ENTERPRISE, Principal, require_role
from registry.domain.canonical import content_hash
from registry.errors import Forbidden, InvalidInput, NotFound
from registry.services import audit
from registry.storage.database import locked
from registry.storage.tables import ComplianceRun, Profile, ProfileVersion, utcnow


def owns(principal: Principal, profile: Profile) -> bool:
    """An enterprise owns the profiles of its organisation id; a token's name is only a label."""
    return principal.role == ENTERPRISE and principal.organisation is not None and profile.owner == principal.organisation


def _visible(principal: Principal, profile: Profile) -> bool:
    return principal.role == ADMIN or owns(principal, profile)


def get(session: Session, principal: Principal, profile_id: str, *, for_update: bool = False) -> Profile:
    """The profile, or 404 for anyone but its owner: another enterprise must not learn that it exists.
    `for_update` locks it, so that writers of one profile take turns (version numbers one after the other)."""
    profile = None
    if isinstance(profile_id, str) and len(profile_id) <= 32:
        query = select(Profile).where(Profile.id == profile_id)
        profile = session.exec(locked(query) if for_update else query).first()
    if profile is None or not _visible(principal, profile):
        raise NotFound(f"no profile {str(profile_id)[:40]!r}", code="unknown_profile")
    return profile


def list_profiles(session: Session, principal: Principal, *, limit: int = 50, offset: int = 0
                  ) -> tuple[Sequence[Profile], int]:
    require_role(principal, ENTERPRISE)
    if principal.role != ADMIN and not principal.organisation:
        return [], 0
    query = select(Profile) if principal.role == ADMIN else select(Profile).where(Profile.owner == principal.organisation)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return session.exec(query.order_by(Profile.created_at).offset(offset).limit(limit)).all(), total  # type: ignore[arg-type]


def versions(session: Session, profile: Profile) -> list[ProfileVersion]:
    query = select(ProfileVersion).where(ProfileVersion.profile_id == profile.id).order_by(ProfileVersion.number)
    return list(session.exec(query.execution_options(populate_existing=True)).all())  # type: ignore[arg-type]


def version(session: Session, profile: Profile, number: int | None = None) -> ProfileVersion:
    found = versions(session, profile)
    chosen = found[-1] if number is None and found else next((v for v in found if v.number == number), None)
    if chosen is None:
        raise NotFound(f"profile {profile.id} has no version {number}", code="unknown_profile_version")
    return chosen


def save(session: Session, principal: Principal, *, name: str | None, body: Any, profile_id: str | None = None,
         note: str = "") -> tuple[Profile, ProfileVersion, bool]:
    """Create a profile, or add a version to one; an unchanged body adds nothing. Returns (profile, version, new)."""
    require_role(principal, ENTERPRISE)
    if not isinstance(body, dict):
        raise InvalidInput("a profile is a JSON object", pointer="/profile", code="invalid_profile")
    digest = content_hash(body)
    if profile_id is None:
        if not name or not name.strip():
            raise InvalidInput("name the profile", pointer="/name", code="name_required")
        if not principal.organisation:
            raise Forbidden("profiles belong to an organisation: use an enterprise token that names one",
                            code="organisation_required")
        profile = Profile(id=secrets.token_hex(8), owner=principal.organisation, name=name.strip())
        session.add(profile)
        session.flush()
        existing: list[ProfileVersion] = []
    else:
        profile = get(session, principal, profile_id, for_update=True)
        existing = versions(session, profile)
        if existing and existing[-1].content_hash == digest:
            return profile, existing[-1], False
        if name and name.strip():
            profile.name = name.strip()
    row = ProfileVersion(profile_id=profile.id, number=len(existing) + 1, body=body, content_hash=digest, note=note)
    profile.updated_at = utcnow()
    session.add(profile)
    session.add(row)
    session.flush()
    audit.record(session, principal, "profile.save", f"profile/{profile.id}@{row.number}",
                 before=existing[-1].content_hash if existing else None, after=digest)
    return profile, row, True


def record_run(session: Session, principal: Principal, profile: Profile, number: int, *, as_of: Any,
               markets: list[str], topics: list[str], statuses: dict[str, str], versions_used: list[str],
               rerun: dict[str, Any] | None = None) -> ComplianceRun:
    run = ComplianceRun(profile_id=profile.id, profile_number=number, as_of=as_of, markets=markets, topics=topics,
                        statuses=statuses, versions_used=versions_used, rerun=rerun)
    session.add(run)
    audit.record(session, principal, "profile.check", f"profile/{profile.id}@{number}",
                 detail={"markets": markets, "as_of": str(as_of)})
    return run


def runs(session: Session, profile: Profile) -> list[ComplianceRun]:
    return list(session.exec(select(ComplianceRun).where(ComplianceRun.profile_id == profile.id)
                             .order_by(ComplianceRun.id)).all())  # type: ignore[arg-type]


def latest_bodies(session: Session) -> list[tuple[Profile, ProfileVersion]]:
    """Every saved profile's newest version (for impact counts)."""
    newest = (select(ProfileVersion.profile_id, func.max(ProfileVersion.number).label("n"))
              .group_by(ProfileVersion.profile_id).subquery())
    rows = session.exec(select(Profile, ProfileVersion)
                        .join(ProfileVersion, ProfileVersion.profile_id == Profile.id)
                        .join(newest, (newest.c.profile_id == ProfileVersion.profile_id)
                              & (newest.c.n == ProfileVersion.number))).all()
    return list(rows)
