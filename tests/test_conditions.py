"""Rule conditions in plain words (registry.domain.conditions): generated from if/then/else and dependentSchemas
over the vocabulary's labels; and the condition-aware gap items and alignment counts built on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comparisons import gap
from comparisons.alignment import alignment
from registry.domain import conditions
from registry.domain.conditions import applies_when, at_pointer, cases, describe, vocabulary_titles

ROOT = Path(__file__).resolve().parents[1]

VOCABULARY = {
    "type": "object",
    "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "number", "description": "The amount."},
                                                         "currency": {"type": "string"}}}},
    "properties": {
        "seller": {
            "type": "object", "description": "Who the enterprise is.",
            "properties": {
                "sells_b2c": {"type": "boolean", "description": "Sells to consumers (business-to-consumer)."},
                "is_marketplace": {"type": "boolean", "title": "Runs a marketplace"},
                "goods_categories": {"type": "array", "description": "Categories of the goods offered (for "
                                     "exemptions).", "items": {"type": "string"}},
                "annual_revenue": {"$ref": "#/$defs/money", "description": "Annual revenue (turnover), worldwide."},
                "daily_users": {"type": "integer"},
            },
        },
        "consumer_protection": {"type": "object", "properties": {
            "mechanism": {"type": "string", "description": "Legal basis used: one of several."}}},
    },
}
TITLES = vocabulary_titles(VOCABULARY)


def b2c(value: bool = True) -> dict:
    return {"properties": {"seller": {"properties": {"sells_b2c": {"const": value}}, "required": ["sells_b2c"]}},
            "required": ["seller"]}


EXEMPT = {"properties": {"seller": {"properties": {"goods_categories": {
    "minItems": 1, "items": {"enum": ["custom-made", "perishable"]}}}, "required": ["goods_categories"]}},
    "required": ["seller"]}


# ---- titles ------------------------------------------------------------------------------------------------------

def test_titles_come_from_title_then_the_first_clause_of_the_description_then_the_name():
    assert TITLES["/seller/is_marketplace"] == "Runs a marketplace"
    assert TITLES["/seller/sells_b2c"] == "Sells to consumers"  # parentheses dropped
    assert TITLES["/seller/annual_revenue"] == "Annual revenue"  # through $ref, cut at the comma
    assert TITLES["/consumer_protection/mechanism"] == "Legal basis used"  # cut at the colon
    assert TITLES["/seller/daily_users"] == "daily users"
    assert TITLES["/seller/annual_revenue/amount"] == "The amount"


def test_the_shipped_vocabulary_has_a_label_for_every_member():
    body = json.loads((ROOT / "standards/vocabulary/operating-profile.json").read_text())["versions"][-1]["schema"]
    titles = vocabulary_titles(body)
    assert titles["/seller/sells_b2c"] == "Sells to consumers"
    assert titles["/seller/goods_categories"] == "Categories of the goods offered"
    assert all(label.strip() for label in titles.values())


# ---- enum, const, not, nesting ---------------------------------------------------------------------------------

def test_a_boolean_const_reads_yes_or_no_with_the_field_in_quotes():
    assert describe(b2c(True), TITLES) == "“Sells to consumers” is yes"
    assert describe(b2c(False), TITLES) == "“Sells to consumers” is no"
    assert describe(b2c(True), TITLES, holds=False) == "“Sells to consumers” is no (or not stated)"


def test_a_member_not_required_may_be_absent_and_the_words_say_so():
    schema = {"properties": {"seller": {"properties": {"sells_b2c": {"const": False}}}}}
    assert describe(schema, TITLES) == "“Sells to consumers” is no (or not stated)"
    assert describe(schema, TITLES, holds=False) == "“Sells to consumers” is yes"


def test_enum_and_string_const_and_not_const():
    enum = {"properties": {"consumer_protection": {"properties": {"mechanism": {"enum": ["a", "b", "c"]}},
                                                   "required": ["mechanism"]}}, "required": ["consumer_protection"]}
    assert describe(enum, TITLES) == "“Legal basis used” is one of a, b or c"
    assert describe(enum, TITLES, holds=False) == "“Legal basis used” is none of a, b and c (or not stated)"
    negated = {"properties": {"consumer_protection": {"properties": {"mechanism": {"not": {"const": "listed"}}}}}}
    assert describe(negated, TITLES) == "“Legal basis used” is not listed (or not stated)"
    top_not = {"not": enum}
    assert describe(top_not, TITLES) == "“Legal basis used” is none of a, b and c (or not stated)"


def test_arrays_contains_and_all_items_among():
    contains = {"properties": {"seller": {"properties": {"goods_categories": {"contains": {"const": "food"}}},
                                          "required": ["goods_categories"]}}}
    assert describe(contains, TITLES) == "“Categories of the goods offered” include food"
    assert describe(EXEMPT, TITLES) == "“Categories of the goods offered” are all among custom-made or perishable"
    assert describe({"not": EXEMPT}, TITLES) == \
        "“Categories of the goods offered” are not all among custom-made or perishable (or not stated)"


def test_numbers_and_money_read_as_bounds_with_their_currency():
    money = {"properties": {"seller": {"properties": {"annual_revenue": {
        "properties": {"amount": {"exclusiveMinimum": 1000000}, "currency": {"const": "MYR"}},
        "required": ["amount", "currency"]}}, "required": ["annual_revenue"]}}}
    assert describe(money, TITLES) == "“Annual revenue” is more than 1,000,000 MYR"
    assert "“Annual revenue” is at most 1,000,000 MYR" in describe(money, TITLES, holds=False)
    users = {"properties": {"seller": {"properties": {"daily_users": {"minimum": 10}},
                                       "required": ["daily_users"]}}}
    assert describe(users, TITLES) == "“daily users” is at least 10"
    assert describe(users, TITLES, holds=False) == "“daily users” is less than 10 (or not stated)"


def test_conjunction_disjunction_and_de_morgan():
    both = {"allOf": [b2c(), {"not": EXEMPT}]}
    assert describe(both, TITLES) == ("“Sells to consumers” is yes and “Categories of the goods offered” are not all "
                                      "among custom-made or perishable (or not stated)")
    either = {"anyOf": [b2c(), {"properties": {"seller": {"properties": {"is_marketplace": {"const": True}},
                                                          "required": ["is_marketplace"]}}}]}
    assert describe(either, TITLES) == "either “Sells to consumers” is yes or “Runs a marketplace” is yes"
    assert describe(either, TITLES, holds=False) == \
        "“Sells to consumers” is no (or not stated) and “Runs a marketplace” is no (or not stated)"


def test_nested_properties_name_the_innermost_field_not_the_objects_around_it():
    schema = {"properties": {"seller": {"type": "object", "properties": {"is_marketplace": {"const": True}},
                                        "required": ["is_marketplace"]}}, "required": ["seller"]}
    assert describe(schema, TITLES) == "“Runs a marketplace” is yes"
    only_present = {"required": ["seller"]}
    assert describe(only_present, TITLES) == "“Who the enterprise is” is stated"


# ---- if / then / else, dependentSchemas, a rule's pointer --------------------------------------------------------

RULE = {"type": "object", "allOf": [
    {"if": b2c(), "then": {"properties": {"consumer_protection": {"properties": {"mechanism": {"const": "x"}}}}},
     "else": {"properties": {"consumer_protection": {"properties": {"mechanism": {"const": "y"}}}}}},
    {"properties": {"seller": {"dependentSchemas": {"is_marketplace": {"properties": {"daily_users": {"maximum": 5}}}}}}},
    {"properties": {"consumer_protection": {"properties": {"mechanism": {"minLength": 1}}}}},
]}


def test_then_and_else_read_as_the_condition_and_its_negation():
    then = at_pointer(RULE, "/allOf/0/then/properties/consumer_protection/properties/mechanism/const", TITLES)
    other = at_pointer(RULE, "/allOf/0/else/properties/consumer_protection/properties/mechanism/const", TITLES)
    assert then == "applies when “Sells to consumers” is yes"
    assert other == "applies when “Sells to consumers” is no (or not stated)"


def test_dependent_schemas_read_as_the_member_being_stated():
    words = at_pointer(RULE, "/allOf/1/properties/seller/dependentSchemas/is_marketplace/properties/daily_users", TITLES)
    assert words == "applies when “Runs a marketplace” is stated"


def test_an_unconditional_rule_has_no_condition():
    assert at_pointer(RULE, "/allOf/2/properties/consumer_protection/properties/mechanism/minLength", TITLES) is None
    assert applies_when(None, TITLES) is None and applies_when([], TITLES) is None


def test_a_nested_if_is_read_at_its_own_place_in_the_profile():
    schema = {"properties": {"seller": {"if": {"properties": {"is_marketplace": {"const": True}},
                                               "required": ["is_marketplace"]},
                                        "then": {"properties": {"daily_users": {"maximum": 3}}}}}}
    assert at_pointer(schema, "/properties/seller/then/properties/daily_users/maximum", TITLES) == \
        "applies when “Runs a marketplace” is yes"


def test_without_titles_the_words_fall_back_to_the_member_names():
    assert describe(b2c(), {}) == "“sells b2c” is yes"


def test_every_condition_of_the_shipped_corpus_is_worded_without_raw_json():
    body = json.loads((ROOT / "standards/vocabulary/operating-profile.json").read_text())["versions"][-1]["schema"]
    titles = vocabulary_titles(body)
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "if" in node:
                found.append(describe(node["if"], titles))
            for key, value in node.items():
                if key != "x-rule":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "standards/documents").glob("*/*.json")):
        for version in json.loads(path.read_text())["versions"]:
            walk(version["schema"])
    assert len(found) > 100
    assert not [w for w in found if "{" in w or "valid under" in w], [w for w in found if "{" in w][:3]


# ---- cases: where the target's rule applies and the source's does not -------------------------------------------

def test_cases_negate_only_what_the_source_adds_to_the_target_condition():
    target = [{"path": "", "if": b2c(), "branch": "then"}]
    source = [{"path": "", "if": {"allOf": [b2c(), {"not": EXEMPT}]}, "branch": "then"}]
    assert cases(target, source, TITLES) == ("where “Sells to consumers” is yes and “Categories of the goods offered” "
                                             "are all among custom-made or perishable")
    assert cases(source, target, TITLES) == "in no case"


def test_cases_name_both_conditions_when_neither_narrows_the_other():
    target = [{"path": "", "if": b2c(), "branch": "then"}]
    source = [{"path": "", "if": {"properties": {"seller": {"properties": {"is_marketplace": {"const": True}},
                                                            "required": ["is_marketplace"]}}}, "branch": "then"}]
    assert cases(target, source, TITLES) == \
        "where “Sells to consumers” is yes and “Runs a marketplace” is no (or not stated)"


# ---- the engine: condition-aware gaps and alignment --------------------------------------------------------------

def _rule(condition: dict | None, value: object, keyword: str = "enum") -> dict:
    inner = {"properties": {"consumer_protection": {"properties": {"mechanism": {keyword: value}}}}}
    return {"type": "object", "allOf": [{"if": condition, "then": inner} if condition else inner]}


def test_the_same_rule_under_the_same_condition_is_not_a_gap_and_counts_aligned():
    a = _rule(b2c(), ["receipt"])
    b = _rule(b2c(), ["receipt"])
    assert gap(a, b).to_dict()["items"] == []
    assert alignment([a], [b]) == {"counts": {"aligned": 1, "partly_aligned": 0, "conflicting": 0, "one_sided": 0},
                                   "score": 1.0}


def test_the_same_rule_under_a_narrower_condition_is_a_gap_only_for_the_cases_left_out():
    narrow = _rule({"allOf": [b2c(), {"not": EXEMPT}]}, ["receipt"])
    broad = _rule(b2c(), ["receipt"])
    items = gap(narrow, broad).to_dict()["items"]
    assert [i["status"] for i in items] == ["narrower_condition"]
    assert items[0]["source_condition"] and items[0]["condition"]
    assert cases(items[0]["condition"], items[0]["source_condition"], TITLES).endswith(
        "are all among custom-made or perishable")
    assert gap(broad, narrow).to_dict()["items"] == []  # the broader rule covers every case of the narrower
    assert alignment([narrow], [broad])["counts"] == {"aligned": 0, "partly_aligned": 1, "conflicting": 0,
                                                     "one_sided": 0}
    assert alignment([narrow], [broad])["score"] == 0.5


def test_different_values_conflict_and_a_rule_on_one_side_only_is_one_sided():
    a = {"type": "object", "allOf": [_rule(b2c(), 7, "minimum"),
                                     _rule(None, 1, "minLength")]}
    b = _rule(b2c(), 14, "minimum")
    assert alignment([a], [b]) == {"counts": {"aligned": 0, "partly_aligned": 0, "conflicting": 1, "one_sided": 1},
                                   "score": 0.0}
    assert alignment([], []) == {"counts": dict.fromkeys(("aligned", "partly_aligned", "conflicting", "one_sided"), 0),
                                 "score": 1.0}


def test_the_module_is_pure():
    source = Path(conditions.__file__).read_text()
    assert "import registry" not in source and "sqlmodel" not in source and "litestar" not in source
