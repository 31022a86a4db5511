"""Across markets: the strictest combined requirement per path, and the conflicts no profile can satisfy,
from the comparison engine's merge_strictest."""

from __future__ import annotations

from typing import Any, Iterable

from comparisons import merge_strictest
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


def combine(results: Iterable[MarketResult], *, format_assertion: bool = True) -> tuple[list[dict], list[dict]]:
    """(requirements, conflicts) over the constraints that apply to the profile in each market."""
    constrained = [r for r in results if r.constraints]
    if not constrained:
        return [], []
    if len(constrained) == 1:  # nothing to combine across: list what applies, as it is (merging costs milliseconds)
        [result] = constrained
        return [{"path": path, "keyword": keyword, "value": value, "labels": [result.market],
                 "rules": [rule] if rule else [], "condition": None}
                for path, keyword, value, rule, _ in result.constraints
                if keyword not in ("properties", "patternProperties", "dependentSchemas")], []
    inputs = {r.market: applicable_schema(r) for r in constrained}
    merged = merge_strictest(inputs, format_assertion=format_assertion)
    requirements = [r.to_dict() for r in merged.requirements if r.keyword != "type"]
    return requirements, [c.to_dict() for c in merged.conflicts]
