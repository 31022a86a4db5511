"""Golden cases from tests/cases/comparisons/*.json (format: tests/cases/comparisons/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comparisons import check_compatibility, compare, gap, is_subschema, merge_strictest
from comparisons.validation import is_valid
from comparisons.values import json_equal, json_type, value_key

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "comparisons"


def load_cases() -> list:
    out = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text())["cases"]):
            out.append(pytest.param(case, id=f"{path.stem}:{i}:{case['name']}"))
    return out


CASES = load_cases()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 300


def resolve(instance: Any, pointer: str) -> tuple[bool, Any]:
    if pointer == "":
        return True, instance
    node = instance
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_predicate(witness: Any, pred: dict) -> None:
    found, v = resolve(witness, pred["pointer"])
    op, want = pred["op"], pred.get("value")
    where = f"witness{pred['pointer']} = {v!r}"
    if op == "absent":
        assert not found, where
        return
    assert found, f"witness has nothing at {pred['pointer']!r}: {witness!r}"
    checks = {
        "present": lambda: True,
        "==": lambda: json_equal(v, want),
        "!=": lambda: not json_equal(v, want),
        "<": lambda: _num(v) and v < want,
        "<=": lambda: _num(v) and v <= want,
        ">": lambda: _num(v) and v > want,
        ">=": lambda: _num(v) and v >= want,
        "type": lambda: json_type(v) == want,
        "type_not": lambda: json_type(v) != want,
        "not_integer": lambda: _num(v) and not float(v).is_integer(),
        "len<": lambda: len(v) < want,
        "len>": lambda: len(v) > want,
        "len>=": lambda: len(v) >= want,
        "startswith": lambda: isinstance(v, str) and v.startswith(want),
        "has_duplicates": lambda: len({value_key(x) for x in v}) < len(v),
        "has_key_not": lambda: isinstance(v, dict) and any(k != want for k in v),
    }
    assert checks[op](), f"{where} fails {op} {want!r}"


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: dict) -> None:
    kind = case.get("kind", "subschema")
    RUNNERS[kind](case)


def run_subschema(case: dict) -> None:
    fa = case.get("format_assertion", False)
    res = is_subschema(case["a"], case["b"], format_assertion=fa)
    assert res.answer == case["expected"], res
    if res.answer == "no":
        assert res.has_witness
        assert is_valid(case["a"], res.witness, fa) and not is_valid(case["b"], res.witness, fa)
        for pred in case.get("witness", []):
            check_predicate(res.witness, pred)
    if res.answer == "unknown":
        assert res.reason
        if "reason" in case:
            assert res.reason.startswith(case["reason"]), res.reason
    json.dumps(res.to_dict())


def run_compare(case: dict) -> None:
    labels = tuple(case.get("labels", ("left", "right")))
    res = compare(case["a"], case["b"], labels=labels)
    assert res.relation == case["expected"], res
    if res.relation == "unknown":
        assert res.reason
    a, b = case["a"], case["b"]
    if res.has_only_left:
        assert is_valid(a, res.only_left) and not is_valid(b, res.only_left)
    if res.has_only_right:
        assert is_valid(b, res.only_right) and not is_valid(a, res.only_right)
    if res.has_both:
        assert is_valid(a, res.both) and is_valid(b, res.both)
    for want in case.get("differences", []):
        match = [d for d in res.differences if d.path == want["path"] and d.keyword == want["keyword"]]
        assert match, f"no difference at {want['path']} {want['keyword']}: {[(d.path, d.keyword) for d in res.differences]}"
        d = match[0]
        assert d.direction == want["direction"], d
        if "left_rule_id" in want:
            assert d.left_rule and d.left_rule["id"] == want["left_rule_id"]
        if "right_rule_id" in want:
            assert d.right_rule and d.right_rule["id"] == want["right_rule_id"]
        if "summary_contains" in want:
            assert want["summary_contains"] in d.summary, d.summary
        if want.get("has_condition"):
            assert d.condition, d
    json.dumps(res.to_dict())


def run_gap(case: dict) -> None:
    res = gap(case["source"], case["target"])
    assert res.covered == case["expected"], res
    if res.covered == "yes":
        assert res.items == ()
    else:
        assert res.items, "a gap report that is not proven covered must not be empty"
    if "item_count" in case:
        assert len(res.items) == case["item_count"]
    assert len(res.items) >= case.get("min_items", 0)
    for want in case.get("items", []):
        match = [i for i in res.items if i.path == want["path"] and i.keyword == want["keyword"]]
        assert match, f"no gap item {want['path']} {want['keyword']}: {[(i.path, i.keyword) for i in res.items]}"
        item = match[0]
        assert item.status == want["status"], item
        for field in ("citation", "obligation"):
            if field in want:
                assert getattr(item, field) == want[field]
        if want.get("has_condition"):
            assert item.condition
        if item.status == "unknown":
            assert item.reason
    json.dumps(res.to_dict())


def run_merge(case: dict) -> None:
    res = merge_strictest(case["inputs"])
    for want in case.get("conflicts", []):
        match = [c for c in res.conflicts if c.path == want["path"] and set(c.labels) == set(want["labels"])]
        assert match, f"no conflict at {want['path']}: {[c.to_dict() for c in res.conflicts]}"
        if "status" in want:
            assert match[0].status == want["status"]
        if want.get("has_conditions"):
            assert match[0].conditions
    if case.get("no_conflicts"):
        assert res.conflicts == (), res.conflicts
    if "simplified" in case:
        assert res.simplified == case["simplified"]
    for want in case.get("requirements", []):
        match = [r for r in res.requirements if r.path == want["path"] and r.keyword == want["keyword"]]
        assert match, f"no requirement {want['path']} {want['keyword']}"
        assert json_equal(match[0].value, want["value"]), match[0]
        if "labels" in want:
            assert list(match[0].labels) == want["labels"]
    # the merged schema accepts exactly what every input accepts
    for inst in case.get("accepts", []):
        assert is_valid(res.schema, inst) and all(is_valid(s, inst) for s in case["inputs"].values())
    for inst in case.get("rejects", []):
        assert not is_valid(res.schema, inst) and not all(is_valid(s, inst) for s in case["inputs"].values())
    both = {"allOf": list(case["inputs"].values())}
    assert is_subschema(res.schema, both).answer == "yes" and is_subschema(both, res.schema).answer == "yes"
    json.dumps(res.to_dict())


def run_compatibility(case: dict) -> None:
    res = check_compatibility(case["old"], case["new"], case["mode"])
    assert res.compatible == case["expected"], res
    if res.compatible == "no":
        assert res.has_witness
        if "failed_version" in case:
            assert res.failed_version == case["failed_version"]
    if res.compatible == "unknown":
        assert res.reason
    json.dumps(res.to_dict())


RUNNERS = {"subschema": run_subschema, "compare": run_compare, "gap": run_gap, "merge": run_merge,
           "compatibility": run_compatibility}
