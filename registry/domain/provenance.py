"""Where a rule comes from: the `sources` of an `x-rule` (issue 15, docs/corpus-format.md "Sources").

Every rule carries `sources`, a non-empty list of source objects {url, title, publisher, kind, language, quote,
quote_en, retrieved}: a deep link (https, or http where that is the only address; not a portal's home page) to the text that states the rule and the
sentence(s) that state it, verbatim. `confidence` must be supported by them (H: a legal text is quoted, or two
sources of different publishers; M: one source quotes the rule; L: only weak sources). `disputed: true` needs a
`dispute` text and two sources or more. The loader, draft/publish and `registry corpus check` all ask this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qsl, urlsplit

from registry.domain.jsonbody import pointer_join
from registry.domain.links import web_address_problem

__all__ = [
    "LEGACY_KEPT_STATUSES",
    "SOURCE_FIELDS",
    "SOURCE_KINDS",
    "Problem",
    "cited_rules",
    "confidence_basis",
    "deep_link_problem",
    "is_legacy",
    "legacy_provenance_allowed",
    "linked_sources",
    "provenance_problems",
    "rule_problems",
    "source_problems",
    "rule_view",
    "rules_with_pointers",
]

SOURCE_KINDS = ("legal-text", "official", "secondary")
SOURCE_FIELDS = ("url", "title", "publisher", "kind", "language", "quote", "quote_en", "retrieved")
_REQUIRED_SOURCE_FIELDS = ("url", "title", "publisher", "kind", "language", "quote", "retrieved")
# the statuses whose versions keep the old `source` string for good (format.md, "Corrected versions keep what the
# registry said"): the record of the registry's own error is never rewritten
LEGACY_KEPT_STATUSES = ("corrected",)


def legacy_provenance_allowed(version_status: str | None) -> bool:
    """Whether a version of this status may still carry the old provenance (`source` string, `sources` of URLs):
    only a corrected version, the record of what the registry said before its correction."""
    return version_status in LEGACY_KEPT_STATUSES


# ---------------------------------------------------------------------------------------------------------------- links

# path segments that only choose a language or a region (/en/, /zh-cn/, /rus/): dropped before judging the path
_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.IGNORECASE)
_LANGUAGE_WORDS = frozenset({
    "eng", "rus", "kaz", "kk", "zho", "chi", "chn", "cn", "vie", "vn", "ind", "msa", "may", "por", "ara", "tur",
    "fra", "fre", "deu", "ger", "spa", "english", "russian", "chinese", "lang", "language", "languages",
})
# segments that name a site's front page rather than a text
_INDEX_SEGMENT = re.compile(r"^(?:index|default|home|homepage|main|start|portal|welcome)(?:\.[a-z0-9]{1,5})?$",
                            re.IGNORECASE)
_LANGUAGE_PARAMETERS = frozenset({"lang", "language", "hl", "locale", "lng", "ln"})


def _meaningful_segments(path: str) -> list[str]:
    segments = [s for s in path.split("/") if s]
    return [s for s in segments if not (_LANGUAGE_SEGMENT.match(s) or s.lower() in _LANGUAGE_WORDS
                                       or _INDEX_SEGMENT.match(s))]


def deep_link_problem(url: Any) -> str | None:
    """Why `url` is not a deep link to a text (None when it is one): https, a well-formed address, and not a site's
    home page — nothing left of its path once language segments (/en/, /zh-cn/, /rus/) and index pages
    (index.html, default.aspx, home) are dropped, and no query naming a text either."""
    problem = web_address_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("https", "http"):  # http where that is the only address of the text
        return "a source is linked over https (or http)"
    if _meaningful_segments(parts.path):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _LANGUAGE_PARAMETERS]
    if any(v for _, v in query):
        return None  # e.g. https://host/?doc=123: the query names the text
    fragment = parts.fragment.strip("/!")
    if fragment.startswith(("/", "!/")) or "/" in fragment:  # a single-page site's route: #/law/123
        if _meaningful_segments(fragment):
            return None
    return "a portal's home page is not a source: link the page of the text that states the rule"


# -------------------------------------------------------------------------------------------------------------- problems

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule's provenance: where (JSON pointer), which rule, what."""

    pointer: str
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: rule {self.rule_id}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "rule": self.rule_id, "message": self.message}


def _child(pointer: str, *tokens: object) -> str:
    """A pointer below `pointer` (itself already a pointer)."""
    return pointer + pointer_join(*tokens)


def is_legacy(rule: dict) -> bool:
    """The old provenance: a `source` string and no source objects (`sources` absent or a list of URL strings)."""
    sources = rule.get("sources")
    if isinstance(sources, list) and sources and all(isinstance(s, dict) for s in sources):
        return False
    return "source" in rule or (isinstance(sources, list) and bool(sources) and all(isinstance(s, str) for s in sources))


def _is_day(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def source_problems(source: Any, at: str, rule_id: str) -> Iterator[Problem]:
    """What is wrong with one source object at pointer `at` (rules, cooperation and coverage alike)."""
    if not isinstance(source, dict):
        yield Problem(at, rule_id, "a source is an object {url, title, publisher, kind, language, quote, retrieved}")
        return
    for name in _REQUIRED_SOURCE_FIELDS:
        if not _text(source.get(name)):
            what = "a verbatim quote of the text that states the rule" if name == "quote" else "a non-empty text"
            yield Problem(_child(at, name), rule_id, f"`{name}` is missing: {what}")
    unknown = sorted(set(source) - set(SOURCE_FIELDS))
    if unknown:
        yield Problem(_child(at, unknown[0]), rule_id, f"unknown source field `{unknown[0]}`")
    url = source.get("url")
    if _text(url):
        problem = deep_link_problem(url)
        if problem is not None:
            yield Problem(_child(at, "url"), rule_id, f"{str(url)[:100]!r}: {problem}")
    kind = source.get("kind")
    if _text(kind) and kind not in SOURCE_KINDS:
        yield Problem(_child(at, "kind"), rule_id, f"kind {str(kind)[:40]!r} is not one of {', '.join(SOURCE_KINDS)}")
    language = source.get("language")
    if _text(language) and language.lower() != "en" and not language.lower().startswith("en-") \
            and not _text(source.get("quote_en")):
        yield Problem(_child(at, "quote_en"), rule_id,
                      f"the quote is in {str(language)[:20]!r}: `quote_en` (an English rendering) is required")
    if "retrieved" in source and _text(source.get("retrieved")) and not _is_day(source.get("retrieved")):
        yield Problem(_child(at, "retrieved"), rule_id, "`retrieved` is a day, YYYY-MM-DD")


def rule_problems(rule: dict, pointer: str = "", *, legacy_allowed: bool = False) -> list[Problem]:
    """What is wrong with the provenance of one x-rule at `pointer` (the x-rule's own pointer)."""
    rule_id = str(rule.get("id") or "(no id)")
    if is_legacy(rule):
        if legacy_allowed:
            return _legacy_problems(rule, pointer, rule_id)
        return [Problem(_child(pointer, "sources"), rule_id,
                        "`sources` must list source objects with a deep link and a verbatim quote; the old `source` "
                        "string and lists of bare URLs are no longer taken")]
    found: list[Problem] = []
    at = _child(pointer, "sources")
    sources = rule.get("sources")
    if not isinstance(sources, list) or not sources:
        found.append(Problem(at, rule_id, "`sources` is missing: a rule needs at least one source with a deep link "
                                          "and a verbatim quote"))
        sources = []
    if "source" in rule:
        found.append(Problem(_child(pointer, "source"), rule_id,
                             "the old `source` field is replaced by `sources`"))
    for index, source in enumerate(sources):
        found.extend(source_problems(source, _child(at, index), rule_id))
    if rule.get("disputed") is True:
        if not _text(rule.get("dispute")):
            found.append(Problem(_child(pointer, "dispute"), rule_id,
                                 "a disputed rule says in `dispute` how its sources differ and which reading applies"))
        if len(sources) < 2:
            found.append(Problem(at, rule_id, "a disputed rule lists both sources (at least two)"))
    return found


def _legacy_problems(rule: dict, pointer: str, rule_id: str) -> list[Problem]:
    """The old form, where it is still taken: a safe http(s) `source` address (the citation check needs it)."""
    found = []
    source = rule.get("source")
    if source not in (None, "") and web_address_problem(source) is not None:
        found.append(Problem(_child(pointer, "source"), rule_id, web_address_problem(source) or ""))
    if not _text(source) and not rule.get("sources"):
        found.append(Problem(_child(pointer, "sources"), rule_id, "`sources` is missing"))
    return found


def rules_with_pointers(schema: Any) -> Iterator[tuple[str, dict]]:
    """(pointer of the x-rule, x-rule) of every x-rule object in a schema, in document order."""
    stack: list[tuple[Any, tuple]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            rule = node.get("x-rule")
            if isinstance(rule, dict):
                yield pointer_join(*path, "x-rule"), rule
            stack.extend(reversed([(value, path + (key,)) for key, value in node.items() if key != "x-rule"]))
        elif isinstance(node, list):
            stack.extend(reversed([(value, path + (index,)) for index, value in enumerate(node)]))


def provenance_problems(schema: Any, version_status: str | None) -> list[Problem]:
    """Every provenance problem of every x-rule of a schema; the old form only where the status still allows it."""
    legacy = legacy_provenance_allowed(version_status)
    return [p for pointer, rule in rules_with_pointers(schema) for p in rule_problems(rule, pointer, legacy_allowed=legacy)]


# ------------------------------------------------------------------------------------------------------------ confidence

def linked_sources(rule: dict | None) -> list[dict]:
    """The source objects of a rule (the old `source` string read as a source without a quote), for display."""
    if not rule:
        return []
    sources = rule.get("sources")
    if isinstance(sources, list) and sources and all(isinstance(s, dict) for s in sources):
        return sources
    found = []
    urls = [rule.get("source")] + (sources if isinstance(sources, list) else [])
    for url in urls:
        if isinstance(url, str) and url and all(s["url"] != url for s in found):
            found.append({"url": url})
    return found


def cited_rules(rules: Iterable[dict | None]) -> list[dict]:
    """Each rule once (by id, else by citation), in the order first met: a report shows each rule's sources once."""
    seen: dict[Any, dict] = {}
    for rule in rules:
        if rule:
            seen.setdefault(rule.get("id") or rule.get("citation"), rule)
    return list(seen.values())


RULE_VIEW_FIELDS = ("id", "citation", "summary", "obligation", "confidence", "recorded", "disputed", "dispute")


def rule_view(rule: dict | None) -> dict | None:
    """A rule as reports and the API show it: `sources` as source objects (an old `source` string read as {url}),
    the confidence basis in words, and a disputed rule's dispute text."""
    if not rule:
        return None
    shown = {k: rule[k] for k in RULE_VIEW_FIELDS if k in rule}
    shown["sources"] = linked_sources(rule)
    shown["confidence_basis"] = confidence_basis(rule)[1]
    return shown


def _quoted(source: dict) -> bool:
    return isinstance(source, dict) and _text(source.get("quote"))


def confidence_basis(rule: dict) -> tuple[bool, str]:
    """Whether the rule's confidence is supported by its sources, and the basis in words."""
    level = rule.get("confidence")
    sources = [s for s in rule.get("sources") or [] if isinstance(s, dict)] if not is_legacy(rule) else []
    quoted = [s for s in sources if _quoted(s)]
    legal = [s for s in quoted if s.get("kind") == "legal-text"]
    publishers = sorted({str(s.get("publisher")).strip() for s in quoted if _text(s.get("publisher"))})
    if not quoted:
        return False, f"{level}: no source quotes the rule"
    if legal:
        words = f"the legal text is quoted ({legal[0].get('publisher')})"
        strongest = "H"
    elif len(publishers) >= 2:
        words = f"two independent sources agree ({'; '.join(publishers[:3])})"
        strongest = "H"
    else:
        source = quoted[0]
        kind = source.get("kind") or "secondary"
        words = f"one {kind} source quotes the rule ({source.get('publisher')})"
        strongest = "M"
    if level == "H" and strongest != "H":
        return False, f"H claimed, but {words}: H needs a quoted legal text or two sources of different publishers"
    if level not in ("H", "M", "L"):
        return False, f"confidence {level!r} is not H, M or L"
    return True, f"{level}: {words}"
