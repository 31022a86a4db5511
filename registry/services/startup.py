"""What happens before the registry serves: migrations, then the shipped corpus — all of it on first start, and
again on a later start when the files have changed since they were last loaded (new versions, amended annotations,
new statuses), so a deployment follows the corpus it ships with."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.access import ADMIN, Principal
from registry.errors import RegistryError
from registry.services import audit, corpus, search
from registry.storage.database import hold_startup_lock, read_session, write_session
from registry.storage.migrate import migrate
from registry.storage.tables import AuditEvent, Document

SYSTEM = Principal(token_id=None, name="corpus-loader", role=ADMIN)
LOADED = "corpus.load"  # the audit event of a corpus load from the standards folder: after_hash is its fingerprint
log = logging.getLogger(__name__)


def _is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Document)).one() == 0


def is_empty(engine: Engine) -> bool:
    with read_session(engine) as session:
        return _is_empty(session)


def fingerprint(standards_dir: Path) -> str:
    """SHA-256 over the names and bytes of the files a load reads."""
    digest = hashlib.sha256()
    root = standards_dir.resolve()
    paths = [root / "jurisdictions.json", *sorted(root.glob("vocabulary/*.json")), *sorted(root.glob("documents/*/*.json"))]
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _last_loaded(session: Session) -> str | None:
    query = select(AuditEvent.after_hash).where(AuditEvent.action == LOADED).order_by(col(AuditEvent.id).desc())
    return session.exec(query.limit(1)).first()


def _loaded_on_start(session: Session) -> bool:
    """Whether the corpus in this database came from a load on start (the files' corpus, not only the
    operator's own `registry load`): only then does a later start follow changed files."""
    query = select(AuditEvent.id).where(col(AuditEvent.action).in_((LOADED, "document.load")),
                                        AuditEvent.actor == SYSTEM.actor)
    return session.exec(query.limit(1)).first() is not None


def prepare(engine: Engine, standards_dir: Path | None, max_expansion: int = DEFAULT_LIMIT) -> corpus.LoadReport | None:
    """Migrate; load the standards folder into an empty database, or into one that last loaded other files.
    Returns the load report, if any. Several processes may do this at once on one database: the first loads,
    the others wait and find it loaded."""
    migrate(engine)
    with read_session(engine) as session:
        outdated = search.index_outdated(session)
    if outdated:  # new (migration 0011_search), or its words made by another normaliser: written again once
        with write_session(engine) as session:
            hold_startup_lock(session)
            search.rebuild_if_outdated(session)
    if standards_dir is None or not standards_dir.is_dir():
        return None
    files = fingerprint(standards_dir)
    with read_session(engine) as session:
        if not _is_empty(session) and (_last_loaded(session) == files or not _loaded_on_start(session)):
            return None
    with write_session(engine) as session:
        hold_startup_lock(session)
        first = _is_empty(session)
        if not first and (_last_loaded(session) == files or not _loaded_on_start(session)):
            return None  # another process loaded it while this one waited
        if first:
            report = corpus.load(session, SYSTEM, standards_dir, max_expansion=max_expansion)
            if not report.ok:
                raise corpus.CorpusError("the shipped corpus does not load: " +
                                         "; ".join(f"{e.path}: {e.detail}" for e in report.errors[:5]))
            audit.record(session, SYSTEM, LOADED, "corpus", after=files)
            return report
    return _refresh(engine, standards_dir, files, max_expansion)


def _refresh(engine: Engine, standards_dir: Path, files: str, max_expansion: int) -> corpus.LoadReport | None:
    """Load changed files into a database that holds a corpus already. What the load refuses (a version whose
    constraints differ from the stored ones, an invalid file) is logged and nothing is written: the registry
    serves what it has, and tries again on the next start."""
    try:
        with write_session(engine) as session:
            hold_startup_lock(session)
            if _last_loaded(session) == files:
                return None
            report = corpus.load(session, SYSTEM, standards_dir, max_expansion=max_expansion)
            if not report.ok:
                log.warning("the corpus in %s was not loaded: %s", standards_dir,
                            "; ".join(f"{e.path}: {e.detail}" for e in report.errors[:5]))
                return report
            audit.record(session, SYSTEM, LOADED, "corpus", after=files)
            return report
    except RegistryError as exc:  # rolled back: nothing of this load is stored
        log.warning("the corpus in %s was not loaded: %s", standards_dir, exc.message)
        return None
