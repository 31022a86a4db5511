"""Every read-only page type opens in chromium without a console error, a failed request or an HTTP error,
carries the security headers, and links its JSON."""

from __future__ import annotations

import pytest

PAGES = [
    ("/", "Regulatory Connectivity Registry"),
    ("/search?q=withdrawal", "Search"),
    ("/jurisdictions", "Jurisdictions"),
    ("/jurisdictions?region=Europe", "Jurisdictions"),
    ("/jurisdictions/CN", "China (CN)"),
    ("/jurisdictions/KZ", "Kazakhstan (KZ)"),
    ("/coverage", "Coverage"),
    ("/coverage?cooperation=partner&region=South-East+Asia", "Coverage"),
    ("/documents?jurisdiction=EU", "Documents"),
    ("/documents/EU/consumer-protection", "Consumer rights in distance contracts"),
    ("/documents/EU/consumer-protection/versions/latest", "Consumer rights in distance contracts"),
    ("/docs", "Regulatory Connectivity Registry"),
    ("/docs/concepts", "Concepts"),
]


@pytest.mark.parametrize("path, heading", PAGES)
def test_page_opens_cleanly(web, path, heading):
    response = web.visit(path)
    assert heading in web.page.locator("h1").first.inner_text()
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"]


def test_home_links_its_parts_and_searches(web):
    web.visit("/")
    assert web.page.locator(".cards .figure").count() == 5
    # the coverage badge leads to the grid
    web.page.click("#coverage-badge")
    web.page.wait_for_url("**/coverage")
    assert web.page.locator("table.coverage tbody tr").count() >= 16
    web.visit("/")
    web.page.fill("#q", "consumer")
    web.page.click("form[role=search] button")
    web.page.wait_for_url("**/search?q=consumer")
    assert web.page.locator("main a[href^='/documents/']").count() >= 1
    assert web.page.locator("main a[href^='/meetings/']").count() >= 1
    web.check()


def test_jurisdiction_filters_keep_their_state_in_the_url(web):
    web.visit("/jurisdictions")
    web.page.select_option("#bloc", "EAEU")
    web.page.click("form.filters button")
    web.page.wait_for_url("**/jurisdictions?*bloc=EAEU*")
    codes = web.page.locator("tbody tr td:first-child").all_inner_texts()
    assert "KZ" in codes and "RU" in codes and "CN" not in codes
    assert web.page.locator("a[href^='/api/v1/jurisdictions?']").count() == 1
    web.check()


def test_version_page_cites_every_rule_and_shows_the_schema(web):
    web.visit("/documents/EU/consumer-protection/versions/1")
    rows = web.page.locator("main table tbody tr")
    assert rows.count() >= 1
    first = rows.first.locator("td")
    assert first.nth(0).inner_text().startswith("/")
    assert first.nth(2).locator("a[href^='https://']").count() == 1  # the citation links to its source
    web.page.click("details summary")
    assert '"$schema"' in web.page.locator("details pre").inner_text()
    assert web.page.locator("a[href='/api/v1/documents/EU/consumer-protection/versions/1']").count() == 1


def test_document_timeline_and_diff_between_versions(web):
    web.visit("/documents/EU/consumer-protection")
    assert web.page.locator(".timeline li").count() >= 1
    web.visit("/documents/EU/consumer-protection/diff?from=1&to=1")
    assert "unchanged" in web.page.locator("main .verdict").inner_text()
    assert "No differences" in web.page.locator("main table").inner_text()


def test_a_missing_page_is_a_page_and_the_api_keeps_json(web, site):
    web.expect_error = True
    response = web.page.goto(site["base"] + "/jurisdictions/XX")
    assert response.status == 404
    assert "unknown jurisdiction" in web.page.locator("[role=alert]").inner_text()
    response = web.page.request.get(site["base"] + "/api/v1/jurisdictions/XX", headers={"accept": "text/html"})
    assert response.status == 404 and response.json()["code"] == "unknown_jurisdiction"
    web.problems.clear()


def test_docs_have_a_table_of_contents_and_link_the_api_reference(web):
    web.visit("/docs/concepts")
    assert web.page.locator("nav.toc a[href^='#']").count() >= 2
    assert web.page.locator("nav.toc a[href='/schema/swagger']").count() == 1
    assert web.page.locator("script").count() == 0
