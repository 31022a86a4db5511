"""What happens before the registry serves: migrations, then the shipped corpus on first start."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.access import ADMIN, Principal
from registry.services import corpus
from registry.storage.database import hold_startup_lock, read_session, write_session
from registry.storage.migrate import migrate
from registry.storage.tables import Document

SYSTEM = Principal(token_id=None, name="corpus-loader", role=ADMIN)


def _is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Document)).one() == 0


def is_empty(engine: Engine) -> bool:
    with read_session(engine) as session:
        return _is_empty(session)


def prepare(engine: Engine, standards_dir: Path | None, max_expansion: int = DEFAULT_LIMIT) -> corpus.LoadReport | None:
    """Migrate; on an empty database load the standards folder. Returns the load report, if any. Several
    processes may do this at once on one database: the first loads, the others wait and find it loaded."""
    migrate(engine)
    if standards_dir is None or not standards_dir.is_dir() or not is_empty(engine):
        return None
    with write_session(engine) as session:
        hold_startup_lock(session)
        if not _is_empty(session):  # another process loaded it while this one waited
            return None
        report = corpus.load(session, SYSTEM, standards_dir, max_expansion=max_expansion)
        if not report.ok:
            raise corpus.CorpusError("the shipped corpus does not load: " +
                                     "; ".join(f"{e.path}: {e.detail}" for e in report.errors[:5]))
    return report
