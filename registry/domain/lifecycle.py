"""The life of a version: draft → published → superseded | withdrawn | corrected, and which version is in force
when — today, or as the registry recorded it on an earlier day (`as_recorded`).

The stored status says where a version is in its life; the *state* (`state_on`) says what it is on a day: a
published version that starts next year is `scheduled`, and the version it will supersede (stored `superseded`,
its interval closed at the new start) is still `in_force` until then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, Sequence, TypeVar

from registry.domain import dates
from registry.errors import Conflict

DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN, CORRECTED = "draft", "published", "superseded", "withdrawn", "corrected"
STATUSES = (DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN, CORRECTED)
# Versions that were law for their interval; a withdrawn version is treated as never having been in force, and a
# corrected one was the registry's error: its correction answers for its interval instead.
IN_FORCE_STATUSES = (PUBLISHED, SUPERSEDED)

_TRANSITIONS = {DRAFT: {PUBLISHED}, PUBLISHED: {SUPERSEDED, WITHDRAWN, CORRECTED},
                SUPERSEDED: {WITHDRAWN, CORRECTED}, WITHDRAWN: set(), CORRECTED: set()}


class VersionLike(Protocol):
    number: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None


V = TypeVar("V", bound=VersionLike)


@dataclass
class Interval:
    """A status and an interval, without a body: a version as it would be, for the overlap check."""

    number: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None


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


def today() -> dt.date:
    """The day `@current`, the states on pages and a compliance check without a date are computed for."""
    return dt.date.today()


# ---- the state of a version on a day ------------------------------------------------------------------------

IN_FORCE, SCHEDULED = "in_force", "scheduled"
STATES = (IN_FORCE, SCHEDULED, SUPERSEDED, CORRECTED, WITHDRAWN, DRAFT)


@dataclass(frozen=True)
class State:
    """What a version is on `day`. `uncertain`: the day falls in the unknown part of a start or end known only to
    the month or year (`2026`): the state is the one the registry answers look-ups with (a partial date counts from
    the first day of its span), but the version may not yet, or may no longer, apply on that day."""

    state: str
    day: dt.date
    uncertain: bool = False
    start: dt.date | None = None
    start_precision: str | None = dates.DAY
    end: dt.date | None = None
    end_precision: str | None = dates.DAY

    @property
    def label(self) -> str:
        """`in force`, `scheduled`, … — the state in the words pages show."""
        return self.state.replace("_", " ")

    @property
    def words(self) -> str:
        """`scheduled from 2027-03-15`, `in force since 2026; day unknown — uncertain on 2026-12-02: …`."""
        start, end = dates.spoken(self.start, self.start_precision), dates.spoken(self.end, self.end_precision)
        text = {IN_FORCE: f"in force since {start}" + (f", until {end}" if self.end else ""),
                SCHEDULED: f"scheduled from {start}" if self.start else "scheduled, no start date",
                SUPERSEDED: f"superseded: in force until {end}" if self.end else "superseded",
                CORRECTED: "corrected: the registry's earlier, wrong answer, replaced by its correction",
                WITHDRAWN: "withdrawn: treated as never in force",
                DRAFT: "draft: not published, in force on no day"}[self.state]
        if not self.uncertain:
            return text
        if self.state == IN_FORCE and dates.uncertain_on(self.start, self.start_precision, self.day):
            return f"{text} — uncertain on {self.day}: it may not have started yet"
        return f"{text} — uncertain on {self.day}: it may still be in force"


def state_on(version: VersionLike, day: dt.date, *, status: str | None = None, effective_from: dt.date | None = None,
             effective_to: dt.date | None = None, use_given: bool = False) -> State:
    """The state of a version on `day`, from its stored status and interval (or those of an answer replayed as
    recorded: `use_given` with `status`, `effective_from`, `effective_to`)."""
    if not use_given:
        status, effective_from, effective_to = version.status, version.effective_from, version.effective_to
    start_precision = getattr(version, "effective_from_precision", dates.DAY)
    end_precision = getattr(version, "effective_to_precision", dates.DAY)
    interval = dict(start=effective_from, start_precision=start_precision, end=effective_to,
                    end_precision=end_precision)
    if status not in IN_FORCE_STATUSES:
        return State(status or DRAFT, day, **interval)  # type: ignore[arg-type]
    if effective_from is None or day < effective_from:
        return State(SCHEDULED, day, **interval)
    if effective_to is not None and day >= effective_to:
        return State(SUPERSEDED, day, dates.uncertain_on(effective_to, end_precision, day), **interval)
    return State(IN_FORCE, day, dates.uncertain_on(effective_from, start_precision, day), **interval)


def select_scheduled(versions: Iterable[V], day: dt.date) -> list[V]:
    """The published versions that start after `day`, soonest first."""
    return sorted((v for v in versions if state_on(v, day).state == SCHEDULED),
                  key=lambda v: (v.effective_from or dt.date.max, v.number))


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
    return closing_date(previous.effective_to, effective_from)


def closing_date(previous_end: dt.date | None, effective_from: dt.date) -> dt.date:
    """Where a version's interval closes when the next one starts on effective_from: an earlier end is kept."""
    return previous_end if previous_end is not None and previous_end <= effective_from else effective_from


# ---- the registry's answer as it was on an earlier day ----------------------------------------------------

def recorded_on(version: Any) -> dt.date | None:
    """The day a version entered the registry's answers: its `recorded` day, else the day it was published."""
    if version.status == DRAFT:
        return None
    if getattr(version, "recorded", None) is not None:
        return version.recorded
    published = getattr(version, "published_at", None)
    return published.date() if published is not None else None


@dataclass
class Recorded:
    """One version as the registry showed it on a day: its status and interval then."""

    row: Any
    number: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    corrects: int | None = None
    corrected_by: int | None = None


def as_recorded(versions: Iterable[Any], day: dt.date) -> list[Recorded]:
    """Replay, in number order, the versions recorded on or before `day`: each new version supersedes the newest
    published one (closing its interval as publishing does), a correction takes the place and status of the version
    it corrects, and a withdrawal made on or before `day` withdraws. An end date that a later version's start put
    there is left open until that version is replayed; later versions, corrections and withdrawals are not seen.
    Replayed to a day after every recording, this gives the stored statuses and intervals."""
    ordered = sorted(versions, key=lambda v: v.number)
    starts = {v.number: v.effective_from for v in ordered if v.status != DRAFT and not getattr(v, "corrects", None)}
    state: dict[int, Recorded] = {}
    for v in ordered:
        seen_on = recorded_on(v)
        if seen_on is None or seen_on > day:
            continue
        end = v.effective_to
        if end is not None and any(n > v.number and start == end for n, start in starts.items()):
            end = None  # closed by a later version: closed again below if that version is seen
        seen = Recorded(v, v.number, PUBLISHED, v.effective_from, end, getattr(v, "corrects", None))
        target = state.get(seen.corrects) if seen.corrects else None
        if target is not None and target.status in IN_FORCE_STATUSES:
            seen.status, target.status, target.corrected_by = target.status, CORRECTED, v.number
        else:
            previous = select_latest(state.values())
            if previous is not None and seen.effective_from is not None:
                previous.status = SUPERSEDED
                previous.effective_to = closing_date(previous.effective_to, seen.effective_from)
        state[v.number] = seen
    for seen in state.values():
        withdrawn = getattr(seen.row, "withdrawn_at", None)
        if seen.row.status == WITHDRAWN and withdrawn is not None and withdrawn.date() <= day:
            seen.status = WITHDRAWN
    return list(state.values())
