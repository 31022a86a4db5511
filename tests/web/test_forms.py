"""The signed-in forms in chromium: sign in with a token (CSRF-protected), draft and publish a version with the
errors next to the field, log a meeting, write minutes with a preview."""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.conftest import EUR_LEX_SOURCE
from tests.web.conftest import sign_in


def test_a_regulator_drafts_and_publishes_a_version(web, site):
    sign_in(web, site["regulator"])
    web.visit("/documents/EU/consumer-protection")
    web.page.click("text=Draft a new version")
    web.page.wait_for_url("**/draft")
    web.page.fill("#schema", '{"type": "object", "properties": {"nowhere": {"minimum": 1}}}')
    web.expect_error = True
    web.page.click("form.stack button[type=submit]")
    web.page.wait_for_load_state()
    assert web.page.locator("#schema[aria-invalid=true]").count() == 1
    assert "nowhere" in web.page.locator("#schema-error").inner_text()  # the vocabulary has no such path
    web.problems.clear()
    web.expect_error = False
    schema = json.loads(web.page.request.get(web.base + "/api/v1/documents/EU/consumer-protection/versions/latest")
                        .text())["schema"]
    schema["title"] = "EU consumer rights, browser-test edition"
    schema.setdefault("properties", {})["consumer_protection"] = {"properties": {"refund_deadline_days": {
        "maximum": 14, "x-rule": {"id": "EU-TEST", "citation": "Directive 2011/83/EU Art 13", "confidence": "H",
                                  "sources": [EUR_LEX_SOURCE]}}}}
    web.page.fill("#schema", json.dumps(schema))
    web.page.fill("#changelog", "Browser test")
    web.page.click("form.stack button[type=submit]")
    web.page.wait_for_url("**/versions/*")
    web.check()
    assert "draft" in web.page.locator("dl.facts").inner_text()
    web.page.fill("#effective_from", (dt.date.today() + dt.timedelta(days=1)).isoformat())
    web.page.click("text=Publish @")
    web.page.wait_for_load_state()
    web.check()
    assert "published" in web.page.locator("dl.facts").inner_text()


def test_the_secretariat_logs_a_meeting_and_writes_minutes_with_a_preview(web, site):
    sign_in(web, site["secretariat"])
    web.visit("/meetings/new")
    web.page.fill("#title", "Browser-test dialogue on e-invoicing")
    web.page.select_option("#type", "bilateral")
    web.page.fill("#start", "2026-03-02T10:00")
    web.page.fill("#end", "2026-03-02T12:00")
    web.page.fill("#timezone", "Asia/Almaty")
    web.page.fill("#place", "Astana")
    web.page.fill("#jurisdictions", "KZ, CN")
    web.page.check("input[name=topics][value=e-invoicing]")
    web.page.click("form.stack button[type=submit]")
    web.page.wait_for_url(re.compile(r".*/meetings/[0-9]+$"))
    web.check()
    assert web.page.locator("h1").inner_text() == "Browser-test dialogue on e-invoicing"
    web.page.click("text=Write the minutes")
    web.page.wait_for_url("**/minutes")
    web.page.fill("#markdown", "## Decisions\n\n- adopt **EN 16931**\n\n<script>alert(1)</script>")
    web.page.click("button[value=preview]")
    web.page.wait_for_load_state()
    web.check()
    assert web.page.locator(".preview strong", has_text="EN 16931").count() == 1
    assert web.page.locator(".preview script").count() == 0  # raw HTML is escaped
    web.page.click("button[value=save]")
    web.page.wait_for_url("**/minutes")
    web.check()
    assert "draft" in web.page.locator("main").inner_text()


def test_a_form_posted_without_its_csrf_token_is_refused(web, site):
    response = web.page.request.post(site["base"] + "/sign-in", form={"token": site["secretariat"]})
    assert response.status == 403
    web.problems.clear()


def test_a_wrong_token_is_explained_next_to_the_field(web):
    web.visit("/sign-in")
    web.page.fill("#token", "rcr_not-a-token")
    web.expect_error = True
    web.page.click("button[type=submit]")
    web.page.wait_for_load_state()
    assert web.page.locator("#token-error").count() == 1
    web.problems.clear()
