"""The compliance check flow in chromium: the generated form, a pasted profile, an uploaded file (CSRF-protected)
and the downloads."""

from __future__ import annotations

import json


def test_fill_in_the_generated_form_and_read_the_results(web):
    web.visit("/compliance")
    web.page.check("#check-form input[name=markets][value=EU]")
    web.page.check("#check-form input[name=markets][value=CN]")
    web.page.click("details summary")  # the generated form is folded away
    web.page.select_option("[id='p.seller.sells_b2c']", "true")
    web.page.fill("[id='p.consumer_protection.withdrawal_period_days']", "7")
    web.page.click("#check-form button[type=submit]")
    web.page.wait_for_url("**/compliance?*markets=EU*")
    web.check()
    results = web.page.locator("#results ~ .table-wrap table").first.inner_text()
    assert "EU" in results and "not compliant" in results
    eu = web.page.locator("#market-EU ~ .table-wrap").first.inner_text()
    assert "withdrawal_period_days" in eu and "2011/83/EU" in eu  # the gap cites the directive
    csv = web.page.request.get(web.base + web.page.locator("a.button", has_text="CSV").get_attribute("href"))
    assert csv.status == 200 and csv.text().startswith("market,status,path")
    data = web.page.request.get(web.base + web.page.locator("a.button", has_text="JSON").get_attribute("href")).json()
    assert {m["market"] for m in data["markets"]} == {"EU", "CN"}


def test_paste_a_profile(web):
    web.visit("/compliance")
    web.page.check("#check-form input[name=markets][value=EU]")
    web.page.fill("#profile", json.dumps({"seller": {"sells_b2c": True},
                                          "consumer_protection": {"withdrawal_period_days": 14}}))
    web.page.click("#check-form button[type=submit]")
    web.page.wait_for_url("**/compliance?*")
    web.check()
    # 14 days meets the EU period, but the EU rules ask more than the profile says: not "compliant"
    assert web.page.locator("#market-EU .status").inner_text() == "incomplete: questions open"
    assert "EU on " in web.page.locator("#market-EU + .status-text").inner_text()
    questions = web.page.locator("section.questions").first.inner_text()
    assert "Questions to answer for EU" in questions and "Directive 2011/83/EU" in questions
    assert "No broken rule found in the facts your profile states" in web.page.content()


def test_an_empty_profile_against_cn_reads_incomplete_with_its_questions(web):
    web.visit("/compliance?markets=CN&profile=%7B%7D")
    web.check()
    assert web.page.locator("#market-CN .status").inner_text() == "incomplete: questions open"
    assert "compliant" not in web.page.locator("#results ~ .table-wrap table").first.inner_text().replace(
        "not compliant", "")
    questions = web.page.locator("section.questions").inner_text()
    assert "Sells to consumers (business-to-consumer)" in questions and "decides whether these rules apply" in questions
    assert "when its condition holds" not in web.page.content()


def test_upload_a_profile_file(web, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 3}}))
    web.visit("/compliance")
    form = web.page.locator("form[enctype='multipart/form-data']")
    form.locator("input[name=markets][value=EU]").check()
    form.locator("#upload-file").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    web.page.wait_for_load_state()
    web.check()
    assert "not compliant" in web.page.locator("#market-EU").inner_text()


def test_upload_without_the_csrf_token_is_refused(web, site):
    response = web.page.request.post(site["base"] + "/compliance", multipart={"markets": "EU", "file": {
        "name": "p.json", "mimeType": "application/json", "buffer": b"{}"}})
    assert response.status == 403
    web.problems.clear()


def test_a_bad_profile_is_explained_on_the_page(web, site):
    web.expect_error = True
    response = web.page.goto(site["base"] + "/compliance?markets=EU&profile=%7Bnope")
    assert response.status == 400
    assert "not valid JSON" in web.page.locator("[role=alert]").inner_text()
    web.problems[:] = [p for p in web.problems if "status of 400" not in p]
