"""Gap reports, comparisons of two sides and the alignment matrix as Markdown, CSV and HTML."""

from __future__ import annotations

import html
import json
from typing import Any

from registry.reports.formats import (csv_text, html_page, html_table, md_table, md_text, sources_html,
                                     sources_markdown)

_GAP_HEADER = ["path", "keyword", "required", "status", "cases", "applies_when", "citation", "obligation", "summary",
               "reason", "witness", "disputed", "witness_says"]


def _witness(item: dict) -> str:
    """An instance the source accepts and the target rejects, as JSON ("" when there is none: `witness_says` tells
    why, and that an instance the vocabulary accepts is shown when there is one)."""
    return json.dumps(item["witness"], ensure_ascii=False) if "witness" in item else ""


def _gap_rows(data: dict) -> list[list[Any]]:
    rows = [[i["path"], i["keyword"], json.dumps(i.get("required"), ensure_ascii=False), i["status"],
             i.get("cases"), i.get("applies_when"), i.get("citation"), i.get("obligation"),
             i.get("statement") or i.get("summary"), i.get("reason"), _witness(i), "yes" if i.get("disputed") else "",
             i.get("witness_says") or ""]
            for i in data["items"]]
    # a topic not researched is a row of its own: its rules are unknown, not absent
    for side in ("to", "from"):
        for slug in data.get("not_researched", {}).get(side, []):
            rows.append(["", "", "", "not_researched", "", "", "", "", f"{data[side]['label']}: {slug} not researched",
                         "", "", ""])
    return rows


def _not_researched(data: dict) -> list[str]:
    found = data.get("not_researched", {})
    return [f"- {data[side]['label']}: {', '.join(found[side])} (rules unknown, not absent)"
            for side in ("to", "from") if found.get(side)]


def _title(data: dict) -> str:
    topic = f" on {data['topic']}" if data.get("topic") else ""
    return f"Gap report {data['from']['label']} → {data['to']['label']}{topic}, as of {data['as_of']}"


def _covered(data: dict) -> str:
    return {"yes": f"{data['from']['label']} already implies every constraint of {data['to']['label']}.",
            "no": f"{len(data['items'])} constraint(s) of {data['to']['label']} are not implied by {data['from']['label']}.",
            "unknown": f"Undecided for some constraints: {data.get('reason') or 'see the items marked unknown'}."}[data["covered"]]


def gap_markdown(data: dict) -> str:
    parts = [f"# {_title(data)}", "", _covered(data), ""]
    if data["items"]:
        parts += [md_table(_GAP_HEADER, _gap_rows(data)[:len(data["items"])]), ""]
    cited = [i.get("rule") for i in data["items"]]
    if any(cited):
        parts += ["## Sources", ""] + sources_markdown(cited) + [""]
    if _not_researched(data):
        parts += ["## Not researched", ""] + _not_researched(data) + [""]
    if data["not_machine_checkable"]:
        parts += ["## Not machine-checkable", ""]
        parts += [f"- {r.get('citation')}: {r.get('summary')}" for r in data["not_machine_checkable"]] + [""]
    parts += ["## Versions compared", ""]
    parts += [f"- {side['label']}: " + (", ".join(v["ref"] for v in side["versions"]) or "no rules in force")
              for side in (data["from"], data["to"])]
    return "\n".join(parts) + "\n"


def gap_csv(data: dict) -> str:
    return csv_text(_GAP_HEADER, _gap_rows(data))


def gap_html(data: dict) -> str:
    body = f"<p>{html.escape(_covered(data))}</p>" + html_table(_GAP_HEADER, _gap_rows(data))
    body += sources_html(i.get("rule") for i in data["items"])
    return html_page(_title(data), body)


_COUNTS = ("aligned", "partly_aligned", "conflicting", "one_sided", "unknown")
_MATRIX_HEADER = ["left", "right", "relation", "score", *_COUNTS, "differences", "reason", "left_coverage",
                  "right_coverage"]


def matrix_csv(data: dict) -> str:
    """A cell with a side not researched has relation `unknown`, an empty score (never 0 or 1) and its rules
    counted `unknown`."""
    return csv_text(_MATRIX_HEADER, [[c["left"], c["right"], c["relation"], c["score"],
                                      *[(c.get("counts") or {}).get(k) for k in _COUNTS], c["differences"],
                                      c.get("reason"), c["coverage"]["left"], c["coverage"]["right"]]
                                     for c in data["cells"]])


# ---- a comparison of two sides: each difference names the stricter side (docs/comparisons.md) -------------------

_COMPARE_HEADER = ["path", "keyword", "left", "right", "left_value", "right_value", "left_citation",
                   "right_citation", "stricter_side", "only_side", "summary", "left_vs_right"]


def _citation(rule: Any) -> str:
    return str(rule.get("citation") or "") if isinstance(rule, dict) else ""


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _compare_rows(data: dict) -> list[list[Any]]:
    left, right = data["left"]["label"], data["right"]["label"]
    return [[d["path"], d["keyword"], left, right, _json(d.get("left")), _json(d.get("right")),
             _citation(d.get("left_rule")), _citation(d.get("right_rule")), d.get("stricter_side"), d.get("only_side"),
             d.get("summary"), d.get("left_vs_right")]
            for d in data["differences"]]


def compare_markdown(data: dict) -> str:
    left, right = data["left"]["label"], data["right"]["label"]
    relation = data["containment"]["left_vs_right"]
    parts = [f"# {md_text(left)} compared with {md_text(right)}", "",
             f"Relation: {md_text(left)} is **{relation}** compared with {md_text(right)}"
             + (f" ({md_text(data['reason'])})" if data.get("reason") else "") + ".", ""]
    if data["differences"]:
        parts += [md_table(["path", "keyword", left, right, "stricter side", "summary"],
                           [[r[0], r[1], r[4], r[5], r[8] or (f"only {r[9]}" if r[9] else "neither"), r[10]]
                            for r in _compare_rows(data)]), ""]
    else:
        parts += ["No differences.", ""]
    cited = [d.get(side) for d in data["differences"] for side in ("left_rule", "right_rule")]
    if any(cited):
        parts += ["## Sources", ""] + sources_markdown(cited) + [""]
    parts += ["## Versions compared", ""]
    parts += [f"- {md_text(side['label'])}: " + (", ".join(md_text(v["ref"]) for v in side["versions"]) or "no versions")
              for side in (data["left"], data["right"])]
    return "\n".join(parts) + "\n"


def compare_csv(data: dict) -> str:
    """One row per difference, the sides named; `left_vs_right` is the engine's word ("left is … than right")."""
    return csv_text(_COMPARE_HEADER, _compare_rows(data))


COMPARE_FORMATS = {"md": compare_markdown, "csv": compare_csv}
