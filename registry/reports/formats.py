"""Choosing a format (?format= first, then Accept) and writing tables safely as CSV, Markdown and HTML. The one
CSV writer and the one formula escaper of the registry (reports and the meeting log's exports and imports)."""

from __future__ import annotations

import csv
import html
import io
from typing import Any, Iterable, Sequence

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
