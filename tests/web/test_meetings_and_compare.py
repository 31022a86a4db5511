"""Meetings, comparison and matrix pages in chromium: lists, calendar, one meeting, actions, statistics;
the comparison flow from the matrix; every page with its JSON link."""

from __future__ import annotations

import datetime as dt


def test_meeting_list_filters_and_links_json_and_csv(web):
    web.visit("/meetings")
    web.page.fill("#q", "withdrawal")
    web.page.click("form[role=search] button")
    web.page.wait_for_url("**/meetings?q=withdrawal*")
    assert web.page.locator("tbody tr").count() == 1
    assert web.page.locator("a[href='/api/v1/meetings?q=withdrawal']").count() == 1
    csv = web.page.request.get(web.base + "/api/v1/meetings.csv?q=withdrawal")
    assert csv.status == 200 and "EU–China dialogue" in csv.text()
    web.check()


def test_one_meeting_shows_agenda_participants_minutes_outcomes_and_actions(web, site):
    web.visit(f"/meetings/{site['meetings']['held']}")
    main = web.page.locator("main").inner_text()
    for expected in ("Withdrawal periods", "European Commission", "Both sides described", "joint table",
                     "Draft the joint table", "overdue"):
        assert expected in main, expected
    assert web.page.locator(".minutes h2", has_text="Summary").count() == 1  # the Markdown is rendered


def test_calendar_actions_and_statistics(web, site):
    web.visit("/meetings/calendar?month=2025-06")
    assert web.page.locator(".calendar a", has_text="EU–China dialogue").count() == 1
    web.page.click("text=July 2025 →")
    web.page.wait_for_url("**/meetings/calendar?month=2025-07")
    web.visit("/meetings/actions?overdue=true")
    assert "Draft the joint table" in web.page.locator("tbody").inner_text()
    web.visit("/meetings/stats")
    assert web.page.locator("svg.chart").count() == 4
    assert web.page.locator("svg.chart a[href='/meetings?jurisdiction=EU']").count() == 1


def test_matrix_cells_lead_to_the_comparison(web):
    web.visit("/matrix?topic=consumer-protection")
    cells = web.page.locator("svg.heatmap a")
    assert cells.count() >= 4
    web.page.locator("svg.heatmap a[href*='left=CN'][href*='right=EU']").first.click()
    web.page.wait_for_url("**/compare?left=CN&right=EU*")
    web.check()
    assert web.page.locator("h2").first.inner_text().startswith("CN is")
    assert web.page.locator("#gap-left").count() == 1 and web.page.locator("#gap-right").count() == 1
    gap = web.page.request.get(web.base + web.page.locator("a.button", has_text="(Markdown)").first.get_attribute("href"))
    assert gap.status == 200 and "CN" in gap.text()


def test_the_matrix_date_picker_keeps_the_date_in_the_url(web):
    web.visit("/matrix?topic=consumer-protection")
    web.page.fill("#as_of", "2015-01-01")
    web.page.click("form.filters button")
    web.page.wait_for_url("**/matrix?topic=consumer-protection&as_of=2015-01-01*")
    assert "as of 2015-01-01" in web.page.locator("main").inner_text()
    web.check()


def test_compare_two_versions_from_the_form(web):
    web.visit("/compare")
    web.page.fill("#left", "EU/consumer-protection@1")
    web.page.fill("#right", "CN/consumer-protection@latest")
    web.page.click("form.filters button")
    web.page.wait_for_url("**/compare?left=EU*")
    web.check()
    assert web.page.locator("main table").first.locator("tbody tr").count() >= 1
    data = web.page.request.get(web.page.url + "&format=json").json()
    assert data["mode"] == "versions" and data["comparison"]["relation"]
