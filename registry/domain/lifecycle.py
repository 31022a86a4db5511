"""The life of a version: draft → published → superseded | withdrawn, and which version is in force when."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Protocol, Sequence, TypeVar

from registry.errors import Conflict

DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN = "draft", "published", "superseded", "withdrawn"
STATUSES = (DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN)
# Versions that were law for their interval; a withdrawn version is treated as never having been in force.
IN_FORCE_STATUSES = (PUBLISHED, SUPERSEDED)

_TRANSITIONS = {DRAFT: {PUBLISHED}, PUBLISHED: {SUPERSEDED, WITHDRAWN}, SUPERSEDED: {WITHDRAWN}, WITHDRAWN: set()}


class VersionLike(Protocol):
    number: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None


V = TypeVar("V", bound=VersionLike)


def check_transition(current: str, target: str, *, what: str) -> None:
    if target not in _TRANSITIONS.get(current, set()):
        raise Conflict(f"{what} is {current}; it cannot become {target}", code="invalid_transition")


def in_force_on(version: VersionLike, day: dt.date) -> bool:
    """Half-open interval: in force from effective_from (inclusive) until effective_to (exclusive)."""
    if version.status not in IN_FORCE_STATUSES or version.effective_from is None:
        return False
    return version.effective_from <= day and (version.effective_to is None or day < version.effective_to)


def select_in_force(versions: Iterable[V], day: dt.date) -> V | None:
    candidates = [v for v in versions if in_force_on(v, day)]
    return max(candidates, key=lambda v: v.number) if candidates else None


def select_latest(versions: Iterable[V]) -> V | None:
    published = [v for v in versions if v.status == PUBLISHED]
    return max(published, key=lambda v: v.number) if published else None


def check_interval(effective_from: dt.date | None, effective_to: dt.date | None) -> None:
    if effective_from and effective_to and effective_to <= effective_from:
        raise Conflict(f"effective_to {effective_to} must be after effective_from {effective_from}",
                       code="invalid_interval", pointer="/effective_to")


def overlapping(versions: Sequence[VersionLike]) -> tuple[VersionLike, VersionLike] | None:
    """The first two in-force versions whose effective intervals overlap, if any."""
    live = sorted((v for v in versions if v.status in IN_FORCE_STATUSES and v.effective_from),
                  key=lambda v: v.effective_from)  # type: ignore[arg-type, return-value]
    for earlier, later in zip(live, live[1:]):
        if earlier.effective_to is None or later.effective_from < earlier.effective_to:  # type: ignore[operator]
            return earlier, later
    return None


def publication_plan(previous: VersionLike | None, effective_from: dt.date) -> dt.date | None:
    """Where the previous version's interval must close when a new one is published from effective_from;
    refuses a new version that would start before the previous one did."""
    if previous is None:
        return None
    if previous.effective_from and effective_from <= previous.effective_from:
        raise Conflict(f"effective_from {effective_from} must be after the current version's "
                       f"effective_from {previous.effective_from}", code="invalid_interval", pointer="/effective_from")
    if previous.effective_to is not None and previous.effective_to <= effective_from:
        return previous.effective_to
    return effective_from
