"""The rules of the meeting log: types and statuses, minutes and action-item states, times in the venue's
time zone, links and search terms. Pure: no web, no storage."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from registry.domain.links import check_web_address
from registry.domain.references import parse_name
from registry.errors import Conflict, InvalidInput, PayloadTooLarge, Unprocessable

TYPES = ("government-enterprise-dialogue", "bilateral", "multilateral", "training", "other")
PLANNED, CONFIRMED, HELD, CANCELLED = "planned", "confirmed", "held", "cancelled"
STATUSES = (PLANNED, CONFIRMED, HELD, CANCELLED)
_TRANSITIONS = {PLANNED: {CONFIRMED, HELD, CANCELLED}, CONFIRMED: {HELD, CANCELLED}, HELD: set(), CANCELLED: set()}
# the verb of each transition's route (POST /meetings/{id}/confirm …)
VERBS = {"confirm": CONFIRMED, "hold": HELD, "cancel": CANCELLED}

MINUTES_DRAFT, MINUTES_APPROVED, MINUTES_PUBLISHED = "draft", "approved", "published"
MINUTES_STATUSES = (MINUTES_DRAFT, MINUTES_APPROVED, MINUTES_PUBLISHED)
_MINUTES_TRANSITIONS = {MINUTES_DRAFT: {MINUTES_APPROVED}, MINUTES_APPROVED: {MINUTES_PUBLISHED, MINUTES_DRAFT},
                        MINUTES_PUBLISHED: set()}

ACTION_OPEN, ACTION_IN_PROGRESS, ACTION_DONE, ACTION_CANCELLED = "open", "in_progress", "done", "cancelled"
ACTION_STATUSES = (ACTION_OPEN, ACTION_IN_PROGRESS, ACTION_DONE, ACTION_CANCELLED)
ACTION_PENDING = (ACTION_OPEN, ACTION_IN_PROGRESS)
_ACTION_TRANSITIONS = {ACTION_OPEN: {ACTION_IN_PROGRESS, ACTION_DONE, ACTION_CANCELLED},
                       ACTION_IN_PROGRESS: {ACTION_DONE, ACTION_CANCELLED, ACTION_OPEN},
                       ACTION_DONE: set(), ACTION_CANCELLED: set()}

PARTICIPANT_KINDS = ("organisation", "person")
PARTICIPANT_ROLES = ("government", "enterprise", "association", "other")

# Rendering is bounded by the size of the minutes and by the number of `[` (each one costs markdown-it a
# scan for a link label: 20,000 of them take ~2 s; 5,000 take ~0.5 s).
MAX_MINUTES_CHARS = 200_000
MAX_MINUTES_BRACKETS = 5_000
MAX_DURATION = dt.timedelta(days=31)
MAX_SEARCH_TERMS = 16
# what a meeting's search text keeps: PostgreSQL refuses a tsvector over 1 MB, which ~300,000 characters of
# even all-different words stay well under
MAX_SEARCH_TEXT = 300_000


# ---- states ---------------------------------------------------------------------------------------------

def check_transition(current: str, target: str, *, what: str) -> None:
    if target not in _TRANSITIONS.get(current, set()):
        raise Conflict(f"{what} is {current}; it cannot become {target}", code="invalid_transition")


def check_minutes_transition(current: str, target: str, *, what: str) -> None:
    if target not in _MINUTES_TRANSITIONS.get(current, set()):
        raise Conflict(f"the minutes of {what} are {current}; they cannot become {target}",
                       code="invalid_transition")


def check_action_transition(current: str, target: str, *, what: str) -> None:
    if current != target and target not in _ACTION_TRANSITIONS.get(current, set()):
        raise Conflict(f"{what} is {current}; it cannot become {target}", code="invalid_transition",
                       pointer="/status")


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    return status in ACTION_PENDING and due is not None and due < today


# ---- times ----------------------------------------------------------------------------------------------

def zone(name: str, *, pointer: str = "/timezone") -> ZoneInfo:
    """The IANA time zone of that name; `Europe/Berlin`, not an abbreviation or an offset."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}", name):
        raise InvalidInput(f"{name!r} is not an IANA time zone name such as 'Europe/Berlin'", pointer=pointer,
                           code="unknown_timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(f"{name!r} is not an IANA time zone name such as 'Europe/Berlin'", pointer=pointer,
                           code="unknown_timezone") from None


def local_to_utc(text: str, tz: ZoneInfo, *, pointer: str) -> dt.datetime:
    """`2025-06-01T10:00` (a local time at the venue) or `2025-06-01T10:00+02:00` (an instant) to UTC.

    A local time that does not exist (in the spring-forward gap) is refused. A local time that happens twice
    (the autumn fold) is taken as its first occurrence (summer time); send an offset to choose the second.
    """
    try:
        value = dt.datetime.fromisoformat(text) if isinstance(text, str) and len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        raise InvalidInput(f"{text!r} is not a date and time like 2025-06-01T10:00", pointer=pointer,
                           code="invalid_datetime")
    check_day(value.date(), pointer=pointer)
    if value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    local = value.replace(tzinfo=tz, fold=0)
    back = local.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None)
    if back != value:
        raise Unprocessable(f"{text} does not exist in {tz.key}: the clocks skip it (daylight saving time starts)",
                            pointer=pointer, code="nonexistent_local_time")
    return local.astimezone(dt.timezone.utc)


# The days the meeting log takes (meeting times, search and calendar windows, the month page): four-digit years,
# with a year's margin at either end so that no time zone, window or following month leaves Python's dates.
EARLIEST_DAY, LATEST_DAY = dt.date(1000, 1, 1), dt.date(9998, 12, 31)


def check_day(day: dt.date, *, pointer: str | None = None, what: str = "a date") -> dt.date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"{what} {day.isoformat()} is out of range: dates here are between "
                           f"{EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}", pointer=pointer,
                           code="date_out_of_range")
    return day


def check_times(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise Unprocessable(f"the meeting ends ({end.isoformat()}) before it starts ({start.isoformat()})",
                            pointer="/end", code="end_before_start")
    if end - start > MAX_DURATION:
        raise Unprocessable("a meeting lasts at most 31 days", pointer="/end", code="too_long")


def in_zone(instant: dt.datetime, tz_name: str) -> dt.datetime:
    """A stored UTC instant as the venue's local time (with its offset)."""
    return instant.astimezone(ZoneInfo(tz_name))


FEED_BACK, FEED_AHEAD, FEED_MAX = dt.timedelta(days=365), dt.timedelta(days=730), dt.timedelta(days=5 * 366)


def feed_window(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a calendar feed covers: a year back and two ahead by default, at most five years."""
    for day, name in ((start, "from"), (end, "to")):
        if day is not None:
            check_day(day, what=f"`{name}`")
    start = start or (max(end - FEED_BACK - FEED_AHEAD, EARLIEST_DAY) if end else today - FEED_BACK)
    end = end or min(start + FEED_BACK + FEED_AHEAD, LATEST_DAY)
    if end < start:
        raise InvalidInput("`to` is before `from`", code="invalid_window")
    if end - start > FEED_MAX:
        raise InvalidInput("a calendar feed covers at most five years: narrow `from` and `to`", code="window_too_large")
    return start, end


# ---- links, names and minutes ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,255}\.[^@\s<>\"'.]{2,63}$")


def check_web_link(url: str, *, pointer: str) -> str:
    return check_web_address(url.strip() if isinstance(url, str) else url, pointer=pointer)


def check_email(address: str, *, pointer: str) -> str:
    if not _EMAIL.match(address.strip()):
        raise InvalidInput(f"{address[:100]!r} is not an e-mail address", pointer=pointer, code="invalid_email")
    return address.strip()


def check_choice(value: str, choices: tuple[str, ...], *, what: str, pointer: str) -> str:
    if value not in choices:
        raise InvalidInput(f"unknown {what} {value!r}; one of {', '.join(choices)}", pointer=pointer,
                           code=f"unknown_{what.replace(' ', '_')}")
    return value


def check_minutes(markdown: str) -> None:
    if len(markdown) > MAX_MINUTES_CHARS:
        raise PayloadTooLarge(f"minutes are at most {MAX_MINUTES_CHARS:,} characters; these have {len(markdown):,}",
                              pointer="/markdown", code="minutes_too_long")
    if markdown.count("[") > MAX_MINUTES_BRACKETS:
        raise Unprocessable(f"minutes hold at most {MAX_MINUTES_BRACKETS:,} '[' characters",
                            pointer="/markdown", code="minutes_too_complex")


@dataclass(frozen=True)
class DocumentLink:
    """A document a meeting discussed: `EU/consumer-protection`, optionally a version `@3`."""

    namespace: str
    slug: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.namespace}/{self.slug}" + (f"@{self.version}" if self.version else "")


def parse_document_link(text: str, *, pointer: str) -> DocumentLink:
    name, at, version = text.partition("@") if isinstance(text, str) else ("", "", "")
    parsed = parse_name(name, pointer=pointer)
    if at and not re.fullmatch(r"[1-9][0-9]{0,8}", version):  # `@01`, `@١` are not versions
        raise InvalidInput(f"{text!r}: a linked version is a number, like EU/consumer-protection@3",
                           pointer=pointer, code="invalid_version_selector")
    return DocumentLink(parsed.namespace, parsed.slug, int(version) if at else None)


# ---- search -------------------------------------------------------------------------------------------

def search_terms(text: str) -> list[str]:
    """The words of a search; punctuation, `_` and query operators (`"`, `*`, `NEAR(`, `-`) are only separators."""
    # letters and digits: "_" is a separator for both full-text tokenizers (a term of "_" alone would match nothing
    # there, and then vanish from the query, leaving the filter words to match alone)
    return re.findall(r"[^\W_]+", text or "")[:MAX_SEARCH_TERMS]


# Filter values are also words of a meeting's search text (its first line), so that a search with words and filters
# narrows inside the full-text index instead of looking up every meeting a common word matches (docs/performance.md);
# the tags are still checked exactly after that. A word: "rcr", the kind's letter, then 24 hex digits of a BLAKE2b
# digest of the value: one word of a fixed length whatever the value holds, in FTS5 and in PostgreSQL alike
# (PostgreSQL drops words over 2,047 bytes). Migration 0004 wrote them for the meetings stored before.
_FILTER_LETTERS = {"jurisdiction": "j", "topic": "t", "organisation": "o"}
MAX_YEAR_WORDS = 30


def filter_word(kind: str, value: str) -> str:
    return f"rcr{_FILTER_LETTERS[kind]}{hashlib.blake2b(value.encode('utf-8'), digest_size=12).hexdigest()}"


def year_word(year: int) -> str:
    return f"rcryear{year}"


def filter_words(tags: Iterable[tuple[str, str]], start: dt.datetime) -> str:
    """The first line of a meeting's search text: a word for each of its tags and one for the year (UTC) it starts."""
    year = (start.astimezone(dt.timezone.utc) if start.tzinfo else start).year
    return " ".join([filter_word(kind, value) for kind, value in sorted(tags) if kind in _FILTER_LETTERS]
                    + [year_word(year)])


def year_words(start_from: dt.date | None, start_to: dt.date | None) -> list[str]:
    """The year words a search between two days can narrow to (none for an open or very long range)."""
    if start_from is None or start_to is None or not 0 <= start_to.year - start_from.year < MAX_YEAR_WORDS:
        return []
    return [year_word(y) for y in range(start_from.year, start_to.year + 1)]


def fts5_query(terms: list[str], any_of: list[str] | None = None) -> str:
    """Every term as an FTS5 string (so `NEAR`, `AND`, `OR` are words, never operators), all required; and, if
    given, at least one of `any_of`."""
    query = " ".join(_fts5_string(term) for term in terms)
    if any_of:  # FTS5 has no implicit AND before a bracket
        query += " AND (" + " OR ".join(_fts5_string(term) for term in any_of) + ")"
    return query


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
