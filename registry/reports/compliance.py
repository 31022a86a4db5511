"""A compliance report as a JSON-ready dict, Markdown, CSV or HTML."""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Mapping

from comparisons.bounded import BoundedCache
from registry.domain import conditions
from registry.domain.compliance import MarketResult, Violation, question_words
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


# Each status in words, for a reader who sees nothing else: which market, which date, and what it does not mean
STATUS_WORDS = {
    "non_compliant": "{market} on {as_of}: not compliant: the profile breaks at least one rule that must be followed",
    "incomplete": "{market} on {as_of}: incomplete, not compliant: the profile leaves {questions} question(s) open "
                  "that decide {open} rule(s); answer them to get an answer",
    "not_covered": "{market} on {as_of}: not covered: a topic you asked about was never researched there, so the "
                   "registry cannot say whether you comply",
    "not_checkable": "{market} on {as_of}: to review by hand: {review} rule(s) that apply cannot be checked by machine; "
                     "none that can be checked is broken",
    "compliant": "{market} on {as_of}: compliant: every rule that applies ({decided}) was checked against facts the "
                 "profile states, and none is broken",
    "not_applicable": "{market} on {as_of}: not applicable: no rule recorded for {market} in force that day applies to "
                      "this profile",
}


def status_words(status: str, market: str, as_of: str, summary: dict[str, int]) -> str:
    return STATUS_WORDS[status].format(market=market, as_of=as_of, questions=summary.get("questions", 0),
                                       open=summary.get("rules_open", 0), review=summary.get("rules_to_review", 0),
                                       decided=summary.get("rules_decided", 0))


def _question(q: dict, vocabulary: Any) -> dict[str, Any]:
    return {"path": q["path"], "question": question_words(vocabulary, q["path"]),
            "decides_whether_rules_apply": "condition" in q["reasons"], "constrained_by_rules": "constrained" in q["reasons"],
            "rules": [{"id": r.get("id"), "citation": r.get("citation"), "document": r.get("document")} for r in q["rules"]]}


def market_dict(m: MarketResult, uncertain: list[str] | None = None, *, vocabulary: Any = None,
                as_of: str = "", titles: Mapping[str, str] = {}) -> dict[str, Any]:
    """One market's result; `uncertain`: the versions used whose start the date checked may precede (only the month
    or year of their start is known); `vocabulary`: the schema whose words the questions are asked in."""
    disputed = [rule_dict(r) for r in m.disputed_rules()]
    return {"market": m.market, "status": m.status, "status_text": status_words(m.status, m.market, as_of, m.summary),
            "summary": m.summary, "questions": [_question(q, vocabulary) for q in m.questions],
            "documents": m.documents,
            "disputed": bool(disputed), "disputed_rules": disputed,
            "effective_date_uncertain": bool(uncertain), "uncertain_dates": uncertain or [],
            "violations": [violation_dict(v, titles) for v in m.violations],
            "advisories": [violation_dict(v, titles) for v in m.advisories],
            "not_checkable": [_once("not_checkable", r, _not_checkable) for r in m.not_checkable],
            "unstated": [_once("unstated", r, _unstated) for r in m.unstated],
            "applicable_constraints": m.applicable, "topics": m.topics}


def _versions_used(f: Frameworks) -> list[dict[str, Any]]:
    """Each version a check used, and for a correction the version it corrects (its own mistake, replaced)."""
    return [{"ref": v.ref, "content_hash": v.content_hash, "body_hash": v.body_hash, "jurisdiction": v.jurisdiction,
             "topic": v.topic,
             "corrects": f"{v.document}@{v.corrects}" if v.corrects is not None else None}
            for v in f.versions_used]


def _uncertain(f: Frameworks) -> dict[str, list[str]]:
    return {market: [v.ref for v in versions if v.effective_date_uncertain] for market, versions in f.markets.items()}


def rerun_requests(report: Report, *, topics: list[str] | None = None,
                   markets: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """`rerun` replays the check exactly: the same question over the very versions it used (pinned by number and
    content hash), whatever was corrected or published back-dated since. `check_again` asks the same question of the
    registry as it is when sent."""
    f = report.frameworks
    again = {**report.source, "markets": markets or list(f.markets), "as_of": report.as_of.isoformat(),
             "topics": topics or []}
    pins = [{"ref": v["ref"], "content_hash": v["content_hash"], "body_hash": v["body_hash"]}
            for v in _once("versions_used", f, _versions_used)]
    return {**again, "versions": pins, "vocabulary": {"ref": f.vocabulary_ref, "content_hash": f.vocabulary_hash},
            "coverage": {market: f.coverage.get(market, {}) for market in again["markets"]}}, again


def report_dict(report: Report, *, topics: list[str] | None = None, markets: list[str] | None = None) -> dict[str, Any]:
    f = report.frameworks
    uncertain = _once("uncertain", f, _uncertain)
    rerun, again = rerun_requests(report, topics=topics, markets=markets)
    as_of = report.as_of.isoformat()
    titles = vocabulary_titles(f)
    markets_ = [market_dict(m, uncertain.get(m.market), vocabulary=f.vocabulary, as_of=as_of, titles=titles)
                for m in report.results]
    return {
        "as_of": as_of,
        "profile_hash": report.profile_hash,
        "vocabulary": f.vocabulary_ref,
        "summary": _summary(report.results),
        "markets": markets_,
        "combined": report.combined,
        "conflicts": report.conflicts,
        "versions_used": _once("versions_used", f, _versions_used),
        "rerun": rerun,
        "check_again": again,
    }


def _summary(results: list[MarketResult]) -> dict[str, Any]:
    """Across markets: each market's status, and how many rules were decided, violated and left open in all."""
    totals = {key: sum(m.summary.get(key, 0) for m in results)
              for key in ("rules_decided", "rules_violated", "rules_open", "rules_to_review", "questions")}
    return {"statuses": {m.market: m.status for m in results}, **totals}


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
        if not items and not _uncovered(m) and not m.get("questions"):
            rows.append([m["market"], m["status"], "", "", "", "", "", "", ", ".join(m["documents"]),
                         "yes" if m.get("disputed") else "", ""])
        for v in items:
            rows.append([m["market"], m["status"], v["path"], v["message"], json.dumps(v["actual"], ensure_ascii=False),
                         v["citation"], v["obligation"], v["confidence"], v["document"],
                         "yes" if v.get("disputed") else "", v.get("applies_when") or ""])
        for q in m.get("questions", ()):  # a row each: an unanswered question must not read as "no gap"
            rows.append([m["market"], m["status"], q["path"], f"open question: {q['question']}", "not stated",
                         "; ".join(dict.fromkeys(r["citation"] or "" for r in q["rules"])), "", "",
                         ", ".join(dict.fromkeys(r["document"] for r in q["rules"])), "", ""])
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
             f"over {data['vocabulary']}.", ""]
    parts += [f"- {m['status_text']}" for m in data["markets"]] + [""]
    parts += [_totals(data), "", "## Per market", "", md_table(_HEADER, _rows(data)), ""]
    questions = _question_lines(data)
    if questions:
        parts += ["## Questions to answer", ""] + [f"- {line}" for line in questions] + [""]
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
    parts += ["## Versions used", ""] + [f"- {_version_words(v)} (`{v['content_hash'][:12]}…`)"
                                         for v in data["versions_used"]]
    return "\n".join(parts) + "\n"


def _totals(data: dict) -> str:
    t = data["summary"]
    return (f"Rules decided: {t['rules_decided']}, of which violated: {t['rules_violated']}; left open by the profile: "
            f"{t['rules_open']}; to review by hand: {t['rules_to_review']}.")


def _question_lines(data: dict) -> list[str]:
    """Each open question in the vocabulary's words, with why it is asked and the rules that ask it."""
    lines = []
    for m in data["markets"]:
        for q in m.get("questions", ()):
            why = "decides whether rules apply" if q["decides_whether_rules_apply"] else "a rule that applies needs it"
            cited = "; ".join(f"{r['citation']} ({r['document']})" for r in q["rules"])
            lines.append(f"{m['market']}: {q['question']} (`{q['path']}`): {why}: {cited}")
    return lines


def _version_words(v: dict) -> str:
    """A version used, and the mistake it corrects when it is a correction."""
    return v["ref"] + (f", a correction of {v['corrects']}" if v.get("corrects") else "")


def _cited(data: dict) -> list[dict]:
    """The rules a report's violations, advisories and disputed results rest on: each shown once with its sources."""
    return [v["rule"] for m in data["markets"] for v in m["violations"] + m["advisories"] if v.get("rule")] + \
        [r for m in data["markets"] for r in m.get("disputed_rules", [])]


def to_html(data: dict) -> str:
    body = "<ul>" + "".join(f"<li>{html.escape(m['status_text'])}</li>" for m in data["markets"]) + "</ul>"
    body += f"<p>{html.escape(_totals(data))}</p>" + html_table(_HEADER, _rows(data), caption="Per market")
    questions = _question_lines(data)
    if questions:
        body += "<h2>Questions to answer</h2><ul>" + "".join(f"<li>{html.escape(q)}</li>" for q in questions) + "</ul>"
    if data["combined"]:
        body += html_table(["path", "keyword", "value", "imposed by", "citation"], _combined_rows(data),
                           caption="Strictest combined requirement")
    if data["conflicts"]:
        body += "<h2>Conflicts</h2><ul>" + "".join(f"<li>{html.escape(c['summary'])}</li>" for c in data["conflicts"]) + "</ul>"
    body += sources_html(_cited(data))
    uncertain = _uncertain_lines(data)
    if uncertain:
        body += "<h2>Effective dates uncertain</h2><ul>" + "".join(f"<li>{html.escape(u)}</li>" for u in uncertain) + "</ul>"
    body += "<h2>Versions used</h2><ul>" + "".join(f"<li>{html.escape(_version_words(v))}</li>"
                                                   for v in data["versions_used"]) + "</ul>"
    return html_page(f"Compliance check as of {data['as_of']}", body)
