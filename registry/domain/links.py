"""Web addresses the registry stores and shows as links (a rule's `x-rule.source`, a meeting's online address,
its sources and attachments): absolute http(s) addresses with a host, nothing else. `javascript:`, `data:`,
`file:`, protocol-relative `//evil.example`, user-info (`https://good.example@evil.example`), back-slashes,
white space and control characters are refused when stored, and never rendered as a link."""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from registry.domain.jsonbody import pointer_join
from registry.errors import Unprocessable

MAX_ADDRESS_CHARS = 2000
_SCHEMES = ("http", "https")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\\u2028\u2029]")  # white space, controls; `\` reads as `/`
# host names of letters (any script), digits, `-` and `_` in dot-separated labels, or an IP-v6 literal in brackets
_HOST = re.compile(r"^(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)*[^\W_](?:[\w-]{0,61}[^\W_])?\.?$|^\[[0-9A-Fa-f:.]+\]$")


def web_address_problem(url: Any) -> str | None:
    """Why this is not an address the registry links to, or None if it is one."""
    if not isinstance(url, str) or not url:
        return "an address is a non-empty text"
    if len(url) > MAX_ADDRESS_CHARS:
        return f"an address is at most {MAX_ADDRESS_CHARS:,} characters"
    if _FORBIDDEN.search(url):
        return "an address holds no white space, control character or back-slash"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return "not a well-formed address"
    if parts.scheme.lower() not in _SCHEMES:
        return "only http:// and https:// addresses are taken"
    if "@" in parts.netloc:
        return "an address with a user name (user@host) is not taken: it hides the real host"
    host = parts.netloc.rsplit(":", 1)[0] if parts.port is not None else parts.netloc
    if not parts.hostname or not _HOST.match(host):
        return "an address needs a host name"
    return None


def check_web_address(url: Any, *, pointer: str) -> str:
    """The address, or 422 naming where it is and why it is refused."""
    problem = web_address_problem(url)
    if problem is not None:
        raise Unprocessable(f"{str(url)[:100]!r} is refused: {problem}", pointer=pointer, code="invalid_link")
    return url


def linkable(url: Any) -> str | None:
    """The address if a page may make it a link (for addresses stored before they were checked), else None."""
    return url if web_address_problem(url) is None else None


def rule_sources(schema: Any) -> Iterator[tuple[str, Any]]:
    """(pointer, address) of every address an x-rule links to, wherever the x-rule is: its `sources[*].url` (source
    objects), the old `source` string and the old `sources` list of URL strings."""
    stack: list[tuple[Any, tuple]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            rule = node.get("x-rule")
            if isinstance(rule, dict) and "source" in rule:
                yield pointer_join(*path, "x-rule", "source"), rule["source"]
            sources = rule.get("sources") if isinstance(rule, dict) else None
            for index, item in enumerate(sources if isinstance(sources, list) else ()):
                if isinstance(item, dict) and "url" in item:
                    yield pointer_join(*path, "x-rule", "sources", index, "url"), item["url"]
                elif isinstance(item, str):
                    yield pointer_join(*path, "x-rule", "sources", index), item
            stack.extend((value, path + (key,)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, path + (index,)) for index, value in enumerate(node))


def check_rule_sources(schema: Any) -> None:
    """Every address an x-rule links to is an http(s) address (422 `invalid_link` with its pointer otherwise); whether
    it is a deep link with a quote is checked at publication (registry.domain.provenance)."""
    for pointer, source in rule_sources(schema):
        if source not in (None, ""):  # a missing source is the citation check's to report, at publication
            check_web_address(source, pointer=pointer)
