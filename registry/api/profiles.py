"""Saved operating profiles (enterprise tokens), their check history, and the impact of a draft rule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import Engine

from registry.api.dependencies import Page
from registry.api.structs import API, Input
from registry.domain.access import Principal
from registry.domain.references import parse_name
from registry.services import impact, profiles
from registry.settings import Settings
from registry.storage.database import read_session, write_session
from registry.storage.tables import ComplianceRun, Profile, ProfileVersion


class ProfileSave(Input):
    profile: dict[str, Any]
    name: Optional[Annotated[str, msgspec.Meta(max_length=200)]] = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ProfileVersionOut(msgspec.Struct):
    number: int
    content_hash: str
    note: str
    created_at: dt.datetime
    profile: Optional[dict[str, Any]] = None


class ProfileOut(msgspec.Struct):
    id: str
    name: str
    owner: str
    created_at: dt.datetime
    updated_at: dt.datetime
    versions: list[ProfileVersionOut]
    url: str


class ProfilePage(msgspec.Struct):
    items: list[ProfileOut]
    total: int
    limit: int
    offset: int


class RunOut(msgspec.Struct):
    id: int
    profile_number: int
    as_of: dt.date
    markets: list[str]
    topics: list[str]
    statuses: dict[str, str]
    versions_used: list[str]
    created_at: dt.datetime
    rerun: Optional[dict[str, Any]] = None  # POST it to /api/v1/compliance/check to replay this check exactly


class ImpactRequest(Input):
    document: str
    version: Optional[int] = None
    schema: Optional[dict[str, Any]] = None
    as_of: Optional[dt.date] = None


def profile_out(row: Profile, rows: list[ProfileVersion], *, with_body: bool = False) -> ProfileOut:
    return ProfileOut(id=row.id, name=row.name, owner=row.owner, created_at=row.created_at, updated_at=row.updated_at,
                      versions=[ProfileVersionOut(number=v.number, content_hash=v.content_hash, note=v.note,
                                                  created_at=v.created_at,
                                                  profile=v.body if with_body and v is rows[-1] else None)
                                for v in rows], url=f"{API}/profiles/{row.id}")


def run_out(row: ComplianceRun) -> RunOut:
    return RunOut(id=row.id or 0, profile_number=row.profile_number, as_of=row.as_of, markets=row.markets,
                  topics=row.topics, statuses=row.statuses, versions_used=row.versions_used, created_at=row.created_at,
                  rerun=row.rerun)


class ProfileController(Controller):
    path = API
    tags = ["compliance"]

    @get("/profiles", sync_to_thread=True, summary="Your saved profiles (enterprise tokens)")
    def list_profiles(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                      page: NamedDependency[Page]) -> ProfilePage:
        with read_session(engine) as session:
            rows, total = profiles.list_profiles(session, principal, limit=page.limit, offset=page.offset)
            return ProfilePage(items=[profile_out(r, profiles.versions(session, r)) for r in rows], total=total,
                               limit=page.limit, offset=page.offset)

    @post("/profiles", sync_to_thread=True, summary="Save a new profile")
    def create_profile(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                       data: JSONBody[ProfileSave]) -> Response[ProfileOut]:
        with write_session(engine) as session:
            row, _, _ = profiles.save(session, principal, name=data.name, body=data.profile, note=data.note)
            return Response(profile_out(row, profiles.versions(session, row), with_body=True), status_code=201)

    @get("/profiles/{profile_id:str}", sync_to_thread=True, summary="One of your profiles, with its newest body")
    def get_profile(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    profile_id: FromPath[str]) -> ProfileOut:
        with read_session(engine) as session:
            row = profiles.get(session, principal, profile_id)
            return profile_out(row, profiles.versions(session, row), with_body=True)

    @put("/profiles/{profile_id:str}", sync_to_thread=True, summary="Save a new version of a profile")
    def update_profile(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                       profile_id: FromPath[str], data: JSONBody[ProfileSave]) -> ProfileOut:
        with write_session(engine) as session:
            row, _, _ = profiles.save(session, principal, name=data.name, body=data.profile, profile_id=profile_id,
                                      note=data.note)
            return profile_out(row, profiles.versions(session, row), with_body=True)

    @get("/profiles/{profile_id:str}/checks", sync_to_thread=True, summary="A profile's check history")
    def list_checks(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    profile_id: FromPath[str]) -> list[RunOut]:
        with read_session(engine) as session:
            return [run_out(r) for r in profiles.runs(session, profiles.get(session, principal, profile_id))]

    @post("/compliance/impact", sync_to_thread=True, status_code=200, opt={"expensive": True},
          summary="How many saved profiles a draft rule would turn non-compliant")
    def draft_impact(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                     settings: NamedDependency[Settings], data: JSONBody[ImpactRequest]) -> dict[str, Any]:
        with read_session(engine) as session:
            return impact.impact(session, principal, parse_name(data.document, pointer="/document"),
                                 number=data.version, schema=data.schema, as_of=data.as_of,
                                 engine=settings.validation_engine, format_assertion=settings.format_assertion,
                                 max_expansion=settings.max_schema_expansion)
