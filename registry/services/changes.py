"""The public change feed: versions published, published to take effect later (scheduled), corrected and withdrawn,
newest first, each told in the users' words ("EU raised the minimum withdrawal period days from 14 to 30 …").

Built from the versions themselves, never from the audit log: drafts and internal events (tokens, document
creation, edits) cannot reach it, whoever asks. The audit log stays the administrators' (GET /api/v1/audit).
One list of `ChangeEntry` serves the home page and /changes, and is meant to serve the API and Atom/ICS feeds
alike."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from comparisons.bounded import BoundedCache
from registry.domain import dates, lifecycle, rules
from registry.domain.references import VOCABULARY_NAMESPACE, check_code
from registry.storage.tables import Document, Version

PUBLISHED, SCHEDULED, CORRECTION, WITHDRAWN = "published", "scheduled", "correction", "withdrawn"
KINDS = (PUBLISHED, SCHEDULED, CORRECTION, WITHDRAWN)
MAX_LIMIT = 200
_SHOWN_CHANGES = 3  # differences named in an entry's words; the rest are counted
# by what the versions and documents are now (_STAMP_SQL), the limit and the jurisdiction: the home page asks on
# every visit, and the words need the bodies of ten versions and of those before them
_FEEDS = BoundedCache("change-feed", 256, 4_000_000)
_STAMP_SQL = ("SELECT (SELECT count(*) FROM version), (SELECT max(updated_at) FROM version), "
              "(SELECT count(*) FROM document), (SELECT max(updated_at) FROM document)")


@dataclass(frozen=True)
class ChangeEntry:
    """One public change. `kind`: `published` (in force from the day it was recorded or earlier), `scheduled`
    (recorded before its start: published to take effect later), `correction` (replaces the registry's wrong
    version `corrects`) or `withdrawn`. `recorded_on`: the day the registry recorded it (a corpus version's
    `recorded` day, else the day of the write); `recorded_at`: the time of the write."""

    jurisdiction: str  # a jurisdiction code, or "vocabulary"
    document: str
    title: str
    version: int
    kind: str
    recorded_on: dt.date
    recorded_at: dt.datetime
    effective_from: dt.date | None
    effective_from_precision: str
    words: str
    corrects: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.document}@{self.version}"

    def label(self, today: dt.date) -> str:
        """The kind as a page shows it on `today`: a scheduled change whose day has come reads `took effect`."""
        if self.kind == SCHEDULED and self.effective_from is not None and self.effective_from <= today:
            return "took effect"
        return self.kind

    @property
    def effective(self) -> str | None:
        """The start as far as it is known: `2027-03-15`, `2027-03`, `2027`."""
        return dates.reduced(self.effective_from, self.effective_from_precision)


@dataclass
class _Event:
    document: Document
    version: Version
    kind: str
    recorded_on: dt.date
    recorded_at: dt.datetime


def feed(session: Session, *, limit: int = 20, jurisdiction: str | None = None) -> list[ChangeEntry]:
    """The newest public changes, newest first; only one jurisdiction's (its own documents) when given."""
    limit = max(1, min(limit, MAX_LIMIT))
    code = check_code(jurisdiction, pointer="jurisdiction") if jurisdiction else None
    key = (tuple(session.connection().exec_driver_sql(_STAMP_SQL).one()), limit, code)
    found = _FEEDS.get(key)
    if found is None:
        found = _FEEDS[key] = tuple(_feed(session, limit, code))
    return list(found)


def _feed(session: Session, limit: int, jurisdiction: str | None) -> list[ChangeEntry]:
    query = (select(Version, Document).join(Document, col(Document.id) == col(Version.document_id))
             .where(col(Version.status) != lifecycle.DRAFT).options(defer(Version.body)))  # type: ignore[arg-type]
    if jurisdiction:
        query = query.where(Document.namespace == jurisdiction)
    rows = session.exec(query).all()
    by_document: dict[int, list[Version]] = defaultdict(list)
    for version, _ in rows:
        by_document[version.document_id].append(version)
    events = sorted(_events(rows), key=lambda e: (e.recorded_on, e.recorded_at, e.version.number, e.kind != WITHDRAWN),
                    reverse=True)[:limit]
    return [_entry(event, by_document[event.document.id]) for event in events]  # type: ignore[index]


def _events(rows: Iterable[tuple[Version, Document]]) -> Iterable[_Event]:
    for version, document in rows:
        recorded = lifecycle.recorded_on(version)
        published_at = version.published_at or version.created_at
        if recorded is not None:
            kind = CORRECTION if version.corrects is not None else (
                SCHEDULED if version.effective_from is not None and version.effective_from > recorded else PUBLISHED)
            yield _Event(document, version, kind, recorded, published_at)
        if version.status == lifecycle.WITHDRAWN and version.withdrawn_at is not None:
            yield _Event(document, version, WITHDRAWN, version.withdrawn_at.date(), version.withdrawn_at)


def _entry(event: _Event, versions: Sequence[Version]) -> ChangeEntry:
    document, version = event.document, event.version
    return ChangeEntry(jurisdiction=document.namespace, document=document.name, title=document.title,
                       version=version.number, kind=event.kind, recorded_on=event.recorded_on,
                       recorded_at=event.recorded_at, effective_from=version.effective_from,
                       effective_from_precision=version.effective_from_precision,
                       words=words(event.kind, document, version, _before(version, versions)),
                       corrects=version.corrects)


def _before(version: Version, versions: Sequence[Version]) -> Version | None:
    """What the version changed: the version it corrects, else the one it followed — of the earlier recorded
    versions, the one that starts last (a correction of it, recorded later, wins the tie)."""
    if version.corrects is not None:
        return next((v for v in versions if v.number == version.corrects), None)
    earlier = [v for v in versions if v.number < version.number and v.status != lifecycle.WITHDRAWN]
    return max(earlier, key=lambda v: (v.effective_from or dt.date.min, v.number), default=None)


# ---- words ----------------------------------------------------------------------------------------------------

def words(kind: str, document: Document, version: Version, before: Version | None) -> str:
    """The change in a sentence: who, what changed (from the diff with `before` where there is one), and from
    when."""
    who = "The vocabulary" if document.namespace == VOCABULARY_NAMESPACE else document.namespace
    ref = f"{document.slug} @{version.number}"
    start = _spoken(version.effective_from, version.effective_from_precision)
    if kind == WITHDRAWN:
        reason = f": {version.withdrawn_reason}" if version.withdrawn_reason else ""
        return f"{who} {ref} was withdrawn from the registry (treated as never in force){reason}"
    changes = differences(before.body, version.body) if before is not None else []
    if kind == CORRECTION:
        what = "; ".join(c.corrected for c in changes[:_SHOWN_CHANGES]) + _more(changes) if changes else \
            _first_sentence(version.changelog) or "its dates or annotations"
        return f"The registry corrected {who} {document.slug} @{version.corrects} with @{version.number}: {what}"
    when = f"to take effect on {start}" if kind == SCHEDULED else f"in force from {start}"
    if not changes:  # a first version, or one whose conditions or scope changed: its title says what it is
        return f"{who} published {ref} ({document.title}), {when}"
    told = "; ".join(c.reformed for c in changes[:_SHOWN_CHANGES]) + _more(changes)
    return f"{who} {told} ({ref}, {when})"


def _spoken(day: dt.date | None, precision: str | None) -> str:
    if day is None:
        return "no start date"
    return dates.reduced(day, precision) + ("" if precision == dates.DAY else " (day unknown)")  # type: ignore[operator]


def _first_sentence(text: str | None) -> str:
    """The changelog's first sentence, without Markdown emphasis, at most 200 characters."""
    line = " ".join((text or "").replace("**", "").split())
    end = line.find(". ")
    line = line[:end + 1] if end > 0 else line
    return line if len(line) <= 200 else line[:199] + "…"


def _more(changes: Sequence[Any]) -> str:
    extra = len(changes) - _SHOWN_CHANGES
    return f"; and {extra} more change{'s' if extra > 1 else ''}" if extra > 0 else ""


@dataclass(frozen=True)
class Difference:
    """One difference of constraints between two versions, told as a reform (`reformed`: "raised the …") and as
    a correction (`corrected`: "… is 5000, not 2000")."""

    reformed: str
    corrected: str


_BOUNDS = {"minimum": "minimum", "exclusiveMinimum": "lower bound", "maximum": "maximum",
           "exclusiveMaximum": "upper bound", "minLength": "minimum length", "maxLength": "maximum length",
           "minItems": "minimum number of", "maxItems": "maximum number of", "minProperties": "minimum number of",
           "maxProperties": "maximum number of", "multipleOf": "multiple of"}
_KEYWORDS = {"const": "required value", "enum": "allowed values", "pattern": "format", "format": "format",
             "required": "required fields", "type": "type"}


def differences(old: Any, new: Any) -> list[Difference]:
    """The constraints that differ, by instance path and keyword (conditions aside): a bound raised or lowered, a
    value changed, added or removed. Values are compared as JSON, so 0 and false differ; a value that stays and
    only applies under other conditions is not named."""
    before, after = _constraints(old), _constraints(new)
    found = []
    for key in sorted(before.keys() | after.keys()):
        path, keyword = key
        what = f"{_BOUNDS.get(keyword) or _KEYWORDS.get(keyword) or keyword} {_path_words(path)}".strip()
        gone = [v for k, v in before.get(key, {}).items() if k not in after.get(key, {})]
        came = [v for k, v in after.get(key, {}).items() if k not in before.get(key, {})]
        if len(gone) == 1 and len(came) == 1:
            a, b = gone[0], came[0]
            verb = ("raised" if b > a else "lowered") if _number(a) and _number(b) else "changed"
            found.append(Difference(f"{verb} the {what} from {_value(a)} to {_value(b)}",
                                    f"{what}: {_value(b)}, not {_value(a)}"))
            continue
        field = _path_words(path)
        for value in came:
            found.append(Difference(f"now requires {field} to be {_value(value)}",
                                    f"{field} must be {_value(value)} (not recorded before)") if keyword == "const"
                         else Difference(f"added a {what} of {_value(value)}",
                                         f"{what}: {_value(value)} (not recorded before)"))
        for value in gone:
            found.append(Difference(f"no longer requires {field} to be {_value(value)}",
                                    f"no requirement that {field} be {_value(value)}") if keyword == "const"
                         else Difference(f"removed the {what} of {_value(value)}", f"no {what} of {_value(value)}"))
    return found


def _constraints(schema: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(instance path, keyword) → {the value as JSON: the value}; one key may hold several values (under several
    conditions)."""
    if not isinstance(schema, dict):
        return {}
    grouped: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for constraint in rules.iter_constraints(schema):
        grouped[(constraint.instance_path, constraint.keyword)][_json(constraint.value)] = constraint.value
    return grouped


def _path_words(path: str) -> str:
    """`/consumer_protection/withdrawal_period_days` → `withdrawal period days` (the topic's name left out)."""
    parts = [p for p in path.split("/") if p]
    spoken: list[str] = []
    for word in " ".join(parts[1:] or parts).replace("_", " ").split():
        if not spoken or spoken[-1] != word:  # `per_transaction_amount/amount`: one "amount"
            spoken.append(word)
    return " ".join(spoken)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else _json(value)
    return text if len(text) <= 80 else text[:79] + "…"


__all__ = ["ChangeEntry", "Difference", "KINDS", "differences", "feed", "words"]
