"""The SHIPPED corpus (every version of every document) meets issue 15's provenance rule: every rule has at least
one deep-linked source with a verbatim quote, none cites a home page, and `registry corpus check` passes.

The loader lets a `corrected` version keep the old `source` string (docs/corpus-format.md, "Corrected versions keep
what the registry said"), for folders written before sources had quotes; the shipped corpus uses none of that: its
corrected versions carry the quoted sources of the rules that correct them, as amendments."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.domain.provenance import deep_link_problem, rules_with_pointers
from tests.conftest import STANDARDS

FILES = sorted((STANDARDS / "documents").glob("*/*.json"))


def _rules(path):
    doc = json.loads(path.read_text())
    for version in doc["versions"]:
        for pointer, rule in rules_with_pointers(version["schema"]):
            yield f"{doc['name']}@{version['number']}{pointer} ({rule.get('id')})", version["status"], rule


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_rule_has_a_deep_linked_quoted_source(path):
    wrong = []
    for at, _status, rule in _rules(path):
        sources = rule.get("sources") if isinstance(rule.get("sources"), list) else []
        good = [s for s in sources if isinstance(s, dict) and (s.get("quote") or "").strip()
                and deep_link_problem(s.get("url")) is None]
        homes = [s for s in sources if isinstance(s, dict) and deep_link_problem(s.get("url")) is not None]
        if not good or homes or "source" in rule:
            wrong.append(at)
    assert wrong == [], f"{len(wrong)} rules without a deep-linked quoted source, e.g. {wrong[:3]}"


def test_registry_corpus_check_passes_on_the_shipped_corpus():
    result = CliRunner().invoke(main, ["corpus", "check", str(STANDARDS), "--json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert report["rules"] > 100
    assert (result.exit_code, report["failing"], report["errors"]) == (0, 0, []), \
        [f"{c['document']}@{c['version']} {c['rule']}: {c['problems'][:1]}" for c in report["checks"] if not c["ok"]][:5]
