"""jsonschema-rs (fast) and python-jsonschema (the reference) report the same failures, at the same instance
and schema paths, for thousands of generated profiles over every shipped rule document."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from registry.domain.canonical import content_hash
from registry.domain.compliance import RuleVersion, check_market
from registry.domain.validation import checker, sorted_failures

STANDARDS = Path(__file__).resolve().parents[1] / "standards"
PROFILES = 3000


def _vocabulary() -> dict:
    data = json.loads((STANDARDS / "vocabulary/operating-profile.json").read_text())
    return data["versions"][-1]["schema"]


def _rule_schemas() -> list[dict]:
    schemas = []
    for path in sorted((STANDARDS / "documents").glob("*/*.json")):
        data = json.loads(path.read_text())
        if data.get("vocabulary") == "vocabulary/operating-profile":
            schemas.extend(v["schema"] for v in data["versions"])
    return schemas


def _numbers(schema: dict, thresholds: list[float]) -> list[Any]:
    near = [t + d for t in thresholds for d in (-1, 0, 1)]
    return near + [0, 1, 7, 14, 30, 1000, 2.5, -3]


def generate(schema: Any, rng: random.Random, thresholds: list[float], depth: int = 0) -> Any:
    """A random value shaped by a vocabulary schema: mostly valid, sometimes not."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    if "enum" in schema:
        return rng.choice(schema["enum"] + ["not-in-enum"]) if rng.random() < 0.95 else 5
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    kind = rng.choice(kind) if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        out = {}
        for name, sub in (schema.get("properties") or {}).items():
            if rng.random() < 0.6:
                out[name] = generate(sub, rng, thresholds, depth + 1)
        return out
    if kind == "array":
        items = schema.get("items", {})
        return [generate(items, rng, thresholds, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "integer":
        return int(rng.choice(_numbers(schema, thresholds)))
    if kind == "number":
        return rng.choice(_numbers(schema, thresholds))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return rng.choice(["", "EUR", "USD", "CN", "RU", "en", "2024-01-01", "x" * 40, "=1+1"])
    return rng.choice([None, 1, "a", True])


def _thresholds(schemas: list[dict]) -> list[float]:
    found: set[float] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and isinstance(value, (int, float)):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for schema in schemas:
        walk(schema)
    return sorted(found)


def _visible(result) -> list[tuple]:
    """What a user sees of a market result: each violation's path, keyword, requirement, rule and document."""
    return sorted((v.path, v.keyword, json.dumps(v.expected, sort_keys=True), (v.rule or {}).get("id"), v.document)
                  for v in result.violations + result.advisories) + [("status", result.status)]


def test_rust_and_python_engines_agree_on_generated_profiles():
    vocabulary, schemas = _vocabulary(), _rule_schemas()
    thresholds = _thresholds(schemas)
    rng = random.Random(20261128)
    versions = [RuleVersion("XX", "XX", f"doc-{i}", 1, content_hash(s), "", s) for i, s in enumerate(schemas)]
    vocabulary_key = content_hash(vocabulary)
    compared = failing = 0
    for _ in range(PROFILES):
        profile = generate(vocabulary, rng, thresholds)
        # the vocabulary check: same failures at the same places (keywords compared: the two engines name
        # schema locations behind a $ref differently)
        fast = sorted_failures(checker(vocabulary_key, vocabulary, engine="rust").failures(profile))
        reference = sorted_failures(checker(vocabulary_key, vocabulary, engine="python").failures(profile))
        assert [(f.instance_path, f.keyword) for f in fast] == [(f.instance_path, f.keyword) for f in reference]
        for version in versions:
            rust = _visible(check_market("XX", [version], profile, engine="rust"))
            python = _visible(check_market("XX", [version], profile, engine="python"))
            assert rust == python, (json.dumps(profile), version.document)
            compared += 1
            failing += len(python) > 1
    assert compared == PROFILES * len(versions)
    # the generator must exercise failures as well as passes, or agreement proves little
    assert 0.02 * compared < failing < 0.98 * compared, failing
