"""Budgets that hold inside the engine (issues 13 and 14): bounded witnesses, the expansion measure, every step of a
comparison under its time budget, automata that a budget can stop. These tests assert answers, never times;
the times are in bench/budgets.py."""

from __future__ import annotations

import importlib

import pytest
from greenery import parse

from comparisons import compare, gap, is_subschema
from comparisons import automata
from comparisons.automata import Meter, TooLarge, metered
from comparisons.budget import Budget, BudgetExceeded
from comparisons.canonical import R_BUDGET
from comparisons.expansion import DEFAULT_LIMIT, measure
from comparisons.regex import pattern_fsms
from comparisons.witness import MAX_STRING_CHARS

compare_module = importlib.import_module("comparisons.compare")  # the package exports a function of that name


def doubling_chain(n: int) -> dict:
    defs: dict = {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(n)}
    defs[f"d{n}"] = {"type": "string"}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def budget_reason(reason: str | None) -> bool:
    return reason is not None and reason.startswith(R_BUDGET)


# ---------------------------------------------------------------- witnesses of bounded size

@pytest.mark.parametrize("length", [10**8, 10**7, MAX_STRING_CHARS])
def test_no_witness_string_is_built_beyond_the_limit(length):
    left, right = {"type": "string", "minLength": length}, {"type": "string", "maxLength": 5}
    result = compare(left, right)
    assert result.relation == "unknown" and budget_reason(result.reason)
    assert "witness" in result.reason
    assert result.left_in_right.answer == "unknown" and result.right_in_left.answer == "no"
    assert len(result.only_right) <= 5


def test_a_witness_under_the_limit_is_still_found():
    result = compare({"type": "string", "minLength": 50}, {"type": "string", "maxLength": 5})
    assert result.relation == "disjoint"
    assert len(result.only_left) == 50


def test_numbers_beyond_the_limit_are_not_generated():
    huge = 10**400
    result = is_subschema({"type": "integer", "minimum": huge, "multipleOf": 7}, {"type": "integer", "maximum": 0})
    assert result.answer in ("unknown", "no")
    if result.answer == "no":  # only a value written in the schema itself may come back
        assert abs(result.witness) <= 2 * huge


# ---------------------------------------------------------------- the expansion measure

@pytest.mark.parametrize("n", [16, 20, 200])
def test_the_doubling_chain_is_over_the_limit_and_measured_without_unfolding(n):
    found = measure(doubling_chain(n))
    assert found.work > DEFAULT_LIMIT
    assert found.pointer.startswith("/$defs/d")
    assert "subschema checks" in found.over()


def test_the_measure_counts_paths_through_references():
    found = measure(doubling_chain(6), limit=10**9)
    assert found.reached == 2**6  # the leaf, through 2^6 paths
    assert found.pointer == "/$defs/d6"
    assert found.over() is None


def test_enum_members_and_properties_weigh():
    small = measure({"enum": list(range(10))}).work
    large = measure({"enum": list(range(1000))}).work
    assert large - small == 990
    assert measure({"properties": {str(i): {} for i in range(5000)}}).over() is not None


def test_recursion_that_multiplies_per_level_is_over_the_limit():
    assert measure({"type": "object", "properties": {"a": {"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}}}).over()
    assert measure({"type": "array", "items": {"$ref": "#"}, "contains": {"$ref": "#"}}).over()
    # one subschema per member and item: linear in the instance
    assert measure({"type": "object", "properties": {"l": {"$ref": "#"}, "r": {"$ref": "#"}},
                    "patternProperties": {"^x": {"$ref": "#"}}, "additionalProperties": {"$ref": "#"}}).over() is None
    assert measure({"type": "array", "prefixItems": [{"$ref": "#"}], "items": {"$ref": "#"}}).over() is None


def test_a_cycle_that_consumes_nothing_is_reported():
    found = measure({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                     "$ref": "#/$defs/a"})
    assert found.cycle and "never end" in found.over()


def test_in_place_nesting_depth_is_limited():
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(100)}
    defs["d100"] = {"type": "string"}
    found = measure({"$defs": defs, "$ref": "#/$defs/d0"})
    assert found.depth > 100 and "nest" in found.over()


@pytest.mark.parametrize("n", [16, 20])
def test_the_engine_refuses_to_validate_against_an_expansive_schema(n, monkeypatch):
    calls = []
    monkeypatch.setattr(compare_module, "validator_for", lambda *a: calls.append(a))
    for result in (is_subschema(doubling_chain(n), {"type": "string"}), is_subschema({"type": "string"}, doubling_chain(n))):
        assert result.answer == "unknown" and budget_reason(result.reason) and "subschema checks" in result.reason
    result = compare(doubling_chain(n), {"type": "integer"})
    assert result.relation == "unknown" and budget_reason(result.reason)
    assert calls == []  # no validator was even built


# ---------------------------------------------------------------- every step under the comparison's budget

def test_nothing_is_validated_after_the_comparison_budget_ran_out(monkeypatch):
    """The pools' validations (a shortcut before the engine) run under the budget: none after it ran out."""
    assert compare({"type": "string", "minLength": 2}, {"type": "integer"}).relation == "disjoint"
    validated = []

    class Spy:
        def __init__(self, *args):
            pass

        def is_valid(self, value):
            validated.append(value)
            return False

    monkeypatch.setattr(compare_module, "COMPARE_SECONDS", 0.0)
    monkeypatch.setattr(compare_module, "DIFFERENCES_SECONDS", 0.0)
    monkeypatch.setattr(compare_module, "validator_for", Spy)
    result = compare({"type": "string", "minLength": 3}, {"type": "integer", "minimum": 3})
    assert result.relation == "unknown" and budget_reason(result.reason)
    assert validated == []


# ---------------------------------------------------------------- automata a budget can stop

PATTERNS = ["a", "ab|c", "(ab)*c", "a{2,4}", "[a-c]+x?", "(a|b)*abb", "x{0,3}y*", "", "(?:a|)+", "[^a]b{3}",
            "(a|bc)*(c|ab)?d{1,2}"]
WORDS = ["", "a", "ab", "abb", "aabb", "c", "xxy", "bbb", "ba", "abcd", "bccd", "d", "xbbb", "aaaa", "abc"]


@pytest.mark.parametrize("regex", PATTERNS)
def test_our_automata_accept_what_greenery_accepts(regex):
    ours = automata.from_regex(parse(regex))
    theirs = parse(regex).to_fsm()
    assert ours.equivalent(theirs)
    assert [ours.accepts(w) for w in WORDS] == [theirs.accepts(w) for w in WORDS]
    other = automata.from_regex(parse("a*b?"))
    assert automata.intersection(ours, other).equivalent(theirs & parse("a*b?").to_fsm())
    assert automata.difference(ours, other).equivalent(theirs - parse("a*b?").to_fsm())
    assert automata.union(ours, other).equivalent(theirs | parse("a*b?").to_fsm())


def test_cardinality_and_emptiness():
    assert automata.cardinality(automata.from_regex(parse("[ab]{2}|c"))) == 5
    with pytest.raises(OverflowError):
        automata.cardinality(automata.from_regex(parse("ab*")))
    assert automata.is_empty(automata.intersection(automata.from_regex(parse("a+")), automata.from_regex(parse("b+"))))


def test_construction_stops_at_the_step_limit_and_at_the_clock():
    with pytest.raises(TooLarge), metered(Meter(max_steps=1_000)):
        automata.from_regex(parse("x.{8}"))
    with pytest.raises(BudgetExceeded) as stopped, metered(Meter(Budget(seconds=0.0))):
        automata.from_regex(parse("x.{8}"))
    assert not isinstance(stopped.value, TooLarge)  # the clock, not the size: not remembered as too large


def test_the_automaton_of_x_dot_8_is_built():
    built = pattern_fsms("x.{8}")
    assert built is not None
    assert built[0].accepts("..x12345678") and not built[0].accepts("x1234567")


# Under a loaded machine the clock may run out first: then the answer must say so (never a wrong one, never late)

def test_issue_string_in_pattern_x_dot_10():
    result = is_subschema({"type": "string"}, {"pattern": "x.{10}"})
    assert (result.answer == "no" and result.witness is not None) or (
        result.answer == "unknown" and budget_reason(result.reason))


def test_issue_compare_with_pattern_x_dot_9():
    result = compare({"type": "string", "pattern": "x.{9}"}, {"type": "string"})
    assert result.relation == "stricter" or (result.relation == "unknown" and budget_reason(result.reason))


def test_issue_all_of_twelve_one_letter_patterns():
    twelve = {"type": "string", "allOf": [{"pattern": c} for c in "abcdefghijkl"]}
    assert is_subschema(twelve, {"type": "string"}).answer == "yes"
    result = is_subschema(twelve, {"type": "string", "pattern": "m"})
    assert result.answer == "no" or (result.answer == "unknown" and budget_reason(result.reason))
    result = is_subschema(twelve, {"type": "string", "allOf": [{"pattern": c} for c in "abcdefghijk"]})
    assert result.answer == "yes" or (result.answer == "unknown" and budget_reason(result.reason))
    result = compare(twelve, {"type": "string", "pattern": "m"})
    assert result.relation == "overlapping" or (result.relation == "unknown" and budget_reason(result.reason))


def test_a_gap_report_against_an_expansive_schema_is_unknown_without_unfolding_it():
    defs: dict = {f"d{i}": {"allOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(40)}
    defs["d40"] = {"type": "string", "minLength": 1}
    report = gap({"type": "string"}, {"$defs": defs, "$ref": "#/$defs/d0"})  # 2^40 constraints if flattened
    assert report.covered == "unknown" and "subschema checks" in report.reason
    assert [item.status for item in report.items] == ["unknown"]
    plain = gap({"type": "string"}, {"type": "string", "minLength": 1})  # an ordinary gap still lists its items
    assert [item.keyword for item in plain.items] == ["minLength"]
