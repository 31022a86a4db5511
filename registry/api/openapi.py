"""The OpenAPI document tells the truth about errors: every operation's error responses carry the one error shape
({status, code, message, pointer, detail?}) that registry.api.errors answers with, not litestar's default. It also
holds the operations of the raw ASGI routes (which litestar leaves out), their bodies described by msgspec from
the very structs that decode them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

ERROR = "Error"
ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "code", "message", "pointer"],
    properties={
        "status": Schema(type=OpenAPIType.INTEGER, description="The HTTP status"),
        "code": Schema(type=OpenAPIType.STRING, description="A stable code, e.g. invalid_json, out_of_scope"),
        "message": Schema(type=OpenAPIType.STRING, description="What went wrong, for people"),
        "pointer": Schema(type=[OpenAPIType.STRING, OpenAPIType.NULL],
                          description="The JSON pointer of the offending field, when there is one"),
        "detail": Schema(description="More about the error, when there is more"),
    },
    description="Every error response of the registry",
)
# what any operation may answer besides its documented statuses (auth, limits, refusals of hostile input)
_COMMON = {
    "400": "Malformed input (invalid JSON or UTF-8, duplicate keys, NaN, too deep, unknown fields)",
    "401": "Missing, malformed, expired or revoked token",
    "403": "The token's role or jurisdictions do not allow this",
    "404": "Unknown jurisdiction, document, version, meeting, profile …",
    "409": "A conflict with the current state (e.g. someone else published first)",
    "413": "The body is larger than the registry accepts",
    "422": "Well-formed input that breaks a rule of the registry",
    "428": "If-Match is required",
    "429": "Too many requests; retry after the Retry-After header's seconds",
}


def _error_response(description: str) -> OpenAPIResponse:
    return OpenAPIResponse(description=description, content={
        "application/json": OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{ERROR}"))})


@dataclass(frozen=True)
class RawOperation:
    """The OpenAPI operation of a raw ASGI route: a JSON body decoded into `body` (a msgspec struct), or a body of
    `body_media_type` described by `body_schema`; string query parameters; the media types it answers with."""

    path: str
    method: str
    tags: list[str]
    operation_id: str
    summary: str
    body: type | None
    answers: list[str]
    body_media_type: str = "application/json"
    query: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    body_schema: dict[str, Any] = field(default_factory=dict)
    response: type | None = None  # the struct that describes the JSON answer

    def operation(self, schemas: dict[str, Any]) -> Operation:
        if self.body is not None:
            [ref], components = msgspec.json.schema_components([self.body],
                                                               ref_template="#/components/schemas/{name}")
            schemas.update(components)
            body_schema: Any = ref
        else:
            body_schema = self.body_schema
        parameters: list[Parameter | Reference] = [
            Parameter(name=name, param_in="query", required=name in self.required, description=description,
                      schema=Schema(type=OpenAPIType.STRING)) for name, description in self.query.items()]
        return Operation(
            tags=self.tags, summary=self.summary, operation_id=self.operation_id, parameters=parameters or None,
            request_body=RequestBody(required=True,
                                     content={self.body_media_type: OpenAPIMediaType(schema=body_schema)}),
            responses={"200": OpenAPIResponse(description="Request fulfilled, document follows", content={
                m: OpenAPIMediaType(schema=_struct_schema(self.response, schemas)
                                    if self.response is not None and m == "application/json" else Schema())
                for m in self.answers})})


def _struct_schema(struct: type, schemas: dict[str, Any]) -> Any:
    """A reference to `struct`'s schema, its components added to the document's."""
    [ref], components = msgspec.json.schema_components([struct], ref_template="#/components/schemas/{name}")
    schemas.update(components)
    return ref



def document_errors(app: Litestar, raw_operations: tuple[RawOperation, ...] = (),
                    typed_answers: tuple[tuple[str, str, type], ...] = ()) -> None:
    """Rewrite the (cached) OpenAPI document of `app` once, after its routes are registered: add the raw routes'
    operations, then give every operation the error responses."""
    document = app.openapi_schema
    if document.components.schemas is None:
        document.components.schemas = {}
    document.components.schemas[ERROR] = ERROR_SCHEMA
    if document.paths is None:
        document.paths = {}
    for raw in raw_operations:
        item = document.paths.setdefault(raw.path, PathItem())
        setattr(item, raw.method, raw.operation(document.components.schemas))
    # ordinary routes that answer free JSON (a dict) of a fixed shape: (path, method, struct) describes it
    for path, method, struct in typed_answers:
        operation = getattr(document.paths.get(path) or PathItem(), method, None)
        answer = (operation.responses or {}).get("200") if operation is not None else None
        if isinstance(answer, OpenAPIResponse):
            content = dict(answer.content or {})
            content["application/json"] = OpenAPIMediaType(schema=_struct_schema(struct, document.components.schemas))
            answer.content = content
    for item in (document.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = operation.responses if operation.responses is not None else {}
            for status, description in _COMMON.items():
                responses[status] = _error_response(description)
            responses["default"] = _error_response("Any other error, in the same shape")
            operation.responses = responses


__all__ = ["ERROR_SCHEMA", "RawOperation", "document_errors"]
