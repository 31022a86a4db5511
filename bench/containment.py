"""Run is_subschema over the schema-containment oracle and print a table.

    python bench/containment.py [path/to/questions.jsonl]
    python bench/containment.py --baseline REV [--rounds 3]

The questions live in the `shared` folder beside the checkout (or $REGISTRY_SHARED_DIR). With --baseline, the
engine of git revision REV (extracted into a temporary folder) and this checkout's answer the same questions in
alternating rounds, one process each, and the medians of their CPU times are printed with their ratio.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
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


def cpu_seconds(path: Path) -> dict:
    """One pass of each engine in this process: CPU seconds and the outcome counts (for --baseline)."""
    out = {}
    for shortcuts in (True, False):
        t0 = time.process_time()
        r = run(path, shortcuts)
        out["full" if shortcuts else "canonical"] = {"cpu": time.process_time() - t0,
                                                      "wrong": len(r["wrong"]), "stats": r["stats"]}
    return out


def against_baseline(path: Path, rev: str, rounds: int) -> int:
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(here), "archive", rev, "comparisons", "bench"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        trees = {"baseline": Path(tmp), "this": here}
        if not (Path(tmp) / "bench" / "containment.py").read_text().count("def cpu_seconds"):
            (Path(tmp) / "bench" / "containment.py").write_text((here / "bench" / "containment.py").read_text())
        cpu: dict = {name: collections.defaultdict(list) for name in trees}
        wrong = 0
        for i in range(rounds):
            for name, tree in trees.items():
                code = (f"import sys, json; sys.path.insert(0, {str(tree)!r}); sys.path.insert(0, {str(tree / 'bench')!r});"
                        f"import containment; print(json.dumps(containment.cpu_seconds(__import__('pathlib').Path({str(path)!r}))))")
                result = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                                   text=True, cwd=tree).stdout.splitlines()[-1])
                for engine, r in result.items():
                    cpu[name][engine].append(r["cpu"])
                    wrong += r["wrong"] if name == "this" else 0
                print(f"round {i + 1}: {name}: " + ", ".join(f"{e} {r['cpu']:.2f} s" for e, r in result.items()),
                      flush=True)
    print(f"medians of {rounds} rounds, CPU seconds (baseline {rev} / this checkout / ratio):")
    for engine in ("full", "canonical"):
        b, t = statistics.median(cpu["baseline"][engine]), statistics.median(cpu["this"][engine])
        print(f"  {engine:<10} {b:8.2f} {t:8.2f}   x{t / b:.2f}")
    print(f"wrong answers of this checkout: {wrong}")
    return 1 if wrong else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="?", type=Path, default=None)
    parser.add_argument("--baseline", help="a git revision whose engine is timed beside this checkout's")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = args.questions or questions_path()
    if not path.exists():
        print(f"oracle not found: {path}")
        return 1
    if args.baseline:
        return against_baseline(path.resolve(), args.baseline, args.rounds)
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
