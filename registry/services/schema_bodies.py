"""Schemas by the SHA-256 of their canonical JSON: a published (or once published) version's body as stored
(`body_hash`, annotations included) or without its annotations (`content_hash`, what it requires). The bytes
answered hash to the name they are asked by, so they can never change: cached without invalidation."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import or_, select
from sqlmodel import Session

from comparisons.bounded import BoundedCache
from registry.domain.canonical import canonical_json, without_annotations
from registry.errors import NotFound
from registry.storage.tables import Version

_BODIES = BoundedCache("schema-bodies", 2_048, 32_000_000)  # canonical JSON by its own SHA-256
_SHA256 = re.compile(r"[0-9a-f]{64}")


def schema_by_hash(session: Session, digest: str) -> bytes:
    """The canonical JSON whose SHA-256 is `digest`; drafts are not offered (their writers read them by number)."""
    found = _BODIES.get(digest)
    if found is not None:
        return found
    if not _SHA256.fullmatch(digest):
        raise NotFound(f"{digest!r} is not the SHA-256 (64 lower-case hex digits) of a schema", code="not_found")
    row = session.exec(select(Version.body, Version.body_hash).where(  # type: ignore[call-overload]
        Version.status != "draft", or_(Version.content_hash == digest, Version.body_hash == digest)).limit(1)).first()
    if row is None:
        raise NotFound(f"no published schema has the hash {digest}", code="not_found")
    body = row[0] if row[1] == digest else without_annotations(row[0])
    text = canonical_json(body).encode("utf-8")
    if hashlib.sha256(text).hexdigest() != digest:  # a row stored under a hash its body no longer has: never serve it as immutable
        raise NotFound(f"no published schema has the hash {digest}", code="not_found")
    return _BODIES.put(digest, text, len(text))


__all__ = ["schema_by_hash"]
