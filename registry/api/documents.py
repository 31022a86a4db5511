"""Documents and versions: thin handlers over registry.services.documents."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

import msgspec

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import (
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    QueryParameter,
)
from sqlalchemy import Engine

from registry.api.caching import NEGOTIATED
from registry.api.dependencies import Page
from registry.api.structs import (
    API,
    AnnotationAmendment,
    AnnotationHistory,
    Change,
    DiffOut,
    DocumentCreate,
    DocumentOut,
    DocumentPage,
    PublishRequest,
    VersionCreate,
    VersionList,
    VersionOut,
    WithdrawRequest,
    annotation_history,
    document_out,
    version_out,
)
from registry.domain import dates
from registry.domain.access import Principal, can_write_namespace
from registry.domain.references import DocumentName, parse_date, parse_name, parse_selector
from registry.domain.structural import structural_changes
from registry.errors import InvalidInput
from registry.reports import changes as change_reports
from registry.reports.formats import FORMATS, choose
from registry.services import annotations, comparing, conditions, differences, documents
from registry.services.documents import DocumentInput, VersionInput
from registry.settings import Settings
from registry.storage.database import read_session, write_session

DOC = "/documents/{jurisdiction:str}/{slug:str}"


def _name(jurisdiction: FromPath[str], slug: FromPath[str]) -> DocumentName:
    return parse_name(f"{jurisdiction}/{slug}")


def _number(ref: FromPath[str]) -> int:
    selector = parse_selector(ref)
    if selector.number is None:
        raise InvalidInput(f"{ref!r}: this action needs a version number", code="version_number_required")
    return selector.number


def _version_input(data: JSONBody[VersionCreate]) -> VersionInput:
    start = dates.parse(data.effective_from, pointer="/effective_from", code="invalid_input")
    end = dates.parse(data.effective_to, pointer="/effective_to", code="invalid_input")
    return VersionInput(schema=data.schema, effective_from=start.first_day if start else None,
                        effective_to=end.first_day if end else None, changelog=data.changelog, recorded=data.recorded,
                        effective_from_precision=start.precision if start else dates.DAY,
                        effective_to_precision=end.precision if end else dates.DAY, corrects=data.corrects)


def _with_etag(out: VersionOut, status_code: int = 200) -> Response[VersionOut]:
    return Response(out, status_code=status_code, headers={"ETag": out.etag})


class DocumentController(Controller):
    path = API
    tags = ["documents"]

    @get("/documents", sync_to_thread=True, summary="List documents")
    def list_documents(self, engine: NamedDependency[Engine], page: NamedDependency[Page], jurisdiction: FromQuery[Optional[str]] = None,
                       topic: FromQuery[Optional[str]] = None, kind: FromQuery[Optional[Literal["rule", "technical-standard", "vocabulary"]]] = None,
                       q: Annotated[Optional[str], QueryParameter(max_length=200)] = None,
                       sort: FromQuery[Literal["name", "-name", "title", "-title", "updated", "-updated", "topic", "-topic"]] = "name"
                       ) -> DocumentPage:
        with read_session(engine) as session:
            rows, total = documents.list_documents(session, jurisdiction=jurisdiction, topic=topic, kind=kind, text=q,
                                                   sort=sort, limit=page.limit, offset=page.offset)
            return DocumentPage(items=[document_out(r) for r in rows], total=total, limit=page.limit,
                                offset=page.offset)

    @post("/documents", sync_to_thread=True, summary="Create a document (no versions yet)")
    def create_document(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], data: JSONBody[DocumentCreate]) -> DocumentOut:
        with write_session(engine) as session:
            row = documents.create_document(session, principal, DocumentInput(
                namespace=data.jurisdiction, slug=data.slug, kind=data.kind, title=data.title, topic=data.topic,
                authority=data.authority, legal_basis=data.legal_basis, vocabulary=data.vocabulary,
                compatibility=data.compatibility))
            return document_out(row)

    @get(DOC, sync_to_thread=True, summary="One document")
    def get_document(self, engine: NamedDependency[Engine], jurisdiction: FromPath[str], slug: FromPath[str]) -> DocumentOut:
        with read_session(engine) as session:
            return document_out(documents.get_document(session, _name(jurisdiction, slug)))

    @get(DOC + "/versions", sync_to_thread=True, summary="A document's versions (drafts only for its writers)")
    def list_versions(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str]) -> VersionList:
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            rows = documents.versions_of(session, document, principal)
            corrections = documents.corrections_of(rows)
            return VersionList(document=document.name, items=[version_out(document, v, corrected_by=corrections.get(
                v.number)) for v in rows])

    @post(DOC + "/versions", sync_to_thread=True, summary="Create a draft version")
    def create_version(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str],
                       data: JSONBody[VersionCreate], settings: NamedDependency[Settings]) -> Response[VersionOut]:
        with write_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            row = documents.create_version(session, principal, document, _version_input(data),
                                           max_expansion=settings.max_schema_expansion)
            return _with_etag(version_out(document, row, with_schema=True), 201)

    @get(DOC + "/versions/{ref:str}", sync_to_thread=True,
         summary="One version by number, 'latest' (newest published), 'current' (in force today), or the date it "
                 "was in force (YYYY-MM-DD); as_recorded=YYYY-MM-DD "
                 "answers as the registry did on that day")
    def get_version(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str],
                    ref: FromPath[str],
                    as_recorded: Annotated[Optional[str], QueryParameter(max_length=10)] = None) -> Response[VersionOut]:
        day = parse_date(as_recorded, pointer="as_recorded") if as_recorded is not None else None
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            found = documents.answer(session, document, parse_selector(ref), principal, as_recorded=day)
            return _with_etag(version_out(document, found.version, with_schema=True, answer=found))

    @put(DOC + "/versions/{ref:str}", sync_to_thread=True, summary="Edit a draft (needs If-Match)")
    def update_version(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str], ref: FromPath[str],
                       data: JSONBody[VersionCreate], settings: NamedDependency[Settings],
                       if_match: Annotated[Optional[str], HeaderParameter(name="If-Match", max_length=200)] = None
                       ) -> Response[VersionOut]:
        with write_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            row = documents.update_draft(session, principal, document, _number(ref), if_match, _version_input(data),
                                         max_expansion=settings.max_schema_expansion)
            return _with_etag(version_out(document, row, with_schema=True))

    @post(DOC + "/versions/{ref:str}/publish", sync_to_thread=True, status_code=200,
          summary="Publish a draft; the previous published version is superseded")
    def publish_version(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                        settings: NamedDependency[Settings], jurisdiction: FromPath[str], slug: FromPath[str], ref: FromPath[str],
                        data: JSONBody[Optional[PublishRequest]] = None) -> VersionOut:
        with write_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            start = dates.parse(data.effective_from, pointer="/effective_from", code="invalid_input") if data else None
            row = documents.publish(session, principal, document, _number(ref),
                                    effective_from=start.first_day if start else None,
                                    effective_from_precision=start.precision if start else dates.DAY,
                                    override_reason=data.override_reason if data else None,
                                    format_assertion=settings.format_assertion,
                                    max_expansion=settings.max_schema_expansion)
            return version_out(document, row)

    @post(DOC + "/versions/{ref:str}/withdraw", sync_to_thread=True, status_code=200,
          summary="Withdraw a published or superseded version, with a reason")
    def withdraw_version(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], jurisdiction: FromPath[str], slug: FromPath[str], ref: FromPath[str],
                         data: JSONBody[WithdrawRequest]) -> VersionOut:
        with write_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            row = documents.withdraw(session, principal, document, _number(ref), reason=data.reason,
                                     successor=data.successor)
            return version_out(document, row)

    @put(DOC + "/versions/{ref:str}/annotations", sync_to_thread=True,
         summary="Amend a recorded version's x-rule annotations (needs If-Match and a reason; constraints unchanged)")
    def amend_annotations(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                          jurisdiction: FromPath[str], slug: FromPath[str], ref: FromPath[str],
                          data: JSONBody[AnnotationAmendment],
                          if_match: Annotated[Optional[str], HeaderParameter(name="If-Match", max_length=200)] = None
                          ) -> Response[VersionOut]:
        with write_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            row, _ = annotations.amend(session, principal, document, _number(ref), if_match, data.schema, data.reason)
            return _with_etag(version_out(document, row, with_schema=True))

    @get(DOC + "/versions/{ref:str}/annotations", sync_to_thread=True,
         summary="A version's annotation amendments: who, when, why, and which rules' fields changed")
    def annotation_history(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                           jurisdiction: FromPath[str], slug: FromPath[str], ref: FromPath[str]) -> AnnotationHistory:
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            row = documents.get_version(session, document, parse_selector(ref), principal)
            return annotation_history(document, row, annotations.revisions(session, row),
                                      show_tokens=can_write_namespace(principal, document.namespace))

    @get(DOC + "/versions/{a:str}/diff/{b:str}", sync_to_thread=True, opt={NEGOTIATED: True},
         summary="What the change from the older version to the newer did, difference by difference (json, md or csv)")
    def diff_versions(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                      settings: NamedDependency[Settings], request: Request, jurisdiction: FromPath[str],
                      slug: FromPath[str], a: FromPath[str], b: FromPath[str],
                      format: Annotated[Optional[str], QueryParameter(description="json, md or csv")] = None
                      ) -> Response[Any]:
        fmt = choose(format, request.headers.get("accept"))
        with read_session(engine) as session:
            document = documents.get_document(session, _name(jurisdiction, slug))
            older, newer = differences.ordered(documents.get_version(session, document, parse_selector(a), principal),
                                           documents.get_version(session, document, parse_selector(b), principal))
            words = differences.vocabulary_words(session)
            titles = conditions.titles(session, document.vocabulary)
        data = differences.version_diff(comparing.CACHE, older, newer, mode=differences.compatibility_mode(document),
                                    format_assertion=settings.format_assertion, words=words,
                                        titles=titles)
        structural = [Change(pointer=p, change=c, left=lv, right=rv)
                      for p, c, lv, rv in structural_changes(older.body, newer.body)]
        out = DiffOut(document=document.name, older=version_out(document, older), newer=version_out(document, newer),
                      identical=older.content_hash == newer.content_hash, verdict=data["verdict"],
                      effect=data["effect"], containment=data["containment"], differences=data["differences"],
                      witnesses=data["witnesses"], compatibility=data["compatibility"], changes=structural)
        if fmt == "json":
            return Response(out)
        renderers = {"md": change_reports.diff_markdown, "csv": change_reports.diff_csv}
        if fmt not in renderers:
            raise InvalidInput("a version diff comes as json, md or csv", code="unsupported_format")
        return Response(renderers[fmt](msgspec.to_builtins(out)), media_type=FORMATS[fmt])


DIFF_ANSWER = (API + DOC.replace(":str", "") + "/versions/{a}/diff/{b}", "get", DiffOut)  # OpenAPI: the JSON answer
