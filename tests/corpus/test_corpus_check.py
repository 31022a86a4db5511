"""`registry corpus check`: rules whose confidence their sources do not support, on small fixture folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.services.corpus import check_provenance
from tests.conftest import EUR_LEX_SOURCE, MINI

DAYS = ("versions", 0, "schema", "properties", "consumer_protection", "properties", "withdrawal_period_days", "x-rule")
POINTER = "/properties/consumer_protection/properties/withdrawal_period_days/x-rule"
SECONDARY = {"url": "https://www.example-law.com/notes/consumer-rights-art-9", "title": "Withdrawal under Art 9",
             "publisher": "Example Law LLP", "kind": "secondary", "language": "en",
             "quote": "Consumers have 14 days to withdraw.", "retrieved": "2026-12-02"}


def folder_with(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "standards"
    shutil.copytree(MINI, folder)
    path = folder / "documents/EU/consumer-protection.json"
    data = json.loads(path.read_text())
    rule = data
    for key in DAYS:
        rule = rule[key]
    edit(rule, data)
    path.write_text(json.dumps(data, ensure_ascii=False))
    return folder


def cli(*args: str):
    return CliRunner().invoke(main, ["corpus", "check", *args], catch_exceptions=False)


def eu_check(folder: Path):
    checks, errors = check_provenance(folder)
    assert errors == []
    return next(c for c in checks if c.document == "EU/consumer-protection")


def test_the_mini_corpus_passes_with_its_basis_in_words(tmp_path):
    folder = folder_with(tmp_path, lambda rule, data: None)
    checks, _ = check_provenance(folder)
    assert [(c.rule_id, c.ok, c.basis) for c in checks] == [
        ("T-CN-7D", True, "H: the legal text is quoted (National People's Congress)"),
        ("T-EU-14D", True, "H: the legal text is quoted (Publications Office of the European Union (EUR-Lex))")]
    result = cli(str(folder))
    assert result.exit_code == 0, result.output
    assert "2 rules checked, 0 not supported" in result.output


def _secondary_h(rule, data):
    rule["sources"] = [SECONDARY]


def _two_publishers(rule, data):
    rule["sources"] = [SECONDARY, {**SECONDARY, "publisher": "Consumer Association", "kind": "official"}]


def _secondary_m(rule, data):
    rule["sources"], rule["confidence"] = [SECONDARY], "M"


def test_two_independent_sources_support_h_and_one_secondary_supports_m(tmp_path):
    assert eu_check(folder_with(tmp_path / "a", _two_publishers)).basis == \
        "H: two independent sources agree (Consumer Association; Example Law LLP)"
    check = eu_check(folder_with(tmp_path / "b", _secondary_m))
    assert check.ok and check.basis == "M: one secondary source quotes the rule (Example Law LLP)"


@pytest.mark.parametrize("edit, words", [
    (_secondary_h, "H claimed, but one secondary source quotes the rule"),
    (lambda rule, data: rule["sources"][0].pop("quote"), f"{POINTER}/sources/0/quote"),
    (lambda rule, data: rule["sources"][0].update(url="https://eur-lex.europa.eu/en/index.html"), "home page"),
    (lambda rule, data: rule["sources"][0].update(language="fr"), f"{POINTER}/sources/0/quote_en"),
    (lambda rule, data: rule.update(disputed=True, sources=[EUR_LEX_SOURCE, SECONDARY]), f"{POINTER}/dispute"),
    (lambda rule, data: rule.update(source="https://eur-lex.europa.eu/"), f"{POINTER}/source"),
])
def test_each_unsupported_rule_is_listed_and_the_exit_status_is_1(tmp_path, edit, words):
    folder = folder_with(tmp_path, edit)
    check = eu_check(folder)
    assert not check.ok and any(words in p for p in check.problems + [check.basis]), check
    result = cli(str(folder))
    assert result.exit_code == 1
    assert "T-EU-14D" in result.output and "2 rules checked, 1 not supported" in result.output
    listed = json.loads(cli(str(folder), "--json").output)
    assert (listed["rules"], listed["failing"]) == (2, 1)
    assert [c["rule"] for c in listed["checks"] if not c["ok"]] == ["T-EU-14D"]


def _legacy(rule, data):
    rule.pop("sources")
    rule["source"] = "https://eur-lex.europa.eu/"


def test_a_corrected_version_keeps_its_old_source_but_no_other_status_does(tmp_path):
    def corrected(rule, data):
        _legacy(rule, data)
        data["versions"][0]["status"] = "corrected"

    check = eu_check(folder_with(tmp_path / "a", corrected))
    assert check.ok and check.kept_as_recorded and "kept as recorded" in check.basis
    check = eu_check(folder_with(tmp_path / "b", _legacy))
    assert not check.ok and not check.kept_as_recorded


def test_an_unreadable_file_fails_the_check(tmp_path):
    folder = folder_with(tmp_path, lambda rule, data: None)
    (folder / "documents/EU/broken.json").write_text("{not json")
    result = cli(str(folder))
    assert result.exit_code == 1 and "documents/EU/broken.json" in result.output



def test_the_corpus_page_shows_each_rule_s_sources_and_basis():
    from registry.reports.corpus import corpus_markdown

    page = corpus_markdown(MINI)
    assert ("| T-CN-7D | CN/consumer-protection@1 | Consumer Rights Protection Law Art 25 | H: the legal text is quoted "
            "(National People's Congress) | [National People's Congress](https://www.npc.gov.cn/zgrdw/npc/xinwen/"
            "2013-10/26/content_1811773.htm) (legal-text, zh) |") in page
