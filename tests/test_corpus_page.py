"""docs/corpus.md is generated from standards/ and must not go stale."""

from __future__ import annotations

import os
from pathlib import Path

from registry.reports.corpus import corpus_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_the_corpus_page_is_current():
    expected = corpus_markdown(ROOT / "standards")
    page = ROOT / "docs" / "corpus.md"
    if os.environ.get("REGISTRY_UPDATE_DOCS"):
        page.write_text(expected)
    assert page.read_text() == expected, "docs/corpus.md is stale: REGISTRY_UPDATE_DOCS=1 pytest tests/test_corpus_page.py"


def test_the_corpus_page_names_every_document_and_jurisdiction():
    import json

    text = corpus_markdown(ROOT / "standards")
    for path in (ROOT / "standards" / "documents").glob("*/*.json"):
        assert json.loads(path.read_text())["name"] in text
    for entry in json.loads((ROOT / "standards" / "jurisdictions.json").read_text())["jurisdictions"]:
        assert f"| {entry['code']} | {entry['name']} |" in text


def test_the_corpus_page_counts_the_partners_core_coverage():
    """docs/corpus.md's coverage table: one row per jurisdiction, partners with their date, and the share of the
    partners' core-topic cells researched and recorded, counted here again from the table's own rows."""
    import re

    text = (ROOT / "docs" / "corpus.md").read_text()
    section = text.split("## Coverage", 1)[1].split("\n## ", 1)[0]
    rows = [r.split(" | ") for r in re.findall(r"^\| ([A-Z]{2,4} \| .*) \|$", section, re.M)]
    partners = [r for r in rows if r[1].startswith("partner since ")]
    cells = [c for r in partners for c in r[2:7]]
    said = re.search(r"(\d+) partners .* (\d+) of (\d+) \(\d+%\) cells researched, (\d+) of \d+ \(\d+%\) with rules",
                     section)
    assert said and int(said[1]) == len(partners) and int(said[3]) == len(cells)
    assert int(said[2]) == sum(c != "not researched" for c in cells) and int(said[4]) == cells.count("recorded")
