"""Constraints and their `x-rule` annotations in a rule schema, and the instance paths they touch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

__all__ = [
    "ASSERTION_KEYWORDS",
    "Constraint",
    "constrained_paths",
    "iter_constraints",
    "rule_at",
    "rules_not_machine_checkable",
    "unannotated_constraints",
    "unknown_paths",
    "vocabulary_paths",
]


@dataclass(frozen=True)
class Constraint:
    """One assertion keyword of a schema, where it sits, what it constrains and the rule that cites it."""

    pointer: str
    keyword: str
    value: object
    instance_path: str
    rule: dict | None
    condition_pointers: tuple[str, ...]


# Draft 2020-12 validation vocabulary plus `format` (asserted here) and `contains` (fails by itself); not `type`.
ASSERTION_KEYWORDS: frozenset[str] = frozenset({
    "const", "enum",
    "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "format",
    "maxItems", "minItems", "uniqueItems", "contains", "maxContains", "minContains",
    "maxProperties", "minProperties", "required", "dependentRequired",
})

REQUIRED_RULE_FIELDS = ("citation", "sources", "confidence")  # `sources` or, where still taken, the old `source'


_NAMED = ("properties", "patternProperties", "dependentSchemas", "$defs")  # keyword -> {name: schema}
_LISTED = ("allOf", "anyOf", "oneOf", "prefixItems")  # keyword -> [schema, ...]
_SINGLE = ("items", "additionalProperties", "contains", "not", "if", "then", "else",
           "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_ITEM_KEYWORDS = ("items", "prefixItems", "contains", "unevaluatedItems")
_ANY_MEMBER_KEYWORDS = ("patternProperties", "additionalProperties", "unevaluatedProperties")
_FALSE_ASSERTS = ("items", "additionalProperties", "contains", "then", "else", "unevaluatedItems", "unevaluatedProperties")


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _join(pointer: str, *tokens: object) -> str:
    return pointer + "".join("/" + _escape(t) for t in tokens)


@dataclass(frozen=True)
class _Node:
    schema: Any
    pointer: str
    instance_path: str
    rule: dict | None
    conditions: tuple[str, ...]
    in_if: bool


def _children(node: _Node) -> Iterator[_Node]:
    """The sub-schemas of a schema node, with their own pointers, instance paths and conditions."""
    schema = node.schema
    if not isinstance(schema, dict):
        return
    rule = schema.get("x-rule") if isinstance(schema.get("x-rule"), dict) else node.rule
    here = node.instance_path
    for keyword, value in schema.items():
        if keyword in _NAMED and isinstance(value, dict):
            for name, sub in value.items():
                if keyword == "properties":
                    path = _join(here, name)
                elif keyword == "patternProperties":
                    path = _join(here, "*")
                else:  # dependentSchemas apply to the object itself; $defs are read at the root's place
                    path = here
                yield _Node(sub, _join(node.pointer, keyword, name), path, rule, node.conditions, node.in_if)
        elif keyword in _LISTED and isinstance(value, list):
            path = _join(here, "*") if keyword == "prefixItems" else here
            for index, sub in enumerate(value):
                yield _Node(sub, _join(node.pointer, keyword, index), path, rule, node.conditions, node.in_if)
        elif keyword in _SINGLE and isinstance(value, (dict, bool)):
            if keyword == "propertyNames" or keyword == "contentSchema":
                continue  # they describe names or decoded content, not a value of the profile
            pointer = _join(node.pointer, keyword)
            if keyword in _ITEM_KEYWORDS or keyword in _ANY_MEMBER_KEYWORDS:
                path = _join(here, "*")
            else:
                path = here
            if keyword == "if":
                yield _Node(value, pointer, path, rule, node.conditions, True)
            elif keyword in ("then", "else"):
                condition = _join(node.pointer, "if")
                conditions = node.conditions + (condition,) if "if" in schema else node.conditions
                yield _Node(value, pointer, path, rule, conditions, node.in_if)
            else:
                yield _Node(value, pointer, path, rule, node.conditions, node.in_if)


def _walk(schema: Any) -> Iterator[_Node]:
    """Every schema node, depth first, including those inside `if`."""
    stack = [_Node(schema, "", "", None, (), False)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(_children(node))))


def _assertions(node: _Node) -> Iterator[Constraint]:
    schema = node.schema
    if not isinstance(schema, dict):
        return
    rule = schema.get("x-rule") if isinstance(schema.get("x-rule"), dict) else node.rule
    for keyword, value in schema.items():
        if keyword in ASSERTION_KEYWORDS:
            yield Constraint(node.pointer, keyword, value, node.instance_path, rule, node.conditions)
        elif value is False and keyword in _FALSE_ASSERTS:
            # a `false` sub-schema asserts that nothing is allowed there
            yield Constraint(node.pointer, keyword, False, node.instance_path, rule, node.conditions)
    for keyword in ("properties", "patternProperties", "dependentSchemas"):
        for name, sub in (schema.get(keyword) or {}).items() if isinstance(schema.get(keyword), dict) else ():
            if sub is False:
                yield Constraint(node.pointer, keyword, {name: False}, node.instance_path, rule, node.conditions)


def iter_constraints(schema: dict) -> list[Constraint]:
    """Every assertion keyword outside `if` sub-schemas, with its nearest x-rule and conditions."""
    return [c for node in _walk(schema) if not node.in_if for c in _assertions(node)]


def _complete(rule: dict | None) -> bool:
    """A citation, a confidence and sources (their quotes and links are registry.domain.provenance's to judge)."""
    return isinstance(rule, dict) and bool(rule.get("citation")) and bool(rule.get("confidence")) \
        and bool(rule.get("sources") or rule.get("source"))


def unannotated_constraints(schema: dict) -> list[Constraint]:
    """Constraints whose nearest x-rule is missing or lacks a citation, sources or confidence."""
    return [c for c in iter_constraints(schema) if not _complete(c.rule)]


def rules_not_machine_checkable(schema: dict) -> list[dict]:
    """Copies of x-rules marked machine_checkable false, each with its `instance_path` and schema `pointer`."""
    found = []
    for node in _walk(schema):
        if node.in_if or not isinstance(node.schema, dict):
            continue
        rule = node.schema.get("x-rule")
        if isinstance(rule, dict) and rule.get("machine_checkable") is False:
            found.append({**rule, "instance_path": node.instance_path, "pointer": node.pointer})
    return found


def constrained_paths(schema: dict) -> set[str]:
    """Instance paths the schema constrains, conditions on or names (properties, required), inside `if` too."""
    paths: set[str] = set()
    for node in _walk(schema):
        if not isinstance(node.schema, dict):
            continue
        if node.instance_path and (_assertions_present(node.schema) or node.pointer.split("/")[-2:-1] == ["properties"]):
            paths.add(node.instance_path)
        for name in node.schema.get("required") or () if isinstance(node.schema.get("required"), list) else ():
            paths.add(_join(node.instance_path, name))
        dependent = node.schema.get("dependentRequired")
        if isinstance(dependent, dict):
            for name, names in dependent.items():
                paths.add(_join(node.instance_path, name))
                paths.update(_join(node.instance_path, n) for n in names if isinstance(n, str))
    return paths


def _assertions_present(schema: dict) -> bool:
    return any(k in ASSERTION_KEYWORDS for k in schema)


def _resolve_local(root: Any, ref: str) -> Any:
    if not ref.startswith("#"):
        return None
    node = root
    fragment = ref[1:]
    if not fragment:
        return root
    for token in fragment.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def vocabulary_paths(vocabulary_schema: dict) -> set[str]:
    """Every instance path the vocabulary defines: properties recursively, `/*` for items, local $ref followed."""
    paths: set[str] = set()
    seen: set[tuple[int, str]] = set()
    # each entry carries the $refs followed to reach it, so a recursive definition stops instead of growing forever
    stack: list[tuple[Any, str, frozenset[str]]] = [(vocabulary_schema, "", frozenset())]
    while stack:
        schema, path, followed = stack.pop()
        if not isinstance(schema, dict) or (id(schema), path) in seen:
            continue
        seen.add((id(schema), path))
        if path:
            paths.add(path)
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref not in followed:
            stack.append((_resolve_local(vocabulary_schema, ref), path, followed | {ref}))
        children: list[tuple[Any, str]] = []
        for name, sub in (schema.get("properties") or {}).items():
            children.append((sub, _join(path, name)))
        for sub in (schema.get("patternProperties") or {}).values():
            children.append((sub, _join(path, "*")))
        for keyword in ("items", "contains", "additionalProperties", "unevaluatedItems", "unevaluatedProperties"):
            if isinstance(schema.get(keyword), dict):
                children.append((schema[keyword], _join(path, "*")))
        for sub in schema.get("prefixItems") or ():
            children.append((sub, _join(path, "*")))
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(keyword) or ():
                children.append((sub, path))
        for keyword in ("then", "else"):
            if isinstance(schema.get(keyword), dict):
                children.append((schema[keyword], path))
        stack.extend((sub, sub_path, followed) for sub, sub_path in children)
    return paths


def _tokens(path: str) -> list[str]:
    return path.split("/")[1:] if path else []


def _matches(path: str, known: str) -> bool:
    a, b = _tokens(path), _tokens(known)
    return len(a) == len(b) and all(y == "*" or x == y for x, y in zip(a, b))


def unknown_paths(schema: dict, vocabulary_schema: dict) -> list[str]:
    """Constrained paths of the schema that the vocabulary does not define (`*` in the vocabulary matches any)."""
    known = vocabulary_paths(vocabulary_schema)
    wildcard = [k for k in known if "*" in _tokens(k)]
    return sorted(p for p in constrained_paths(schema)
                  if p and p not in known and not any(_matches(p, k) for k in wildcard))


def rule_at(schema: dict, schema_path: Sequence[str | int]) -> dict | None:
    """The nearest x-rule from the sub-schema holding the failing keyword back to the root."""
    visited: list[dict] = [schema] if isinstance(schema, dict) else []
    node: Any = schema
    tokens = list(schema_path)
    i = 0
    while i < len(tokens) and isinstance(node, dict):
        keyword = tokens[i]
        if keyword in _NAMED and i + 1 < len(tokens):
            node = (node.get(keyword) or {}).get(tokens[i + 1]) if isinstance(node.get(keyword), dict) else None
            i += 2
        elif keyword in _LISTED and i + 1 < len(tokens):
            items = node.get(keyword)
            index = tokens[i + 1]
            index = int(index) if isinstance(index, str) and index.isdigit() else index
            node = items[index] if isinstance(items, list) and isinstance(index, int) and index < len(items) else None
            i += 2
        elif keyword in _SINGLE:
            node = node.get(keyword)
            i += 1
        else:
            break  # an assertion keyword: `node` holds it
        if isinstance(node, dict):
            visited.append(node)
    for sub in reversed(visited):
        rule = sub.get("x-rule")
        if isinstance(rule, dict):
            return rule
    return None
