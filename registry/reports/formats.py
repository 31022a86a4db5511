"""Choosing a format (?format= first, then Accept) and writing tables safely as CSV, Markdown and HTML. The one
CSV writer and the one formula escaper of the registry (reports and the meeting log's exports and imports)."""

from __future__ import annotations

import csv
import html
import io
from typing import Any, Iterable, Sequence

from registry.domain.links import linkable
from registry.domain.provenance import cited_rules, confidence_basis, linked_sources
from registry.errors import InvalidInput

FORMATS = {"json": "application/json", "md": "text/markdown", "csv": "text/csv", "html": "text/html"}
_ACCEPT = {"application/json": "json", "text/markdown": "md", "text/csv": "csv", "text/html": "html"}
# a cell starting with one of these is a formula to a spreadsheet: the export writes a `'` before it, and before a
# cell that starts with `'` itself, so that reading a cell back takes off exactly the `'` the export added
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = _FORMULA + ("'",)


def choose(format_param: str | None, accept: str | None) -> str:
    if format_param:
        if format_param not in FORMATS:
            raise InvalidInput(f"unknown format {format_param!r}; formats: {', '.join(FORMATS)}",
                               code="unknown_format")
        return format_param
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in _ACCEPT:
            return _ACCEPT[media]
    return "json"


def cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else (value if isinstance(value, str) else str(value))
    return "'" + text if text.startswith(_ESCAPED) else text


def cell_value(text: str) -> str:
    """The value of a cell that cell() wrote: the `'` it added taken off, and no other (a user's own leading `'`
    survives an export and an import)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_ESCAPED) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV (RFC 4180: CRLF line ends) of neutralised cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines)


def html_table(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>{body}</main>"
            "</body></html>")


# ---- a rule's sources in a report (issue 15): each rule once, each source with its quote; all text escaped ----

def md_text(value: Any) -> str:
    """Untrusted text as literal Markdown on one line: no link, emphasis, code or HTML can come out of it."""
    text = md_cell(value)
    for mark in ("`", "*", "_", "[", "]", "#", ">"):
        text = text.replace(mark, "\\" + mark)
    return text


def _md_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def sources_markdown(rules: Iterable[dict | None]) -> list[str]:
    """Markdown lines: per rule its citation, confidence basis, dispute, and each source with its verbatim quote."""
    lines: list[str] = []
    for rule in cited_rules(rules):
        disputed = " — **disputed**" if rule.get("disputed") else ""
        lines.append(f"- **{md_text(rule.get('id'))}** {md_text(rule.get('citation'))}: "
                     f"{md_text(confidence_basis(rule)[1])}{disputed}")
        if rule.get("disputed") and rule.get("dispute"):
            lines.append(f"  - Dispute: {md_text(rule['dispute'])}")
        for source in linked_sources(rule):
            url = linkable(source.get("url"))
            title = md_text(source.get("title") or source.get("url"))
            link = f"[{title}](<{_md_url(url)}>)" if url else title
            publisher = f" — {md_text(source['publisher'])}" if source.get("publisher") else ""
            lines.append(f"  - {link}{publisher}")
            if source.get("quote"):
                lines.append(f"    > ({md_text(source.get('language') or '?')}) {md_text(source['quote'])}")
            if source.get("quote_en"):
                lines.append(f"    > (en) {md_text(source['quote_en'])}")
    return lines


def sources_html(rules: Iterable[dict | None]) -> str:
    """The same as sources_markdown, as escaped HTML: the quote carries its `lang`, the English rendering beside it."""
    e = html.escape
    items = []
    for rule in cited_rules(rules):
        parts = [f"<strong>{e(str(rule.get('id') or ''))}</strong> {e(str(rule.get('citation') or ''))}: "
                 f"{e(confidence_basis(rule)[1])}" + (" <strong>disputed</strong>" if rule.get("disputed") else "")]
        if rule.get("disputed") and rule.get("dispute"):
            parts.append(f"<p>Dispute: {e(str(rule['dispute']))}</p>")
        sources = []
        for source in linked_sources(rule):
            url = linkable(source.get("url"))
            title = e(str(source.get("title") or source.get("url") or ""))
            text = f'<a href="{e(url)}" rel="noopener nofollow">{title}</a>' if url else title
            if source.get("publisher"):
                text += f" — {e(str(source['publisher']))}"
            if source.get("quote"):
                text += f'<blockquote lang="{e(str(source.get("language") or ""))}">{e(str(source["quote"]))}</blockquote>'
            if source.get("quote_en"):
                text += f'<blockquote lang="en">{e(str(source["quote_en"]))}</blockquote>'
            sources.append(f"<li>{text}</li>")
        items.append("<li>" + "".join(parts) + (f"<ul>{''.join(sources)}</ul>" if sources else "") + "</li>")
    return f"<h2>Sources</h2><ul>{''.join(items)}</ul>" if items else ""
