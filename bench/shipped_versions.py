"""Every version pair of every shipped document: the largest canonical node it builds (what the atom
cap, comparisons.atoms.MAX_ATOMS, must allow), the containment answer, and the time of a version diff
as the API computes it (compare + check_compatibility, canonical forms not cached beforehand).

    python bench/shipped_versions.py [--document EAEU/customs-low-value] [--rounds 3]

Exit status 1 when a pair is left unknown.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import comparisons.atoms as atoms  # noqa: E402
from comparisons import check_compatibility, compare, is_subschema  # noqa: E402
from comparisons.canonical import _ROOT_CACHE  # noqa: E402

LARGEST = [0]
_collapse = atoms.collapse


def _measured_collapse(node: tuple) -> tuple:
    LARGEST[0] = max(LARGEST[0], len(node))
    return _collapse(node)


def documents(only: str | None) -> list[dict]:
    out = []
    for path in sorted((ROOT / "standards" / "documents").rglob("*.json")):
        doc = json.loads(path.read_text())
        if len(doc.get("versions", [])) > 1 and (only is None or doc["name"] == only):
            out.append(doc)
    return out


def diff_seconds(old: dict, new: dict, rounds: int) -> tuple[float, float]:
    """Median wall and CPU seconds of one version diff (CPU: what this process used, whatever else runs)."""
    walls, cpus = [], []
    for _ in range(rounds):
        _ROOT_CACHE.clear()
        start, cpu = time.perf_counter(), time.process_time()
        compare(old, new, format_assertion=True)
        check_compatibility(old, new, "BACKWARD", format_assertion=True)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--document", help="one document, e.g. EAEU/customs-low-value (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="diff timings per pair, the median is shown")
    args = parser.parse_args()
    atoms.collapse = _measured_collapse  # type: ignore[assignment]
    unknown = 0
    largest = 0
    print(f"atom cap (comparisons.atoms.MAX_ATOMS): {atoms.MAX_ATOMS}")
    print(f"{'document':<28} {'pair':<9} {'a ⊆ b':<8} {'atoms':>6} {'diff s':>7} {'CPU s':>6}  reason")
    for doc in documents(args.document):
        versions = {v["number"]: v["schema"] for v in doc["versions"]}
        for old, new in itertools.permutations(sorted(versions), 2):
            _ROOT_CACHE.clear()
            LARGEST[0] = 0
            res = is_subschema(versions[old], versions[new], format_assertion=True)
            size = LARGEST[0]
            largest = max(largest, size)
            seconds, cpu = diff_seconds(versions[old], versions[new], args.rounds)
            unknown += res.answer == "unknown"
            print(f"{doc['name']:<28} v{old}→v{new:<5} {res.answer:<8} {size:>6} {seconds:>7.3f} {cpu:>6.3f}  {res.reason or ''}")
    print(f"largest node: {largest} atoms; unknown pairs: {unknown}")
    return 1 if unknown else 0


if __name__ == "__main__":
    raise SystemExit(main())
