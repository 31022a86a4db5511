"""Comparisons: two references or schemas, gap reports between frameworks, the alignment matrix."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter
from sqlalchemy import Engine

from registry.api.caching import NEGOTIATED
from registry.api.answers import in_format
from registry.api.structs import API, GapReportOut, Input
from registry.domain.access import Principal
from registry.errors import InvalidInput
from registry.reports import comparisons as formats
from registry.reports.formats import choose
from registry.services import comparing, conditions, differences
from registry.settings import Settings
from registry.storage.database import read_session

FormatParam = Annotated[Optional[str], QueryParameter(description="json, md, csv or html (as the answer has them)")]


class CompareRequest(Input):
    left: Optional[str] = None
    right: Optional[str] = None
    left_schema: Optional[Any] = None
    right_schema: Optional[Any] = None


def _side(session: Any, principal: Principal, ref: str | None, schema: Any, name: str, settings: Settings
          ) -> comparing.Side:
    if (ref is None) == (schema is None):
        raise InvalidInput(f"give {name} as a reference (EU/consumer-protection@latest) or {name}_schema, not both",
                           pointer=f"/{name}", code="side_required")
    if ref is not None:
        return comparing.reference_side(session, principal, ref, pointer=f"/{name}")
    return comparing.inline_side(schema, name, pointer=f"/{name}_schema", max_expansion=settings.max_schema_expansion)


GAPS_ANSWER = (API + "/gaps", "get", GapReportOut)  # for the OpenAPI document: items carry their rules' sources


class ComparisonController(Controller):
    path = API
    tags = ["comparisons"]

    @post("/compare", sync_to_thread=True, status_code=200, opt={"expensive": True, "anonymous": True},
          summary="Compare two references (EU/consumer-protection@latest, CN/…@2020-01-01) or two inline schemas "
                  "(json, md or csv)")
    def compare(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings], request: Request,
                principal: NamedDependency[Principal], data: JSONBody[CompareRequest],
                format: FormatParam = None) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        with read_session(engine) as session:
            left = _side(session, principal, data.left, data.left_schema, "left", settings)
            right = _side(session, principal, data.right, data.right_schema, "right", settings)
            words = differences.vocabulary_words(session)
            titles = conditions.titles(session)
        answer = comparing.compare_sides(left, right, format_assertion=settings.format_assertion, words=words,
                                         titles=titles)
        return in_format(fmt, answer, formats.COMPARE_FORMATS)

    @get("/gaps", sync_to_thread=True, opt={"expensive": True, NEGOTIATED: True}, summary="Gap report between two jurisdictions' frameworks")
    def gaps(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings], request: Request,
             source: Annotated[str, QueryParameter(name="from", description="the jurisdiction you start from")],
             target: Annotated[str, QueryParameter(name="to", description="the jurisdiction whose rules you need")],
             topic: FromQuery[Optional[str]] = None, as_of: FromQuery[Optional[dt.date]] = None,
             format: FormatParam = None) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        with read_session(engine) as session:
            data = comparing.framework_gap(session, source, target, topic=topic, as_of=as_of,
                                           format_assertion=settings.format_assertion)
        return in_format(fmt, data, {"md": formats.gap_markdown, "csv": formats.gap_csv, "html": formats.gap_html})

    @get("/comparisons/matrix", sync_to_thread=True, opt={"expensive": True, NEGOTIATED: True},
         summary="Relation and alignment score for every pair of jurisdictions on a topic")
    def matrix(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings], request: Request,
               topic: FromQuery[str], as_of: FromQuery[Optional[dt.date]] = None,
               cooperation: FromQuery[Optional[Literal["partner", "not-partner", "unknown"]]] = None,
               format: FormatParam = None) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        with read_session(engine) as session:
            data = comparing.matrix(session, topic, as_of=as_of, format_assertion=settings.format_assertion,
                                    cooperation=cooperation)
        return in_format(fmt, data, {"csv": formats.matrix_csv})
