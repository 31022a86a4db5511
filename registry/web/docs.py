"""The documentation pages: docs/*.md rendered to HTML (safe Markdown), in the site layout with a table of contents."""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Controller, get
from litestar.response import File, Template
from markupsafe import Markup
from litestar.di import NamedDependency
from litestar.params import FromPath

from comparisons.bounded import bounded
from registry.domain.access import Principal
from registry.errors import NotFound
from registry.settings import Settings
from registry.web import markdown
from registry.web.layout import page

PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@bounded("documentation-pages", 64, 8_000_000, lambda key, page: 2 * len(page[2]))  # text and HTML
def _render(path: Path, mtime: float) -> tuple[str, list[tuple[int, str, str]], str]:
    text = path.read_text(encoding="utf-8")
    heads = markdown.headings(text)
    title = heads[0][1] if heads else path.stem
    rendered = re.sub(r'href="([a-z0-9-]+)\.md(#[^"]*)?"', r'href="/docs/\1\2"', markdown.render(text))
    # screenshots and other files next to the pages are served from /docs/files/
    rendered = re.sub(r'src="(screenshots/[a-z0-9_./-]+)"', r'src="/docs/files/\1"', rendered)
    # wide code blocks and tables scroll on small screens: keyboard users reach them too
    rendered = rendered.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    return title, [h for h in heads if h[0] in (2, 3)], rendered


def render_page(docs_dir: Path, name: str) -> tuple[str, list[tuple[int, str, str]], str]:
    name = name.removesuffix(".md")
    if not PAGE_NAME.match(name):
        raise NotFound(f"no documentation page {name[:80]!r}", code="unknown_page")
    path = docs_dir / f"{name}.md"
    if not path.is_file():
        raise NotFound(f"no documentation page {name!r}", code="unknown_page")
    return _render(path, path.stat().st_mtime)


def pages(docs_dir: Path) -> list[str]:
    return sorted(p.stem for p in docs_dir.glob("*.md"))


class DocsController(Controller):
    path = "/docs"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, settings: NamedDependency[Settings], viewer: NamedDependency[Principal]) -> Template:
        return _page(settings, viewer, "index")

    @get("/{name:str}", sync_to_thread=True)
    def page(self, settings: NamedDependency[Settings], viewer: NamedDependency[Principal],
             name: FromPath[str]) -> Template:
        return _page(settings, viewer, name)

    @get("/files/screenshots/{name:str}", sync_to_thread=True, media_type="image/png")
    def screenshot(self, settings: NamedDependency[Settings], name: FromPath[str]) -> File:
        path = settings.docs_dir / "screenshots" / name
        if not SCREENSHOT.match(name) or not path.is_file():
            raise NotFound(f"no screenshot {name[:80]!r}", code="unknown_file")
        return File(path, content_disposition_type="inline")


SCREENSHOT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.png$")


def _page(settings: Settings, viewer: Principal, name: str) -> Template:
    title, toc, body = render_page(settings.docs_dir, name)
    return page("docs.html", viewer, title=title, toc=toc, body=Markup(body), pages=pages(settings.docs_dir),
                current=name.removesuffix(".md"))
