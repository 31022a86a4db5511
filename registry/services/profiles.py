"""Saved operating profiles: private to the enterprise that owns them, versioned, with their check history."""

from __future__ import annotations

import secrets
from typing import Any, Sequence

from sqlmodel import Session, func, select

from registry.domain.access import ADMIN, ENTERPRISE, Principal, require_role
from registry.domain.canonical import content_hash
from registry.errors import InvalidInput, NotFound
from registry.services import audit
from registry.storage.tables import ComplianceRun, Profile, ProfileVersion, utcnow


def _visible(principal: Principal, profile: Profile) -> bool:
    return principal.role == ADMIN or (principal.role == ENTERPRISE and profile.owner == principal.name)


def get(session: Session, principal: Principal, profile_id: str) -> Profile:
    """The profile, or 404 for anyone but its owner: another enterprise must not learn that it exists."""
    profile = session.get(Profile, profile_id) if isinstance(profile_id, str) and len(profile_id) <= 32 else None
    if profile is None or not _visible(principal, profile):
        raise NotFound(f"no profile {str(profile_id)[:40]!r}", code="unknown_profile")
    return profile


def list_profiles(session: Session, principal: Principal, *, limit: int = 50, offset: int = 0
                  ) -> tuple[Sequence[Profile], int]:
    require_role(principal, ENTERPRISE)
    query = select(Profile) if principal.role == ADMIN else select(Profile).where(Profile.owner == principal.name)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return session.exec(query.order_by(Profile.created_at).offset(offset).limit(limit)).all(), total  # type: ignore[arg-type]


def versions(session: Session, profile: Profile) -> list[ProfileVersion]:
    return list(session.exec(select(ProfileVersion).where(ProfileVersion.profile_id == profile.id)
                             .order_by(ProfileVersion.number)).all())  # type: ignore[arg-type]


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
        profile = Profile(id=secrets.token_hex(8), owner=principal.name, name=name.strip())
        session.add(profile)
        session.flush()
        existing: list[ProfileVersion] = []
    else:
        profile = get(session, principal, profile_id)
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
               markets: list[str], topics: list[str], statuses: dict[str, str], versions_used: list[str]) -> ComplianceRun:
    run = ComplianceRun(profile_id=profile.id, profile_number=number, as_of=as_of, markets=markets, topics=topics,
                        statuses=statuses, versions_used=versions_used)
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
