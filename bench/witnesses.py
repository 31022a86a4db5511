"""The cost of witnesses a user can act on: every pair of shipped documents on one topic (the latest published
version of each, written over the same vocabulary), compared as before (compare; gap both ways) and as now
(compare plus compare_within the vocabulary, witnesses minimised; gap both ways with domain=the vocabulary).
Each mode runs in a fresh process, so that neither warms the other's caches.

    python bench/witnesses.py [--topic consumer-protection]

Prints, per mode, wall and CPU seconds over all pairs and the slowest pair.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def latest(path: Path) -> dict:
    versions = json.loads(path.read_text(encoding="utf-8"))["versions"]
    return [v for v in versions if v["status"] == "published"][-1]["schema"]


def pairs(topic: str | None) -> list[tuple[str, str, str]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted((ROOT / "standards" / "documents").glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if topic in (None, doc["topic"]):
            groups[(doc["topic"], doc["vocabulary"])].append(doc["name"])
    return [(a, b, vocabulary) for (_, vocabulary), names in sorted(groups.items())
            for a, b in itertools.combinations(names, 2)]


def run(mode: str, topic: str | None) -> dict:
    from comparisons import compare, compare_within, gap

    schema = {}
    for path in (ROOT / "standards" / "documents").glob("*/*.json"):
        schema[json.loads(path.read_text(encoding="utf-8"))["name"]] = latest(path)
    vocabularies = {f"vocabulary/{p.stem}": latest(p) for p in (ROOT / "standards" / "vocabulary").glob("*.json")}
    found = pairs(topic)
    slowest, wall0, cpu0 = (0.0, ""), time.perf_counter(), time.process_time()
    for a, b, vocabulary in found:
        t = time.perf_counter()
        compare(schema[a], schema[b])
        domain = vocabularies[vocabulary] if mode == "after" else None
        if domain is not None:
            compare_within(schema[a], schema[b], domain)
        gap(schema[a], schema[b], domain=domain)
        gap(schema[b], schema[a], domain=domain)
        slowest = max(slowest, (time.perf_counter() - t, f"{a} vs {b}"))
    return {"mode": mode, "pairs": len(found), "wall": round(time.perf_counter() - wall0, 2),
            "cpu": round(time.process_time() - cpu0, 2), "slowest": [round(slowest[0], 3), slowest[1]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic")
    parser.add_argument("--mode", choices=("before", "after"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run(args.mode, args.topic)))
        return
    for mode in ("before", "after"):
        command = [sys.executable, __file__, "--mode", mode] + (["--topic", args.topic] if args.topic else [])
        print(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
