"""create_app(settings): wires storage, services and the HTTP layer into one litestar application."""

from __future__ import annotations

import gc
import logging
from typing import Callable, Sequence

from litestar import Litestar, Request, get
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from comparisons import bounded
from registry import __version__
from registry.api.admission import Admission, provide_caller
from registry.api.allow import add_allow
from registry.api.audit import AuditController
from registry.api.caching import compression
from registry.api.comparisons import GAPS_ANSWER, ComparisonController
from registry.api.compliance import BATCH_OPERATION, CHECK_OPERATION, check, check_batch
from registry.api.dependencies import (
    authenticate_api,
    provide_engine,
    provide_page,
    provide_settings,
)
from registry.api.created import locate_created
from registry.api.documents import DIFF_ANSWER, DocumentController
from registry.api.headers import add_security_headers
from registry.api.head import head_as_get
from registry.api.hosts import AllowedHosts
from registry.api.ids import canonical_path_ids
from registry.api.jurisdictions import JurisdictionController
from registry.api.limits import RATE_LIMIT_HEADERS, Limits, add_rate_limit_headers
from registry.api.logs import logging_config
from registry.api.meetings import MeetingController
from registry.api.metrics import metrics, prometheus_config
from registry.api.openapi import document_errors
from registry.api.profiles import ProfileController
from registry.api.readiness import readyz
from registry.api.request_ids import request_ids
from registry.api.read_cache import ReadCache
from registry.api.schemas import schema_by_digest
from registry.api.search import SearchController
from registry.api.requests import RegistryRequest
from registry.services.startup import prepare
from registry.settings import Settings
from registry.storage.changes import change_counter
from registry.storage.database import make_engine
from registry.web import api_docs, site
from registry.web.markdown import render as render_markdown
from registry.web.security import forget_bad_sessions

log = logging.getLogger("registry")


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


def _cors(settings: Settings) -> CORSConfig | None:
    """Off unless REGISTRY_CORS_ORIGINS names origins: browsers then may call the API from those sites only."""
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    return CORSConfig(allow_origins=origins, allow_headers=["Authorization", "Content-Type", "If-Match"],
                      expose_headers=["ETag", "Retry-After", *RATE_LIMIT_HEADERS]) if origins else None


async def checked_request(request: Request) -> None:
    """before_request of every route: /meetings/01 and /meetings/+1 are 400, not meeting 1; on the API a token that
    is sent must be good, read by the route or not (401), before the body is read."""
    canonical_path_ids(request)
    await authenticate_api(request)


def create_app(settings: Settings | None = None, *,
               on_app_init: Sequence[Callable[[AppConfig], AppConfig]] = ()) -> Litestar:
    """The application. `on_app_init`: litestar's hooks, to add what a deployment wants (its logging, OpenTelemetry,
    more middleware, compression) the framework's way (docs/observability.md)."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, echo=settings.sql_echo)

    def on_startup(app: Litestar) -> None:
        prepare(engine, settings.standards_dir if settings.load_corpus_on_start else None, settings.max_schema_expansion)
        gc.collect()
        gc.freeze()  # long-lived objects (validators, caches) out of the collector's way: steadier p99
        # a young generation of 20,000 objects instead of 700: a check allocates hundreds, and collecting every
        # request or two cost ~10% of the throughput of POST /compliance/check (docs/performance.md)
        gc.set_threshold(20_000, 10, 10)
        read_cache.start(change_counter(engine))  # anonymous API reads kept until any worker writes

    def on_shutdown(app: Litestar) -> None:
        read_cache.stop()
        engine.dispose()

    hosts = AllowedHosts(settings.host_names)
    admission = Admission(settings, cookie=site.TOKEN_COOKIE)  # the caller before the body; caps; worker threads
    read_cache = ReadCache()
    app = Litestar(
        route_handlers=[healthz, readyz, *([metrics] if settings.metrics else []), JurisdictionController, DocumentController, AuditController, check, check_batch, ComparisonController, ProfileController, MeetingController, SearchController, schema_by_digest, *site.pages(settings.secret)],
        state=State({"settings": settings, "engine": engine, "limits": Limits(settings, engine), "admission": admission}),
        dependencies={
            "engine": Provide(provide_engine, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "principal": Provide(provide_caller),
            "page": Provide(provide_page, sync_to_thread=False),
            "render_markdown": Provide(lambda: render_markdown, sync_to_thread=False),  # minutes: rendered on save
        },
        exception_handlers={HTTPException: site.handle_error, Exception: site.handle_error},  # JSON unless a page
        template_config=site.template_config(),
        # metrics outermost: a request's time includes admission's and the read cache's (its hits are counted); hosts
        # and request ids around the whole app, below
        middleware=[*([prometheus_config().middleware] if settings.metrics else []), admission.middleware,
                    read_cache.middleware],
        logging_config=logging_config(settings),  # text or JSON lines, with the request id, never a token
        cors_config=_cors(settings),
        before_request=checked_request,  # ids in their one form (400), then a sent token must be good (401)
        before_send=[forget_bad_sessions, add_security_headers, add_rate_limit_headers, add_allow],  # every response, routing's own 404/405 and refusals too
        after_request=locate_created,  # a 201 names what it created in Location
        compression_config=compression(),  # with ETags, 304 and Cache-Control (registry/api/caching.py)
        request_class=RegistryRequest,
        request_max_body_size=settings.max_body_bytes,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Regulatory Connectivity Registry", version=__version__, path="/schema",
            description="Versioned e-commerce rules and technical standards as JSON Schema, comparisons, "
                        "compliance checks and dialogue meetings. Docs: /docs",
            render_plugins=api_docs.render_plugins(),  # Swagger UI and ReDoc served from the package
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
        ),
        debug=False,
        on_app_init=list(on_app_init),
    )
    document_errors(app, (CHECK_OPERATION, BATCH_OPERATION), (GAPS_ANSWER, DIFF_ANSWER))  # the one error shape, and the raw routes
    # before routing: a bad Host is refused even where routing answers 404/405 itself; HEAD is routed as GET; every
    # answer, those too, echoes its X-Request-ID
    app.asgi_handler = request_ids(hosts.middleware(head_as_get(app.asgi_handler)))
    bounded.configure(bounded.parse_limits(settings.cache_limits))  # every cache is made by now (docs/security.md)
    return app


__all__ = ["create_app"]
