"""Run is_subschema over the schema-containment oracle and print a table.

    python bench/containment.py [path/to/questions.jsonl]

The questions live in the `shared` folder beside the checkout (or $REGISTRY_SHARED_DIR).
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comparisons import is_subschema  # noqa: E402


def questions_path() -> Path:
    shared = os.environ.get("REGISTRY_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[1] / ".." / "shared"
    return base / "oracles" / "schema-containment" / "questions.jsonl"


def run(path: Path, shortcuts: bool = True) -> dict:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    stats = {k: collections.Counter() for k in ("core", "all")}
    reasons: collections.Counter = collections.Counter()
    times = {"core": 0.0, "all": 0.0}
    slowest = (0.0, "")
    wrong = []
    for q in rows:
        t0 = time.perf_counter()
        res = is_subschema(q["a"], q["b"], shortcuts=shortcuts)
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, q["id"])
        truth = q["a_subset_b"]
        if res.answer == "unknown":
            outcome = "unknown"
            reasons[(res.reason or "?").split(":")[0]] += 1
        elif (res.answer == "yes") == truth:
            outcome = "correct"
        else:
            outcome = "wrong"
            wrong.append((q["id"], res.answer, truth))
        scopes = ("core", "all") if q["core"] else ("all",)
        for scope in scopes:
            stats[scope][outcome] += 1
            stats[scope]["total"] += 1
            times[scope] += dt
    return {"stats": stats, "reasons": reasons, "times": times, "slowest": slowest, "wrong": wrong}


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else questions_path()
    if not path.exists():
        print(f"oracle not found: {path}")
        return 1
    status = 0
    for shortcuts in (True, False):
        title = "full engine" if shortcuts else "canonical engine only (no validation shortcuts)"
        print(f"== {title}")
        status |= report(run(path, shortcuts))
    return status


def report(r: dict) -> int:
    print(f"{'scope':<6} {'total':>6} {'correct':>8} {'unknown':>8} {'wrong':>6} {'correct%':>9} {'time s':>8}")
    for scope in ("core", "all"):
        s = r["stats"][scope]
        pct = 100.0 * s["correct"] / max(1, s["total"])
        print(f"{scope:<6} {s['total']:>6} {s['correct']:>8} {s['unknown']:>8} {s['wrong']:>6} {pct:>8.2f}% {r['times'][scope]:>8.2f}")
    print(f"slowest question: {r['slowest'][1]} {r['slowest'][0]:.3f} s")
    print("unknown reasons:")
    for reason, n in r["reasons"].most_common():
        print(f"  {n:>5}  {reason}")
    if r["wrong"]:
        print("WRONG ANSWERS:")
        for w in r["wrong"][:50]:
            print("  ", w)
    return 1 if r["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
