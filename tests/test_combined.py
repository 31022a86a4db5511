"""The strictest combined requirement across markets: markets with the same applicable constraints (EU member
states on EU law) are merged once and every requirement names all of them."""

from __future__ import annotations

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
