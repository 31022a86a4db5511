"""What the registry knows of a jurisdiction beyond its documents: whether it is a partner of the bilateral
e-commerce cooperation mechanism, and, per topic, whether its rules were researched. "Not researched" is a
state of its own so that no check, matrix or gap report can read silence as "no rule" (issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

from registry.domain import dates, provenance
from registry.errors import RegistryError

PARTNER, NOT_PARTNER, UNKNOWN = "partner", "not-partner", "unknown"
COOPERATION_STATUSES = (PARTNER, NOT_PARTNER, UNKNOWN)
# as for rules (docs/corpus-format.md): H — an official source or two independent ones; M — one secondary source
COOPERATION_CONFIDENCE = ("H", "M")
_CONFIDENCE_WORDS = {"H": "confidence H: an official source or two independent sources",
                     "M": "confidence M: one secondary source"}

RECORDED, NONE, NOT_RESEARCHED = "recorded", "none", "not-researched"
COVERAGE_STATUSES = (RECORDED, NONE, NOT_RESEARCHED)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def parse_since(text: str) -> tuple[dt.date, str]:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first day of the span and its precision (registry.domain.dates);
    ValueError names what is wrong."""
    try:
        found = dates.parse(text)
    except RegistryError:
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None
    if found is None:
        raise ValueError("no date given")
    return found.first_day, found.precision


def since_words(text: str | None) -> str:
    """`2017-11` → "November 2017"; `2017` → "2017 (month unknown)"; `2017-11-27` → "27 November 2017"."""
    if not text:
        return ""
    first, precision = parse_since(text)
    if precision == "year":
        return f"{first.year} (month unknown)"
    if precision == "month":
        return f"{_MONTHS[first.month - 1]} {first.year}"
    return f"{first.day} {_MONTHS[first.month - 1]} {first.year}"


def cooperation_status(cooperation: Mapping[str, Any] | None) -> str:
    return (cooperation or {}).get("status") or UNKNOWN


def cooperation_words(cooperation: Mapping[str, Any] | None) -> str:
    """The cooperation status in words, as the jurisdiction pages show it."""
    status = cooperation_status(cooperation)
    if status == UNKNOWN:
        return "Cooperation status not researched"
    since = since_words((cooperation or {}).get("since"))
    sure = _CONFIDENCE_WORDS.get((cooperation or {}).get("confidence") or "")
    sure = f" ({sure})" if sure else ""
    if status == PARTNER:
        text = "Partner of China's bilateral e-commerce cooperation mechanism"
        return text + (f" since {since}" if since else " (start date not recorded)") + sure
    return "Not a partner of China's bilateral e-commerce cooperation mechanism" + sure


def source_problems(sources: Iterable[Mapping[str, Any]], *, where: str) -> list[str]:
    """What is wrong with a list of source objects (docs/corpus-format.md), each message with its place: the same
    check as a rule's sources (registry/domain/provenance.py)."""
    return [f"{where}.sources[{index}]{problem.pointer}: {problem.message}"
            for index, source in enumerate(sources)
            for problem in provenance.source_problems(source, "", where)]


def quoted(sources: Iterable[Mapping[str, Any]]) -> bool:
    """At least one source with an address and the words that say it."""
    return any(s.get("url") and s.get("quote") for s in sources)


def topic_coverage(topics: Iterable[str], written: Mapping[str, Any] | None, recorded: set[str]) -> dict[str, str]:
    """Each topic's coverage: `recorded` where a document exists (derived, whatever is written), else what
    jurisdictions.json says (`none`), else `not-researched`."""
    written = written or {}
    out = {}
    for slug in topics:
        if slug in recorded:
            out[slug] = RECORDED
        else:
            status = (written.get(slug) or {}).get("status")
            out[slug] = NONE if status == NONE else NOT_RESEARCHED
    return out
