"""Issue 14, items 4 and 5: every witness is a finite JSON value that both validators check before it
leaves the engine; gap items keep their context, `$defs` and a witness; merge conflicts are certain
only with a proof; the atom cap is high enough for the shipped corpus and says so when it is hit."""

from __future__ import annotations

import json
import math

import jsonschema
from pathlib import Path

import pytest

import comparisons.atoms as A
from comparisons.budget import Budget
from comparisons import UNKNOWN_REASONS, compare, gap, is_subschema, merge_strictest
from comparisons.canonical import _ROOT_CACHE, R_CAP, R_ENGINES, R_NUMBER, R_WITNESS
from comparisons.validation import is_valid, rust_is_valid
from comparisons.witness_check import is_finite_json, witness_problem

ROOT = Path(__file__).resolve().parents[2]

EAEU = json.loads((ROOT / "standards" / "documents" / "EAEU" / "customs-low-value.json").read_text())


def assert_witness(value, inside, outside, fa=False):
    """Finite JSON, valid under `inside`, invalid under `outside`, for python-jsonschema and jsonschema-rs."""
    json.dumps(value, allow_nan=False)
    for schema in inside:
        assert is_valid(schema, value, fa) and rust_is_valid(schema, value, fa) in (True, None), (schema, value)
    for schema in outside:
        assert not is_valid(schema, value, fa) and rust_is_valid(schema, value, fa) in (False, None), (schema, value)


# ---------------------------------------------------------------- finite, checked witnesses

def test_no_infinite_witness():
    # 1e308 * 2 is inf, once a candidate (the API would send it as null): never a witness now
    for a, b in (({"not": {"maximum": 1e308}}, {"type": "integer"}),
                 ({"type": "number", "exclusiveMinimum": 1e308}, {"type": "integer"})):
        res = is_subschema(a, b)
        if res.answer == "no":
            assert_witness(res.witness, [a], [b])
        else:
            # refused as a witness, or not offered at all because the validators read numbers that large differently
            assert res.answer == "unknown" and res.reason.startswith(DISAGREEING), res


# the reasons an answer gives when the two validators would read a value differently
DISAGREEING = (R_WITNESS, R_ENGINES, R_NUMBER + ": the validation engines differ")


def test_finite_json_values():
    assert is_finite_json({"a": [1, 2.5, None, True, "x", {"b": []}]})
    assert is_finite_json(10 ** 400)  # a JSON integer, however long
    for bad in (math.inf, -math.inf, math.nan, [1, {"a": math.inf}], {1: "a"}, (1, 2), {"a": {1, 2}}):
        assert not is_finite_json(bad), bad


def test_a_witness_must_hold_for_both_validators():
    # python-jsonschema reads multipleOf 3.0 with floats: 2**60 + 1 passes; jsonschema-rs says it fails
    python = jsonschema.Draft202012Validator({"multipleOf": 3.0}).is_valid(2 ** 60 + 1)
    assert python != rust_is_valid({"multipleOf": 3.0}, 2 ** 60 + 1)
    res = is_subschema({"const": 2 ** 60 + 1}, {"multipleOf": 3.0})
    assert res.answer == "unknown" and res.reason.startswith(DISAGREEING), res
    # format "regex": jsonschema-rs accepts a named group that Python's re (the reference) refuses
    res = is_subschema({"const": "(?<n>a)"}, {"format": "regex"}, format_assertion=True)
    assert res.answer == "unknown" and res.reason.startswith(DISAGREEING), res
    assert witness_problem("(?<n>a)", [{"type": "string"}], [{"format": "regex"}], True).startswith(
        ("validators disagree", R_ENGINES))


def test_witness_problem_names_the_failure():
    assert witness_problem(5, [{"minimum": 1}], [{"maximum": 3}], False) is None
    assert witness_problem(2, [{"minimum": 1}], [{"maximum": 3}], False) == "valid where it must not be"
    assert witness_problem(0, [{"minimum": 1}], [], False) == "invalid where it must be"
    assert witness_problem(math.inf, [True], [], False) == "not a finite JSON value"


def test_reasons_are_listed():
    assert R_WITNESS in UNKNOWN_REASONS and R_CAP in UNKNOWN_REASONS


def test_compare_checks_every_witness():
    a, b = {"type": "integer"}, {"type": "number", "minimum": 3}
    res = compare(a, b)
    assert res.relation == "overlapping"
    assert_witness(res.only_left, [a], [b])
    assert_witness(res.only_right, [b], [a])
    assert_witness(res.both, [a, b], [])


# ---------------------------------------------------------------- not {"format": "date"}

def test_not_format_is_not_empty_under_format_assertion():
    # a string that is not a date is valid under the left: the left is not the empty schema
    res = is_subschema({"not": {"format": "date"}}, False, format_assertion=True)
    assert res.answer == "no"
    assert_witness(res.witness, [{"not": {"format": "date"}}], [], True)
    res = is_subschema({"not": {"format": "date"}}, {"type": "integer"}, format_assertion=True)
    assert res.answer == "no" and isinstance(res.witness, str)
    report = gap({"not": {"format": "date"}}, {"type": "integer"}, format_assertion=True)
    assert report.covered == "no" and report.items
    # without format assertion, format is an annotation: not {format} is the empty schema
    assert is_subschema({"not": {"format": "date"}}, False).answer == "yes"
    assert is_subschema({"not": {"format": "date", "title": "t"}}, {"type": "integer"}).answer == "yes"


# ---------------------------------------------------------------- gap items

ITEMS_AFTER_PREFIX = {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}}


@pytest.mark.parametrize("source, target, path, keyword", [
    # items after prefixItems: the first item is a string in both, so only minimum is missing
    (ITEMS_AFTER_PREFIX, {**ITEMS_AFTER_PREFIX, "items": {"type": "integer", "minimum": 0}}, "/*", "minimum"),
    # schema-valued additionalProperties applies to the other members only
    ({"type": "object", "properties": {"k": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
     {"type": "object", "properties": {"k": {"type": "integer"}},
      "additionalProperties": {"type": "string", "maxLength": 2}}, "/*", "maxLength"),
    # patternProperties beside additionalProperties
    ({"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
     {"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": {"type": "string", "minLength": 1}},
     "/*", "minLength"),
])
def test_gap_items_keep_their_context(source, target, path, keyword):
    report = gap(source, target)
    assert report.covered == "no"
    # (the core leaves source ⊆ {patternProperties: ...} undecided: an unknown item at /{^x}, not ours)
    items = [i for i in report.items if i.path == path]
    assert [(i.path, i.keyword, i.status) for i in items] == [(path, keyword, "missing")]
    item = items[0]
    assert item.has_witness and "witness" in item.to_dict()
    assert_witness(item.witness, [source], [target])


def test_gap_items_resolve_local_defs_and_root_references():
    target = {"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"},
                                                                  "v": {"anyOf": [{"$ref": "#/$defs/num"}]}}},
                        "num": {"type": "integer"}}, "$ref": "#/$defs/node"}
    recursive = {"type": "object", "properties": {"next": {"$ref": "#"}, "v": {"type": "integer"}}}
    for source, tgt in (({"type": "object"}, target), ({"type": "object", "properties": {"v": {"type": "integer"}}},
                                                         recursive)):
        report = gap(source, tgt)
        assert report.covered == "no"
        for item in report.items:
            assert item.status != "unknown", item  # was "remote reference": $defs lost with the wrapper
            assert item.has_witness
            assert_witness(item.witness, [source], [tgt])


def test_a_gap_to_an_implied_target_has_no_item():
    source = {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer", "minimum": 1}}
    assert gap(source, ITEMS_AFTER_PREFIX).to_dict() == {"covered": "yes", "items": [], "reason": None}


# ---------------------------------------------------------------- merge conflicts need a proof

def test_const_and_closed_object_that_hold_together_are_no_conflict():
    closed = {"additionalProperties": False, "properties": {"a": True}}
    assert merge_strictest({"A": {"const": {"a": 1}}, "B": closed}).conflicts == ()
    other = {"additionalProperties": False, "properties": {"b": True}}
    conflicts = merge_strictest({"A": {"const": {"a": 1}}, "B": other}).conflicts
    assert [(c.path, c.labels, c.status) for c in conflicts] == [("", ("A", "B"), "certain")]


def test_bounds_conflict_for_the_values_they_speak_about():
    # minimum 14 and maximum 7 leave no number (a string passes both, but they speak about numbers)
    merged = merge_strictest({"A": {"properties": {"d": {"minimum": 14}}}, "B": {"properties": {"d": {"maximum": 7}}}})
    assert [(c.path, c.status) for c in merged.conflicts] == [("/d", "certain")]
    # items after prefixItems: the clash only counts where both apply
    merged = merge_strictest({"A": {"type": "array", "prefixItems": [True], "items": {"minimum": 5}},
                              "B": {"type": "array", "items": {"type": "number", "maximum": 3}}})
    assert [(c.path, c.status) for c in merged.conflicts] == [("/*", "certain")]


# ---------------------------------------------------------------- the atom cap

def steps_only() -> Budget:
    """A step budget and no clock: on a loaded machine the 4 s default ran out (budget exceeded)."""
    return Budget(seconds=600, max_steps=2_000_000)


def _version(n: int):
    return next(v["schema"] for v in EAEU["versions"] if v["number"] == n)


@pytest.mark.parametrize("older", [1, 2, 3])
def test_shipped_eaeu_v4_is_decided(older):
    _ROOT_CACHE.clear()
    assert is_subschema(_version(4), _version(older), format_assertion=True, budget=steps_only()).answer == "yes"


def _rules(n: int, shift: int = 0) -> dict:
    """n conditional rules on distinct facts: the atoms grow with 2**n."""
    return {"type": "object", "allOf": [
        {"if": {"properties": {f"k{i}": {"const": 1}}, "required": [f"k{i}"]},
         "then": {"properties": {f"v{i}": {"minimum": i + shift}}}} for i in range(n)]}


def test_an_unknown_caused_by_the_cap_says_so(monkeypatch):
    monkeypatch.setattr(A, "MAX_ATOMS", 20)  # far under what six conditional rules need
    _ROOT_CACHE.clear()
    try:
        res = is_subschema(_rules(6, 1), _rules(6), format_assertion=True, budget=steps_only())
    finally:
        _ROOT_CACHE.clear()  # nodes collapsed under the lower cap must not serve later tests
    assert res.answer == "unknown" and res.reason == R_CAP


def test_documents_with_many_rules_name_the_cap():
    def rules(n: int, shift: int = 0) -> dict:
        return {"type": "object", "allOf": [
            {"if": {"properties": {f"k{i}": {"const": 1}}, "required": [f"k{i}"]},
             "then": {"properties": {f"v{i}": {"minimum": i + shift}}}} for i in range(n)]}

    assert is_subschema(rules(5, 1), rules(5), budget=steps_only()).answer == "yes"
    res = is_subschema(rules(8, 1), rules(8), budget=steps_only())
    assert res.answer == "yes" or res.reason == R_CAP, res


def test_a_condition_whose_then_holds_only_annotations_costs_nothing():
    """A rule recorded as an annotation only (`then` constrains nothing) is `true`: six such rules beside the real
    ones keep the comparison decided (EU/consumer-protection@4 was 'containment undecided' before)."""
    noted = {"if": {"properties": {"k0": {"const": 1}}, "required": ["k0"]},
             "then": {"properties": {"v0": {"x-rule": {"id": "NOTE"}, "description": "annotation only"}}}}
    left, right = _rules(5, 1), _rules(5)
    left["allOf"] += [noted] * 6
    _ROOT_CACHE.clear()
    assert is_subschema(left, right, budget=steps_only()).answer == "yes"
    assert is_subschema(right, left, budget=steps_only()).answer == "no"
    # a `then` that does constrain is not dropped
    strict = {"if": noted["if"], "then": {"properties": {"v0": {"x-rule": {"id": "REAL"}, "maximum": -1}}}}
    assert is_subschema({"allOf": [strict]}, {"allOf": [noted]}, budget=steps_only()).answer == "yes"
    assert is_subschema({"allOf": [noted]}, {"allOf": [strict]}, budget=steps_only()).answer == "no"
