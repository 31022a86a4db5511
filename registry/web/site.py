"""The web UI wired as one router: every page controller, the viewer dependency, CSRF protection (on the pages
only: the bearer-token API neither needs it nor pays for it), the static files; plus what app.py hands to litestar
(templates, the error handler for pages)."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.static_files import create_static_files_router

from registry.web.compare import ComparePages
from registry.web.compliance import CompliancePages
from registry.web.coverage import CoveragePages
from registry.web.docs import DocsController
from registry.web.documents import DocumentPages
from registry.web.errors import handle_error
from registry.web.home import HomePages
from registry.web.jurisdictions import JurisdictionPages
from registry.web.layout import STATIC, provide_viewer, template_config
from registry.web.meetings import MeetingPages
from registry.web.security import TOKEN_COOKIE, csrf_config
from registry.web.signin import SignInPages
from registry.web.writing import WritingPages

PAGE_CONTROLLERS = [HomePages, JurisdictionPages, CoveragePages, DocumentPages, CompliancePages, ComparePages, MeetingPages,
                    WritingPages, DocsController, SignInPages]


def pages(secret: str | None = None) -> list:
    return [
        Router(path="/", route_handlers=PAGE_CONTROLLERS, include_in_schema=False,
               dependencies={"viewer": Provide(provide_viewer, sync_to_thread=True)},
               middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config(secret))]),
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                                   cache_control=None),
    ]


__all__ = ["TOKEN_COOKIE", "csrf_config", "handle_error", "pages", "template_config"]
