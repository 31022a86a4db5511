"""A compliance report as a JSON-ready dict, Markdown, CSV or HTML."""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Mapping

from comparisons.bounded import BoundedCache
from registry.domain import conditions
from registry.domain.compliance import MarketResult, Violation
from registry.domain.provenance import rule_view
from registry.reports.formats import csv_text, html_page, html_table, md_table, sources_html, sources_markdown
from registry.services.compliance import Frameworks, Report


def rule_dict(rule: dict | None) -> dict | None:
    """provenance.rule_view, built once per rule object (rules are shared by every report of their version)."""
    return _once("rule", rule, rule_view) if rule else None


# Rules, citations and most violations are long-lived, shared objects (cached per rule version): their parts of a
# report are built once and shared between reports (read only). Keyed by identity, checked on every hit.
_PARTS = BoundedCache("report-parts", 20_000, 8_000_000)


def _once(kind: str, source: Any, build: Callable[[Any], Any]) -> Any:
    found = _PARTS.get((kind, id(source)))
    if found is not None and found[0] is source:
        return found[1]
    part = build(source)
    _PARTS[(kind, id(source))] = (source, part)
    return part


def _violation(v: Violation, titles: Mapping[str, str]) -> dict[str, Any]:
    rule = v.rule or {}
    return {"path": v.path, "keyword": v.keyword, "expected": v.expected, "actual": v.actual, "message": v.message,
            "document": v.document, "citation": rule.get("citation"), "obligation": rule.get("obligation", "must"),
            "confidence": rule.get("confidence"), "disputed": rule.get("disputed") is True, "rule": rule_dict(v.rule),
            "applies_when": conditions.applies_when(v.condition, titles)}


def violation_dict(v: Violation, titles: Mapping[str, str] = {}) -> dict[str, Any]:
    """A violation; `applies_when` words the broken rule's condition (it held for the profile) over `titles`."""
    if v.shared:  # titles are one object per vocabulary version (vocabulary_titles below): part of the key
        return _once(f"violation-{id(titles)}", v, lambda x: _violation(x, titles))
    return _violation(v, titles)


def vocabulary_titles(f: Frameworks) -> Mapping[str, str]:
    return _once("titles", f.vocabulary, conditions.vocabulary_titles)


def _not_checkable(r: dict) -> dict[str, Any]:
    return {**(rule_view(r) or {}), "path": r.get("path"), "document": r.get("document")}


def _unstated(r: dict) -> dict[str, Any]:
    return {"path": r.get("path"), "document": r.get("document"), "citation": r.get("citation"), "rule_id": r.get("id")}


def market_dict(m: MarketResult, uncertain: list[str] | None = None, titles: Mapping[str, str] = {}) -> dict[str, Any]:
    """One market's result; `uncertain`: the versions used whose start the date checked may precede (only the month
    or year of their start is known)."""
    disputed = [rule_dict(r) for r in m.disputed_rules()]
    return {"market": m.market, "status": m.status, "documents": m.documents,
            "disputed": bool(disputed), "disputed_rules": disputed,
            "effective_date_uncertain": bool(uncertain), "uncertain_dates": uncertain or [],
            "violations": [violation_dict(v, titles) for v in m.violations],
            "advisories": [violation_dict(v, titles) for v in m.advisories],
            "not_checkable": [_once("not_checkable", r, _not_checkable) for r in m.not_checkable],
            "unstated": [_once("unstated", r, _unstated) for r in m.unstated],
            "applicable_constraints": m.applicable, "topics": m.topics}


def _versions_used(f: Frameworks) -> list[dict[str, Any]]:
    return [{"ref": v.ref, "content_hash": v.content_hash, "jurisdiction": v.jurisdiction, "topic": v.topic}
            for v in f.versions_used]


def _uncertain(f: Frameworks) -> dict[str, list[str]]:
    return {market: [v.ref for v in versions if v.effective_date_uncertain] for market, versions in f.markets.items()}


def rerun_requests(report: Report, *, topics: list[str] | None = None,
                   markets: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """`rerun` replays the check exactly: the same question over the very versions it used (pinned by number and
    content hash), whatever was corrected or published back-dated since. `check_again` asks the same question of the
    registry as it is when sent."""
    f = report.frameworks
    again = {"markets": markets or list(f.markets), "as_of": report.as_of.isoformat(), "topics": topics or []}
    pins = [{"ref": v["ref"], "content_hash": v["content_hash"]} for v in _once("versions_used", f, _versions_used)]
    return {**again, "versions": pins, "vocabulary": {"ref": f.vocabulary_ref, "content_hash": f.vocabulary_hash}}, again


def report_dict(report: Report, *, topics: list[str] | None = None, markets: list[str] | None = None) -> dict[str, Any]:
    f = report.frameworks
    uncertain = _once("uncertain", f, _uncertain)
    rerun, again = rerun_requests(report, topics=topics, markets=markets)
    return {
        "as_of": report.as_of.isoformat(),
        "profile_hash": report.profile_hash,
        "vocabulary": f.vocabulary_ref,
        "markets": [market_dict(m, uncertain.get(m.market), vocabulary_titles(f)) for m in report.results],
        "combined": report.combined,
        "conflicts": report.conflicts,
        "versions_used": _once("versions_used", f, _versions_used),
        "rerun": rerun,
        "check_again": again,
    }


_HEADER = ["market", "status", "path", "requirement", "profile", "citation", "obligation", "confidence", "document",
           "disputed", "applies_when"]


def _uncovered(m: dict) -> list[str]:
    return [t["topic"] for t in m.get("topics", ()) if t["status"] == "not_covered"]


def _rows(data: dict) -> list[list[Any]]:
    rows = []
    for m in data["markets"]:
        items = m["violations"] + m["advisories"]
        for slug in _uncovered(m):  # a row of its own: an unresearched topic must not read as "no gap"
            rows.append([m["market"], m["status"], "", f"{slug}: not_covered (not researched in {m['market']})", "",
                         "", "", "", "", "", ""])
        if not items and not _uncovered(m):
            rows.append([m["market"], m["status"], "", "", "", "", "", "", ", ".join(m["documents"]),
                         "yes" if m.get("disputed") else "", ""])
        for v in items:
            rows.append([m["market"], m["status"], v["path"], v["message"], json.dumps(v["actual"], ensure_ascii=False),
                         v["citation"], v["obligation"], v["confidence"], v["document"],
                         "yes" if v.get("disputed") else "", v.get("applies_when") or ""])
    return rows


def to_csv(data: dict) -> str:
    return csv_text(_HEADER, _rows(data))


def _combined_rows(data: dict) -> list[list[Any]]:
    return [[c["path"], c["keyword"], json.dumps(c.get("value"), ensure_ascii=False), ", ".join(c.get("labels", [])),
             "; ".join(r.get("citation", "") for r in c.get("rules", []))] for c in data["combined"]]


def _uncertain_lines(data: dict) -> list[str]:
    return [f"{m['market']}: {ref} starts in a month or year that contains {data['as_of']}; counted as in force"
            for m in data["markets"] for ref in m.get("uncertain_dates", [])]


def to_markdown(data: dict) -> str:
    parts = [f"# Compliance check as of {data['as_of']}", "",
             f"Profile `{data['profile_hash'][:12]}…` checked against {', '.join(m['market'] for m in data['markets'])} "
             f"over {data['vocabulary']}.", "", "## Per market", "", md_table(_HEADER, _rows(data)), ""]
    topics = [[m["market"], t["topic"], t["coverage"], t["status"], ", ".join(t["documents"])]
              for m in data["markets"] for t in m.get("topics", ())]
    if topics:
        parts += ["## Per market and topic", "", md_table(["market", "topic", "coverage", "status", "documents"], topics),
                  ""]
    if data["combined"]:
        parts += ["## Strictest combined requirement", "",
                  md_table(["path", "keyword", "value", "imposed by", "citation"], _combined_rows(data)), ""]
    if data["conflicts"]:
        parts += ["## Conflicts no single profile can satisfy", ""]
        parts += [f"- {c['summary']}" for c in data["conflicts"]] + [""]
    checkable = [(m["market"], r) for m in data["markets"] for r in m["not_checkable"]]
    if checkable:
        parts += ["## Rules to review by hand (not machine-checkable)", ""]
        parts += [f"- {market}: {r.get('citation')} — {r.get('summary')} ({r.get('document')})" for market, r in checkable]
        parts += [""]
    cited = _cited(data)
    if cited:
        parts += ["## Sources", ""] + sources_markdown(cited) + [""]
    uncertain = _uncertain_lines(data)
    if uncertain:
        parts += ["## Effective dates uncertain", ""] + [f"- {line}" for line in uncertain] + [""]
    parts += ["## Versions used", ""] + [f"- {v['ref']} (`{v['content_hash'][:12]}…`)" for v in data["versions_used"]]
    return "\n".join(parts) + "\n"


def _cited(data: dict) -> list[dict]:
    """The rules a report's violations, advisories and disputed results rest on: each shown once with its sources."""
    return [v["rule"] for m in data["markets"] for v in m["violations"] + m["advisories"] if v.get("rule")] + \
        [r for m in data["markets"] for r in m.get("disputed_rules", [])]


def to_html(data: dict) -> str:
    body = html_table(_HEADER, _rows(data), caption="Per market")
    if data["combined"]:
        body += html_table(["path", "keyword", "value", "imposed by", "citation"], _combined_rows(data),
                           caption="Strictest combined requirement")
    if data["conflicts"]:
        body += "<h2>Conflicts</h2><ul>" + "".join(f"<li>{html.escape(c['summary'])}</li>" for c in data["conflicts"]) + "</ul>"
    body += sources_html(_cited(data))
    uncertain = _uncertain_lines(data)
    if uncertain:
        body += "<h2>Effective dates uncertain</h2><ul>" + "".join(f"<li>{html.escape(u)}</li>" for u in uncertain) + "</ul>"
    body += "<h2>Versions used</h2><ul>" + "".join(f"<li>{html.escape(v['ref'])}</li>" for v in data["versions_used"]) + "</ul>"
    return html_page(f"Compliance check as of {data['as_of']}", body)
