"""The compliance check page: paste, upload or fill in (a form generated from the vocabulary) an operating
profile, pick markets and a date, and read the results per market with citations, the strictest combined
requirement and the conflicts; ?format=json|csv|md downloads the same report. The URL is the permalink."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Annotated, Any, Optional

import anyio
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.domain.jsonbody import parse_json
from registry.domain.references import parse_date
from registry.errors import InvalidInput, RegistryError
from registry.reports import compliance as report_formats
from registry.reports.compliance import report_dict
from registry.reports.formats import FORMATS
from registry.services import compliance, jurisdictions
from registry.services.documents import latest_schema
from registry.settings import Settings
from registry.storage.database import read_session
from registry.web.layout import page
from registry.web.profile_form import PREFIX, fields, form_from_profile, profile_from_form

MAX_PROFILE_CHARS = 200_000
PERMALINK_CHARS = 6_000


def _profile(text: str, settings: Settings) -> Any:
    if len(text) > MAX_PROFILE_CHARS:
        raise InvalidInput(f"a profile here is at most {MAX_PROFILE_CHARS:,} characters; send larger ones to "
                           "POST /api/v1/compliance/check", pointer="/profile", code="profile_too_large")
    try:
        return parse_json(text, max_depth=settings.max_json_depth)
    except RegistryError as exc:
        raise InvalidInput(f"the profile is not valid JSON: {exc.message}", pointer="/profile",
                           code="invalid_json") from None


class CompliancePages(Controller):
    path = "/compliance"

    def _show(self, engine: Engine, settings: Settings, viewer: Principal, *, markets: list[str], as_of: str,
              profile_text: str, form_values: dict[str, str], fmt: str | None, upload: bool = False) -> Any:
        with read_session(engine) as session:
            codes = [(j.code, j.name) for j in jurisdictions.list_jurisdictions(session, limit=500)[0]]
            vocabulary_version, vocabulary = latest_schema(session, compliance.PROFILE_VOCABULARY)
            groups = fields(vocabulary)
            profile, report, error = None, None, None
            try:
                if profile_text.strip():
                    profile = _profile(profile_text, settings)
                elif form_values:
                    profile = profile_from_form(groups, form_values)
                if profile is not None and markets:
                    day = parse_date(as_of, pointer="/as_of") if as_of else None
                    frameworks = compliance.load_frameworks(session, compliance.parse_markets(markets), day)
                    result = compliance.run_check(frameworks, profile, engine=settings.validation_engine,
                                                  format_assertion=settings.format_assertion)
                    report = report_dict(result, markets=markets)
            except RegistryError as exc:
                if fmt:
                    raise
                error = exc
        if fmt and report is not None:
            if fmt == "json":
                return Response(report, media_type=FORMATS["json"], headers=_attachment("json"))
            text = {"md": report_formats.to_markdown, "csv": report_formats.to_csv}[fmt](report)
            return Response(text, media_type=FORMATS[fmt], headers=_attachment(fmt))
        profile_json = json.dumps(profile, ensure_ascii=False, indent=2) if profile is not None else profile_text
        permalink = {"markets": markets, "as_of": as_of, "profile": json.dumps(profile, ensure_ascii=False,
                                                                               separators=(",", ":"))
                     if profile is not None else None}
        if permalink["profile"] and len(permalink["profile"]) > PERMALINK_CHARS:
            permalink = None  # too long for an address: downloads and re-upload still work
        return page("compliance.html", viewer, title="Compliance check", codes=codes, markets=markets,
                    as_of=as_of, today=dt.date.today().isoformat(), profile_json=profile_json,
                    form_values=form_values or form_from_profile(profile), groups=groups,
                    vocabulary=f"{compliance.PROFILE_VOCABULARY}@{vocabulary_version.number}", report=report,
                    error=error, permalink=permalink, upload=upload, form_open=bool(form_values),
                    status_code=error.status if error is not None else 200)

    @get("/", sync_to_thread=True, media_type=MediaType.HTML, opt={"expensive": True})
    def check(self, request: Request, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
              viewer: NamedDependency[Principal],
              as_of: Annotated[Optional[str], QueryParameter(max_length=10)] = None,
              profile: Annotated[Optional[str], QueryParameter(max_length=MAX_PROFILE_CHARS)] = None,
              format: Annotated[Optional[str], QueryParameter(pattern=r"^(json|csv|md)$")] = None) -> Any:
        params = request.query_params
        markets = [code for value in params.getall("markets", []) for code in value.split(",") if code.strip()]
        form_values = {k: v for k, v in params.items() if k.startswith(PREFIX) and v}
        return self._show(engine, settings, viewer, markets=markets, as_of=as_of or "", profile_text=profile or "",
                          form_values=form_values, fmt=format)

    @post("/", status_code=200, media_type=MediaType.HTML, opt={"expensive": True, "anonymous": True})
    async def upload(self, request: Request, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
                     viewer: NamedDependency[Principal],
                     data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> Any:
        file = data.get("file")
        text = (await file.read()).decode("utf-8", errors="replace") if isinstance(file, UploadFile) else ""
        markets = data.get("markets") or []
        markets = [markets] if isinstance(markets, str) else [m for m in markets if isinstance(m, str)]
        show = partial(self._show, engine, settings, viewer, markets=markets, as_of=str(data.get("as_of") or ""),
                       profile_text=text, form_values={}, fmt=None, upload=True)
        return await anyio.to_thread.run_sync(show)


def _attachment(fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="compliance-check.{fmt}"'}
