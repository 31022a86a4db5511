"""The compare page's witnesses are operating profiles a user can act on: "Check this profile" opens the compliance
page filled in with the witness and both markets, and the check answers (no 422), the refusing side with a gap."""

from __future__ import annotations

import json

from registry.web.profile_form import form_from_profile

WITNESS_SECTIONS = ("#witness-only_left", "#witness-only_right", "#witness-both")


def test_check_this_profile_opens_a_compliance_check_that_accepts_the_witness(web):
    web.visit("/compare?left=CN&right=EU&topic=consumer-protection")
    web.check()
    main = web.page.locator("main")
    assert "For every operating profile valid under vocabulary/operating-profile@" in main.inner_text()
    section = web.page.locator("#witness-only_left")
    assert "Accepted by CN, refused by EU" in section.inner_text()
    shown = json.loads(section.locator("pre code").inner_text())
    section.locator("a.check-profile").click()
    web.page.wait_for_url("**/compliance?markets=CN&markets=EU&profile=*")
    web.check()
    assert web.page.locator(".error-message").count() == 0  # the vocabulary accepts it: no 422
    assert web.page.locator("#results").count() == 1
    for name, value in form_from_profile(shown).items():  # the form is filled in with the witness, field by field
        assert web.page.locator(f"[name='{name}']").input_value() == value, name
    # the per-market table: market, status, rules decided, rules broken, …
    rows = {r.locator("td").nth(0).inner_text(): int(r.locator("td").nth(3).inner_text())
            for r in web.page.locator("table").first.locator("tbody tr").all()}
    assert rows["EU"] >= 1 and rows["CN"] == 0  # EU refuses it, CN accepts it: the witness shows what it says


def test_every_witness_section_says_whether_there_is_one(web):
    web.visit("/compare?left=EU%2Fplatform-presence%40latest&right=VN%2Fplatform-presence%40latest")
    web.check()
    for selector in WITNESS_SECTIONS:
        text = web.page.locator(selector).inner_text()
        has_profile = web.page.locator(f"{selector} pre").count() == 1
        assert has_profile is (web.page.locator(f"{selector} a.check-profile").count() == 1)
        assert has_profile or text.count("No ") + text.count("Not shown") >= 1, text
