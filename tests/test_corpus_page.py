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
