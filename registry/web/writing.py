"""Signed-in forms: a regulator drafts and publishes a version; the secretariat logs a meeting and writes its
minutes with a preview. The viewer (the token in the HttpOnly cookie) is the principal; the services decide who
may do what, as for the API. Errors are shown next to the field their pointer names."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from litestar import Controller, MediaType, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy import Engine

from registry.domain import meetings as meeting_rules
from registry.domain.access import Principal, require_namespace_writer
from registry.domain.references import VersionSelector, parse_date
from registry.errors import NotFound, RegistryError
from registry.services import documents, meetings, meetings_minutes
from registry.services import conditions as condition_titles
from registry.services.documents import VersionInput
from registry.services.meetings import MeetingInput
from registry.settings import Settings
from registry.storage.database import read_session, write_session
from registry.web import markdown
from registry.web.compliance import _profile as parse_json_field
from registry.web.documents import DOC, _name, version_page
from registry.web.layout import page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _date(text: str, pointer: str) -> dt.date | None:
    return parse_date(text.strip(), pointer=pointer) if text and text.strip() else None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip())


def _list(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else ((value,) if value else ())


class WritingPages(Controller):
    @get("/documents" + DOC + "/draft", sync_to_thread=True)
    def draft_form(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                   jurisdiction: FromPath[str], slug: FromPath[str]) -> Template:
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            require_namespace_writer(viewer, document.namespace)
            latest = documents.versions_of(session, document, viewer)
        form = {"schema": json.dumps(latest[-1].body, indent=2, ensure_ascii=False) if latest else "{}",
                "effective_from": "", "effective_to": "", "changelog": ""}
        return page("documents/draft.html", viewer, title=f"Draft a version of {document.name}", document=document,
                    form=form, error=None)

    @post("/documents" + DOC + "/draft", sync_to_thread=True, media_type=MediaType.HTML)
    def draft(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
              viewer: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str],
              data: Form) -> Any:
        form = {k: str(data.get(k, "")) for k in ("schema", "effective_from", "effective_to", "changelog")}
        try:
            with write_session(engine) as session:
                document = documents.get_document(session, _name(jurisdiction, slug))
                try:
                    schema = parse_json_field(form["schema"], settings)
                except RegistryError as exc:
                    exc.pointer = "/schema"
                    raise
                version = documents.create_version(session, viewer, document, VersionInput(
                    schema=schema, effective_from=_date(form["effective_from"], "/effective_from"),
                    effective_to=_date(form["effective_to"], "/effective_to"), changelog=form["changelog"]),
                    max_expansion=settings.max_schema_expansion)
                number = version.number
        except RegistryError as exc:
            with read_session(engine) as session:
                document = documents.get_document(session, _name(jurisdiction, slug))
            return page("documents/draft.html", viewer, title=f"Draft a version of {document.name}",
                        document=document, form=form, error=exc, field=_field(exc.pointer), status_code=exc.status)
        return Redirect(f"/documents/{jurisdiction}/{slug}/versions/{number}", status_code=303)

    @post("/documents" + DOC + "/versions/{number:int}/publish", sync_to_thread=True, media_type=MediaType.HTML)
    def publish(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                jurisdiction: FromPath[str], slug: FromPath[str], number: FromPath[int], data: Form,
                settings: NamedDependency[Settings]) -> Any:
        try:
            with write_session(engine) as session:
                document = documents.get_document(session, _name(jurisdiction, slug))
                documents.publish(session, viewer, document, number,
                                  effective_from=_date(str(data.get("effective_from", "")), "/effective_from"),
                                  max_expansion=settings.max_schema_expansion)
        except RegistryError as exc:
            with read_session(engine) as session:
                document = documents.get_document(session, _name(jurisdiction, slug))
                version = documents.get_version(session, document, VersionSelector(number=number), viewer)
                titles = condition_titles.titles(session, document.vocabulary)
            return version_page(document, version, viewer, publish_error=exc, status_code=exc.status, titles=titles)
        return Redirect(f"/documents/{jurisdiction}/{slug}/versions/{number}", status_code=303)

    @get("/meetings/new", sync_to_thread=False)
    def meeting_form(self, viewer: NamedDependency[Principal]) -> Template:
        return _meeting_page(viewer, {}, None)

    @post("/meetings/new", sync_to_thread=True, media_type=MediaType.HTML)
    def create_meeting(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                       data: Form) -> Any:
        form = {k: v for k, v in data.items() if k != "_csrf_token"}
        text = {k: str(form.get(k, "")).strip() for k in ("title", "type", "start", "end", "timezone", "place",
                                                          "host", "description", "jurisdictions")}
        try:
            with write_session(engine) as session:
                meeting = meetings.create_meeting(session, viewer, MeetingInput(
                    title=text["title"], type=text["type"], start=text["start"], end=text["end"],
                    timezone=text["timezone"], place=text["place"], host=text["host"],
                    description=text["description"], jurisdictions=_codes(text["jurisdictions"]),
                    topics=_list(form.get("topics"))))
                session.flush()
                meeting_id = meeting.id
        except RegistryError as exc:
            return _meeting_page(viewer, form, exc)
        return Redirect(f"/meetings/{meeting_id}", status_code=303)

    @get("/meetings/{meeting_id:int}/minutes", sync_to_thread=True)
    def minutes_form(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                     meeting_id: FromPath[int]) -> Template:
        with read_session(engine) as session:
            meeting = meetings.get_meeting(session, meeting_id)
            try:
                current = meetings_minutes.get_minutes(session, viewer, meeting_id)
            except NotFound:
                current = None
        return page("meetings/minutes.html", viewer, title=f"Minutes: {meeting.title}", m=meeting,
                    text=current.markdown if current else "", etag=meetings_minutes.etag(current) if current else "",
                    status=current.status if current else None, preview=None, error=None)

    @post("/meetings/{meeting_id:int}/minutes", sync_to_thread=True, media_type=MediaType.HTML)
    def save_minutes(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                     meeting_id: FromPath[int], data: Form) -> Any:
        text, etag = str(data.get("markdown", "")), str(data.get("etag", "")) or None
        error = None
        if data.get("action") != "preview":
            try:
                with write_session(engine) as session:
                    meetings_minutes.save_minutes(session, viewer, meeting_id, text, etag, render=markdown.render)
                return Redirect(f"/meetings/{meeting_id}/minutes", status_code=303)
            except RegistryError as exc:
                error = exc
        else:
            try:
                meeting_rules.check_minutes(text)
            except RegistryError as exc:
                error = exc
        with read_session(engine) as session:
            meeting = meetings.get_meeting(session, meeting_id)
        preview = markdown.render(text) if error is None else None
        return page("meetings/minutes.html", viewer, title=f"Minutes: {meeting.title}", m=meeting, text=text,
                    etag=etag or "", status=None, preview=preview, error=error,
                    status_code=error.status if error else 200)


def _field(pointer: str | None) -> str:
    """Which form field an error belongs to: its pointer's first part (the schema for anything inside it)."""
    head = (pointer or "").strip("/").split("/")[0]
    return head if head in ("effective_from", "effective_to", "changelog") else "schema"


def _meeting_page(viewer: Principal, form: dict, error: RegistryError | None) -> Template:
    return page("meetings/new.html", viewer, title="Log a meeting", form=form, error=error,
                field=(error.pointer or "").strip("/").split("/")[0] if error else "", types=meeting_rules.TYPES,
                status_code=error.status if error else 200)

