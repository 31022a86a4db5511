"""Compliance checks: one profile against many markets, or a stream of profiles (JSON Lines)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, AsyncIterator, Optional
from urllib.parse import parse_qs

import anyio
from litestar import Controller, Request, Response, asgi, post
from litestar.di import NamedDependency
from litestar.exceptions import MethodNotAllowedException
from litestar.params import JSONBody, QueryParameter
from litestar.types import Receive, Scope, Send
from sqlalchemy import Engine

from registry.api.structs import API, Input
from registry.domain.access import Principal
from registry.domain.references import parse_date
from registry.errors import InvalidInput
from registry.reports import compliance as report_formats
from registry.reports.formats import FORMATS, choose
from registry.services import batch, compliance, profiles
from registry.settings import Settings
from registry.storage.database import read_session, write_session


class ComplianceRequest(Input):
    markets: list[str]
    profile: Optional[dict[str, Any]] = None
    profile_id: Optional[str] = None
    profile_version: Optional[int] = None
    as_of: Optional[dt.date] = None
    topics: Optional[list[str]] = None


def render(data: dict, fmt: str) -> Response[Any]:
    if fmt == "json":
        return Response(data, media_type=FORMATS["json"])
    text = {"md": report_formats.to_markdown, "csv": report_formats.to_csv, "html": report_formats.to_html}[fmt](data)
    return Response(text, media_type=FORMATS[fmt])


class ComplianceController(Controller):
    path = API + "/compliance"
    tags = ["compliance"]

    # CPU-bound and almost never touching the database (frameworks are cached): a thread hop would only add
    # latency under the GIL, so this handler runs on the event loop.
    @post("/check", sync_to_thread=False, status_code=200,
          summary="Check one operating profile against markets, now or as of a date (JSON, md, csv, html)")
    def check(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
              principal: NamedDependency[Principal], request: Request, data: JSONBody[ComplianceRequest],
              format: Annotated[Optional[str], QueryParameter(description="json, md, csv or html")] = None
              ) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        if (data.profile is None) == (data.profile_id is None):
            raise InvalidInput("send a profile, or the id of a saved profile (not both)", pointer="/profile",
                               code="profile_required")
        markets = compliance.parse_markets(data.markets)
        if data.profile_id is None:
            frameworks = compliance.frameworks_for(engine, markets, data.as_of, data.topics)
            report = compliance.run_check(frameworks, data.profile, engine=settings.validation_engine,
                                          format_assertion=settings.format_assertion)
        else:
            with write_session(engine) as session:
                saved = profiles.get(session, principal, data.profile_id)
                version = profiles.version(session, saved, data.profile_version)
                frameworks = compliance.load_frameworks(session, markets, data.as_of, data.topics)
                report = compliance.run_check(frameworks, version.body, engine=settings.validation_engine,
                                              format_assertion=settings.format_assertion)
                profiles.record_run(session, principal, saved, version.number, as_of=report.as_of, markets=markets,
                                    topics=data.topics or [], statuses={r.market: r.status for r in report.results},
                                    versions_used=[v.ref for v in frameworks.versions_used])
        return render(report_formats.report_dict(report, topics=data.topics, markets=markets), fmt)

@asgi(API + "/compliance/batch", copy_scope=True)
async def check_batch(scope: Scope, receive: Receive, send: Send) -> None:
    """POST JSON Lines in, JSON Lines out, line by line: a raw ASGI handler, because a streamed response that
    also reads the request body cannot share `receive` with litestar's disconnect listener."""
    if scope.get("method") != "POST":
        raise MethodNotAllowedException(detail="use POST", headers={"Allow": "POST"})
    app = scope["litestar_app"]
    settings: Settings = app.state.settings
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    codes = compliance.parse_markets(query.get("markets", [""])[0])
    as_of = parse_date(query["as_of"][0], pointer="as_of") if query.get("as_of") else None
    topics = [t for t in query.get("topics", [""])[0].split(",") if t] or None

    def load() -> compliance.Frameworks:
        with read_session(app.state.engine) as session:
            return compliance.load_frameworks(session, codes, as_of, topics)

    frameworks = await anyio.to_thread.run_sync(load)
    checker = batch.LineChecker(frameworks, engine=settings.validation_engine,
                                format_assertion=settings.format_assertion, max_depth=settings.max_json_depth)

    async def body() -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            yield message.get("body", b"")
            if not message.get("more_body", False):
                return

    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/x-ndjson"), (b"x-content-type-options", b"nosniff")]})
    chunk: list[bytes] = []
    first = 1

    def run(lines_: list[bytes], start: int) -> bytes:
        return batch.encode(checker.check_lines(lines_, start))

    async for line in batch.lines(body(), settings.batch_max_line_bytes):
        chunk.append(line)
        if len(chunk) >= 200:
            out = await anyio.to_thread.run_sync(run, chunk, first)
            first += len(chunk)
            chunk = []
            await send({"type": "http.response.body", "body": out, "more_body": True})
    tail = await anyio.to_thread.run_sync(run, chunk, first) if chunk else b""
    await send({"type": "http.response.body", "body": tail, "more_body": False})
