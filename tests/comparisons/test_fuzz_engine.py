"""The differential fuzzer (engine_fuzz.py) inside the suite: 2,000 generated pairs with a fixed seed,
every "yes" against sampled instances and every witness against python-jsonschema and jsonschema-rs.
It never touches the database (marked no_database: it runs once, not per database); each engine call
has a step budget, so the run is bounded. 20,000 pairs: `python bench/fuzz_engine.py --pairs 20000`."""

from __future__ import annotations

import pytest

import engine_fuzz

PAIRS = 2000
SEED = 20261202

pytestmark = [pytest.mark.no_database, pytest.mark.slow]


@pytest.fixture(scope="module")
def findings() -> engine_fuzz.Findings:
    found = engine_fuzz.run(PAIRS, SEED)
    print("\n".join(engine_fuzz.unknown_rate_table(found)))
    return found


def _wrong(findings: engine_fuzz.Findings, cause: str | None) -> list[str]:
    return [engine_fuzz.describe(w) for w in findings.wrong if engine_fuzz.known_cause(w) == cause]


def test_no_wrong_answer_and_no_bad_witness_on_generated_pairs(findings):
    assert findings.pairs == PAIRS
    # the grammar reaches every answer: a fuzzer that only ever sees "unknown" would check nothing
    assert min(findings.answers[k] for k in ("yes", "no", "unknown")) > PAIRS // 50, findings.answers
    assert not _wrong(findings, None), "\n".join(_wrong(findings, None)[:10])


def test_no_wrong_answer_from_the_json_equality_shortcut(findings):
    assert not _wrong(findings, engine_fuzz.EQUALITY), "\n".join(_wrong(findings, engine_fuzz.EQUALITY)[:5])


def test_no_wrong_answer_from_a_ref_wrapper(findings):
    assert not _wrong(findings, engine_fuzz.WRAPPER), "\n".join(_wrong(findings, engine_fuzz.WRAPPER)[:5])


def test_the_fuzzer_catches_a_wrong_yes_and_a_bad_witness(monkeypatch):
    """The checks can fail: an engine that says yes to everything, or returns inf, is caught."""
    from comparisons.results import Containment

    found = engine_fuzz.Findings()
    monkeypatch.setattr(engine_fuzz, "is_subschema", lambda a, b, **kw: Containment("yes"))
    engine_fuzz.check_pair({"type": "integer"}, {"type": "string"}, False, found, 1)
    assert [w[0] for w in found.wrong] == ["yes"]
    monkeypatch.setattr(engine_fuzz, "is_subschema",
                        lambda a, b, **kw: Containment("no", witness=float("inf"), has_witness=True))
    engine_fuzz.check_pair({"type": "number"}, {"type": "string"}, False, found, 1)
    assert found.wrong[-1][0] == "witness" and "finite" in found.wrong[-1][4][1]
    assert engine_fuzz.known_cause(("yes", True, {"anyOf": [{"const": 0}, {"not": {"const": False}}]}, False, 0)) \
        == engine_fuzz.EQUALITY
