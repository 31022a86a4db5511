"""The words of a difference, in one place: what a change between two versions did (told from the newer side) and
which of two jurisdictions' rules is the stricter (named by side).

The engine reports each difference seen from its left schema (`stricter`: the left allows less) and the relation
"left is … than right". Both are true and easy to read backwards: for a version diff (left = older) "stricter"
means the newer version *loosened* the rule. Every page, API answer and export takes its words from here, and
keeps the engine's word only under a field whose name says its direction (`older_vs_newer`, `left_vs_right`).
A condition sentence (docs/comparisons.md) is given to the `describe_…` functions; it is never built here.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Optional

# what the change older -> newer did, from the engine's direction of the older side against the newer one
CHANGE = {"stricter": "loosened", "looser": "tightened", "added": "removed", "removed": "added",
          "changed": "changed", "incompatible": "changed", "unknown": "changed"}
CHANGE_WORDS = ("tightened", "loosened", "added", "removed", "changed")
# the same, from the engine's direction of the newer side against the older (as compatibility checks compare)
CHANGE_FROM_NEWER = {"stricter": "tightened", "looser": "loosened", "added": "added", "removed": "removed",
                     "changed": "changed", "incompatible": "changed"}
MIXED = "mixed"
UNCHANGED = "unchanged"
UNKNOWN = "unknown"

# what the engine's relation "older is … than newer" says about the change, in words
EFFECT = {
    "stricter": "every profile {old} accepted, {new} accepts too, and {new} accepts some that {old} refused",
    "looser": "{new} refuses some profiles {old} accepted, and accepts none that {old} refused",
    "equivalent": "{old} and {new} accept exactly the same profiles",
    "overlapping": "each of {old} and {new} accepts profiles the other refuses",
    "disjoint": "no profile is accepted by both {old} and {new}",
    "unknown": "undecided which profiles {old} and {new} accept differently",
}

_BOUNDS = {"minimum": "at least {}", "exclusiveMinimum": "more than {}", "maximum": "at most {}",
           "exclusiveMaximum": "less than {}"}
_COUNTS = {"minLength": "at least {} characters", "maxLength": "at most {} characters",
           "minItems": "at least {} items", "maxItems": "at most {} items",
           "minProperties": "at least {} members", "maxProperties": "at most {} members",
           "minContains": "at least {} matching items", "maxContains": "at most {} matching items"}
_UNIT = re.compile(r"\bUnit:\s*([^.(;,]+?)\s*(?:[.(;,]|$)")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def requirement(keyword: str, value: Any, unit: str | None = None) -> str:
    """What one keyword requires, in words: "at least 14 days", "one of "order", "dispatch"", "present"."""
    unit_words = f" {unit}" if unit else ""
    if keyword in _BOUNDS:
        return _BOUNDS[keyword].format(_text(value) + unit_words)
    if keyword in _COUNTS:
        return _COUNTS[keyword].format(_text(value))
    if keyword == "required":
        return "it to be given" if value else "nothing"
    if keyword == "enum" and isinstance(value, list):
        return "one of " + ", ".join(_text(v) if not isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                                     for v in value)
    if keyword == "const":
        return "exactly " + json.dumps(value, ensure_ascii=False)
    if keyword == "pattern":
        return f"text matching {_text(value)}"
    if keyword == "type":
        return "a value of type " + (" or ".join(value) if isinstance(value, list) else _text(value))
    if keyword == "multipleOf":
        return f"a multiple of {_text(value)}"
    if keyword == "uniqueItems":
        return "unique items" if value else "nothing about uniqueness"
    if keyword == "additionalProperties" and value is False:
        return "no other members"
    if keyword == "format":
        return f"format {_text(value)}"
    return f"{keyword} {_text(value)}"


def _cited(phrase: str, rule: Optional[dict]) -> str:
    citation = rule.get("citation") if isinstance(rule, dict) else None
    return f"{phrase} ({citation})" if citation else phrase


def _where(path: str, condition: str | None) -> str:
    where = path or "the document"
    return f"{where}, {condition}" if condition else where


# ---- version diffs: older -> newer ----------------------------------------------------------------------------

def version_change(difference: dict, units: dict[str, str] | None = None) -> dict[str, Any]:
    """One difference of the engine (left = older, right = newer) as the story of a change: `change` is one of
    CHANGE_WORDS; the engine's own word stays under `older_vs_newer`."""
    engine = difference["direction"]
    return {"path": difference["path"], "keyword": difference["keyword"], "change": CHANGE.get(engine, "changed"),
            "older": difference.get("left"), "newer": difference.get("right"),
            "older_rule": difference.get("left_rule"), "newer_rule": difference.get("right_rule"),
            "condition": difference.get("condition"), "older_vs_newer": engine,
            "unit": (units or {}).get(difference["path"]), **_conditions(difference, "older", "newer")}


def _conditions(difference: dict, left: str, right: str) -> dict[str, Any]:
    """A rule both sides state under different conditions: each side's condition (raw, as the engine gives it)."""
    found = difference.get("conditions")
    return {"conditions": {left: found["left"], right: found["right"]}} if found else {}


def breaking_change(difference: dict) -> dict[str, Any]:
    """A breaking difference of a compatibility check (seen from the newer version) in the same words: `change`,
    and the engine's word under `newer_vs_older`."""
    shown = {k: v for k, v in difference.items() if k != "direction"}
    return {**shown, "change": CHANGE_FROM_NEWER.get(difference["direction"], "changed"),
            "newer_vs_older": difference["direction"]}


def describe_change(change: dict, older: str, newer: str, condition: str | None = None) -> str:
    """The change in one sentence, both sides' values with their citations:
    "/customs/…/amount: loosened: @1 required at most 2000 (…); @2 requires at most 5000 (…)"."""
    word, keyword, unit = change["change"], change["keyword"], change.get("unit")
    before = _cited(requirement(keyword, change["older"], unit), change.get("older_rule"))
    after = _cited(requirement(keyword, change["newer"], unit), change.get("newer_rule"))
    where = _where(change["path"], condition)
    if word == "added":
        return f"{where}: added: {newer} requires {after}; {older} had no such rule"
    if word == "removed":
        return f"{where}: removed: {older} required {before}; {newer} has no such rule"
    tail = {"unknown": " (undecided which accepts more)", "incompatible": " (no value satisfies both)",
            "changed": " (neither includes the other)"}.get(change.get("older_vs_newer", ""), "")
    scope = "; it applies in other cases than before" if change.get("conditions") else ""
    return f"{where}: {word}{tail}: {older} required {before}; {newer} requires {after}{scope}"


def verdict(relation: str, changes: Iterable[dict]) -> str:
    """The change as a whole: the one word every difference shares (`loosened` when all loosened), `mixed` when
    they differ, `unchanged` with no difference; `unknown` when the engine could not decide and saw no
    difference either."""
    words = {c["change"] for c in changes}
    if len(words) == 1:
        return words.pop()
    if words:
        return MIXED
    return UNKNOWN if relation == "unknown" else UNCHANGED


def effect(relation: str, older: str, newer: str) -> str:
    """What the engine's relation "older is <relation> than newer" means for profiles, in words."""
    return EFFECT.get(relation, EFFECT["unknown"]).format(old=older, new=newer)


# ---- two sides: left vs right ----------------------------------------------------------------------------------

def side_by_side(difference: dict, left: str, right: str, units: dict[str, str] | None = None) -> dict[str, Any]:
    """One difference between two sides, with the side named whose rule is the stricter (`stricter_side`) or which
    alone has the rule (`only_side`); the engine's word stays under `left_vs_right`."""
    engine = difference["direction"]
    stricter = {"stricter": left, "looser": right}.get(engine)
    only = {"added": left, "removed": right}.get(engine)
    return {**difference, "left_vs_right": engine, "stricter_side": stricter, "only_side": only,
            "unit": (units or {}).get(difference["path"])}




def describe_difference(row: dict, left: str, right: str, condition: str | None = None) -> str:
    """"EU requires at least 14 days (Art 9(1)); CN at least 7 days (Art 25): CN's rule is weaker"."""
    keyword, unit, engine = row["keyword"], row.get("unit"), row["left_vs_right"]
    lp = _cited(requirement(keyword, row.get("left"), unit), row.get("left_rule"))
    rp = _cited(requirement(keyword, row.get("right"), unit), row.get("right_rule"))
    where = _where(row["path"], condition)
    if engine == "added":
        return f"{where}: {left} requires {lp}; {right} has no such rule"
    if engine == "removed":
        return f"{where}: {left} has no such rule; {right} requires {rp}"
    verdicts = {"stricter": f"{right}'s rule is weaker", "looser": f"{right}'s rule is stricter",
                "incompatible": "no value satisfies both", "changed": "neither rule includes the other",
                "unknown": "undecided which rule is stricter"}
    said = verdicts.get(engine, "the rules differ")
    if row.get("conditions"):
        both = row.get("where_both_apply")
        if engine not in ("stricter", "looser") and both in ("stricter", "looser"):
            said = f"where both apply, {verdicts[both]}"
        said += "; they apply in different cases"
    return f"{where}: {left} requires {lp}; {right} {rp}: {said}"


# ---- the vocabulary: row order and units -----------------------------------------------------------------------

def vocabulary_order(vocabulary: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Each instance path of the vocabulary in the order it defines them (properties depth first), and the unit
    its description names ("Unit: days"), for aligning rows of two sides by path."""
    order: dict[str, int] = {}
    units: dict[str, str] = {}
    defs = vocabulary.get("$defs", {}) if isinstance(vocabulary, dict) else {}

    def walk(schema: Any, path: str, depth: int) -> None:
        if not isinstance(schema, dict) or depth > 16:
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            walk(defs.get(ref.removeprefix("#/$defs/")), path, depth + 1)
        found = _UNIT.search(str(schema.get("description") or ""))
        if found and path:
            units.setdefault(path, found.group(1))
        for name, sub in (schema.get("properties") or {}).items():
            child = f"{path}/{name}"
            order.setdefault(child, len(order))
            walk(sub, child, depth + 1)
        if isinstance(schema.get("items"), dict):
            order.setdefault(f"{path}/*", len(order))
            walk(schema["items"], f"{path}/*", depth + 1)

    walk(vocabulary, "", 0)
    return order, units


def aligned(rows: list[dict], order: dict[str, int]) -> list[dict]:
    """Rows sorted by the vocabulary's order of their paths (paths it does not define last, by name); rows of
    one path keep the engine's order."""
    end = len(order)
    return sorted(rows, key=lambda r: (order.get(r["path"], end), r["path"] if r["path"] not in order else ""))
