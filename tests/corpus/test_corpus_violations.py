"""For every constraint of every version: a profile violating it is reported with its citation, one satisfying it is not.

Profiles are built from hand-written base profiles (base_profiles.json, valid under their vocabulary): for each
constraint the first base profile that meets the constraint's conditions and satisfies its rule is taken, and a
generator for the keywords the corpus uses turns it into a violating profile, still valid under the vocabulary.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from registry.domain.rules import Constraint, iter_constraints, rules_not_machine_checkable
from tests.corpus.support import PROFILES, read_json, reported_rules, resolve, rule_documents, validator, vocabularies

LANGUAGES = ["en", "fr", "de", "ru", "zh"]
COUNTRIES = ["US", "GB", "FR", "SG", "CN"]


def _tokens(path: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]] if path else []


def vocabulary_at(vocabulary: dict, path: str) -> dict:
    node = vocabulary
    for token in _tokens(path):
        while "$ref" in node:
            node = resolve(vocabulary, node["$ref"][1:])
        node = node["items"] if token == "*" else node["properties"][token]
    while "$ref" in node:
        node = {**resolve(vocabulary, node["$ref"][1:]), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _parents(profile: Any, tokens: list[str]) -> list[Any]:
    """The containers of the last token, creating objects along the way; `*` expands over array items."""
    nodes = [profile]
    for token in tokens[:-1]:
        nxt = []
        for node in nodes:
            if token == "*":
                nxt.extend(node if isinstance(node, list) else [])
            else:
                nxt.append(node.setdefault(token, {}))
        nodes = nxt
    return nodes


def set_value(profile: dict, path: str, value: Any) -> dict:
    out = copy.deepcopy(profile)
    tokens = _tokens(path)
    parents = _parents(out, tokens)
    for parent in parents:
        if tokens[-1] == "*":
            parent[:] = [copy.deepcopy(value) for _ in parent]
        else:
            parent[tokens[-1]] = copy.deepcopy(value)
    return out if parents else None


def get_values(profile: dict, path: str) -> list[Any]:
    nodes = [profile]
    for token in _tokens(path):
        nxt = []
        for node in nodes:
            if token == "*" and isinstance(node, list):
                nxt.extend(node)
            elif isinstance(node, dict) and token in node:
                nxt.append(node[token])
        nodes = nxt
    return nodes


def _other_value(spec: dict, excluded: list) -> Any:
    if spec.get("type") == "boolean":
        options = [True, False]
    elif "enum" in spec:
        options = spec["enum"]
    elif spec.get("pattern") == "^[a-z]{2}$":
        options = LANGUAGES
    elif spec.get("pattern") == "^[A-Z]{2}$":
        options = COUNTRIES
    else:
        options = ["x-other"]
    return next((o for o in options if not any(o == e and type(o) is type(e) for e in excluded)), None)


def violations(base: dict, c: Constraint, vocabulary: dict) -> list[dict]:
    """Candidate profiles that break constraint `c` of a base profile."""
    path, value = c.instance_path, c.value
    spec = vocabulary_at(vocabulary, path) if path else vocabulary
    if c.keyword == "minimum":
        return [set_value(base, path, value - 1)]
    if c.keyword == "exclusiveMinimum":
        return [set_value(base, path, value)]
    if c.keyword == "maximum":
        return [set_value(base, path, value + 1)]
    if c.keyword == "exclusiveMaximum":
        return [set_value(base, path, value)]
    if c.keyword == "const":
        other = _other_value(spec, [value]) if not isinstance(value, (int, float)) or isinstance(value, bool) else value + 1
        return [set_value(base, path, other)]
    if c.keyword == "enum":
        return [set_value(base, path, _other_value(spec, value))]
    if c.keyword == "required":
        out = []
        for name in value:
            profile = copy.deepcopy(base)
            for parent in _parents(profile, _tokens(path) + ["_"]):
                parent.pop(name, None)
            out.append(profile)
        return out
    if c.keyword == "minItems":
        return [set_value(base, path, [])]
    if c.keyword == "contains":
        check = validator(value)
        item_spec = vocabulary_at(vocabulary, path + "/*")
        out = []
        for array in get_values(base, path):
            kept = [item for item in array if not check.is_valid(item)]
            filler = _other_value(item_spec, [i for i in (item_spec.get("enum") or LANGUAGES + COUNTRIES) if check.is_valid(i)])
            out.append(set_value(base, path, kept or ([filler] if filler is not None else [])))
        return out
    if c.keyword == "pattern":
        return [set_value(base, path, "?")]
    if c.keyword == "format":
        return [set_value(base, path, "not-a-" + str(value))]
    raise AssertionError(f"no generator for {c.keyword!r}: add a base profile or a generator")


def _holds(schema: dict, pointers: tuple[str, ...], profile: dict) -> bool:
    return all(validator(resolve(schema, p)).is_valid(profile) for p in pointers)


def _cited(schema: dict, profile: dict, rule: dict) -> bool:
    return any(r.get("id") == rule["id"] and r.get("citation") == rule["citation"] for r in reported_rules(schema, profile))


def _inside_wrapper(c: Constraint) -> bool:
    # an assertion inside `contains` or `not` is exercised through the keyword that wraps it
    return any(t in ("contains", "not") for t in c.pointer.split("/"))


def cases():
    for doc in rule_documents():
        for version in doc["versions"]:
            for c in iter_constraints(version["schema"]):
                if not _inside_wrapper(c):
                    yield pytest.param(doc, version, c, id=f"{doc['name']}@{version['number']}{c.pointer}/{c.keyword}")


BASES = read_json(PROFILES)


def test_base_profiles_are_valid_under_their_vocabulary():
    for name, profiles in BASES.items():
        check = validator(vocabularies()[name])
        for label, profile in profiles.items():
            errors = [e.message for e in check.iter_errors(profile)]
            assert not errors, f"{name} {label}: {errors}"


@pytest.mark.parametrize("doc, version, c", list(cases()))
def test_constraint_is_reported_when_violated_and_only_then(doc, version, c):
    schema, vocabulary = version["schema"], vocabularies()[doc["vocabulary"]]
    vocabulary_check = validator(vocabulary)
    tried = []
    for label, base in BASES[doc["vocabulary"]].items():
        if not _holds(schema, c.condition_pointers, base) or _cited(schema, base, c.rule):
            continue
        for bad in violations(base, c, vocabulary):
            if bad is None or not vocabulary_check.is_valid(bad) or not _holds(schema, c.condition_pointers, bad):
                tried.append(label)
                continue
            assert _cited(schema, bad, c.rule), f"violation built from {label} not reported with {c.rule['citation']}"
            return
        tried.append(label)
    pytest.fail(f"no base profile meets the conditions of {c.rule['id']} and satisfies it (tried {tried})")


def test_not_machine_checkable_rules_hold_no_assertion():
    for doc in rule_documents():
        for version in doc["versions"]:
            for rule in rules_not_machine_checkable(version["schema"]):
                holder = resolve(version["schema"], rule["pointer"])
                assert not [c for c in iter_constraints(holder)], f"{doc['name']}: {rule['id']}"
