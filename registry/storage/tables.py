"""Every table of the registry, in one module so that domains do not import each other for relationships."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Now, in UTC, to the millisecond (what both SQLite and PostgreSQL give back unchanged)."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Jurisdiction(SQLModel, table=True):
    __tablename__ = "jurisdiction"

    code: str = Field(primary_key=True, max_length=8)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)  # economy | bloc
    region: str = Field(default="", max_length=100)
    cooperation: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    """A bloc's member; the member need not be a jurisdiction of its own in the registry."""

    __tablename__ = "membership"

    bloc_code: str = Field(foreign_key="jurisdiction.code", primary_key=True, max_length=8, ondelete="CASCADE")
    member_code: str = Field(primary_key=True, max_length=8, index=True)


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("namespace", "slug", name="uq_document_name"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    namespace: str = Field(max_length=16, index=True)  # a jurisdiction code, or "vocabulary"
    slug: str = Field(max_length=64)
    kind: str = Field(max_length=32)  # rule | technical-standard | vocabulary
    topic: Optional[str] = Field(default=None, max_length=64, index=True)
    title: str = Field(max_length=500)
    authority: str = Field(default="", max_length=500)
    legal_basis: str = Field(default="", max_length=1000)
    vocabulary: Optional[str] = Field(default=None, max_length=100)
    compatibility: str = Field(default="NONE", max_length=32)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def name(self) -> str:
        return f"{self.namespace}/{self.slug}"


class Version(SQLModel, table=True):
    __tablename__ = "version"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_version_number"),
        Index("ix_version_hash", "content_hash"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True, ondelete="CASCADE")
    number: int
    status: str = Field(max_length=16, index=True)
    effective_from: Optional[dt.date] = None
    effective_to: Optional[dt.date] = None
    body: Any = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    changelog: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author: str = Field(default="", max_length=200)
    recorded: Optional[dt.date] = None
    revision: int = Field(default=1)  # bumped on every draft edit; part of the ETag
    vocabulary_version: Optional[int] = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    published_at: Optional[dt.datetime] = None
    withdrawn_at: Optional[dt.datetime] = None
    withdrawn_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    successor: Optional[str] = Field(default=None, max_length=200)


class Token(SQLModel, table=True):
    __tablename__ = "token"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32)
    jurisdictions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret_hash: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: Optional[dt.datetime] = None
    revoked_at: Optional[dt.datetime] = None


class AuditEvent(SQLModel, table=True):
    """One row per write; the API offers no way to change or delete these."""

    __tablename__ = "audit_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=300)
    token_id: Optional[str] = Field(default=None, max_length=32)
    action: str = Field(max_length=64, index=True)
    target: str = Field(max_length=300, index=True)
    before_hash: Optional[str] = Field(default=None, max_length=64)
    after_hash: Optional[str] = Field(default=None, max_length=64)
    detail: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
