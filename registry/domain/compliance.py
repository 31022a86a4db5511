"""Checking an operating profile against the rules in force in a market: violations with their citations,
rules that apply but cannot be checked by machine, and facts a rule needs that the profile does not state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from registry.domain import rules
from registry.domain.jsonbody import pointer_join
from registry.domain.validation import Failure, checker

COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, NOT_CHECKABLE = "compliant", "non_compliant", "not_applicable", "not_checkable"
_MISSING = object()


@dataclass(frozen=True)
class RuleVersion:
    """One in-force version of one rule document that applies in a market (its own, or a bloc's)."""

    market: str
    jurisdiction: str
    document: str
    number: int
    content_hash: str
    topic: str
    schema: dict

    @property
    def ref(self) -> str:
        return f"{self.document}@{self.number}"


@dataclass
class Violation:
    path: str
    keyword: str
    expected: Any
    actual: Any
    message: str
    document: str
    rule: dict | None

    @property
    def obligation(self) -> str:
        return (self.rule or {}).get("obligation", "must")


@dataclass
class MarketResult:
    market: str
    status: str
    violations: list[Violation] = field(default_factory=list)
    advisories: list[Violation] = field(default_factory=list)  # broken `should` rules
    not_checkable: list[dict] = field(default_factory=list)
    unstated: list[dict] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    applicable: int = 0
    # (instance path, keyword, value, rule, document) of every machine-checkable constraint that applies
    constraints: list[tuple[str, str, Any, dict | None, str]] = field(default_factory=list)


# ---- what a document says, computed once per content hash --------------------------------------------------

@dataclass(frozen=True)
class _Condition:
    if_pointer: str
    instance_path: tuple[str, ...] | None  # None: inside arrays or patterns, where the instance is not followed
    must_hold: bool  # True under `then`, False under `else`


@dataclass(frozen=True)
class _Item:
    pointer: str
    instance_path: str
    rule: dict | None
    conditions: tuple[_Condition, ...]
    checkable: bool
    keyword: str = ""
    value: Any = None


_ANALYSES: dict[str, list[_Item]] = {}


def _conditions(schema: dict, pointer: str) -> tuple[_Condition, ...]:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node: Any = schema
    where: list[str] | None = []
    found: list[_Condition] = []
    i = 0
    while i < len(tokens) and isinstance(node, dict):
        key = tokens[i]
        if key in ("properties", "patternProperties", "dependentSchemas", "$defs") and i + 1 < len(tokens):
            name = tokens[i + 1]
            node = node.get(key, {}).get(name)
            if key == "properties" and where is not None:
                where.append(name)
            elif key != "dependentSchemas":
                where = None
            i += 2
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and i + 1 < len(tokens):
            node = node[key][int(tokens[i + 1])]
            where = None if key == "prefixItems" else where
            i += 2
        elif key in ("then", "else"):
            if "if" in node:
                found.append(_Condition(pointer_join(*tokens[:i], "if"), tuple(where) if where is not None else None,
                                        key == "then"))
            node = node[key]
            i += 1
        else:  # items, contains, not, additionalProperties …: the instance is no longer followed
            node = node.get(key)
            where = None if key != "not" else where
            i += 1
    return tuple(found)


def analyse(content_hash: str, schema: dict) -> list[_Item]:
    """Every constraint and every not-machine-checkable rule of a schema, with the conditions it depends on."""
    items = _ANALYSES.get(content_hash)
    if items is None:
        items = []
        for constraint in rules.iter_constraints(schema):
            items.append(_Item(constraint.pointer, constraint.instance_path, constraint.rule,
                               _conditions(schema, constraint.pointer), True, constraint.keyword, constraint.value))
        for rule in rules.rules_not_machine_checkable(schema):
            items.append(_Item(rule["pointer"], rule["instance_path"],
                               {k: v for k, v in rule.items() if k not in ("pointer", "instance_path")},
                               _conditions(schema, rule["pointer"]), False))
        _ANALYSES[content_hash] = items
    return items


def _at(instance: Any, path: Iterable[str]) -> Any:
    for name in path:
        if not isinstance(instance, dict) or name not in instance:
            return _MISSING
        instance = instance[name]
    return instance


def _sub_schema(schema: dict, pointer: str) -> Any:
    node: Any = schema
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, dict) and "$defs" in schema and "$defs" not in node:
        node = {**node, "$defs": schema["$defs"]}  # keep local references resolvable
    return node


_CONDITIONS: dict[tuple[str, str, str, bool], Any] = {}


def _condition_checker(version: RuleVersion, pointer: str, engine: str, format_assertion: bool) -> Any:
    key = (version.content_hash, pointer, engine, format_assertion)
    found = _CONDITIONS.get(key)
    if found is None:
        found = _CONDITIONS[key] = checker(f"{version.content_hash}#{pointer}", _sub_schema(version.schema, pointer),
                                           engine=engine, format_assertion=format_assertion)
    return found


def _applies(version: RuleVersion, item: _Item, profile: Any, engine: str, format_assertion: bool,
             memo: dict) -> bool:
    for condition in item.conditions:
        if condition.instance_path is None:
            continue  # cannot follow the instance there: count the rule as applying (the cautious answer)
        key = (version.content_hash, condition.if_pointer, condition.instance_path)
        if key not in memo:
            value = _at(profile, condition.instance_path)
            if value is _MISSING:
                memo[key] = None  # the branch is never evaluated
            else:
                memo[key] = _condition_checker(version, condition.if_pointer, engine, format_assertion).is_valid(value)
        if memo[key] is None or memo[key] != condition.must_hold:
            return False
    return True


# ---- turning failures into violations ----------------------------------------------------------------------

def _brief(value: Any, limit: int = 120) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= limit else text[: limit - 1] + "…"


_WORDS = {
    "minimum": "at least {}", "maximum": "at most {}", "exclusiveMinimum": "more than {}",
    "exclusiveMaximum": "less than {}", "const": "exactly {}", "enum": "one of {}", "multipleOf": "a multiple of {}",
    "minLength": "at least {} characters", "maxLength": "at most {} characters", "pattern": "to match {}",
    "minItems": "at least {} items", "maxItems": "at most {} items", "uniqueItems": "unique items",
    "contains": "an item matching {}", "type": "a value of type {}", "format": "the format {}",
    "minProperties": "at least {} facts", "maxProperties": "at most {} facts",
}


def describe(keyword: str, expected: Any, actual: Any) -> str:
    if keyword == "required":
        return f"requires {actual} to be stated"
    if keyword == "contains" and isinstance(expected, dict) and "const" in expected:
        return f"requires an item {json.dumps(expected['const'])}; the profile has {json.dumps(_brief(actual))}"
    if keyword == "not":
        return f"forbids {json.dumps(_brief(actual))} here"
    if keyword in ("anyOf", "oneOf", "allOf", "if", "then", "else", "dependentRequired", "dependentSchemas"):
        return f"the profile's value {json.dumps(_brief(actual))} does not satisfy the rule ({keyword})"
    words = _WORDS.get(keyword, keyword + " {}").format(json.dumps(_brief(expected)))
    return f"requires {words}; the profile has {json.dumps(_brief(actual))}"


def _violations(version: RuleVersion, failure: Failure) -> Iterable[Violation]:
    keyword = failure.keyword
    expected = _expected(version.schema, failure.schema_path)
    rule = rules.rule_at(version.schema, list(failure.schema_path))
    if keyword == "required" and isinstance(expected, list) and isinstance(failure.instance, dict):
        for name in (n for n in expected if n not in failure.instance):
            path = pointer_join(*failure.instance_path, name)
            yield Violation(path, keyword, expected, None, describe(keyword, expected, path), version.ref, rule)
        return
    path = pointer_join(*failure.instance_path)
    yield Violation(path, keyword, expected, _brief(failure.instance), describe(keyword, expected, failure.instance),
                    version.ref, rule)


def _expected(schema: dict, schema_path: Sequence[str | int]) -> Any:
    node: Any = schema
    for token in schema_path:
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


# ---- one market --------------------------------------------------------------------------------------------

def check_market(market: str, versions: Sequence[RuleVersion], profile: Any, *, engine: str = "rust",
                 format_assertion: bool = True) -> MarketResult:
    result = MarketResult(market=market, status=NOT_APPLICABLE, documents=[v.ref for v in versions])
    memo: dict = {}
    for version in versions:
        check = checker(version.content_hash, version.schema, engine=engine, format_assertion=format_assertion)
        for failure in check.failures(profile):
            for violation in _violations(version, failure):
                (result.violations if violation.obligation == "must" else result.advisories).append(violation)
        for item in analyse(version.content_hash, version.schema):
            if not _applies(version, item, profile, engine, format_assertion, memo):
                continue
            citation = {**(item.rule or {}), "path": item.instance_path, "document": version.ref}
            if not item.checkable:
                result.not_checkable.append(citation)
                continue
            result.applicable += 1
            result.constraints.append((item.instance_path, item.keyword, item.value, item.rule, version.ref))
            if "*" not in item.instance_path and _at(profile, item.instance_path.split("/")[1:]) is _MISSING:
                result.unstated.append(citation)
    result.unstated = _unique(result.unstated)
    result.applicable = len({(c[0], c[4]) for c in result.constraints})
    # the status says what a machine could check; rules to review by hand are listed beside it
    if result.violations:
        result.status = NON_COMPLIANT
    elif result.applicable or result.advisories:
        result.status = COMPLIANT
    elif result.not_checkable:
        result.status = NOT_CHECKABLE
    return result


def _unique(citations: list[dict]) -> list[dict]:
    seen, out = set(), []
    for citation in citations:
        key = (citation.get("path"), citation.get("id"), citation.get("document"))
        if key not in seen:
            seen.add(key)
            out.append(citation)
    return out
