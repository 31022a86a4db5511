"""`registry backup` and `registry restore`: a consistent copy of the whole database, and putting one back.
SQLite: the online backup API (a consistent snapshot while the registry serves). PostgreSQL: pg_dump / pg_restore
(custom format, restored in one transaction)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import click

from registry.commands.terminal import shown


def _cli():
    from registry import cli

    return cli


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        _cli()._fail(f"{name} was not found on PATH: install the PostgreSQL client tools (e.g. apt-get install "
                     f"postgresql-client) of the server's major version, or run `{name}` yourself as in "
                     "docs/security.md (Backups)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        _cli()._fail(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _revision_of(path: Path) -> str | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            _cli()._fail(f"{path} is not a registry database: {exc}")
    return row[0] if row else None


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a consistent copy of the whole database to FILE, while the registry may keep serving.

    SQLite: an online backup (sqlite3 backup API) into a new SQLite file. PostgreSQL: `pg_dump --format=custom`
    (pg_dump must be on PATH)."""
    from registry.storage.database import normalise_url, sqlite_path

    cli = _cli()
    settings = cli._settings()
    try:  # readable by its owner only (0600), like the database; never over an existing file
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        cli._fail(f"{file} exists; choose a new file name (a backup never overwrites)")
    source = sqlite_path(settings.database_url)
    if source is not None:
        cli._engine(settings).dispose()  # migrated: the backup is of a database this registry can read
        with sqlite3.connect(source) as live, sqlite3.connect(file) as copy:
            live.backup(copy)
        copy.close()
    elif settings.is_sqlite:
        cli._fail("an in-memory database cannot be backed up")
    else:
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(file),
              _libpq_url(normalise_url(settings.database_url))])
    cli._consoles.out.print(f"Backed up {shown(settings.database_url)} to {shown(file)}.", highlight=False)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current database.")
def restore(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE (made by `registry backup`), all or nothing.

    Refused while `registry serve` holds the database: stop it first. SQLite: the backup is copied in with the
    backup API. PostgreSQL: `pg_restore --clean --single-transaction` (pg_restore must be on PATH)."""
    from registry.storage.server_lock import DatabaseInUse, exclusively

    cli = _cli()
    settings = cli._settings()
    if not yes:
        click.confirm(f"Replace everything in {settings.database_url} with {file}?", abort=True)
    try:
        with exclusively(settings.database_url):  # refused while `registry serve` holds the database
            _restore(file, settings)
    except DatabaseInUse as exc:
        cli._fail(exc.message)
    cli._engine(settings).dispose()  # brings a restored older schema up to date
    cli._consoles.out.print(f"Restored {shown(file)} into {shown(settings.database_url)}.", highlight=False)


def _restore(file: Path, settings: Any) -> None:
    from registry.storage.database import normalise_url, sqlite_path
    from registry.storage.migrate import known_revisions

    cli = _cli()
    target = sqlite_path(settings.database_url)
    if target is not None:
        revision = _revision_of(file)
        if revision is not None and revision not in known_revisions():
            cli._fail(f"{file} is at schema revision {revision!r}, newer than this registry knows; upgrade first")
        with sqlite3.connect(file) as copy, sqlite3.connect(target, timeout=60) as live:
            copy.backup(live)
        live.close()
    elif settings.is_sqlite:
        cli._fail("an in-memory database cannot be restored into")
    else:
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(normalise_url(settings.database_url)), str(file)])
