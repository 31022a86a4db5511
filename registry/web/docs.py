"""The documentation pages: docs/*.md rendered to HTML, with a table of contents."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from registry.errors import NotFound
from registry.settings import Settings
from registry.web import markdown

PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " \
      "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)} · Regulatory Connectivity Registry</title></head>"
            f"<body><header><nav><a href=\"/docs\">Docs</a> · <a href=\"/schema/swagger\">API reference</a></nav>"
            f"</header><main>{body}</main></body></html>")


@lru_cache(maxsize=64)
def _render(path: Path, mtime: float) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    heads = markdown.headings(text)
    title = heads[0][1] if heads else path.stem
    toc = "".join(f'<li class="toc-{level}"><a href="#{anchor}">{html.escape(name)}</a></li>'
                  for level, name, anchor in heads if level in (2, 3))
    rendered = re.sub(r'href="([a-z0-9-]+)\.md(#[^"]*)?"', r'href="/docs/\1\2"', markdown.render(text))
    return title, (f'<nav aria-label="Contents"><ul>{toc}</ul></nav>' if toc else "") + f"<article>{rendered}</article>"


def render_page(docs_dir: Path, name: str) -> tuple[str, str]:
    name = name.removesuffix(".md")
    if not PAGE_NAME.match(name):
        raise NotFound(f"no documentation page {name[:80]!r}", code="unknown_page")
    path = docs_dir / f"{name}.md"
    if not path.is_file():
        raise NotFound(f"no documentation page {name!r}", code="unknown_page")
    return _render(path, path.stat().st_mtime)


class DocsController(Controller):
    path = "/docs"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, settings: NamedDependency[Settings]) -> Response[str]:
        return _html(*render_page(settings.docs_dir, "index"))

    @get("/{name:str}", sync_to_thread=True)
    def page(self, settings: NamedDependency[Settings], name: FromPath[str]) -> Response[str]:
        return _html(*render_page(settings.docs_dir, name))


def _html(title: str, body: str) -> Response[str]:
    return Response(_page(title, body), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})
