"""Gap reports and the alignment matrix as Markdown, CSV and HTML."""

from __future__ import annotations

import html
import json
from typing import Any

from registry.reports.formats import csv_text, html_page, html_table, md_table, sources_html, sources_markdown

_GAP_HEADER = ["path", "keyword", "required", "status", "citation", "obligation", "summary", "reason", "witness",
               "disputed", "witness_says"]


def _witness(item: dict) -> str:
    """An instance the source accepts and the target rejects, as JSON ("" when there is none: `witness_says` tells
    why, and that an instance the vocabulary accepts is shown when there is one)."""
    return json.dumps(item["witness"], ensure_ascii=False) if "witness" in item else ""


def _gap_rows(data: dict) -> list[list[Any]]:
    rows = [[i["path"], i["keyword"], json.dumps(i.get("required"), ensure_ascii=False), i["status"],
             i.get("citation"), i.get("obligation"), i.get("summary"), i.get("reason"), _witness(i),
             "yes" if i.get("disputed") else "", i.get("witness_says") or ""]
            for i in data["items"]]
    # a topic not researched is a row of its own: its rules are unknown, not absent
    for side in ("to", "from"):
        for slug in data.get("not_researched", {}).get(side, []):
            rows.append(["", "", "", "not_researched", "", "", f"{data[side]['label']}: {slug} not researched", "", ""])
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


_MATRIX_HEADER = ["left", "right", "relation", "score", "differences", "reason", "left_coverage", "right_coverage"]


def matrix_csv(data: dict) -> str:
    """A cell with a side not researched has relation `unknown` and an empty score, never 0 or 1."""
    return csv_text(_MATRIX_HEADER, [[c["left"], c["right"], c["relation"], c["score"], c["differences"],
                                      c.get("reason"), c["coverage"]["left"], c["coverage"]["right"]]
                                     for c in data["cells"]])
