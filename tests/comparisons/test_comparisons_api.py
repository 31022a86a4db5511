"""Public API of the comparison engine: shapes, serialisation, cache, budget, purity."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import comparisons
from comparisons import (MODES, UNKNOWN_REASONS, ComparisonCache, canonical_json, check_compatibility, compare,
                         content_hash, gap, is_subschema, json_equal, merge_strictest)
from comparisons.budget import Budget

PACKAGE = Path(comparisons.__file__).resolve().parent


def test_public_names() -> None:
    for name in comparisons.__all__:
        assert hasattr(comparisons, name), name
    assert set(MODES) == {"NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE",
                          "FULL_TRANSITIVE"}


def test_engine_is_pure() -> None:
    """comparisons imports nothing of the registry service, no web, no database."""
    forbidden = ("registry", "litestar", "sqlalchemy", "sqlmodel", "httpx", "requests", "urllib.request")
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
        assert len(path.read_text().splitlines()) < 2000, path.name


def test_results_are_json_ready() -> None:
    a = {"type": "object", "properties": {"d": {"type": "integer", "minimum": 14, "x-rule": {"id": "r1"}}}, "required": ["d"]}
    b = {"type": "object", "properties": {"d": {"type": "integer", "minimum": 7, "x-rule": {"id": "r2"}}}, "required": ["d"]}
    for result in (is_subschema(b, a), compare(a, b, labels=("EU", "CN")), gap(b, a), merge_strictest({"EU": a, "CN": b}),
                   check_compatibility(a, b, "FULL")):
        text = json.dumps(result.to_dict())
        assert json.loads(text)


def test_witness_only_with_no_and_reason_only_with_unknown() -> None:
    no = is_subschema({"type": "integer"}, {"minimum": 0})
    assert no.answer == "no" and "witness" in no.to_dict() and no.reason is None
    yes = is_subschema({"minimum": 1}, {"minimum": 0})
    assert yes.answer == "yes" and "witness" not in yes.to_dict()
    unknown = is_subschema({"type": "string", "pattern": "(?=a)"}, {"type": "string", "pattern": "a"})
    assert unknown.answer == "unknown" and unknown.reason.split(":")[0] in UNKNOWN_REASONS


def test_falsy_witness_is_kept() -> None:
    res = is_subschema({"type": "null"}, {"type": "string"})
    assert res.answer == "no" and res.has_witness and res.witness is None and res.to_dict()["witness"] is None


def test_labels_in_summaries() -> None:
    res = compare({"minimum": 14}, {"minimum": 7}, labels=("EU", "CN"))
    assert res.relation == "stricter"
    assert res.differences[0].summary == "the document: EU requires minimum 14; CN requires minimum 7"


def test_cache_hits_by_content() -> None:
    cache = ComparisonCache()
    a, b = {"minimum": 1}, {"minimum": 0}
    first = cache.compare(a, b)
    second = cache.compare({"minimum": 1}, {"minimum": 0})  # equal content, other objects
    assert first is second and cache.hits == 1 and cache.misses == 1
    assert cache.is_subschema(a, b).answer == "yes"


def test_budget_exhaustion_is_unknown() -> None:
    res = is_subschema({"type": "integer"}, {"minimum": 3}, budget=Budget(seconds=5, max_steps=1), shortcuts=False)
    assert res.answer == "unknown" and res.reason == "budget exceeded"


def test_values() -> None:
    assert json_equal(1, 1.0) and not json_equal(1, True) and not json_equal(0, False)
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert canonical_json({"b": 1.0, "a": True}) == '{"a":true,"b":1}'
    assert content_hash({"a": 1}) == content_hash({"a": 1.0}) != content_hash({"a": True})


def test_compatibility_rejects_unknown_mode() -> None:
    try:
        check_compatibility({}, {}, "SIDEWAYS")
    except ValueError as e:
        assert "SIDEWAYS" in str(e)
    else:
        raise AssertionError("no error")


def test_hard_inputs_finish_within_five_seconds() -> None:
    import time

    deep: object = True
    for _ in range(300):
        deep = {"type": "object", "properties": {"a": deep}}
    many = {"type": "object", "required": [f"p{k}" for k in range(40)],
            "properties": {f"p{k}": {"type": "string", "pattern": f"^{k}[a-z]*$"} for k in range(40)}}
    many_b = {"type": "object", "properties": {f"p{k}": {"type": "string", "pattern": f"^{k}"} for k in range(40)}}
    cases = [
        (deep, {"type": "object"}),
        ({"type": "string", "pattern": "^[a-z]{1,60}(x|y){1,60}[0-9]{0,40}$", "maxLength": 90}, {"pattern": "^[a-z]"}),
        ({"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$"}, {"type": "string", "pattern": "^[A-Z]"}),
        ({"enum": list(range(3000))}, {"type": "integer", "maximum": 2998}),
        (many, many_b),
    ]
    for a, b in cases:
        for fn in (lambda: is_subschema(a, b), lambda: compare(a, b)):
            t0 = time.perf_counter()
            res = fn()
            assert time.perf_counter() - t0 < 5.0, res
            if getattr(res, "answer", None) == "unknown":
                assert res.reason
