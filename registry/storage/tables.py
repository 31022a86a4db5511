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
    # the name in other languages, language tag -> name ({"zh": "中国", "ru": "Китай"}); search finds each
    names: Optional[dict[str, str]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    kind: str = Field(max_length=16)  # economy | bloc
    region: str = Field(default="", max_length=100)
    cooperation: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # cooperation["status"] again, as a column: lists and the matrix filter on it in SQL
    cooperation_status: str = Field(default="unknown", max_length=16, index=True)
    coverage: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))  # topic -> entry
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: Optional[dt.datetime] = Field(default=None)  # compliance caches look at it


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
    # how much of each date is known: the stored date is the first day of the span (registry/domain/dates.py)
    effective_from_precision: str = Field(default="day", max_length=5, sa_column_kwargs={"server_default": "day"})
    effective_to_precision: str = Field(default="day", max_length=5, sa_column_kwargs={"server_default": "day"})
    corrects: Optional[int] = None  # the number of the version this one corrects
    body: Any = Field(sa_column=Column(JSON, nullable=False))
    # SHA-256 of the canonical schema without its `x-rule` annotations: what the version requires
    content_hash: str = Field(max_length=64)
    # SHA-256 of the canonical body as stored, annotations included: the key of caches that hold annotation text
    body_hash: str = Field(default="", max_length=64)
    changelog: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author: str = Field(default="", max_length=200)
    recorded: Optional[dt.date] = None
    revision: int = Field(default=1)  # bumped on every draft edit and annotation amendment; part of the ETag
    vocabulary_version: Optional[int] = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    published_at: Optional[dt.datetime] = None
    withdrawn_at: Optional[dt.datetime] = None
    withdrawn_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    successor: Optional[str] = Field(default=None, max_length=200)


class AnnotationRevision(SQLModel, table=True):
    """One amendment of a recorded version's `x-rule` annotations (its constraints and content hash unchanged):
    the body before, what changed per rule, who (token and organisation, or the corpus files), when and why."""

    __tablename__ = "annotation_revision"
    __table_args__ = (UniqueConstraint("version_id", "revision", name="uq_annotation_revision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True, ondelete="CASCADE")
    revision: int  # 1, 2, 3 … per version
    body_before: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))  # None: from the files
    changes: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    author: str = Field(max_length=300)
    token_id: Optional[str] = Field(default=None, max_length=32)
    organisation: Optional[str] = Field(default=None, max_length=200)
    at: dt.datetime = Field(default_factory=utcnow)
    recorded: Optional[dt.date] = None  # the day the amendment was made, as the corpus files give it
    reason: str = Field(sa_column=Column(Text, nullable=False))


class Token(SQLModel, table=True):
    __tablename__ = "token"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32)
    jurisdictions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    organisation: Optional[str] = Field(default=None, max_length=200, index=True)  # enterprise tokens: who owns data
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


# ---- the meeting log (after Open Civic Data's Event and Popolo's Organization, Person and Membership) -------

class Meeting(SQLModel, table=True):
    """A dialogue meeting. Times are UTC instants; `timezone` is the venue's IANA zone, for local times."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_start", "start_at"), Index("ix_meeting_type_status", "type", "status"))

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    type: str = Field(max_length=40)
    status: str = Field(default="planned", max_length=16)
    start_at: dt.datetime
    end_at: dt.datetime
    timezone: str = Field(max_length=64)
    place: str = Field(default="", max_length=500)
    online_url: Optional[str] = Field(default=None, max_length=2000)
    host: str = Field(default="", max_length=300)  # the host organisation
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sources: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attachments: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sample: bool = Field(default=False, index=True)  # demo data, labelled as such everywhere
    sequence: int = Field(default=0)  # iCalendar SEQUENCE: grows with every change of the meeting
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class MeetingTag(SQLModel, table=True):
    """What a meeting is filtered by: its jurisdictions, topics and organisations (case-folded)."""

    __tablename__ = "meeting_tag"
    __table_args__ = (Index("ix_meeting_tag_value", "kind", "value", "meeting_id"),)

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=16)  # jurisdiction | topic | organisation
    value: str = Field(primary_key=True, max_length=300)


class MeetingDocument(SQLModel, table=True):
    """A document a meeting, one of its agenda items or one of its outcomes discussed."""

    __tablename__ = "meeting_document"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", index=True, ondelete="CASCADE")
    version: Optional[int] = None
    via: str = Field(default="meeting", max_length=16)  # meeting | agenda | outcome


class MeetingParticipant(SQLModel, table=True):
    __tablename__ = "meeting_participant"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: str = Field(max_length=16)  # organisation | person
    name: str = Field(max_length=300)
    organisation: str = Field(default="", max_length=300)  # a person's organisation
    jurisdiction: Optional[str] = Field(default=None, max_length=8)
    role: str = Field(default="other", max_length=16)  # government | enterprise | association | other
    email: Optional[str] = Field(default=None, max_length=320)  # never exported to iCalendar, never public
    invited: bool = True
    attended: Optional[bool] = None


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(max_length=500)
    presenter: str = Field(default="", max_length=300)
    duration_minutes: Optional[int] = None
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MeetingMinutes(SQLModel, table=True):
    """The minutes of a meeting: Markdown as written and the HTML rendered once, on save."""

    __tablename__ = "meeting_minutes"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(default="draft", max_length=16)  # draft | approved | published
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(sa_column=Column(Text, nullable=False))
    revision: int = 1
    updated_by: str = Field(default="", max_length=300)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    approved_by: Optional[str] = Field(default=None, max_length=300)
    approved_at: Optional[dt.datetime] = None
    published_by: Optional[str] = Field(default=None, max_length=300)
    published_at: Optional[dt.datetime] = None


class MinutesRevision(SQLModel, table=True):
    """Each saved text of the minutes, with the unified diff from the one before."""

    __tablename__ = "minutes_revision"
    __table_args__ = (UniqueConstraint("meeting_id", "revision", name="uq_minutes_revision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    revision: int
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    diff: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author: str = Field(max_length=300)
    at: dt.datetime = Field(default_factory=utcnow)


class MeetingOutcome(SQLModel, table=True):
    """A decision or agreement reached at a meeting."""

    __tablename__ = "meeting_outcome"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="decision", max_length=16)  # decision | agreement
    text: str = Field(sa_column=Column(Text, nullable=False))
    result: str = Field(default="", max_length=1000)
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class ActionItem(SQLModel, table=True):
    """A follow-up: who does what by when; it may be carried over to a later meeting."""

    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_pending", "status", "due_date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    agenda_position: Optional[int] = None
    title: str = Field(max_length=1000)
    owner_organisation: str = Field(default="", max_length=300)
    owner_person: str = Field(default="", max_length=300)
    due_date: Optional[dt.date] = None
    status: str = Field(default="open", max_length=16)
    carried_to: Optional[int] = Field(default=None, foreign_key="meeting.id", ondelete="SET NULL")
    revision: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Profile(SQLModel, table=True):
    """An enterprise's saved operating profile; private to the enterprise that owns it."""

    __tablename__ = "profile"

    id: str = Field(primary_key=True, max_length=32)
    owner: str = Field(max_length=200, index=True)  # the owning enterprise's organisation id (never a token's name)
    name: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class ProfileVersion(SQLModel, table=True):
    __tablename__ = "profile_version"
    __table_args__ = (UniqueConstraint("profile_id", "number", name="uq_profile_version_number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    profile_id: str = Field(foreign_key="profile.id", index=True, max_length=32, ondelete="CASCADE")
    number: int
    body: Any = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    note: str = Field(default="", max_length=1000)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ComplianceRun(SQLModel, table=True):
    """One check of a saved profile: what was asked and what it found, so it can be re-run exactly."""

    __tablename__ = "compliance_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    profile_id: str = Field(foreign_key="profile.id", index=True, max_length=32, ondelete="CASCADE")
    profile_number: int
    as_of: dt.date
    markets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    statuses: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    versions_used: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # the request that replays this check exactly (None for checks recorded before it was kept)
    rerun: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow)



class SearchEntry(SQLModel, table=True):
    """One thing site search finds (a jurisdiction, document, rule or meeting) with its words as
    registry.domain.search normalises them; full-text indexes over `title_words` and `text_words` (FTS5
    `search_entry_fts` on SQLite, the generated tsvector `search_vector` on PostgreSQL: migration 0011).
    registry.services.search keeps the rows in step with what they describe."""

    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_search_entry"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # jurisdiction | document | rule | meeting
    key: str = Field(max_length=300)  # CN, EU/consumer-protection, EU/consumer-protection@2#EU-CP-…, meeting/12
    # what a result is one of: the key, or for a rule its document and id without the version (counted once)
    item: str = Field(default="", max_length=300)
    namespace: str = Field(default="", max_length=16, index=True)  # the jurisdiction whose writers see drafts
    document_id: Optional[int] = Field(default=None, index=True)
    meeting_id: Optional[int] = Field(default=None, index=True)
    draft: bool = False  # only those who may write the namespace find it
    title: str = Field(max_length=500)
    url: str = Field(max_length=500)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # shown under the title
    title_words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class RateLimitBucket(SQLModel, table=True):
    """One rate-limit bucket (failed authentications of an address, writes of a token) shared by every server
    process: registry.storage.rate_limits spends and refills it in one statement. A row untouched for a minute is
    a full bucket, and is deleted (migration 0012)."""

    __tablename__ = "rate_limit_bucket"

    key: str = Field(primary_key=True, max_length=300)  # "auth 203.0.113.9", "write 0123456789abcdef"
    tokens: float  # requests left, fractions included: it refills continuously
    at: float = Field(index=True)  # when it was last spent (seconds since the epoch)
