"""Site search over the API: the same answer as the /search page, grouped by kind."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from msgspec import Meta
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.services import search
from registry.storage.database import read_session


class SearchHit(msgspec.Struct):
    title: str
    url: Annotated[str, Meta(description="the page of the jurisdiction, document, version (for a rule) or meeting")]
    detail: Annotated[str, Meta(description="for a rule: its citation and the version it is in, with that "
                                            "version's status (the newest version of the rule that matched)")]
    draft: Annotated[bool, Meta(description="a rule of a draft version: only its writers find it")]


class SearchGroup(msgspec.Struct):
    kind: Annotated[str, Meta(description="jurisdiction | document | rule | meeting")]
    total: Annotated[int, Meta(description="every match of this kind the caller may see")]
    items: list[SearchHit]


class SearchAnswer(msgspec.Struct):
    q: str
    words: Annotated[list[str], Meta(description="the query's words as the index holds them (stems; Han, kana and "
                                                 "Hangul as bigrams; other than ASCII as `x` and hex)")]
    groups: list[SearchGroup]


class SearchController(Controller):
    path = "/api/v1"
    tags = ["search"]

    @get("/search", sync_to_thread=True, summary="Find jurisdictions, documents, rules and meetings")
    def search(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
               q: Annotated[str, QueryParameter(min_length=1, max_length=200)],
               limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20) -> SearchAnswer:
        with read_session(engine) as session:
            found = search.search(session, q, principal, limit=limit)
        return SearchAnswer(q=q, words=found.words, groups=[
            SearchGroup(kind=kind, total=found.totals[kind], items=[
                SearchHit(title=h.title, url=h.url, detail=h.detail, draft=h.draft) for h in found.groups[kind]])
            for kind in search.KINDS])
