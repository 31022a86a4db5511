"""Markdown to safe HTML: markdown-it-py's js-default preset (raw HTML escaped), links limited to http(s),
mailto and relative addresses, and rel="noopener nofollow" on every link."""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

_SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/(?!/)|\.{0,2}/?[^:/]*$|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return False  # protocol-relative: another host
    return bool(_SAFE_LINK.match(url))


def _renderer() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def link_open(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener nofollow")
        return self.renderToken(tokens, idx, options, env)

    def heading_open(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        if inline is not None and inline.type == "inline":
            tokens[idx].attrSet("id", anchor(inline.content))
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("heading_open", heading_open)
    return md


_MD = _renderer()


def render(text: str) -> str:
    """Markdown to HTML that is safe to put in a page."""
    return _MD.render(text)


def headings(text: str) -> list[tuple[int, str, str]]:
    """(level, text, anchor) of each heading, for a table of contents."""
    found = []
    tokens = _MD.parse(text)
    for token, inline in zip(tokens, tokens[1:]):
        if token.type == "heading_open" and inline.type == "inline":
            title = inline.content
            found.append((int(token.tag[1]), title, anchor(title)))
    return found


def anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
