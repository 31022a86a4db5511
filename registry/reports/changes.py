"""A version diff as Markdown and CSV: each difference told from the newer side (tightened, loosened, added,
removed, changed), both values and both rules' citations, and the verdict of the whole change."""

from __future__ import annotations

import json
from typing import Any

from registry.reports.formats import csv_text, md_table, md_text, sources_markdown

_HEADER = ["path", "keyword", "change", "older_value", "newer_value", "older_citation", "newer_citation",
           "older_rule", "newer_rule", "summary", "older_vs_newer"]


def _value(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _rule(rule: Any, field: str) -> str:
    return str(rule.get(field) or "") if isinstance(rule, dict) else ""


def _rows(data: dict) -> list[list[Any]]:
    return [[d["path"], d["keyword"], d["change"], _value(d.get("older")), _value(d.get("newer")),
             _rule(d.get("older_rule"), "citation"), _rule(d.get("newer_rule"), "citation"),
             _rule(d.get("older_rule"), "id"), _rule(d.get("newer_rule"), "id"), d.get("summary"),
             d.get("older_vs_newer")]
            for d in data["differences"]]


def _refs(data: dict) -> tuple[str, str]:
    return (f"{data['document']}@{data['older']['number']}", f"{data['document']}@{data['newer']['number']}")


def diff_markdown(data: dict) -> str:
    older, newer = _refs(data)
    parts = [f"# Changes from {md_text(older)} to {md_text(newer)}", "",
             f"Verdict: **{data['verdict']}** ({md_text(data['effect'])}).", "",
             f"Effective from: {data['older'].get('effective_from') or '—'} → {data['newer'].get('effective_from') or '—'}.",
             ""]
    if data["differences"]:
        parts += [md_table(_HEADER[:7] + ["summary"], [row[:7] + [row[9]] for row in _rows(data)]), ""]
    else:
        parts += ["No difference: the two versions state the same rules.", ""]
    cited = [d.get(side) for d in data["differences"] for side in ("older_rule", "newer_rule")]
    if any(cited):
        parts += ["## Sources", ""] + sources_markdown(cited) + [""]
    relation = data["containment"]["older_vs_newer"]
    parts += ["## Containment", "", f"The engine's relation of the older version to the newer: {relation} "
              f"(read \"{md_text(older)} is {relation} compared with {md_text(newer)}\"; docs/comparisons.md).", ""]
    return "\n".join(parts)


def diff_csv(data: dict) -> str:
    """One row per difference; `change` is told from the newer side, `older_vs_newer` is the engine's word."""
    return csv_text(_HEADER, _rows(data))
