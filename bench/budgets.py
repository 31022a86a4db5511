"""The issue-13/14 worst cases against the engine's budgets, each timed, and the shipped corpus's expansion.

    python bench/budgets.py            # engine only
    python bench/budgets.py --greenery # also greenery's own construction of the same automaton (stopped at 120 s)

Prints seconds per case and the answer; the answers are asserted in tests/comparisons/test_budgets.py, the times
only here. Figures vary with the machine and its load: compare them with a baseline measured in the same run.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from greenery import parse  # noqa: E402

from comparisons import automata, compare, is_subschema  # noqa: E402
from comparisons.expansion import DEFAULT_LIMIT, measure  # noqa: E402
from comparisons.regex import ANY  # noqa: E402


def doubling_chain(n: int) -> dict:
    defs: dict = {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(n)}
    defs[f"d{n}"] = {"type": "string"}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def search_text(pattern: str) -> str:
    """The regular expression regex.py builds for an unanchored pattern (ECMA-262 reading)."""
    from comparisons.regex import _Translator

    (_start, lower, _upper, _end), *_ = _Translator(pattern, True).translate()[0]
    return f"{ANY}*(?:{lower}){ANY}*"


TWELVE = {"type": "string", "allOf": [{"pattern": c} for c in "abcdefghijkl"]}
CASES = [
    ("automaton of the search x.{8}", lambda: f"{len(automata.from_regex(parse(search_text('x.{8}'))).states)} states"),
    ('{"type":"string"} in {"pattern":"x.{10}"}', lambda: is_subschema({"type": "string"}, {"pattern": "x.{10}"})),
    ('compare pattern "x.{9}" with {"type":"string"}',
     lambda: compare({"type": "string", "pattern": "x.{9}"}, {"type": "string"})),
    ("allOf of 12 one-letter patterns in pattern m", lambda: is_subschema(TWELVE, {"type": "string", "pattern": "m"})),
    ("compare allOf of 12 one-letter patterns with pattern m",
     lambda: compare(TWELVE, {"type": "string", "pattern": "m"})),
    ("compare minLength 100,000,000 with maxLength 5",
     lambda: compare({"type": "string", "minLength": 100_000_000}, {"type": "string", "maxLength": 5})),
    ("compare the doubling chain N=16 with a string", lambda: compare(doubling_chain(16), {"type": "string"})),
    ("compare the doubling chain N=20 with a string", lambda: compare(doubling_chain(20), {"type": "string"})),
    ("measure the doubling chain N=1000", lambda: measure(doubling_chain(1000))),
]


def _answer(result: object) -> str:
    for field in ("relation", "answer"):
        if hasattr(result, field):
            reason = getattr(result, "reason", None)
            return getattr(result, field) + (f" ({reason})" if reason else "")
    return str(result)


def corpus_expansion() -> tuple[int, str, int]:
    worst = (0, "", 0)
    for path in sorted((ROOT / "standards").rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for version in document.get("versions", []) if isinstance(document, dict) else []:
            found = measure(version["schema"], 10**9)
            if found.work > worst[0]:
                worst = (found.work, f"{path.relative_to(ROOT)}@{version['number']}", found.depth)
    return worst


def _stop(signum: int, frame: object) -> None:
    raise TimeoutError()


def main() -> int:
    if "--greenery" in sys.argv:
        signal.signal(signal.SIGALRM, _stop)
        signal.alarm(120)
        t0 = time.perf_counter()
        try:
            found = f"{len(parse(search_text('x.{8}')).to_fsm().states)} states"
        except TimeoutError:
            found = "stopped after 120 s"
        signal.alarm(0)
        print(f"{time.perf_counter() - t0:8.2f} s  greenery's own automaton of the search x.{{8}}: {found}", flush=True)
    for label, case in CASES:
        t0 = time.perf_counter()
        result = case()
        print(f"{time.perf_counter() - t0:8.2f} s  {label}: {_answer(result)[:150]}", flush=True)
    t0 = time.perf_counter()
    work, where, depth = corpus_expansion()
    print(f"{time.perf_counter() - t0:8.2f} s  shipped corpus: largest expansion {work} ({where}, in-place depth "
          f"{depth}); limit {DEFAULT_LIMIT} ({DEFAULT_LIMIT / max(work, 1):.0f}x headroom)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
