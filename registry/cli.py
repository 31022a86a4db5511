"""The `registry` command: serve, load, export, validate, tokens. Wires settings, storage and services."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from registry.commands.terminal import shown
from registry.domain.access import ADMIN, ROLES, Principal
from registry.errors import RegistryError
from registry.settings import Settings


class _Consoles:
    """Consoles made when used, so that the terminal width (COLUMNS) is read at that moment."""

    @property
    def out(self) -> Console:
        return Console(soft_wrap=False, width=int(os.environ.get("COLUMNS", "0")) or None)

    @property
    def err(self) -> Console:
        return Console(stderr=True, soft_wrap=True)


_consoles = _Consoles()
CLI = Principal(token_id=None, name="cli", role=ADMIN)


def _settings() -> Settings:
    return Settings.from_env()


def _engine(settings: Settings):
    from registry.storage.database import make_engine
    from registry.storage.migrate import migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def _fail(message: str, code: int = 1) -> None:
    _consoles.err.print(f"[bold red]error:[/] {shown(message)}", highlight=False)
    sys.exit(code)


def _display_url(settings: Settings) -> str:
    host = settings.host if settings.host not in ("0.0.0.0", "::") else "127.0.0.1"
    return f"http://{host}:{settings.port}"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="regulatory-connectivity-registry", prog_name="registry")
def main() -> None:
    """Regulatory Connectivity Registry: versioned e-commerce rules and standards, comparisons, compliance
    checks and dialogue meetings.

    Settings come from REGISTRY_* environment variables (see docs/configuration.md); the database is
    ./registry.db unless REGISTRY_DATABASE_URL names another.
    """


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1, or REGISTRY_HOST].")
@click.option("--port", default=None, type=int, help="Port [default: 8000, or REGISTRY_PORT].")
@click.option("--no-corpus", is_flag=True, help="Do not load the shipped corpus on start.")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Server processes on one address [default: 1, or REGISTRY_WORKERS]. See docs/deployment.md.")
def serve(host: str | None, port: int | None, no_corpus: bool, workers: int | None) -> None:
    """Migrate the database, load the shipped corpus when new or changed, and serve the registry."""
    import uvicorn

    from registry.api.limits import server_options
    from registry.app import create_app
    from registry.commands import workers as worker_processes
    from registry.services.startup import prepare
    from registry.storage.database import make_engine
    from registry.storage.server_lock import serving

    overrides: dict = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    if no_corpus:
        overrides["load_corpus_on_start"] = False
    if workers:
        overrides["workers"] = workers
    settings, warning = worker_processes.with_shared_secret(Settings.from_env(**overrides))
    if warning:
        _consoles.err.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    with serving(settings.database_url):  # `registry restore` is refused while this is held
        engine = make_engine(settings.database_url)
        try:
            with _consoles.err.status("Preparing the database…"):
                report = prepare(engine, settings.standards_dir if settings.load_corpus_on_start else None)
        except RegistryError as exc:
            _fail(exc.message)
        finally:
            engine.dispose()
        if report is not None:
            _consoles.out.print(f"Loaded the shipped corpus from {settings.standards_dir}: {report.created} files "
                                f"created, {report.updated} updated" + ("" if report.ok else
                                f"; not loaded, {len(report.errors)} files refused (see the log)") + ".",
                                highlight=False)
        url = _display_url(settings)
        _consoles.out.print(f"Registry:  [bold]{url}/[/]\nAPI docs:  {url}/schema/swagger  (OpenAPI: "
                            f"{url}/schema/openapi.json)\nDatabase:  {shown(settings.database_url)}", highlight=False)
        if settings.workers > 1:
            _consoles.out.print(f"Workers:   {settings.workers}", highlight=False)
            worker_processes.serve(settings, server_options(settings))
            return
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                    **server_options(settings))  # proxy headers from REGISTRY_TRUSTED_PROXIES only


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (serve does this too)."""
    from registry.storage.database import make_engine
    from registry.storage.migrate import migrate as run

    settings = _settings()
    try:
        revision = run(make_engine(settings.database_url))
    except RegistryError as exc:
        _fail(exc.message)
    _consoles.out.print(f"Database at schema revision {revision}.")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and report, but write nothing.")
def load(folder: Path | None, dry_run: bool) -> None:
    """Import a standards folder (default: the shipped corpus). All or nothing; loading twice changes nothing."""
    from registry.services import corpus
    from registry.storage.database import write_session

    settings = _settings()
    folder = folder or settings.standards_dir
    engine = _engine(settings)
    table = Table("file", "outcome", "detail", title=f"{'Dry run: ' if dry_run else ''}{folder}")

    class _DryRun(Exception):
        pass

    try:
        with Progress(console=_consoles.err, transient=True) as progress:
            count = len(list(folder.glob("vocabulary/*.json"))) + len(list(folder.glob("documents/*/*.json"))) + 1
            task = progress.add_task("Loading", total=count)

            def on_file(item: corpus.FileReport) -> None:
                style = {"error": "red", "created": "green", "updated": "yellow"}.get(item.outcome, "")
                table.add_row(shown(item.path), f"[{style}]{item.outcome}[/]" if style else item.outcome, shown(item.detail))
                progress.advance(task)

            with write_session(engine) as session:
                report = corpus.load(session, CLI, folder, on_file=on_file, max_expansion=settings.max_schema_expansion)
                if not report.ok:
                    raise _DryRun()
                if dry_run:
                    raise _DryRun()
    except _DryRun:
        pass
    except RegistryError as exc:
        _fail(exc.message)
    _consoles.out.print(table)
    if not report.ok:
        _fail(f"{len(report.errors)} file(s) refused; nothing was written.")
    _consoles.out.print(f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
                  + (" (dry run: nothing written)." if dry_run else "."), highlight=False)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export(folder: Path) -> None:
    """Write every jurisdiction, vocabulary and document (all versions, with hashes) to a standards folder."""
    from registry.services import corpus
    from registry.storage.database import read_session

    engine = _engine(_settings())
    with read_session(engine) as session:
        written = corpus.export(session, folder)
    _consoles.out.print(f"Wrote {len(written)} files to {shown(folder)}.", highlight=False)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    """Check one document file (or a bare JSON Schema) without storing it: format, metaschema, references,
    patterns, vocabulary paths and citations."""
    from registry.domain.jsonbody import parse_json
    from registry.domain.schemas import check_schema
    from registry.services import corpus

    settings = _settings()
    try:
        raw = parse_json(file.read_bytes(), max_depth=256)
        if isinstance(raw, dict) and raw.get("format") == corpus.DOCUMENT_FORMAT:
            corpus.check_file(file, settings.standards_dir, settings.max_schema_expansion)
        else:
            check_schema(raw, max_expansion=settings.max_schema_expansion)
    except RegistryError as exc:
        _fail(f"{file}: {exc.message}" + (f" (at {exc.pointer})" if exc.pointer else ""))
    _consoles.out.print(f"[green]valid[/]: {shown(file)}", highlight=False)


@main.group()
def corpus() -> None:
    """Check the provenance of a standards folder's rules."""


@corpus.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Every rule with its confidence basis and problems, as JSON.")
def corpus_check(folder: Path | None, as_json: bool) -> None:
    """List every rule whose confidence its sources do not support (default folder: the shipped corpus).

    H needs a quoted legal text or two quoting sources of different publishers; every rule needs a deep-linked
    source (https, not a home page) with a verbatim quote, an English rendering of a non-English quote, and a
    disputed rule its dispute text and two sources. Exit status 1 when any rule fails, 0 otherwise."""
    import json as json_module

    from registry.services import corpus as corpus_service

    folder = folder or _settings().standards_dir
    try:
        checks, errors = corpus_service.check_provenance(folder)
    except RegistryError as exc:
        _fail(exc.message)
    failing = [c for c in checks if not c.ok]
    if as_json:
        click.echo(json_module.dumps({
            "folder": str(folder), "rules": len(checks), "failing": len(failing),
            "kept_as_recorded": sum(c.kept_as_recorded for c in checks),
            "errors": [{"file": e.path, "detail": e.detail} for e in errors],
            "checks": [c.to_dict() for c in checks]}, ensure_ascii=False, indent=2))
    else:
        if failing:
            table = Table("rule", "version", "confidence basis", "problems", title=f"Rules not supported: {folder}")
            for c in failing:
                table.add_row(shown(c.rule_id), shown(f"{c.document}@{c.version}"), shown(c.basis),
                              shown("\n".join(c.problems)))
            _consoles.out.print(table)
        for e in errors:
            _consoles.err.print(f"[red]{shown(e.path)}[/]: {shown(e.detail)}", highlight=False)
        _consoles.out.print(f"{len(checks)} rules checked, {len(failing)} not supported by their sources"
                            + (f", {len(errors)} file(s) unreadable" if errors else "") + ".", highlight=False)
    if failing or errors:
        sys.exit(1)


@main.group()
def token() -> None:
    """Create, list and revoke access tokens."""


def _expiry(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    match = re.fullmatch(r"([0-9]{1,6})([dh])", text)
    try:
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            value = now + (dt.timedelta(days=amount) if unit == "d" else dt.timedelta(hours=amount))
        else:
            value = dt.datetime.fromisoformat(text)
            value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
            value.astimezone(dt.timezone.utc)  # 9999-12-31T23:00-05:00 is after the last instant there is
    except (ValueError, OverflowError):
        raise click.BadParameter("use a date (2027-01-31), a date-time, or a duration like 30d or 12h") from None
    if value <= now:  # a token that never works is a mistake, not a choice
        raise click.BadParameter(f"{text} is not in the future (now is {now:%Y-%m-%d %H:%M} UTC)")
    return value


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
@click.option("--jurisdiction", "jurisdictions", multiple=True, help="A jurisdiction a regulator writes (repeatable).")
@click.option("--organisation", default=None,
              help="The id of the organisation an enterprise token acts for (required for enterprise tokens); "
                   "it owns the profiles and check history saved with the token.")
@click.option("--name", default=None, help="Who holds it: a label, shown in the audit log.")
@click.option("--expires", default=None, help="When it stops working, in the future: a date, a date-time, or a duration such as 90d or 12h.")
def token_create(role: str, jurisdictions: tuple[str, ...], organisation: str | None, name: str | None,
                 expires: str | None) -> None:
    """Create a token and print it once; only its hash is stored.

    An enterprise token acts for the organisation whose id it carries (--organisation, required): that
    organisation owns the profiles and check history saved with any of its tokens; --name is a label. Tokens
    and profiles stored before organisations existed were given `legacy:<name>` (the token's name, the
    profile's owner name): issue new tokens with a real id, or with --organisation legacy:<name> to keep
    reaching those profiles."""
    from registry.services import tokens
    from registry.storage.database import write_session

    engine = _engine(_settings())
    try:
        with write_session(engine) as session:
            row, text = tokens.create(session, CLI, name=name or role, role=role, jurisdictions=jurisdictions,
                                      expires_at=_expiry(expires), organisation=organisation)
    except RegistryError as exc:
        _fail(exc.message)
    _consoles.err.print(f"Token {row.id} ({role}{': ' + shown(', '.join(row.jurisdictions)) if row.jurisdictions else ''}) created; "
                 "it is shown once:", highlight=False)
    click.echo(text)


@token.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    from registry.services import tokens
    from registry.storage.database import read_session

    engine = _engine(_settings())
    table = Table("id", "name", "role", "jurisdictions", "organisation", "created", "expires", "revoked")
    with read_session(engine) as session:
        for row in tokens.list_tokens(session):
            table.add_row(shown(row.id), shown(row.name), row.role, shown(", ".join(row.jurisdictions)),
                          shown(row.organisation or ""), f"{row.created_at:%Y-%m-%d %H:%M}",
                          f"{row.expires_at:%Y-%m-%d %H:%M}" if row.expires_at else "",
                          f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "")
    _consoles.out.print(table)


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token by its id; it stops working at once."""
    from registry.services import tokens
    from registry.storage.database import write_session

    engine = _engine(_settings())
    try:
        with write_session(engine) as session:
            tokens.revoke(session, CLI, token_id)
    except RegistryError as exc:
        _fail(exc.message)
    _consoles.out.print(f"Token {shown(token_id)} revoked.")


def _register() -> None:
    from registry.commands import comparisons, compliance, maintenance, meetings

    main.add_command(compliance.check)
    main.add_command(compliance.profile)
    main.add_command(comparisons.compare)
    main.add_command(comparisons.gap)
    main.add_command(comparisons.matrix)
    main.add_command(maintenance.backup)
    main.add_command(maintenance.restore)
    main.add_command(meetings.meetings)
    main.add_command(meetings.actions_list)
    main.add_command(meetings.demo)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
