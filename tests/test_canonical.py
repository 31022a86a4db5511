"""Canonical JSON: the fast path (no walk when the text holds no integral float) writes exactly what the full
definition writes, for any JSON value."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.canonical import _normalise, canonical_json, content_hash

pytestmark = pytest.mark.no_database


def reference(value: object) -> str:
    """The definition: integral floats written as integers, keys sorted, compact, UTF-8."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.integers(min_value=-(2**60), max_value=2**60).map(float),
                    st.sampled_from([1e16, -1e22, 2.0**53, 2.0**53 + 2, 0.5e-7, 14.0, -0.0]))
texts = st.one_of(st.text(max_size=12), st.sampled_from(["1.0", "e+5", "v2.0", "ä.0", "\u2028", "\x00x"]))
values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, texts),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.dictionaries(texts, inner, max_size=4)),
                      max_leaves=20)


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(values)
def test_canonical_json_is_the_definition(value):
    assert canonical_json(value) == reference(value)


def test_equal_numbers_and_any_key_order_hash_alike():
    assert content_hash({"a": 14, "b": [1, 2.0]}) == content_hash({"b": [1.0, 2], "a": 14.0})
    assert content_hash({"a": 1.5}) != content_hash({"a": 1})
    assert canonical_json({"version": "1.0", "n": 3.0}) == '{"n":3,"version":"1.0"}'


@pytest.mark.parametrize("value", [float("nan"), {"a": [float("inf")]}, {"a": {1, 2}}, {"when": __import__("datetime").date(2026, 1, 1)}])
def test_what_is_not_json_is_refused_as_by_the_definition(value):
    with pytest.raises((ValueError, TypeError)) as ours:
        canonical_json(value)
    with pytest.raises(ours.type):
        reference(value)
