"""Across markets: the strictest combined requirement per path, and the conflicts no profile can satisfy,
from the comparison engine's merge_strictest."""

from __future__ import annotations

import json
from typing import Any, Iterable

from comparisons import Requirement, merge_strictest
from registry.domain.compliance import MarketResult


def _at_path(instance_path: str, schema: dict) -> dict:
    for segment in reversed(instance_path.split("/")[1:]):
        segment = segment.replace("~1", "/").replace("~0", "~")
        schema = {"items": schema} if segment == "*" else {"properties": {segment: schema}}
    return schema


def applicable_schema(result: MarketResult) -> dict:
    """The constraints that apply to this profile in one market, without their conditions."""
    parts = []
    for path, keyword, value, rule, _document in result.constraints:
        if keyword in ("properties", "patternProperties", "dependentSchemas"):
            continue  # a `false` member: already checked; not a bound to combine
        body: dict[str, Any] = {keyword: value}
        if rule:
            body["x-rule"] = rule
        parts.append(_at_path(path, body))
    return {"allOf": parts} if parts else {}


def _listed(result: MarketResult, markets: list[str]) -> list[dict]:
    """What applies in one market (or in markets with the same constraints), as it is: nothing to combine."""
    return [{"path": path, "keyword": keyword, "value": value, "labels": markets,
             "rules": [rule] if rule else [], "condition": None}
            for path, keyword, value, rule, _ in result.constraints
            if keyword not in ("properties", "patternProperties", "dependentSchemas")]


def distinct_markets(results: Iterable[MarketResult]) -> tuple[dict[str, list[str]], dict[str, dict], dict[str, MarketResult]]:
    """Markets whose applicable constraints are the same, grouped under the first of them: (label -> the markets it
    stands for, label -> the applicable schema, label -> its result); markets with nothing applicable are left out."""
    groups: dict[str, list[str]] = {}
    inputs: dict[str, dict] = {}
    first: dict[str, MarketResult] = {}
    seen: dict[str, str] = {}
    for r in results:
        if not r.constraints:
            continue
        schema = applicable_schema(r)
        key = json.dumps(schema, sort_keys=True, default=str)
        if key in seen:
            groups[seen[key]].append(r.market)
            continue
        seen[key] = r.market
        groups[r.market], inputs[r.market], first[r.market] = [r.market], schema, r
    return groups, inputs, first


def combine(results: Iterable[MarketResult], *, format_assertion: bool = True) -> tuple[list[dict], list[dict]]:
    """(requirements, conflicts) over the constraints that apply to the profile in each market. Markets whose
    applicable constraints are the same (the EU and its member states on EU law, say) are merged once, under the
    first of them, and each requirement and conflict names all of them (merging costs milliseconds a market)."""
    applying = [r for r in results if r.constraints]
    if not applying:
        return [], []
    if len(applying) == 1:  # one market: nothing to merge, and no key to compare (its JSON text cost ~10% of a check)
        return _listed(applying[0], [applying[0].market]), []
    groups, inputs, first = distinct_markets(applying)
    if len(inputs) == 1:
        [(label, result)] = first.items()
        return _listed(result, groups[label]), []
    merged = merge_strictest(inputs, format_assertion=format_assertion, schema=False)  # only requirements and conflicts are read
    requirements = [_requirement(r, groups) for r in merged.requirements if r.keyword != "type"]
    return requirements, [_named(c.to_dict(), groups) for c in merged.conflicts]


def _requirement(r: Requirement, groups: dict[str, list[str]]) -> dict:
    """A requirement as `Requirement.to_dict()` gives it, each group's label replaced by its markets, without deep
    copies of the rule annotations (their quoted sources are most of the bytes; nothing here changes them)."""
    return {"path": r.path, "keyword": r.keyword, "value": r.value,
            "labels": [m for label in r.labels for m in groups.get(label, [label])],
            "rules": list(r.rules), "condition": r.condition}


def _named(item: dict, groups: dict[str, list[str]]) -> dict:
    """An item of merge_strictest with each group's label replaced by the markets it stands for."""
    if isinstance(item.get("labels"), list):
        item["labels"] = [m for label in item["labels"] for m in groups.get(label, [label])]
    return item
