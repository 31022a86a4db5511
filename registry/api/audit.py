"""The audit log, for admins."""

from __future__ import annotations

from typing import Annotated, Optional

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import (
    QueryParameter,
)
from sqlalchemy import Engine

from registry.api.dependencies import Page
from registry.api.structs import API, AuditPage, audit_out
from registry.domain.access import ADMIN, Principal, require_role
from registry.services import audit
from registry.storage.database import read_session


class AuditController(Controller):
    path = API
    tags = ["audit"]

    @get("/audit", sync_to_thread=True, summary="The audit log, newest first (admin only)")
    def list_audit(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal], page: NamedDependency[Page],
                   action: Annotated[Optional[str], QueryParameter(max_length=64)] = None,
                   target: Annotated[Optional[str], QueryParameter(max_length=300)] = None) -> AuditPage:
        require_role(principal, ADMIN)
        with read_session(engine) as session:
            rows, total = audit.list_events(session, action=action, target=target, limit=page.limit,
                                            offset=page.offset)
            return AuditPage(items=[audit_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset)
