"""Each direction word of a version change (older -> newer), for numbers, enums, required fields, patterns and
conditions, through the engine's differences and the one module that words them."""

from __future__ import annotations

import pytest

from comparisons.differences import differences
from registry.domain import change_words
from registry.services.differences import paired


def obj(field: dict, *, required: bool = False) -> dict:
    return {"type": "object", "properties": {"x": field}, **({"required": ["x"]} if required else {})}


def when(condition: dict, then: dict) -> dict:
    return {"type": "object", "if": {"properties": {"kind": condition}, "required": ["kind"]},
            "then": {"properties": {"x": then}}}


def changes(older: dict, newer: dict) -> list[dict]:
    found = [d.to_dict() for d in differences(older, newer, ("@1", "@2"))]
    return [change_words.version_change(d) for d in paired(older, newer, found)]


def words(older: dict, newer: dict) -> list[str]:
    return [c["change"] for c in changes(older, newer)]


@pytest.mark.parametrize("older, newer, word", [
    # numbers: a minimum raised tightens, lowered loosens; a maximum the other way round
    (obj({"minimum": 7}), obj({"minimum": 10}), "tightened"),
    (obj({"minimum": 10}), obj({"minimum": 7}), "loosened"),
    (obj({"maximum": 2000}), obj({"maximum": 5000}), "loosened"),
    (obj({"maximum": 5000}), obj({"maximum": 2000}), "tightened"),
    (obj({"exclusiveMaximum": 5}), obj({"exclusiveMaximum": 3}), "tightened"),
    (obj({}), obj({"maximum": 31}), "added"),
    (obj({"minimum": 14}), obj({}), "removed"),
    # enums: fewer allowed values tighten, more loosen, a swap is neither
    (obj({"enum": ["a", "b"]}), obj({"enum": ["a"]}), "tightened"),
    (obj({"enum": ["a"]}), obj({"enum": ["a", "b"]}), "loosened"),
    (obj({"enum": ["a", "b"]}), obj({"enum": ["b", "c"]}), "changed"),
    (obj({"enum": ["a"]}), obj({"enum": ["b"]}), "changed"),  # no value satisfies both
    # required fields
    (obj({"type": "string"}), obj({"type": "string"}, required=True), "added"),
    (obj({"type": "string"}, required=True), obj({"type": "string"}), "removed"),
    # patterns: a narrower language tightens, a wider one loosens, two unrelated ones are neither
    (obj({"pattern": "^[A-Z]{2}$"}), obj({"pattern": "^[A-Z]{2,3}$"}), "loosened"),
    (obj({"pattern": "^[A-Z]{2,3}$"}), obj({"pattern": "^[A-Z]{2}$"}), "tightened"),
    (obj({"pattern": "^a+$"}), obj({"pattern": "^b+$"}), "changed"),
])
def test_each_direction_word(older, newer, word):
    assert words(older, newer) == [word]


def test_conditions_a_rule_that_now_applies_in_fewer_cases_is_loosened():
    always = when({"enum": ["goods", "food"]}, {"minimum": 7})
    narrower = when({"const": "goods"}, {"minimum": 7})
    [change] = changes(always, narrower)
    assert change["change"] == "loosened" and change["conditions"]["older"] and change["conditions"]["newer"]
    assert changes(narrower, always)[0]["change"] == "tightened"


def test_conditions_a_rule_under_an_unrelated_condition_is_changed():
    goods = when({"const": "goods"}, {"minimum": 7})
    food = when({"const": "food"}, {"minimum": 7})
    assert words(goods, food) == ["changed"]


def test_conditions_a_new_if_then_rule_is_added_and_a_dropped_one_removed():
    plain = {"type": "object", "properties": {"kind": {"type": "string"}}}
    ruled = {**when({"const": "goods"}, {"maximum": 200}), "properties": {"kind": {"type": "string"}}}
    assert words(plain, ruled) == ["added"] and words(ruled, plain) == ["removed"]


def test_conditions_the_same_rule_restated_under_an_equivalent_condition_is_no_change():
    one = when({"const": "goods"}, {"minimum": 7})
    other = when({"enum": ["goods"]}, {"minimum": 7})
    assert words(one, other) == []


@pytest.mark.parametrize("relation, found, verdict", [
    ("stricter", ["loosened"], "loosened"),
    ("looser", ["tightened", "tightened"], "tightened"),
    ("equivalent", ["added"], "added"),
    ("overlapping", ["tightened", "loosened"], "mixed"),
    ("looser", ["tightened", "added"], "mixed"),
    ("equivalent", [], "unchanged"),
    ("unknown", [], "unknown"),
])
def test_the_verdict_of_a_change(relation, found, verdict):
    assert change_words.verdict(relation, [{"change": w} for w in found]) == verdict


def test_the_engine_words_map_to_the_story_of_the_change():
    # "the older is stricter than the newer" is what a loosening looks like from the older side
    assert change_words.CHANGE == {"stricter": "loosened", "looser": "tightened", "added": "removed",
                                   "removed": "added", "changed": "changed", "incompatible": "changed",
                                   "unknown": "changed"}
    assert set(change_words.CHANGE.values()) == set(change_words.CHANGE_WORDS)


def test_a_change_is_told_in_one_sentence_with_both_citations_and_room_for_a_condition():
    [change] = changes(obj({"maximum": 2000, "x-rule": {"id": "A", "citation": "Art 1"}}),
                       obj({"maximum": 5000, "x-rule": {"id": "B", "citation": "Art 2"}}))
    change["unit"] = "yuan"
    assert change_words.describe_change(change, "@1", "@2") == (
        "/x: loosened: @1 required at most 2000 yuan (Art 1); @2 requires at most 5000 yuan (Art 2)")
    assert change_words.describe_change(change, "@1", "@2", "for goods sent by post").startswith(
        "/x, for goods sent by post: loosened")


def test_two_sides_are_named_in_the_sentence():
    row = change_words.side_by_side({"path": "/d", "keyword": "minimum", "left": 14, "right": 7, "direction": "stricter",
                                     "left_rule": {"citation": "Art 9(1)"}, "right_rule": {"citation": "Art 25"}},
                                    "EU", "CN", {"/d": "days"})
    assert row["stricter_side"] == "EU" and row["left_vs_right"] == "stricter"
    assert change_words.describe_difference(row, "EU", "CN") == (
        "/d: EU requires at least 14 days (Art 9(1)); CN at least 7 days (Art 25): CN's rule is weaker")


def test_the_vocabulary_gives_the_row_order_and_the_units():
    vocabulary = {"type": "object", "$defs": {"money": {"properties": {"amount": {"type": "number"}}}},
                  "properties": {"b": {"type": "integer", "description": "Days. Unit: calendar days."},
                                 "a": {"$ref": "#/$defs/money"}}}
    order, units = change_words.vocabulary_order(vocabulary)
    assert list(order) == ["/b", "/a", "/a/amount"] and units == {"/b": "calendar days"}
    rows = [{"path": "/a/amount"}, {"path": "/zzz"}, {"path": "/b"}]
    assert [r["path"] for r in change_words.aligned(rows, order)] == ["/b", "/a/amount", "/zzz"]


@pytest.mark.parametrize("engine, word", [("stricter", "tightened"), ("looser", "loosened"), ("added", "added"),
                                          ("removed", "removed"), ("incompatible", "changed")])
def test_a_breaking_difference_seen_from_the_newer_side_gets_the_same_words(engine, word):
    shown = change_words.breaking_change({"path": "/x", "keyword": "minimum", "direction": engine})
    assert (shown["change"], shown["newer_vs_older"]) == (word, engine) and "direction" not in shown


def test_a_diff_is_told_from_the_version_that_takes_effect_first_then_from_the_one_recorded_first():
    import datetime as dt
    from types import SimpleNamespace

    from registry.services.differences import ordered

    def v(number: int, start: dt.date | None):
        return SimpleNamespace(number=number, effective_from=start)

    reform, later_recorded_earlier_law = v(4, dt.date(2026, 7, 1)), v(9, dt.date(2024, 4, 1))
    assert ordered(reform, later_recorded_earlier_law) == (later_recorded_earlier_law, reform)
    correction, corrected = v(4, dt.date(2019, 1, 1)), v(2, dt.date(2019, 1, 1))
    assert ordered(correction, corrected) == (corrected, correction)
    draft, published = v(5, None), v(3, dt.date(2020, 1, 1))
    assert ordered(draft, published) == (published, draft)


def test_an_undecided_pair_is_changed_and_says_undecided_never_neither_includes():
    from comparisons.budget import Budget
    from registry.services import differences as service

    old, new = when({"const": "goods"}, {"minimum": 7}), when({"const": "food"}, {"minimum": 9})
    found = [d.to_dict() for d in differences(old, new, ("@1", "@2"))]
    real = service.Budget
    service.Budget = lambda seconds: Budget(seconds=0)  # out of time before the first pair
    try:
        [row] = paired(old, new, found)
    finally:
        service.Budget = real
    change = change_words.version_change(row)
    assert (change["change"], change["older_vs_newer"]) == ("changed", "unknown")
    assert "undecided which accepts more" in change_words.describe_change(change, "@1", "@2")
    side = change_words.side_by_side(row, "A", "B")
    # undecided as a whole; the values alone, where both conditions hold, still compare
    assert change_words.describe_difference(side, "A", "B").endswith(
        "where both apply, B's rule is stricter; they apply in different cases")
    side["where_both_apply"] = "changed"
    assert change_words.describe_difference(side, "A", "B").endswith(
        "undecided which rule is stricter; they apply in different cases")
