"""The audit log: one row per write, in the same transaction as the write."""

from __future__ import annotations

from typing import Any, Sequence

from sqlmodel import Session, func, select

from registry.domain.access import Principal
from registry.storage.tables import AuditEvent


def record(session: Session, principal: Principal, action: str, target: str, *, before: str | None = None,
           after: str | None = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(actor=principal.actor, token_id=principal.token_id, action=action, target=target,
                       before_hash=before, after_hash=after, detail=detail)
    session.add(event)
    return event


def list_events(session: Session, *, action: str | None = None, target: str | None = None, limit: int = 100,
                offset: int = 0) -> tuple[Sequence[AuditEvent], int]:
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if target:
        query = query.where(AuditEvent.target.startswith(target))  # type: ignore[union-attr]
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()  # type: ignore[union-attr]
    return rows, total
