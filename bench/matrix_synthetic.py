"""Synthetic matrix: 200 rule-like "jurisdiction" schemas on one topic, all 19,900 pairs compared.

    python bench/matrix_synthetic.py [--n 200] [--seed 7]

Runs the matrix twice through one ComparisonCache (keyed by the SHA-256 of each schema's
canonical JSON): the first pass computes every pair, the second only hits the cache.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comparisons import ComparisonCache  # noqa: E402


def rule(rid: str, citation: str) -> dict:
    return {"id": rid, "citation": citation, "source": "synthetic", "summary": rid, "obligation": "must", "confidence": 0.9}


def jurisdiction(i: int, rng: random.Random) -> dict:
    """A consumer-protection rule document with 5-10 constraints, some under if/then."""
    code = f"J{i:03d}"
    props: dict = {}
    required: list = []
    cp: dict = {"type": "object", "properties": {}, "required": []}
    cpp = cp["properties"]
    cpp["withdrawal_period_days"] = {"type": "integer", "minimum": rng.choice([7, 10, 14, 14, 30]),
                                     "x-rule": rule(f"{code}-withdrawal", f"{code} consumer code art. {rng.randint(1, 99)}")}
    cp["required"].append("withdrawal_period_days")
    if rng.random() < 0.6:
        cpp["refund_days"] = {"type": "integer", "minimum": 1, "maximum": rng.choice([14, 30, 30, 45])}
    if rng.random() < 0.5:
        cpp["cooling_off"] = {"type": "boolean"}
        if rng.random() < 0.5:
            cpp["cooling_off"]["const"] = True
            cp["required"].append("cooling_off")
    props["consumer_protection"] = cp
    required.append("consumer_protection")
    if rng.random() < 0.7:
        props["data_residency"] = {"enum": rng.sample(["EU", "EEA", "CN", "US", "LOCAL", "ANY"], rng.randint(1, 3)),
                                   "x-rule": rule(f"{code}-residency", f"{code} data law s. {rng.randint(1, 50)}")}
    if rng.random() < 0.5:
        props["min_age"] = {"type": "integer", "minimum": rng.choice([13, 16, 18, 18, 21])}
    if rng.random() < 0.4:
        props["max_fee_percent"] = {"type": "number", "minimum": 0, "maximum": rng.choice([1, 2.5, 3, 5])}
    if rng.random() < 0.3:
        props["language"] = {"type": "string", "enum": rng.sample(["en", "fr", "de", "zh", "ru", "es"], rng.randint(1, 3))}
    schema: dict = {"type": "object", "properties": props, "required": required}
    blocks = []
    if rng.random() < 0.5:
        blocks.append({"if": {"properties": {"sector": {"const": "bank"}}, "required": ["sector"]},
                       "then": {"properties": {"retention_days": {"type": "integer", "minimum": rng.choice([365, 1825, 1825, 3650]),
                                                                  "x-rule": rule(f"{code}-retention", f"{code} AML law art. 7")}},
                                "required": ["retention_days"]}})
    if rng.random() < 0.3:
        blocks.append({"if": {"properties": {"online": {"const": True}}, "required": ["online"]},
                       "then": {"properties": {"consumer_protection": {"properties": {
                           "withdrawal_period_days": {"minimum": rng.choice([14, 21, 30])}}}}}})
    if blocks:
        schema["allOf"] = blocks
    return schema


def run(schemas: list, cache: ComparisonCache) -> tuple[float, float, collections.Counter]:
    relations: collections.Counter = collections.Counter()
    t0, c0 = time.perf_counter(), time.process_time()
    for a, b in itertools.combinations(schemas, 2):
        res = cache.compare(a, b)
        relations[res.relation] += 1
    return time.perf_counter() - t0, time.process_time() - c0, relations


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    schemas = [jurisdiction(i, rng) for i in range(args.n)]
    pairs = args.n * (args.n - 1) // 2
    cache = ComparisonCache(max_entries=50_000, max_bytes=512_000_000)  # every pair kept: the second pass is the point
    cold, cold_cpu, relations = run(schemas, cache)
    misses = cache.misses
    warm, _warm_cpu, _ = run(schemas, cache)
    distinct = len({cache.key_of(s) for s in schemas})
    print(f"schemas: {args.n} ({distinct} distinct), pairs: {pairs}")
    print(f"first pass (computed): {cold:8.2f} s  {pairs / cold:10.0f} pairs/s  ({misses} comparisons computed;"
          f" {cold_cpu:.2f} s CPU)")
    print(f"second pass (cached):  {warm:8.2f} s  {pairs / warm:10.0f} pairs/s  ({cache.hits} cache hits)")
    print(f"speed-up of the cache: {cold / warm:.0f}x")
    print("relations:", dict(relations.most_common()))
    unknown = collections.Counter()
    for a, b in itertools.combinations(schemas, 2):
        res = cache.compare(a, b)
        if res.relation == "unknown":
            unknown[(res.reason or "?").split(":")[0]] += 1
    if unknown:
        print("unknown reasons:", dict(unknown.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
