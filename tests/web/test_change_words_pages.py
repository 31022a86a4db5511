"""Issue 16, item 1, in chromium: the diff page tells each change from the newer side and links its Markdown and
CSV exports; the compare page names the stricter side of each rule."""

from __future__ import annotations


def _row(web, path: str, text: str = ""):
    rows = web.page.locator("table.changes tbody tr", has=web.page.locator("code", has_text=path))
    return rows.filter(has_text=text) if text else rows


def test_the_cn_low_value_diff_page_says_loosened(web):
    web.visit("/documents/CN/customs-low-value/diff?from=1&to=2")
    assert "loosened" in web.page.locator("main .verdict").inner_text()
    row = _row(web, "/customs/per_transaction_amount/amount")
    assert row.count() == 1
    cells = row.first.locator("td")
    assert cells.nth(2).locator(".status").inner_text() == "loosened"
    assert "2000" in cells.nth(3).inner_text() and "Cai Guan Shui [2016] No 18" in cells.nth(3).inner_text()
    assert "5000" in cells.nth(4).inner_text() and "Cai Guan Shui [2018] No 49" in cells.nth(4).inner_text()
    assert "stricter" not in web.page.locator("main").inner_text()
    assert web.axe() == []
    for fmt, marker in (("md", "| loosened |"), ("csv", ",loosened,")):
        href = f"/api/v1/documents/CN/customs-low-value/versions/1/diff/2?format={fmt}"
        assert web.page.locator(f"a[href='{href}']").count() == 1
        response = web.page.request.get(web.base + href)
        assert response.status == 200 and marker in response.text()


def test_the_eaeu_marketplace_rule_reads_added_on_the_diff_page(web):
    web.visit("/documents/EAEU/customs-low-value/diff?from=9&to=4")
    row = _row(web, "/customs/declared_value_per_shipment/amount", "EEC Council decisions of January 2026")
    assert row.count() == 1
    assert row.first.locator("td").nth(2).locator(".status").inner_text() == "added"
    assert "removed" not in web.page.locator("table.changes").inner_text()
    web.page.select_option("#from", "2")
    web.page.select_option("#to", "3")
    web.page.click("form.filters button[type=submit]")
    web.page.wait_for_url("**/diff?from=2&to=3")
    weight = _row(web, "/customs/weight_kg_per_shipment")
    assert weight.first.locator("td").nth(2).locator(".status").inner_text() == "added"
    assert "mixed" in web.page.locator("main .verdict").inner_text()


def test_the_compare_page_names_the_weaker_side(web):
    web.visit("/compare?left=EU&right=CN&topic=consumer-protection")
    table = web.page.locator("main table").first
    row = table.locator("tbody tr", has=web.page.locator("code", has_text="/consumer_protection/withdrawal_period_days"))
    text = row.filter(has_text="minimum").first.inner_text()
    assert "EU requires at least 14 days (Directive 2011/83/EU Art 9(1))" in text
    assert "CN at least 7 days" in text and "CN's rule is weaker" in text
    for fmt, marker in (("md", "CN's rule is weaker"), ("csv", "stricter_side")):
        href = f"/compare?left=EU&right=CN&topic=consumer-protection&format={fmt}"
        assert web.page.locator(f"a[href='{href}']").count() == 1
        response = web.page.request.get(web.base + href)
        assert response.status == 200 and marker in response.text()
