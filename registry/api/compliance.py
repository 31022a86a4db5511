"""Compliance checks: one profile against many markets, or a stream of profiles (JSON Lines).

Both are raw ASGI routes (registry/api/raw.py), ordinary routes of the app: they are the hot path of the API, and
litestar's HTTP handler machinery (signature model, dependency resolution, response objects) cost more than the check
itself (docs/performance.md). Their errors go through the one error handler; their operations are declared in
CHECK_OPERATION and BATCH_OPERATION for the OpenAPI document. The caller is authenticated, and the request admitted,
before the body is read (registry/api/admission.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, AsyncIterator, Optional

import msgspec
from msgspec import Meta
from litestar import asgi
from litestar.types import Receive, Scope, Send
from sqlalchemy import Engine

from registry.api import raw
from registry.api.admission import known_caller
from registry.api.metrics import counted_checks
from registry.api.openapi import RawOperation
from registry.api.structs import API, ComplianceReportOut, Input
from registry.domain.access import ANONYMOUS, Principal
from registry.domain.jsonbody import parse_json
from registry.domain.references import parse_date
from registry.errors import InvalidInput
from registry.reports import compliance as report_formats
from registry.reports.formats import FORMATS, choose
from registry.services import batch, compliance, profiles
from registry.settings import Settings
from registry.storage.database import make_engine, read_session, write_session


class ComplianceRequest(Input):
    markets: list[str]
    profile: Optional[dict[str, Any]] = None
    profile_id: Optional[str] = None
    profile_version: Optional[int] = None
    as_of: Optional[dt.date] = None
    topics: Optional[list[str]] = None
    versions: Optional[list[PinnedVersion]] = None  # a report's `rerun`: exactly these versions, no look-up
    vocabulary: Optional[PinnedVersion] = None
    # with `versions`: each market's topics as researched then (market -> topic -> recorded | none | not-researched)
    coverage: Optional[dict[str, dict[str, str]]] = None


class PinnedVersion(Input):
    ref: Annotated[str, Meta(max_length=200)]
    content_hash: Annotated[str, Meta(max_length=64)]
    body_hash: Optional[Annotated[str, Meta(max_length=64)]] = None  # the annotations it quoted (amended since?)


def _frameworks(session: Any, data: ComplianceRequest, markets: list[str]) -> compliance.Frameworks:
    """The versions a request names (a rerun), or those in force on its date."""
    if data.versions is None:
        return compliance.load_frameworks(session, markets, data.as_of, data.topics)
    if data.as_of is None:
        raise InvalidInput("a rerun names the date it was checked as of", pointer="/as_of", code="as_of_required")
    return compliance.pinned_frameworks(session, markets, data.as_of,
                                        [(p.ref, p.content_hash, p.body_hash) for p in data.versions],
                                        (data.vocabulary.ref, data.vocabulary.content_hash) if data.vocabulary else None,
                                        topics=data.topics, coverage_of=data.coverage)


def render(data: dict, fmt: str) -> tuple[bytes, str]:
    if fmt == "json":
        return msgspec.json.encode(data), FORMATS["json"]
    text = {"md": report_formats.to_markdown, "csv": report_formats.to_csv, "html": report_formats.to_html}[fmt](data)
    return text.encode(), FORMATS[fmt]


def _check_saved(engine: Engine, settings: Settings, principal: Principal, data: ComplianceRequest,
                 markets: list[str]) -> compliance.Report:
    """A saved profile's check, recorded in its history (a write: run in a worker thread)."""
    with write_session(engine) as session:
        saved = profiles.get(session, principal, data.profile_id)
        version = profiles.version(session, saved, data.profile_version)
        frameworks = _frameworks(session, data, markets)
        report = compliance.run_check(frameworks, version.body, engine=settings.validation_engine,
                                      format_assertion=settings.format_assertion)
        report.source = {"profile_id": saved.id, "profile_version": version.number}
        rerun, _ = report_formats.rerun_requests(report, topics=data.topics, markets=markets)
        profiles.record_run(session, principal, saved, version.number, as_of=report.as_of, markets=markets,
                            topics=data.topics or [], statuses={r.market: r.status for r in report.results},
                            versions_used=[v.ref for v in frameworks.versions_used], rerun=rerun)
    return report


CHECK_PATH = API + "/compliance/check"
CHECK_OPERATION = RawOperation(
    path=CHECK_PATH, method="post", tags=["compliance"], operation_id="ApiV1ComplianceCheckCheck",
    summary="Check one operating profile against markets, now or as of a date (JSON, md, csv, html)",
    body=ComplianceRequest, query={"format": "json, md, csv or html"},
    answers=["application/json", "text/markdown", "text/csv", "text/html"], response=ComplianceReportOut)


def _check(engine: Engine, settings: Settings, principal: Principal, data: ComplianceRequest,
           fmt: str) -> tuple[bytes, str]:
    """One check, rendered: of an inline profile, or of a saved one (read, and the check recorded)."""
    markets = compliance.parse_markets(data.markets)
    if data.profile_id is None and data.versions is not None:
        with read_session(engine) as session:
            frameworks = _frameworks(session, data, markets)
        report = compliance.run_check(frameworks, data.profile, engine=settings.validation_engine,
                                      format_assertion=settings.format_assertion)
    elif data.profile_id is None:
        frameworks = compliance.frameworks_for(engine, markets, data.as_of, data.topics)
        report = compliance.run_check(frameworks, data.profile, engine=settings.validation_engine,
                                      format_assertion=settings.format_assertion)
    else:
        report = _check_saved(engine, settings, principal, data, markets)
    return render(report_formats.report_dict(report, topics=data.topics, markets=markets), fmt)


def _request(value: Any) -> ComplianceRequest:
    data = raw.struct_from_value(value, ComplianceRequest)
    if (data.profile is None) == (data.profile_id is None):
        raise InvalidInput("send a profile, or the id of a saved profile (not both)", pointer="/profile",
                           code="profile_required")
    if data.coverage is not None and data.versions is None:
        raise InvalidInput("coverage is pinned only with versions (a rerun)", pointer="/coverage",
                           code="versions_required")
    return data


_engines: dict[str, Engine] = {}  # a worker process's own engine, one per database


def check_large(settings: Settings, body: bytes, fmt: str) -> tuple[bytes, str] | ComplianceRequest:
    """In a worker process: a large body parsed and its inline profile checked and rendered, so that neither holds
    the server's GIL; a saved profile's request comes back to be checked (and recorded) by the server."""
    data = _request(parse_json(body, max_depth=settings.max_json_depth, max_string_chars=settings.max_string_chars))
    if data.profile_id is not None:
        return data
    if settings.database_url not in _engines:
        _engines[settings.database_url] = make_engine(settings.database_url)
    return _check(_engines[settings.database_url], settings, ANONYMOUS, data, fmt)


@asgi(CHECK_PATH, copy_scope=False, opt={"anonymous": True})  # nothing mounted below: no scope to protect
async def check(scope: Scope, receive: Receive, send: Send) -> None:
    """A small body naming no saved profile is checked on the event loop: the check is CPU-bound, cheap and its
    rules are cached, so a thread hop would only add latency under the GIL. A large body (admitted as an expensive
    request) is parsed and checked in a worker process; a saved profile's check (read, and recorded) runs in a
    worker thread."""
    raw.only(scope, "POST")
    state = scope["litestar_app"].state
    admission = state.admission
    headers = raw.headers(scope)
    accept = headers.get(b"accept")
    fmt = choose(raw.query(scope).get("format"), accept.decode("latin-1") if accept else None)
    principal = known_caller(scope)  # a token that is sent must be valid, even where none is needed: admission checked
    body = await raw.read_body(receive, state.settings.max_body_bytes, headers.get(b"content-length"))
    if len(body) > admission.inline_body_bytes:
        outcome = await admission.in_process(check_large, state.settings, body, fmt)
    else:
        outcome = _request(await admission.parse_json(body))
    if isinstance(outcome, ComplianceRequest) and outcome.profile_id is None:
        outcome = _check(state.engine, state.settings, principal, outcome, fmt)
    elif isinstance(outcome, ComplianceRequest):
        outcome = await admission.in_worker(_check, state.engine, state.settings, principal, outcome, fmt)
    counted_checks("check")
    await raw.answer(send, *outcome)


BATCH_PATH = API + "/compliance/batch"
BATCH_OPERATION = RawOperation(
    path=BATCH_PATH, method="post", tags=["compliance"], operation_id="ApiV1ComplianceBatchCheckBatch",
    summary="Check a stream of profiles (JSON Lines in, JSON Lines out, one result per line)",
    body=None, body_media_type="application/x-ndjson",
    body_schema={"type": "array", "description": "JSON Lines: each item is one line of the body",
                 "items": {"type": "object", "required": ["profile"],
                           "properties": {"id": {"description": "Yours, echoed in the result line"},
                                          "profile": {"type": "object"}}}},
    query={"markets": "Comma-separated jurisdiction codes (required)", "as_of": "A date, YYYY-MM-DD",
           "topics": "Comma-separated topic slugs"},
    required=("markets",), answers=["application/x-ndjson"])


@asgi(BATCH_PATH, copy_scope=True, opt={"anonymous": True, "expensive": True, "stream": True})
async def check_batch(scope: Scope, receive: Receive, send: Send) -> None:
    """POST JSON Lines in, JSON Lines out, line by line: a raw ASGI handler, because a streamed response that
    also reads the request body cannot share `receive` with litestar's disconnect listener."""
    raw.only(scope, "POST")
    app = scope["litestar_app"]
    settings: Settings = app.state.settings
    query = raw.query(scope)
    codes = compliance.parse_markets(query.get("markets", ""))
    as_of = parse_date(query["as_of"], pointer="as_of") if query.get("as_of") else None
    topics = [t for t in query.get("topics", "").split(",") if t] or None

    def load() -> compliance.Frameworks:
        with read_session(app.state.engine) as session:
            return compliance.load_frameworks(session, codes, as_of, topics)

    frameworks = await app.state.admission.in_worker(load)
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
        counted_checks("batch", len(lines_))
        return batch.encode(checker.check_lines(lines_, start))

    async for line in batch.lines(body(), settings.batch_max_line_bytes):
        chunk.append(line)
        if len(chunk) >= 200:
            out = await app.state.admission.in_worker(run, chunk, first)
            first += len(chunk)
            chunk = []
            await send({"type": "http.response.body", "body": out, "more_body": True})
    tail = await app.state.admission.in_worker(run, chunk, first) if chunk else b""
    await send({"type": "http.response.body", "body": tail, "more_body": False})
