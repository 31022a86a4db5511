"""The strictest combined requirement across markets: markets with the same applicable constraints (EU member
states on EU law) are merged once and every requirement names all of them."""

from __future__ import annotations

import json

from sqlalchemy import text

PROFILE = {"seller": {"sells_b2c": True, "processes_personal_data": True},
           "consumer_protection": {"withdrawal_period_days": 7}, "personal_data": {"storage_locations": ["CN"]}}


def test_member_states_share_the_eu_requirement_and_each_is_named(corpus_client):
    alone = corpus_client.post("/api/v1/compliance/check", json={"profile": PROFILE, "markets": ["AT", "CN"]}).json()
    both = corpus_client.post("/api/v1/compliance/check",
                              json={"profile": PROFILE, "markets": ["AT", "EE", "IT", "CN"]}).json()
    key = lambda r: (r["path"], r["keyword"], repr(r["value"]))
    by_key = {key(r): r for r in both["combined"]}
    assert {key(r) for r in alone["combined"]} == set(by_key)  # same requirements: the members add nothing new
    for r in alone["combined"]:
        labels = by_key[key(r)]["labels"]
        if "AT" in r["labels"]:  # a requirement the EU law sets names every member state checked
            assert {"AT", "EE", "IT"} <= set(labels), (r, labels)
        else:
            assert set(labels) == set(r["labels"])
    # one market per group of identical constraints, nothing to merge: listed as it applies, named for all
    only_members = corpus_client.post("/api/v1/compliance/check", json={"profile": PROFILE, "markets": ["AT", "EE"]}).json()
    assert only_members["combined"] and all(set(r["labels"]) == {"AT", "EE"} for r in only_members["combined"])
    assert only_members["conflicts"] == []


def _reference(results, format_assertion=True):
    """The combined requirement as it was computed before the shortcut: the full merge (with its schema) and
    `to_dict()` of every item."""
    from comparisons import merge_strictest
    from registry.services.combined import _named, distinct_markets

    groups, inputs, _ = distinct_markets(results)
    if len(inputs) < 2:
        return None
    merged = merge_strictest(inputs, format_assertion=format_assertion)
    return ([_named(r.to_dict(), groups) for r in merged.requirements if r.keyword != "type"],
            [_named(c.to_dict(), groups) for c in merged.conflicts])


def test_the_quick_merge_gives_the_full_merges_requirements_and_conflicts(corpus_engine):
    """combine() skips the combined schema and the deep copies: over many profiles x every market, its
    requirements and conflicts are the JSON the full merge gave."""
    import random

    from registry.services import combined
    from registry.services.compliance import load_frameworks, run_check
    from registry.storage.database import read_session

    with read_session(corpus_engine) as session:
        markets = [code for code, kind in session.exec(text("select code, kind from jurisdiction")).all()
                   if kind == "economy"]
        frameworks = load_frameworks(session, markets)
    rng = random.Random(17)
    compared = 0
    for _ in range(40):
        profile = {"seller": {"sells_b2c": rng.random() < 0.8, "is_marketplace": rng.random() < 0.4,
                              "processes_personal_data": rng.random() < 0.7, "sells_b2b": rng.random() < 0.5},
                   "consumer_protection": {"withdrawal_period_days": rng.choice([0, 7, 14, 30])},
                   "personal_data": {"storage_locations": rng.sample(["CN", "RU", "EU", "KZ", "VN"], 2)}}
        results = run_check(frameworks, profile, combine=False).results
        expected = _reference(results)
        if expected is None:
            continue
        got = combined.combine(results, format_assertion=True)
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
        compared += 1
    assert compared >= 20  # most profiles meet several markets with something to merge
