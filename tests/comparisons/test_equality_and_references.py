"""Issue 14, items 1, 2 and 6: JSON equality in every shortcut and the cache key, no wrapper that
changes what `$ref` means, and answers that hold for every validation engine the registry can use."""

from __future__ import annotations

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from comparisons import (ComparisonCache, all_of, check_compatibility, compare, gap, is_subschema, json_equal,
                         merge_strictest)
from comparisons.containment import are_disjoint


def _python(schema, fa=False):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER if fa else None)


def _rust(schema, fa=False):
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=fa, pattern_options=jsonschema_rs.RegexOptions())


def _holds_everywhere(a, b, fa=False) -> bool:
    """a ⊆ b is not refuted by a value on which both engines agree among a few probes."""
    probes = [None, True, False, 0, 1, 0.5, -1, "", "a", "\v", " ", [], [0], [False], {}, {"k": 5, "next": {}}]
    return not any(_python(a, fa).is_valid(v) and not _python(b, fa).is_valid(v) for v in probes)


# ---------------------------------------------------------------- 1. JSON equality

@pytest.mark.parametrize("one, two, equal", [
    (1, 1.0, True), (0, False, False), (1, True, False), ([0], [False], False), ({"a": 1}, {"a": 1.0}, True),
    ({"a": 1}, {"a": True}, False), ({"a": 1}, {"b": 1}, False), ([1, [2]], [1.0, [2.0]], True), (None, False, False),
])
def test_json_equal_is_type_aware(one, two, equal):
    assert json_equal(one, two) is equal and json_equal(two, one) is equal


def test_a_complement_pair_is_compared_as_json_not_with_python_equality():
    # {"const": false} is not {"const": 0}: `false` is valid under true and not under the anyOf
    result = is_subschema(True, {"anyOf": [{"const": 0}, {"not": {"const": False}}]})
    assert result.answer == "no" and result.witness is False
    assert is_subschema({"allOf": [{"const": 0}, {"not": {"const": False}}]}, False).answer == "no"
    # a true complement pair is still recognised
    assert is_subschema(True, {"anyOf": [{"const": 0}, {"not": {"const": 0.0}}]}).answer == "yes"


def test_a_complement_pair_must_be_written_alike():
    # equal JSON, read differently: python-jsonschema divides by 3.0 in floating point beyond 2^53
    both = {"allOf": [{"multipleOf": 3}, {"not": {"multipleOf": 3.0}}]}
    assert _python(both).is_valid(2 ** 53 + 1)
    assert is_subschema(both, False).answer != "yes"
    assert is_subschema({"allOf": [{"multipleOf": 3}, {"not": {"multipleOf": 3}}]}, False).answer == "yes"


def test_the_backward_example_is_breaking_and_not_equivalent():
    v1 = {"minimum": 0}
    v2 = {"minimum": 0, "anyOf": [{"const": False}, {"not": {"const": 0}}]}
    result = check_compatibility(v1, v2, "BACKWARD")
    assert result.compatible == "no"
    assert _python(v1).is_valid(result.witness) and not _python(v2).is_valid(result.witness)
    assert compare(v1, v2).relation == "looser"


def test_differences_compare_schemas_as_json():
    left = {"type": "object", "additionalProperties": {"const": 0}}
    right = {"type": "object", "additionalProperties": {"const": False}}
    assert compare(left, right).differences, "additionalProperties changed from const 0 to const false"


def test_the_cache_never_merges_true_with_1():
    cache = ComparisonCache()
    assert cache.key_of({"const": True}) != cache.key_of({"const": 1})
    assert cache.is_subschema({"const": True}, {"type": "boolean"}).answer == "yes"
    assert cache.is_subschema({"const": 1}, {"type": "boolean"}).answer == "no"


@pytest.mark.parametrize("divisor", [3, 3.0])
def test_an_integral_multiple_of_answers_alike_however_it_is_written(divisor):
    # the engines disagree beyond 2^53 (python divides by 3.0 in floating point, jsonschema-rs
    # saturates floats): answers must not depend on it, so 3 and 3.0 may share a cache key
    assert _python({"multipleOf": 3.0}).is_valid(2 ** 53 + 1) != _rust({"multipleOf": 3.0}).is_valid(2 ** 53 + 1)
    assert is_subschema({"multipleOf": 6}, {"multipleOf": divisor}).answer == "unknown"
    unknown = is_subschema({"multipleOf": 6}, {"multipleOf": divisor})
    assert "2^53" in unknown.reason
    bounded = {"multipleOf": 6, "minimum": -1000, "maximum": 1000}
    assert is_subschema(bounded, {"multipleOf": divisor}).answer == "yes"
    no = is_subschema({"multipleOf": divisor, "maximum": 1000}, {"multipleOf": 6})
    assert no.answer == "no" and abs(no.witness) < 2 ** 53


def test_a_float_divisor_is_not_proven_beyond_2_53():
    # python-jsonschema divides by 4.0 in floating point: 2^54 + 1 passes multipleOf 4.0, fails multipleOf 2
    assert _python({"multipleOf": 4.0}).is_valid(2 ** 54 + 1) and not _python({"multipleOf": 2}).is_valid(2 ** 54 + 1)
    assert is_subschema({"multipleOf": 4.0}, {"multipleOf": 2}).answer == "unknown"
    assert is_subschema({"multipleOf": 4.0, "maximum": 10 ** 6, "minimum": 0}, {"multipleOf": 2}).answer == "yes"


def test_big_numbers_never_give_a_proof_or_witness_one_engine_would_contradict():
    # jsonschema-rs compares 10**30 with 1e30 as floats (equal); python-jsonschema exactly (different)
    assert _python({"const": 10 ** 30}).is_valid(1e30) != _rust({"const": 10 ** 30}).is_valid(1e30)
    assert is_subschema({"const": 10 ** 30}, {"const": 1e30}).answer == "unknown"
    assert is_subschema({"maximum": 10 ** 300}, {"maximum": 1e300}).answer == "unknown"
    assert is_subschema({"minimum": 1e300, "maximum": 1e300}, {"multipleOf": 3}).answer != "yes"


# ---------------------------------------------------------------- 2. no wrapper that changes meaning

LINKED = {"type": "object", "properties": {"next": {"$ref": "#"}}}
SHARED = {"k": 5, "next": {}}


def test_disjointness_keeps_what_hash_ref_means():
    a = {"type": "object", "required": ["k"], "properties": {"k": {"const": 5}}}
    assert _python(a).is_valid(SHARED) and _python(LINKED).is_valid(SHARED)
    assert are_disjoint(a, LINKED).answer == "no"
    result = compare(a, LINKED)
    assert result.relation != "disjoint"
    if result.has_both:  # a witness of both is valid under both
        assert _python(a).is_valid(result.both) and _python(LINKED).is_valid(result.both)


def test_disjointness_is_decided_on_the_canonical_forms():
    assert are_disjoint({"type": "string"}, {"type": "integer"}).answer == "yes"
    assert compare({"type": "string"}, {"type": "integer"}).relation == "disjoint"
    overlap = are_disjoint({"type": "number", "minimum": 0}, {"type": "number", "maximum": 5})
    assert overlap.answer == "no" and 0 <= overlap.witness <= 5


DEFS = {"$defs": {"rule": {"type": "object", "required": ["k"], "properties": {"k": {"maximum": 10}}}},
        "$ref": "#/$defs/rule"}
PLAIN = {"type": "object", "required": ["k"], "properties": {"k": {"maximum": 10}}}
RECURSIVE = {"type": "object", "required": ["k"], "properties": {"k": {"maximum": 10}, "next": {"$ref": "#"}}}
RECURSIVE_PLAIN_TOP = {"type": "object", "required": ["k"], "properties": {"k": {"maximum": 10}, "next": True}}


@pytest.mark.parametrize("form", [PLAIN, DEFS], ids=["plain", "$defs"])
@pytest.mark.parametrize("other", [{"type": "object", "required": ["k"], "properties": {"k": {"maximum": 5}}},
                                   {"type": "object", "properties": {"k": {"type": "string"}}},
                                   {"type": "object"}], ids=["stricter", "clashing", "looser"])
def test_every_public_function_answers_alike_behind_a_ref_to_defs(form, other):
    _same_answers(PLAIN, form, other)


@pytest.mark.parametrize("other", [{"type": "object", "required": ["k"], "properties": {"k": {"maximum": 5}}},
                                   {"type": "object", "properties": {"k": {"type": "string"}}}],
                         ids=["stricter", "clashing"])
def test_every_public_function_answers_alike_behind_hash_ref_recursion(other):
    # `next` may hold anything in the plain form; behind "$ref": "#" it must itself be a valid document,
    # so compare the recursive form with itself inside the combinations rather than with the plain one
    _same_answers(RECURSIVE, {"$defs": {"self": RECURSIVE}, **RECURSIVE}, other)
    merged = merge_strictest({"a": RECURSIVE, "b": other})
    assert _python(merged.schema).is_valid({"k": 1, "next": {"k": 2}}) == (
        _python(RECURSIVE).is_valid({"k": 1, "next": {"k": 2}}) and _python(other).is_valid({"k": 1, "next": {"k": 2}}))
    assert not _python(merged.schema).is_valid({"k": 1, "next": {"k": 20}})
    assert _rust(merged.schema).is_valid({"k": 1, "next": {"k": 2}}) == _python(merged.schema).is_valid(
        {"k": 1, "next": {"k": 2}})


def _answers(schema, other):
    merged = merge_strictest({"x": schema, "y": other})
    together = all_of([schema, other])
    return {
        "sub": is_subschema(schema, other).answer, "super": is_subschema(other, schema).answer,
        "compare": compare(schema, other).relation, "gap": gap(schema, other).covered,
        "back": check_compatibility(schema, other, "BACKWARD").compatible,
        "conflicts": sorted(c.keyword for c in merged.conflicts),
        "merged_empty": is_subschema(merged.schema, False).answer,
        "all_of_empty": is_subschema(together, False).answer,
        "all_of_in_other": is_subschema(together, other).answer,
    }


def _same_answers(plain, wrapped, other):
    got, want = _answers(wrapped, other), _answers(plain, other)
    assert "remote reference" not in str(got)
    for key, value in got.items():
        assert value == want[key] or value == "unknown", (key, value, want[key])


@pytest.mark.parametrize("schema", [DEFS, LINKED, RECURSIVE])
def test_combining_documents_keeps_their_references_local(schema):
    merged = merge_strictest({"a": schema, "b": {"type": "object"}})
    for engine in (_python, _rust):
        assert engine(merged.schema).is_valid({"k": 1, "next": {"k": 1}}) == _python(schema).is_valid(
            {"k": 1, "next": {"k": 1}})
        assert engine(merged.schema).is_valid({"k": 1, "next": 5}) == _python(schema).is_valid({"k": 1, "next": 5})
    assert is_subschema(all_of([schema, True]), schema).reason != "remote reference"


def test_all_of_leaves_documents_without_references_as_they_are():
    assert all_of([]) is True and all_of([PLAIN]) is PLAIN
    assert all_of([PLAIN, {"type": "object"}]) == {"allOf": [PLAIN, {"type": "object"}]}
    assert all_of([LINKED, LINKED])["allOf"][0]["$id"] != all_of([LINKED, LINKED])["allOf"][1]["$id"]


# ---------------------------------------------------------------- 6. one semantics, declared

def test_vertical_tab_under_backslash_s_is_not_proven():
    # ECMA-262, Python re and Rust read \v as \s; RE2 (the registry's python engine) does not
    result = is_subschema({"type": "string", "pattern": "^\\v$"}, {"type": "string", "pattern": "^\\s$"})
    assert result.answer == "unknown" and result.reason
    assert is_subschema({"type": "string", "pattern": "^ $"}, {"type": "string", "pattern": "^\\s$"}).answer == "yes"
    assert is_subschema({"pattern": "^\\s+$"}, {"pattern": "^\\s*$"}).answer == "yes"


def test_a_trailing_newline_before_dollar_is_not_proven():
    # Python's $ matches before a final newline; RE2's and Rust's do not
    assert _python({"pattern": "^a$"}).is_valid("a\n") and not _rust({"pattern": "^a$"}).is_valid("a\n")
    assert is_subschema({"const": "a\n"}, {"pattern": "^a$"}).answer == "unknown"
    assert is_subschema({"pattern": "^a$"}, {"pattern": "^[a-z]$"}).answer == "yes"


@pytest.mark.parametrize("fmt, value", [("email", "a@"), ("email", "a b@c")])
def test_formats_the_engines_read_differently_are_undecided(fmt, value):
    assert _python({"format": fmt}, True).is_valid(value) != _rust({"format": fmt}, True).is_valid(value)
    assert is_subschema({"const": value}, {"format": fmt}, format_assertion=True).answer == "unknown"
    assert is_subschema({"const": value}, {"not": {"format": fmt}}, format_assertion=True).answer == "unknown"
    assert is_subschema({"const": "a@b"}, {"format": "email"}, format_assertion=True).answer == "yes"


def test_other_dialects_and_infinite_numbers_are_refused():
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 0, "exclusiveMinimum": True}
    for result in (is_subschema(draft4, {"minimum": 0}), is_subschema({"minimum": 0}, draft4)):
        assert result.answer == "unknown" and result.reason.startswith("invalid schema: $schema")
    assert compare(draft4, {"minimum": 0}).relation == "unknown"
    with pytest.raises(ValueError, match="draft 2020-12"):
        merge_strictest({"a": draft4, "b": {}})
    assert is_subschema({"$schema": "https://json-schema.org/draft/2020-12/schema"}, {}).answer == "yes"
    infinite = is_subschema({"maximum": float("inf")}, {"maximum": 5})
    assert infinite.answer == "unknown" and "not JSON" in infinite.reason
    assert is_subschema({"const": float("nan")}, True).answer == "unknown"
