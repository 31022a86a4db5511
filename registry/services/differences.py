"""A version diff told from the newer side, and a comparison's differences with their sides named: the one service
behind the diff API, the diff page and their exports, and behind the compare answers (words in
registry.domain.change_words)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlmodel import Session, select

from comparisons import check_compatibility, is_subschema
from comparisons.bounded import BoundedCache
from comparisons.budget import Budget
from comparisons.constraints import flatten
from comparisons.differences import COMPARATORS, differences
from registry.domain import change_words, conditions, lifecycle, provenance
from registry.services.compliance import PROFILE_VOCABULARY
from registry.storage.tables import Document, Version

_WORDS = BoundedCache("vocabulary-order", 8, 4_000_000)  # by the vocabulary's content hash
NO_WORDS: tuple[dict[str, int], dict[str, str]] = ({}, {})


def vocabulary_words(session: Session | None) -> tuple[dict[str, int], dict[str, str]]:
    """The newest published operating-profile vocabulary's path order and units (none before the corpus is loaded)."""
    if session is None:
        return NO_WORDS
    namespace, slug = PROFILE_VOCABULARY.split("/")
    document = session.exec(select(Document).where(Document.namespace == namespace, Document.slug == slug)).first()
    versions = session.exec(select(Version).where(Version.document_id == document.id)).all() if document else []
    chosen = lifecycle.select_latest(versions)
    if chosen is None:
        return NO_WORDS
    found = _WORDS.get(chosen.content_hash)
    if found is None:
        found = _WORDS[chosen.content_hash] = change_words.vocabulary_order(chosen.body)
    return found


PAIR_SECONDS = 1.0  # for deciding every paired row of one answer; past it a pair reads `unknown`


def _constraint(schema: Any, row: dict) -> Any:
    condition = row.get("condition") or []
    for c in flatten(schema):
        if c.path == row["path"] and c.keyword == row["keyword"] and [x.to_dict() for x in c.conditions] == condition:
            return c
    return None


def _direction(left: Any, right: Any, format_assertion: bool, budget: Budget) -> str:
    """The engine's word for two single-rule schemas (each inside its own conditions), seen from the left;
    `unknown` when containment is undecided either way (or out of time)."""
    if left is None or right is None or budget.remaining() <= 0:
        return "unknown"
    lr = is_subschema(left.schema(), right.schema(), format_assertion=format_assertion, budget=budget).answer
    rl = is_subschema(right.schema(), left.schema(), format_assertion=format_assertion, budget=budget).answer
    if "unknown" in (lr, rl):
        return "unknown"
    return {("yes", "no"): "stricter", ("no", "yes"): "looser", ("yes", "yes"): "equivalent"}.get((lr, rl), "changed")


def paired(a: Any, b: Any, rows: list[dict], *, format_assertion: bool = False) -> list[dict]:
    """One row for a rule both sides state at the same path and keyword under different conditions (the engine
    reports it as one side's rule and the other's): both values, both rules, both conditions under
    `conditions`, and the direction of the two rules each within its condition, decided by containment."""
    alone: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["direction"] in ("added", "removed"):
            alone.setdefault((row["path"], row["keyword"]), []).append(row)
    budget = Budget(seconds=PAIR_SECONDS)
    out: list[dict] = []
    for row in rows:
        group = alone.get((row["path"], row["keyword"]), [])
        if len(group) != 2 or {r["direction"] for r in group} != {"added", "removed"}:
            out.append(row)
            continue
        if row is not group[0]:
            continue
        left = next(r for r in group if r["direction"] == "added")  # the left side's rule, absent on the right
        right = next(r for r in group if r["direction"] == "removed")
        direction = _direction(_constraint(a, left), _constraint(b, right), format_assertion, budget)
        if direction == "equivalent":
            continue  # the same rule, restated: no difference
        values = COMPARATORS.get(row["keyword"], lambda x, y: "changed")(left["left"], right["right"])
        out.append({**left, "right": right["right"], "right_rule": right["right_rule"], "direction": direction,
                    "conditions": {"left": left.get("condition"), "right": right.get("condition")},
                    "where_both_apply": values or "equivalent"})
    return out


def _rule(rule: Any) -> Any:
    return provenance.rule_view(rule) if isinstance(rule, dict) else rule


def ordered(a: Version, b: Version) -> tuple[Version, Version]:
    """The two versions of a diff, older first in whichever order they were asked for: the one that takes effect
    first, or, on the same day (a correction) or without a date on either (a draft), the one recorded first (the
    smaller number)."""
    def key(v: Version) -> tuple[dt.date, int]:
        dated = a.effective_from is not None and b.effective_from is not None
        return ((v.effective_from or dt.date.min) if dated else dt.date.min, v.number)

    return (a, b) if key(a) <= key(b) else (b, a)


def compatibility_mode(document: Document) -> str:
    """The document's policy, or BACKWARD where it has none, without the transitive part (two versions only)."""
    return (document.compatibility if document.compatibility != "NONE" else "BACKWARD").removesuffix("_TRANSITIVE")


def version_diff(cache: Any, older: Version, newer: Version, *, mode: str, format_assertion: bool,
                 words: tuple[dict[str, int], dict[str, str]] = NO_WORDS,
                 titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the change @older -> @newer did: per difference `tightened`, `loosened`, `added`, `removed` or
    `changed` with both values and both rules, the overall `verdict`, the engine's relation under
    `containment.older_vs_newer`, witnesses by side and the compatibility check of `mode`."""
    old, new = f"@{older.number}", f"@{newer.number}"
    comparison = cache.compare(older.body, newer.body, format_assertion=format_assertion, labels=(old, new)).to_dict()
    found = comparison["differences"]
    if not found and older.content_hash != newer.content_hash:
        # equivalent bodies can still differ rule by rule (a new rule that others already imply): say which
        found = [d.to_dict() for d in differences(older.body, newer.body, (old, new))]
    order, units = words
    found = paired(older.body, newer.body, found, format_assertion=format_assertion)
    changes = [change_words.version_change(d, units) for d in change_words.aligned(found, order)]
    for change in changes:
        change["older_rule"], change["newer_rule"] = _rule(change["older_rule"]), _rule(change["newer_rule"])
        change["summary"] = _with_conditions(change, change_words.describe_change(
            change, old, new, _condition_words(change, titles or {}, old, new)))
    relation = comparison["relation"]
    containment: dict[str, Any] = {"older_vs_newer": relation,
                                   "older_in_newer": comparison["left_in_right"],
                                   "newer_in_older": comparison["right_in_left"]}
    if comparison.get("reason"):
        containment["reason"] = comparison["reason"]
    witnesses = {name: comparison[key] for name, key in (("only_older", "only_left"), ("only_newer", "only_right"),
                                                          ("both", "both")) if key in comparison}
    compatibility = check_compatibility(older.body, newer.body, mode, format_assertion=format_assertion).to_dict()
    compatibility["differences"] = [change_words.breaking_change(d) for d in compatibility["differences"]]
    return {"older": old, "newer": new, "verdict": change_words.verdict(relation, changes),
            "effect": change_words.effect(relation, old, new), "containment": containment,
            "differences": changes, "witnesses": witnesses, "compatibility": compatibility}


def _condition_words(row: dict[str, Any], titles: Mapping[str, str], left: str, right: str) -> str | None:
    """Sets the row's `applies_when` (registry.domain.conditions: its condition in the vocabulary's words, None when
    the rule always applies) and returns the words its summary starts from; a row pairing one rule under two
    conditions names each side's condition and its summary ends with them instead."""
    paired_on = row.get("conditions")
    if not paired_on:
        row["applies_when"] = conditions.applies_when(row.get("condition"), titles)
        return row["applies_when"]
    sides = ("older", "newer") if "older" in paired_on else ("left", "right")
    each = [(conditions.applies_when(paired_on.get(side), titles) or "applies in every case")[len("applies "):]
            for side in sides]
    row["applies_when"] = f"applies {each[0]} ({left}'s rule); {each[1]} ({right}'s rule)"
    return None


def _with_conditions(row: dict[str, Any], summary: str) -> str:
    return f"{summary} ({row['applies_when']})" if row.get("conditions") else summary


def name_sides(comparison: dict[str, Any], words: tuple[dict[str, int], dict[str, str]] = NO_WORDS,
               schemas: tuple[Any, Any] | None = None, *, format_assertion: bool = False,
               titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A comparison's differences aligned by vocabulary path, each naming the stricter side or the side that alone
    has the rule, in a sentence; the relation also under `containment.left_vs_right`."""
    left, right = comparison["left"]["label"], comparison["right"]["label"]
    order, units = words
    found = comparison["differences"]
    if schemas is not None:
        found = paired(*schemas, found, format_assertion=format_assertion)
    rows = [change_words.side_by_side(d, left, right, units) for d in change_words.aligned(found, order)]
    for row in rows:
        row["summary"] = _with_conditions(row, change_words.describe_difference(
            row, left, right, _condition_words(row, titles or {}, left, right)))
    return {**comparison, "differences": rows, "containment": {"left_vs_right": comparison["relation"]}}
