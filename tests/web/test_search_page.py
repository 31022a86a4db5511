"""The search page in chromium: results grouped by kind, rules and meetings reached, any script of the names."""

from __future__ import annotations


def test_search_groups_rules_and_meetings_by_kind(web):
    web.visit("/search?q=withdrawal")
    groups = web.page.locator("section.search-group")
    assert [groups.nth(i).get_attribute("data-kind") for i in range(groups.count())] == \
        ["jurisdiction", "document", "rule", "meeting"]
    rules = web.page.locator("section[data-kind=rule]")
    assert rules.locator("h2").inner_text().startswith("Rules (")
    assert rules.get_by_role("link", name="EU-CP-WITHDRAWAL-14D", exact=False).count() == 1
    assert "Directive 2011/83/EU Art 9(1)" in rules.inner_text()
    meetings = web.page.locator("section[data-kind=meeting]")
    assert meetings.get_by_role("link", name="EU–China dialogue on consumer protection").count() == 1
    web.check()


def test_the_search_box_finds_china_by_its_chinese_name(web):
    web.visit("/search")
    web.page.fill("#q", "中国")
    web.page.click("form[role=search] button")
    web.page.wait_for_url("**/search?q=*")
    first = web.page.locator("section[data-kind=jurisdiction] li a").first
    assert first.get_attribute("href") == "/jurisdictions/CN"
    assert "中国" in first.inner_text() and "Китай" in first.inner_text()
    web.check()
