"""Conditions in words in chromium (issue 16): the version, diff, compare (with its gap reports) and compliance
pages show every conditional rule's condition as generated words, never the old "when its condition holds"."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

PLACEHOLDER = "when its condition holds"
PROFILE = {"seller": {"sells_b2c": True, "goods_categories": ["general"]},
           "consumer_protection": {"withdrawal_period_days": 3}}
PAGES = {
    "version": "/documents/CN/consumer-protection/versions/1",
    "diff": "/documents/EU/consumer-protection/diff?from=3&to=4",
    "compare": "/compare?left=CN&right=EU&topic=consumer-protection",
    "compliance": "/compliance?" + urlencode({"markets": "CN", "profile": json.dumps(PROFILE)}),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_condition_on_the_page_is_in_words(web, name):
    web.visit(PAGES[name])
    web.check()
    text = web.page.locator("main").inner_text()
    assert PLACEHOLDER not in text
    shown = [t.strip() for t in web.page.locator(".condition").all_inner_texts()]
    if name != "diff":  # EU @3→@4 may differ only in unconditional rules; the others have conditional rules
        assert shown, f"no condition shown on {PAGES[name]}"
    for words in shown:
        assert words.startswith(("applies when “", "where “", "in every case", "The rule applies when “")), words
        assert "{" not in words, words  # no raw JSON Schema


def test_rules_to_review_by_hand_say_when_they_apply(web):
    web.visit(PAGES["version"])
    item = web.page.locator("h2:has-text('Rules to review by hand') + ul li", has_text="return freight").inner_text()
    assert "applies when “Sells to consumers” is yes" in item  # CN-CP-RETURN-FREIGHT, under CN's exemptions


def test_the_compare_page_says_for_which_goods_cn_lacks_counting_from_receipt(web):
    web.visit(PAGES["compare"])
    row = web.page.locator("#gap-left + .table-wrap tr", has_text="withdrawal_period_counted_from").inner_text()
    assert "are all among custom-made, perishable" in row
    assert "CN has no rule there" in row
    assert "narrower condition" in row
