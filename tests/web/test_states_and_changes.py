"""In a browser, over the shipped corpus: a document whose next versions start later reads "in force" for today's
version and "scheduled from …" for the others; the home page and /changes show the public change feed and never a
draft, even one just written (issue 16, items 5 and 6)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

# AE/e-invoicing in the corpus: @1 from 2026-07-01, @2 from 2027-01-01, @3 from 2027-07-01, @4 from 2027-10-01
AE_STARTS = {1: dt.date(2026, 7, 1), 2: dt.date(2027, 1, 1), 3: dt.date(2027, 7, 1), 4: dt.date(2027, 10, 1)}


def api(site: dict, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(site["base"] + path, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {site['regulator']}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_a_document_with_later_versions_reads_in_force_and_scheduled(web):
    today = dt.date.today()
    current = max(n for n, start in AE_STARTS.items() if start <= today)
    scheduled = [n for n, start in AE_STARTS.items() if start > today]
    web.visit("/documents/AE/e-invoicing")
    states = web.page.locator("p.states").inner_text()
    assert f"@{current} in force since {AE_STARTS[current]}" in states
    for number in scheduled:
        assert f"@{number} scheduled from {AE_STARTS[number]}" in states
    timeline = web.page.locator(".timeline").inner_text()
    assert timeline.count("scheduled from") == len(scheduled)
    assert web.page.locator(".timeline .status-in_force").count() == 1
    web.visit("/documents/AE/e-invoicing/versions/current")
    assert f"@{current}" in web.page.locator("h1").inner_text()
    web.visit("/documents/AE/e-invoicing/versions/latest")
    if scheduled:
        assert f"Scheduled from {AE_STARTS[4]}" in web.page.locator(".notice").first.inner_text()


def test_home_and_changes_show_the_feed_and_never_a_draft(web, site):
    document = "/api/v1/documents/EU/e-signatures"
    latest = api(site, f"{document}/versions/latest")
    draft = api(site, f"{document}/versions", {"schema": latest["schema"], "changelog": "A draft in progress."})
    assert draft["status"] == "draft"
    draft_link = f"/documents/EU/e-signatures/versions/{draft['number']}"
    for address in ("/", "/changes", "/changes?jurisdiction=EU"):
        web.visit(address)
        main = web.page.locator("main")
        assert main.locator(f"a[href='{draft_link}']").count() == 0, address
        assert f"e-signatures @{draft['number']}" not in main.inner_text(), address
    web.visit("/")
    feed = web.page.locator("ul.changes li")
    assert feed.count() == 10
    assert "version create" not in web.page.locator("main").inner_text()
    web.page.click("a[href='/changes']")
    web.page.wait_for_url("**/changes")
    assert web.page.locator("ul.changes li").count() > 10
    web.visit("/changes?jurisdiction=CN")  # the full feed holds the last 100 changes; CN's own holds this one
    assert "CN raised the maximum per transaction amount from 2000 to 5000" in web.page.locator("main").inner_text()
    assert web.axe() == []
    web.check()
