"""The vocabulary titles that rule conditions are worded over (registry.domain.conditions), read from the stored
vocabulary once per version."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from sqlmodel import Session

from comparisons.bounded import BoundedCache
from comparisons.differences import phrase
from registry.domain import conditions
from registry.errors import RegistryError
from registry.services.documents import latest_schema

PROFILE_VOCABULARY = "vocabulary/operating-profile"
_TITLES = BoundedCache("vocabulary-titles", 16, 2_000_000)  # by the vocabulary version's body hash


def titles(session: Session, vocabulary: Optional[str] = None) -> Mapping[str, str]:
    """instance pointer -> label in the latest published version of the vocabulary (none stored: no titles, and
    the words fall back to the members' names)."""
    try:
        version, schema = latest_schema(session, vocabulary or PROFILE_VOCABULARY)
    except RegistryError:
        return {}
    found = _TITLES.get(version.body_hash)
    if found is None:
        found = _TITLES[version.body_hash] = conditions.vocabulary_titles(schema)
    return found


# ---- words on comparison answers (dicts of the engine's results; copies, the cached answers stay as they are) -----

def worded_differences(comparison: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """Each difference with `applies_when`: the condition under which both sides' rules on the row apply, in words
    (None: unconditional)."""
    return {**comparison, "differences": [{**d, "applies_when": conditions.applies_when(d.get("condition"), titles)}
                                          for d in comparison.get("differences", [])]}


def worded_gap(data: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """Each gap item with its conditions in words and the cases it is a gap for:
    `applies_when` (the target's rule), `source_applies_when` (the source's rule on the field, when its conditions
    differ), `cases` ("where …", or "in every case") and `statement`, the sentence that names both sides."""
    source, target = data["from"]["label"], data["to"]["label"]
    return {**data, "items": [_worded_item(item, titles, source, target) for item in data.get("items", [])]}


def _worded_item(item: dict[str, Any], titles: Mapping[str, str], source: str, target: str) -> dict[str, Any]:
    mine, theirs = item.get("condition"), item.get("source_condition")
    applies = conditions.applies_when(mine, titles)
    source_applies = conditions.applies_when(theirs, titles) if theirs else None
    status = item.get("status")
    if status == "narrower_condition":
        where = conditions.cases(mine, theirs, titles)
    else:
        where = "where " + applies[len("applies when "):] if applies else "in every case"
    need = phrase(item["keyword"], item.get("required")) if item.get("keyword") not in (None, "*") else None
    cited = f" ({item['citation']})" if item.get("citation") else ""
    at = f" at {item['path']}" if item.get("path") else ""
    if need is None:
        statement = item.get("summary", "")
    elif status == "narrower_condition":
        statement = (f"{where}: {target} requires {need}{at}{cited}; {source} has no rule there "
                     f"(its rule {source_applies})")
    elif status == "weaker":
        own = f", and its rule {source_applies}" if source_applies else ""
        statement = (f"{where}: {target} requires {need}{at}{cited}; {source} requires only "
                     f"{phrase(item['keyword'], item.get('source_value'))}{own}")
    elif status == "missing":
        statement = f"{where}: {target} requires {need}{at}{cited}; {source} has no rule"
    else:
        statement = f"{where}: {target} requires {need}{at}{cited}; undecided whether {source}'s rules imply it"
    return {**item, "applies_when": applies, "source_applies_when": source_applies, "cases": where,
            "statement": statement[:1].upper() + statement[1:]}
