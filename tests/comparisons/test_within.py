"""compare_within and gap(domain=…): witnesses are instances of the shared domain (a vocabulary), minimal, and where
none exists the answer says so (issue 16, item 4)."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from comparisons import compare, compare_within, gap
from comparisons.within import minimise
from registry.domain.witnesses import gap_item_words, with_vocabulary_witnesses, within_vocabulary

DOMAIN = {"type": "object", "additionalProperties": False,
          "properties": {"days": {"type": "integer", "minimum": 0}, "b2c": {"type": "boolean"},
                         "note": {"type": "string"}}}
FOURTEEN = {"if": {"properties": {"b2c": {"const": True}}, "required": ["b2c"]},
            "then": {"properties": {"days": {"minimum": 14}}, "required": ["days"]}}
SEVEN = {"if": {"properties": {"b2c": {"const": True}}, "required": ["b2c"]},
         "then": {"properties": {"days": {"minimum": 7}}, "required": ["days"]}}


def test_witnesses_within_the_domain_are_valid_and_minimal():
    raw = compare(SEVEN, FOURTEEN).to_dict()
    assert raw["relation"] == "looser"
    found = compare_within(SEVEN, FOURTEEN, DOMAIN).to_dict()
    assert found["relation"] == "looser" and found["differences"] == []
    # accepted by the seven-day rule, refused by the fourteen-day one, and nothing else said
    assert found["only_left"] == {"b2c": True, "days": 7}
    assert found["left_in_right"]["witness"] == found["only_left"]
    assert Draft202012Validator(DOMAIN).is_valid(found["only_left"])


def test_a_difference_only_outside_the_domain_has_no_witness_and_says_so():
    typed = {"properties": {"days": {"type": "integer"}}}
    untyped = {"properties": {"days": {}}}
    raw = compare(untyped, typed).to_dict()
    assert raw["relation"] == "looser" and "only_left" in raw  # e.g. {"days": "a"}: no valid profile says that
    found = compare_within(untyped, typed, DOMAIN).to_dict()
    assert found["relation"] == "equivalent" and "only_left" not in found
    shown = with_vocabulary_witnesses(raw, found)
    assert "only_left" not in shown and "witness" not in shown["left_in_right"]
    assert shown["left_in_right"]["answer"] == "no"  # the schemas' answer is kept
    words = within_vocabulary(raw, found, "vocabulary/operating-profile", "vocabulary/operating-profile@1", ("A", "B"))
    assert words["relation"] == "equivalent" and words["noun"] == "operating profile"
    assert words["says"] == ("For every operating profile valid under vocabulary/operating-profile@1: A and B accept "
                             "exactly the same ones. Compared as schemas, values no valid operating profile can have "
                             "included, A is looser than B.")
    left = words["witnesses"]["only_left"]
    assert left["found"] is False and left["says"].startswith(
        "No operating profile valid under vocabulary/operating-profile@1 is accepted by A and refused by B")
    assert "differ there only on values no valid operating profile can have" in left["says"]


def test_minimise_drops_what_does_not_matter_and_keeps_what_does():
    value = {"b2c": True, "days": 7, "note": "x"}
    assert minimise(value, (SEVEN, DOMAIN), (FOURTEEN,), False) == {"b2c": True, "days": 7}
    assert minimise({**value, "b2c": False}, (SEVEN, FOURTEEN, DOMAIN), (), False) == {}
    # not a witness of the role asked: returned as it is
    assert minimise(value, (FOURTEEN,), (SEVEN,), False) == value


def test_gap_within_a_domain_gives_instances_of_it_or_says_there_are_none():
    target = {"allOf": [FOURTEEN, {"properties": {"days": {"type": "integer"}}}]}
    source = {"properties": {"days": {}}}
    report = gap(source, target, domain=DOMAIN).to_dict()
    raw = gap(source, target).to_dict()
    assert report["covered"] == raw["covered"] == "no" and report["reason"] is None
    assert report["witness"] == {"b2c": True}  # minimal: the target then requires days, which it lacks
    assert [(i["path"], i["keyword"]) for i in report["items"]] == [(i["path"], i["keyword"]) for i in raw["items"]]
    items = {(i["path"], i["keyword"]): i for i in report["items"]}
    minimum = items[("/days", "minimum")]
    assert minimum["witness"] == {"b2c": True, "days": 0} and minimum["no_witness"] is None
    typed = items[("/days", "type")]  # only a value the domain forbids (a string) breaks it
    assert "witness" not in typed and typed["no_witness"] == "none"
    assert "witness" in {(i["path"], i["keyword"]): i for i in raw["items"]}[("/days", "type")]
    told = gap_item_words(typed, "vocabulary/operating-profile", "vocabulary/operating-profile@1", ("CN", "EU"))
    assert told["witness_says"].startswith("No operating profile valid under vocabulary/operating-profile@1 shows")
    for item in report["items"]:
        if "witness" in item:
            assert Draft202012Validator(DOMAIN).is_valid(item["witness"])
