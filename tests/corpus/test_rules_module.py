"""Unit tests of registry.domain.rules: constraints, annotations, paths and attribution of errors to rules."""

from __future__ import annotations

import ast
from pathlib import Path

from jsonschema import Draft202012Validator

from registry.domain import rules
from registry.domain.rules import (
    ASSERTION_KEYWORDS,
    Constraint,
    constrained_paths,
    iter_constraints,
    rule_at,
    rules_not_machine_checkable,
    unannotated_constraints,
    unknown_paths,
    vocabulary_paths,
)

RULE = {"id": "R1", "citation": "Law Art 1", "sources": [{"url": "https://example.org/law/1"}], "summary": "s", "obligation": "must",
        "confidence": "H", "recorded": "2026-11-28"}
B2C_IF = {"properties": {"seller": {"properties": {"sells_b2c": {"const": True}}, "required": ["sells_b2c"]}},
          "required": ["seller"]}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "allOf": [{
        "if": B2C_IF,
        "then": {"properties": {"consumer_protection": {"properties": {
            "withdrawal_period_days": {"minimum": 14, "x-rule": RULE}}}}},
    }],
}
VOCABULARY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}}}},
    "properties": {
        "seller": {"type": "object", "properties": {"sells_b2c": {"type": "boolean"}}},
        "consumer_protection": {"type": "object", "properties": {"withdrawal_period_days": {"type": "integer"}}},
        "customs": {"type": "object", "properties": {"declared_value": {"$ref": "#/$defs/money"}}},
        "labelling": {"type": "object", "properties": {"label_languages": {"type": "array", "items": {"type": "string"}}}},
    },
}


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(rules.__file__).read_text())
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert modules <= {"__future__", "dataclasses", "typing"}


def test_assertion_keywords():
    assert {"minimum", "const", "enum", "required", "pattern", "contains", "dependentRequired", "format"} <= ASSERTION_KEYWORDS
    assert "type" not in ASSERTION_KEYWORDS and "allOf" not in ASSERTION_KEYWORDS and "x-rule" not in ASSERTION_KEYWORDS


def test_iter_constraints_skips_if_and_records_conditions():
    found = iter_constraints(SCHEMA)
    assert found == [Constraint(
        pointer="/allOf/0/then/properties/consumer_protection/properties/withdrawal_period_days", keyword="minimum",
        value=14, instance_path="/consumer_protection/withdrawal_period_days", rule=RULE,
        condition_pointers=("/allOf/0/if",))]


def test_iter_constraints_walks_every_applicator():
    schema = {
        "required": ["a"],
        "properties": {"a": {"items": {"enum": [1]}, "prefixItems": [{"const": 2}], "contains": {"const": 3}}},
        "patternProperties": {"^x": {"maxLength": 2}},
        "additionalProperties": {"minLength": 1},
        "anyOf": [{"minProperties": 1}], "oneOf": [{"maxProperties": 9}], "not": {"required": ["z"]},
        "if": {"required": ["q"]}, "then": {"required": ["r"]}, "else": {"required": ["s"]},
        "dependentSchemas": {"d": {"required": ["e"]}}, "dependentRequired": {"f": ["g"]},
        "$defs": {"m": {"multipleOf": 2}},
    }
    got = {(c.pointer, c.keyword, c.instance_path) for c in iter_constraints(schema)}
    assert got == {
        ("", "required", ""), ("", "dependentRequired", ""),
        ("/properties/a/items", "enum", "/a/*"), ("/properties/a/prefixItems/0", "const", "/a/*"),
        ("/properties/a", "contains", "/a"), ("/properties/a/contains", "const", "/a/*"),
        ("/patternProperties/^x", "maxLength", "/*"), ("/additionalProperties", "minLength", "/*"),
        ("/anyOf/0", "minProperties", ""), ("/oneOf/0", "maxProperties", ""), ("/not", "required", ""),
        ("/then", "required", ""), ("/else", "required", ""), ("/dependentSchemas/d", "required", ""),
        ("/$defs/m", "multipleOf", ""),
    }
    conditional = {c.pointer: c.condition_pointers for c in iter_constraints(schema) if c.pointer in ("/then", "/else")}
    assert conditional == {"/then": ("/if",), "/else": ("/if",)}


def test_false_subschema_is_a_constraint():
    found = iter_constraints({"properties": {"a": {"additionalProperties": False}}})
    assert [(c.pointer, c.keyword, c.value) for c in found] == [("/properties/a", "additionalProperties", False)]


def test_nearest_rule_wins_and_incomplete_rules_count_as_missing():
    inner = dict(RULE, id="R2")
    schema = {"x-rule": RULE, "properties": {"a": {"minimum": 1}, "b": {"maximum": 2, "x-rule": inner},
                                             "c": {"const": 1, "x-rule": {"id": "R3", "citation": "x"}}}}
    by_path = {c.instance_path: c.rule["id"] for c in iter_constraints(schema)}
    assert by_path == {"/a": "R1", "/b": "R2", "/c": "R3"}
    assert [c.instance_path for c in unannotated_constraints(schema)] == ["/c"]
    assert unannotated_constraints({"properties": {"a": {"minimum": 1}}})[0].rule is None
    assert unannotated_constraints(SCHEMA) == []


def test_rules_not_machine_checkable():
    note = dict(RULE, id="N1", machine_checkable=False)
    schema = {"allOf": [{"if": B2C_IF, "then": {"properties": {"customs": {"x-rule": note}}}}, SCHEMA]}
    found = rules_not_machine_checkable(schema)
    assert found == [dict(note, instance_path="/customs", pointer="/allOf/0/then/properties/customs")]
    assert rules_not_machine_checkable(SCHEMA) == []


def test_constrained_paths_include_conditions_and_required_names():
    assert constrained_paths(SCHEMA) == {"/seller", "/seller/sells_b2c", "/consumer_protection",
                                         "/consumer_protection/withdrawal_period_days"}


def test_vocabulary_paths_follow_refs_and_items():
    assert vocabulary_paths(VOCABULARY) == {
        "/seller", "/seller/sells_b2c", "/consumer_protection", "/consumer_protection/withdrawal_period_days",
        "/customs", "/customs/declared_value", "/customs/declared_value/amount", "/customs/declared_value/currency",
        "/labelling", "/labelling/label_languages", "/labelling/label_languages/*"}


def test_vocabulary_paths_survive_recursive_refs():
    tree = {"$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
            "properties": {"root": {"$ref": "#/$defs/node"}, "items": {"items": {"$ref": "#/$defs/node"}}}}
    paths = vocabulary_paths(tree)
    assert "/root/child" in paths and "/items/*" in paths


def test_unknown_paths():
    assert unknown_paths(SCHEMA, VOCABULARY) == []
    typo = {"properties": {"consumer_protection": {"properties": {"withdrawl_days": {"minimum": 1}}}},
            "required": ["selller"]}
    assert unknown_paths(typo, VOCABULARY) == ["/consumer_protection/withdrawl_days", "/selller"]
    items = {"properties": {"labelling": {"properties": {"label_languages": {"contains": {"const": "vi"}}}}},
             "if": {"properties": {"customs": {"properties": {"declared_value": {"properties": {"currency": {"const": "EUR"}}}}}}}}
    assert unknown_paths(items, VOCABULARY) == []
    assert unknown_paths({"properties": {"labelling": {"properties": {"label_languages": {"prefixItems": [{"const": "x"}]}}}}}, VOCABULARY) == []


def test_rule_at_with_a_real_validation_error():
    validator = Draft202012Validator(SCHEMA)
    errors = list(validator.iter_errors({"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}}))
    assert len(errors) == 1
    path = list(errors[0].absolute_schema_path)
    assert path == ["allOf", 0, "then", "properties", "consumer_protection", "properties", "withdrawal_period_days", "minimum"]
    assert rule_at(SCHEMA, path) == RULE


def test_rule_at_walks_back_to_the_root_and_handles_odd_paths():
    schema = {"x-rule": RULE, "anyOf": [{"properties": {"a": {"const": 1}}}], "items": {"enum": [1]}}
    assert rule_at(schema, ["anyOf", 0, "properties", "a", "const"]) == RULE
    assert rule_at(schema, ["items", "enum"]) == RULE
    assert rule_at({"properties": {"a": {"const": 1}}}, ["properties", "a", "const"]) is None
    assert rule_at(schema, ["properties", "missing", "const"]) == RULE
    assert rule_at(schema, []) == RULE
    inner = dict(RULE, id="R9")
    nested = {"properties": {"a": {"x-rule": inner, "contains": {"const": 1}}}}
    assert rule_at(nested, ["properties", "a", "contains"]) == inner
