"""Jurisdictions and topics."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import (
    FromPath,
    FromQuery,
    QueryParameter,
)
from sqlalchemy import Engine

from registry.api.answers import in_format
from registry.api.caching import NEGOTIATED
from registry.api.dependencies import Page
from registry.api.structs import (
    JurisdictionOut,
    JurisdictionPage,
    TopicCoverage,
    TopicOut,
    jurisdiction_out,
)
from registry.domain.topics import TOPICS
from registry.reports.coverage import coverage_csv
from registry.reports.formats import choose
from registry.services import coverage, jurisdictions
from registry.storage.database import read_session


class JurisdictionController(Controller):
    path = "/api/v1"
    tags = ["jurisdictions"]

    @get("/jurisdictions", sync_to_thread=True, summary="List jurisdictions")
    def list_jurisdictions(self, engine: NamedDependency[Engine], page: NamedDependency[Page], region: FromQuery[Optional[str]] = None,
                           kind: FromQuery[Optional[Literal["economy", "bloc"]]] = None, bloc: FromQuery[Optional[str]] = None,
                           cooperation: FromQuery[Optional[Literal["partner", "not-partner", "unknown"]]] = None,
                           q: Annotated[Optional[str], QueryParameter(max_length=200)] = None,
                           sort: FromQuery[Literal["code", "-code", "name", "-name", "region", "-region"]] = "code"
                           ) -> JurisdictionPage:
        with read_session(engine) as session:
            rows, total = jurisdictions.list_jurisdictions(session, region=region, kind=kind, bloc=bloc,
                                                           cooperation=cooperation, text=q,
                                                           sort=sort, limit=page.limit, offset=page.offset)
            members, blocs = jurisdictions.memberships(session, [r.code for r in rows])  # not two queries a row
            items = [jurisdiction_out(r, members[r.code], blocs[r.code]) for r in rows]
        return JurisdictionPage(items=items, total=total, limit=page.limit, offset=page.offset)

    @get("/jurisdictions/{code:str}", sync_to_thread=True, summary="One jurisdiction")
    def get_jurisdiction(self, engine: NamedDependency[Engine], code: FromPath[str]) -> JurisdictionOut:
        with read_session(engine) as session:
            row = jurisdictions.get(session, code)
            return jurisdiction_out(row, jurisdictions.members(session, code), jurisdictions.blocs_of(session, code))

    @get("/jurisdictions/{code:str}/coverage", sync_to_thread=True,
         summary="Per topic: rules recorded, researched and none exists, or not researched")
    def get_coverage(self, engine: NamedDependency[Engine], code: FromPath[str]) -> list[TopicCoverage]:
        with read_session(engine) as session:
            return [msgspec.convert(item, TopicCoverage) for item in coverage.coverage_of(session, code)]

    @get("/coverage", sync_to_thread=True, opt={NEGOTIATED: True},
         summary="Every jurisdiction × every topic: recorded, none exists or not researched; rules; newest source")
    def coverage_grid(self, engine: NamedDependency[Engine], request: Request,
                      cooperation: FromQuery[Optional[Literal["partner", "not-partner", "unknown"]]] = None,
                      region: Annotated[Optional[str], QueryParameter(max_length=100)] = None,
                      format: Annotated[Optional[str], QueryParameter(description="json or csv")] = None
                      ) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        with read_session(engine) as session:
            data = coverage.coverage_grid(session, cooperation=cooperation, region=region)
        return in_format(fmt, data, {"csv": coverage_csv})

    @get("/topics", sync_to_thread=False, summary="The fixed list of topics and their taxonomy mappings")
    def list_topics(self) -> list[TopicOut]:
        return [TopicOut(slug=t.slug, title=t.title, description=t.description, unctad=list(t.unctad),
                         oecd_dstri=list(t.oecd_dstri), rdtii=list(t.rdtii), checkable=t.checkable) for t in TOPICS]
