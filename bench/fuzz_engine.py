"""The comparison engine's differential fuzzer at scale: generated schema pairs, every "yes" checked
against sampled instances and every witness against python-jsonschema and jsonschema-rs.

    python bench/fuzz_engine.py --pairs 20000 --seed 7

Prints the answers, the unknown rate by category (the reason before ": "), how many sampled instances
the two validators read differently, and every wrong answer or bad witness (exit status 1 if any).
The grammar and the checks are tests/comparisons/engine_fuzz.py (the suite runs 2,000 pairs of it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "comparisons")]

import engine_fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20_000, help="how many generated pairs (default 20000)")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed (default 7)")
    args = parser.parse_args()
    findings = engine_fuzz.run(args.pairs, args.seed,
                               progress=lambda f: print(f"  {f.pairs} pairs, {len(f.wrong)} wrong", flush=True))
    print("\n".join(engine_fuzz.unknown_rate_table(findings)))
    for wrong in findings.wrong:
        print(f"WRONG [{engine_fuzz.known_cause(wrong) or 'new'}]", engine_fuzz.describe(wrong))
    return 1 if findings.wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
