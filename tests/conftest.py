"""Shared fixtures. The database is SQLite files by default; set REGISTRY_TEST_DATABASE_URL to a PostgreSQL URL
to run the same tests against PostgreSQL (each xdist worker gets its own database)."""

from __future__ import annotations

import os
from contextlib import contextmanager
import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import SQLModel

from registry.domain.access import ADMIN, ENTERPRISE, Principal
from registry.settings import Settings
from registry.storage.database import make_engine, normalise_url, write_session
from registry.storage.migrate import migrate

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
STANDARDS = ROOT / "standards"
SHARED = Path(os.environ.get("REGISTRY_SHARED_DIR", ROOT.parent / "shared"))
PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
BACKEND = "postgresql" if PG_URL.startswith("postgres") else "sqlite"
TEST_ADMIN = Principal(token_id=None, name="test", role=ADMIN)
# a source object of the issue-15 provenance format (docs/corpus-format.md), for rules that tests write
EUR_LEX_SOURCE = {"url": "https://eur-lex.europa.eu/eli/dir/2011/83/oj",
                  "title": "Directive 2011/83/EU on consumer rights, Article 9",
                  "publisher": "Publications Office of the European Union (EUR-Lex)", "kind": "legal-text",
                  "language": "en", "quote": "the consumer shall have a period of 14 days to withdraw from a distance "
                  "or off-premises contract, without giving any reason", "retrieved": "2026-12-02"}


_NO_DATABASE = ("comparisons", "corpus")
_NO_DATABASE_MODULES = ("test_architecture.py", "test_validation_engines.py", "test_corpus_page.py",
                        "test_corpus_provenance.py", "test_deployment.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).relative_to(ROOT / "tests").parts
        if parts[0] in _NO_DATABASE or parts[-1] in _NO_DATABASE_MODULES:
            item.add_marker(pytest.mark.no_database)


def pytest_report_header(config: pytest.Config) -> str:
    return f"registry test database: {BACKEND}" + (f" ({PG_URL})" if PG_URL else "")


@contextmanager
def own_pg_database(prefix: str, worker_id: str, testrun_uid: str, *, migrated: bool = True) -> Iterator[str]:
    """A new PostgreSQL database named for this run and worker (migrated unless told not), dropped afterwards."""
    base = normalise_url(PG_URL)
    # the run's id too: two runs at once (two people, one server) must not drop each other's databases
    name = f"{prefix}_{worker_id}_{testrun_uid[:12]}".replace("-", "_")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    if migrated:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database(worker_id: str, testrun_uid: str) -> Iterator[str | None]:
    """A PostgreSQL database of this worker's own, migrated once; None on SQLite."""
    if BACKEND != "postgresql":
        yield None
        return
    with own_pg_database("rcr_test", worker_id, testrun_uid) as url:
        yield url


def empty_database(folder: Path, pg_database: str | None) -> str:
    """The URL of an empty database: a new SQLite file in folder, or this worker's PostgreSQL database emptied."""
    if pg_database is None:
        return f"sqlite:///{folder / 'registry.db'}"
    engine = make_engine(pg_database)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return pg_database


@pytest.fixture
def database_url(tmp_path: Path, pg_database: str | None) -> Iterator[str]:
    """An empty, migrated database for one test."""
    yield empty_database(tmp_path, pg_database)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate a test database down to `revision` (migration tests go down, store rows as old code did, come up)."""
    from alembic import command

    from registry.storage.migrate import _config

    config = _config()
    with engine.execution_options(registry_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def load_folder(engine: Engine, folder: Path) -> None:
    from registry.services import corpus

    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
        assert report.ok, [(e.path, e.detail) for e in report.errors]


@pytest.fixture
def mini_engine(engine: Engine) -> Engine:
    """A database holding the small test corpus in tests/data/mini (CN, EU, DE; EU and CN consumer protection)."""
    load_folder(engine, MINI)
    return engine


@pytest.fixture(scope="session")
def _corpus_template(tmp_path_factory: pytest.TempPathFactory, pg_database: str | None) -> Path | None:
    """On SQLite, the shipped corpus loaded once into a file that each test copies."""
    if pg_database is not None:
        return None
    path = tmp_path_factory.mktemp("corpus") / "template.db"
    template = make_engine(f"sqlite:///{path}")
    migrate(template)
    load_folder(template, STANDARDS)
    with template.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template.dispose()
    return path


@pytest.fixture
def corpus_engine(database_url: str, _corpus_template: Path | None) -> Iterator[Engine]:
    """A database holding the whole shipped corpus (standards/)."""
    if _corpus_template is not None:
        shutil.copyfile(_corpus_template, database_url[len("sqlite:///"):])
        engine = make_engine(database_url)
    else:
        engine = make_engine(database_url)
        migrate(engine)
        load_folder(engine, STANDARDS)
    yield engine
    engine.dispose()


@pytest.fixture
def corpus_client(database_url: str, corpus_engine: Engine) -> Iterator:
    from litestar.testing import TestClient

    from registry.app import create_app

    settings = Settings.from_env({}, database_url=database_url, load_corpus_on_start=False, standards_dir=STANDARDS)
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, load_corpus_on_start=False, standards_dir=STANDARDS)


@pytest.fixture
def client(settings: Settings, mini_engine: Engine) -> Iterator:
    from litestar.testing import TestClient

    from registry.app import create_app

    with TestClient(app=create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def make_token(database_url: str) -> Iterator[Callable[..., str]]:
    """Create a token in the test database and return its text (call it after the database is set up)."""
    from registry.services import tokens

    engines: list[Engine] = []

    def make(role: str = ADMIN, *jurisdictions: str, expires_at=None, name: str | None = None,
             organisation: str | None = None) -> str:
        """An enterprise token acts for `organisation`, by default one of its own name's (`org-<name>`)."""
        if not engines:
            engines.append(make_engine(database_url))
        name = name or f"test-{role}"
        if role == ENTERPRISE and organisation is None:
            organisation = f"org-{name}"
        with write_session(engines[0]) as session:
            _, text_ = tokens.create(session, TEST_ADMIN, name=name, role=role, jurisdictions=jurisdictions,
                                     expires_at=expires_at, organisation=organisation)
        return text_

    yield make
    for engine in engines:
        engine.dispose()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
