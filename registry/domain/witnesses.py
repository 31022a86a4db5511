"""Witnesses a user can act on: the instances shown for two rule documents are instances of the vocabulary both are
written over (an operating profile the compliance check accepts), found by comparing within that vocabulary; where
none exists, the answer says so in words. Pure: the comparisons arrive as the engine's JSON-ready dicts."""

from __future__ import annotations

from typing import Any

WITNESSES = ("only_left", "only_right", "both")
CONTAINMENTS = {"only_left": "left_in_right", "only_right": "right_in_left"}
NOUNS = {"vocabulary/operating-profile": "operating profile", "vocabulary/e-invoice": "e-invoice"}


def noun(vocabulary: str) -> str:
    """What an instance of the vocabulary is called: "operating profile", "e-invoice", else "instance"."""
    return NOUNS.get(vocabulary, "instance")


def a(thing: str) -> str:
    """"an operating profile", "an e-invoice", "a profile"."""
    return f"{'an' if thing[:1] in 'aeiou' else 'a'} {thing}"


def with_vocabulary_witnesses(comparison: dict[str, Any], within: dict[str, Any]) -> dict[str, Any]:
    """The comparison of the two schemas (relation, differences kept) whose witnesses, the top-level ones and
    those of the two containment answers, are replaced by those found within the vocabulary, or removed where
    there are none: no witness shown is an instance the vocabulary rejects."""
    out = {k: v for k, v in comparison.items() if k not in WITNESSES}
    for name in WITNESSES:
        if name in within:
            out[name] = within[name]
    for name, field in CONTAINMENTS.items():
        answer = {k: v for k, v in comparison[field].items() if k != "witness"}
        if answer["answer"] == "no" and name in within:
            answer["witness"] = within[name]
        out[field] = answer
    return out


def within_vocabulary(comparison: dict[str, Any], within: dict[str, Any], vocabulary: str, ref: str,
                      labels: tuple[str, str]) -> dict[str, Any]:
    """The relation among the vocabulary's instances, and for each witness whether one exists, in words."""
    left, right = labels
    thing = noun(vocabulary)
    words = {name: _witness_words(name, comparison, within, thing, ref, left, right) for name in WITNESSES}
    says = f"For every {thing} valid under {ref}: {_relation_words(within, left, right)}."
    if within["relation"] != comparison["relation"] and within["relation"] != "unknown":
        says += (f" Compared as schemas, values no valid {thing} can have included, {left} is "
                 f"{_relation_name(comparison['relation'])} {right}.")
    out: dict[str, Any] = {"vocabulary": ref, "noun": thing, "relation": within["relation"], "says": says,
                           "witnesses": words}
    if within.get("reason"):
        out["reason"] = within["reason"]
    return out


def _relation_name(relation: str) -> str:
    return {"stricter": "stricter than", "looser": "looser than", "equivalent": "equivalent to",
            "overlapping": "overlapping with", "disjoint": "disjoint from"}.get(relation, f"{relation} with")


def _relation_words(within: dict[str, Any], left: str, right: str) -> str:
    relation = within["relation"]
    return {
        "equivalent": f"{left} and {right} accept exactly the same ones",
        "stricter": f"{left} is stricter: every one {left} accepts, {right} accepts too, and {right} accepts more",
        "looser": f"{left} is looser: every one {right} accepts, {left} accepts too, and {left} accepts more",
        "overlapping": f"each of {left} and {right} accepts some that the other refuses, and some are accepted by both",
        "disjoint": f"none is accepted by both {left} and {right}",
    }.get(relation, f"the relation of {left} and {right} is undecided ({within.get('reason') or 'no reason given'})")


def _witness_words(name: str, comparison: dict[str, Any], within: dict[str, Any], thing: str, ref: str,
                   left: str, right: str) -> dict[str, Any]:
    """{"found": bool, "says": words}: what the witness shows, or why there is none."""
    if name == "both":
        if "both" in within:
            return {"found": True, "says": f"{a(thing).capitalize()} valid under {ref} that both {left} and {right} accept."}
        if within["relation"] == "disjoint":
            return {"found": False, "says": f"No {thing} valid under {ref} is accepted by both {left} and {right}: "
                                            "no single profile can satisfy the two."}
        if within["relation"] in ("stricter", "looser", "equivalent"):
            return {"found": False, "says": f"Not shown: one side accepts only {thing}s the other accepts too, "
                                            "so every witness above is accepted by one side only."}
        return {"found": False, "says": f"No {thing} accepted by both was found: {_reason(within)}."}
    accepts, refuses = (left, right) if name == "only_left" else (right, left)
    if name in within:
        return {"found": True, "says": f"{a(thing).capitalize()} valid under {ref} that {accepts} accepts and {refuses} refuses: "
                                       f"only the facts that make the difference are stated."}
    answer = within[CONTAINMENTS[name]]
    if answer["answer"] == "yes":
        says = f"No {thing} valid under {ref} is accepted by {accepts} and refused by {refuses}: every one {accepts} " \
               f"accepts, {refuses} accepts too."
        if comparison[CONTAINMENTS[name]]["answer"] == "no":
            says += f" The two schemas differ there only on values no valid {thing} can have."
        return {"found": False, "says": says}
    return {"found": False, "says": f"No {thing} that {accepts} accepts and {refuses} refuses was found, and none is "
                                    f"proven impossible: {_reason(answer)}."}


def _reason(answer: dict[str, Any]) -> str:
    return answer.get("reason") or "undecided"


def gap_item_words(item: dict[str, Any], vocabulary: str, ref: str, labels: tuple[str, str]) -> dict[str, Any]:
    """A gap item (source → target) with `witness_says`: what its witness shows, or why it has none."""
    source, target = labels
    thing = noun(vocabulary)
    if "witness" in item:
        says = f"{a(thing).capitalize()} valid under {ref} that {source} accepts and {target} refuses for this rule."
    elif item.get("no_witness") == "none":
        says = (f"No {thing} valid under {ref} shows this gap: the two differ here only on values no valid {thing} "
                "can have.")
    elif item.get("no_witness"):
        says = f"No {thing} showing this gap was found, and none is proven impossible ({item['no_witness']})."
    else:
        return item
    return {**item, "witness_says": says}
