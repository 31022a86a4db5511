"""`registry check` and `registry profile`: compliance checks from the command line, batches in parallel."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from registry.commands.terminal import shown
from registry.domain.compliance import NON_COMPLIANT, STATUSES
from registry.errors import RegistryError

CHUNK = 500
_WORKER: Any = None


def _cli() -> Any:
    from registry import cli

    return cli


def _frameworks(markets: str, as_of: dt.date | None, topics: str | None) -> Any:
    from registry.services import compliance
    from registry.storage.database import read_session

    cli = _cli()
    engine = cli._engine(cli._settings())
    with read_session(engine) as session:
        return compliance.load_frameworks(session, compliance.parse_markets(markets), as_of,
                                          [t for t in (topics or "").split(",") if t] or None)


def _init_worker(frameworks: Any, engine: str, format_assertion: bool, max_depth: int) -> None:
    global _WORKER
    from registry.services.batch import LineChecker

    _WORKER = LineChecker(frameworks, engine=engine, format_assertion=format_assertion, max_depth=max_depth)


def _check_chunk(lines: list[bytes], first: int) -> list[dict]:
    return _WORKER.check_lines(lines, first)


def _chunks(stream: BinaryIO, max_line: int) -> Iterator[tuple[list[bytes], int]]:
    from registry.services.batch import read_lines

    chunk: list[bytes] = []
    first = 1
    for line in read_lines(stream, max_line):
        chunk.append(line)
        if len(chunk) >= CHUNK:
            yield chunk, first
            first += len(chunk)
            chunk = []
    if chunk:
        yield chunk, first


def run_batch(path: Path, frameworks: Any, *, workers: int, output: BinaryIO, engine: str, format_assertion: bool,
              max_depth: int, max_line: int, on_chunk: Any = None) -> tuple[Counter, int, int]:
    """Check a JSON Lines file in `workers` processes, writing results in input order; memory stays bounded
    (at most 4 chunks per worker in flight). Returns (status counts, profiles, error lines)."""
    statuses: Counter = Counter()
    profiles = errors = 0
    args = (frameworks, engine, format_assertion, max_depth)

    def consume(results: list[dict]) -> None:
        nonlocal profiles, errors
        from registry.services.batch import encode

        output.write(encode(results))
        for result in results:
            if "error" in result:
                errors += 1
                continue
            profiles += 1
            statuses.update((r["market"], r["status"]) for r in result["results"])
        if on_chunk:
            on_chunk(len(results))

    with path.open("rb") as stream:
        if workers <= 1:
            _init_worker(*args)
            for lines, first in _chunks(stream, max_line):
                consume(_check_chunk(lines, first))
        else:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=args) as pool:
                pending: deque = deque()
                for lines, first in _chunks(stream, max_line):
                    pending.append(pool.submit(_check_chunk, lines, first))
                    while len(pending) >= workers * 4:
                        consume(pending.popleft().result())
                while pending:
                    consume(pending.popleft().result())
    return statuses, profiles, errors


EXIT_NON_COMPLIANT = 3  # only a broken rule: an open question or an unresearched topic is not a failure to comply


@click.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--markets", required=True, help="Comma-separated jurisdiction codes, e.g. CN,EU,ID.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check against the rules in force on this date [default: today].")
@click.option("--topics", default=None, help="Comma-separated topics [default: all].")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes for a JSON Lines batch.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv", "html"]), default="md", show_default=True,
              help="Report format for a single profile.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write results here instead of standard output.")
def check(file: Path, markets: str, as_of: dt.datetime | None, topics: str | None, workers: int, fmt: str,
          output: Path | None) -> None:
    """Check a profile (FILE.json) or a batch of profiles (FILE.jsonl: one {"id", "profile"} per line).

    A batch writes one JSON result per input line and ends with a summary table; a malformed line gets an
    error result and the batch goes on. Exit status 3 when a market is non_compliant (for a batch: for any
    profile), 0 otherwise, incomplete, not_covered and not_checkable included; 1 on an error."""
    from registry.domain.jsonbody import parse_json
    from registry.reports import compliance as formats
    from registry.services import compliance

    cli = _cli()
    settings = cli._settings()
    day = as_of.date() if as_of else None
    try:
        frameworks = _frameworks(markets, day, topics)
        if file.suffix != ".jsonl":
            report = compliance.run_check(frameworks, parse_json(file.read_bytes(), max_depth=settings.max_json_depth),
                                          engine=settings.validation_engine, format_assertion=settings.format_assertion)
            data = formats.report_dict(report, markets=list(frameworks.markets))
            text = json.dumps(data, indent=2, ensure_ascii=False) if fmt == "json" else \
                {"md": formats.to_markdown, "csv": formats.to_csv, "html": formats.to_html}[fmt](data)
            (output.write_text(text) if output else click.echo(text))
            if any(m["status"] == NON_COMPLIANT for m in data["markets"]):
                sys.exit(EXIT_NON_COMPLIANT)
            return
    except RegistryError as exc:
        cli._fail(exc.message + (f" (at {exc.pointer})" if exc.pointer else ""))
    total_bytes = file.stat().st_size
    started = time.perf_counter()
    sink = output.open("wb") if output else sys.stdout.buffer
    try:
        with Progress(TextColumn("checking"), BarColumn(), TextColumn("{task.completed} profiles"),
                      TimeElapsedColumn(), console=cli._consoles.err, transient=True) as progress:
            task = progress.add_task("batch", total=None)
            statuses, profiles, errors = run_batch(
                file, frameworks, workers=workers, output=sink, engine=settings.validation_engine,
                format_assertion=settings.format_assertion, max_depth=settings.max_json_depth,
                max_line=settings.batch_max_line_bytes, on_chunk=lambda n: progress.advance(task, n))
    finally:
        if output:
            sink.close()
        else:
            sink.flush()
    elapsed = time.perf_counter() - started
    table = Table("market", *STATUSES,
                  title=f"{profiles} profiles, {errors} error lines, {elapsed:.1f} s "
                        f"({profiles * len(frameworks.markets) / max(elapsed, 1e-9):,.0f} profile-market checks/s); "
                        f"{total_bytes:,} bytes read")
    for market in frameworks.markets:
        table.add_row(market, *(str(statuses[(market, s)]) for s in STATUSES))
    cli._consoles.err.print(table)
    if any(statuses[(market, NON_COMPLIANT)] for market in frameworks.markets):
        sys.exit(EXIT_NON_COMPLIANT)


@click.group("profile")
def profile() -> None:
    """Save, list and show enterprises' operating profiles."""


@profile.command("save")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organisation", "--owner", "owner", required=True,
              help="The id of the organisation that owns it (the --organisation of its enterprise tokens).")
@click.option("--name", default=None, help="A name for a new profile.")
@click.option("--id", "profile_id", default=None, help="Add a version to this profile instead.")
@click.option("--note", default="", help="What changed.")
def profile_save(file: Path, owner: str, name: str | None, profile_id: str | None, note: str) -> None:
    """Save a profile (or a new version of one) for an enterprise."""
    from registry.domain.access import ENTERPRISE, Principal
    from registry.domain.jsonbody import parse_json
    from registry.services import profiles
    from registry.storage.database import write_session

    cli = _cli()
    engine = cli._engine(cli._settings())
    as_owner = Principal(token_id=None, name="cli", role=ENTERPRISE, organisation=owner)
    try:
        with write_session(engine) as session:
            row, version, new = profiles.save(session, as_owner, name=name or file.stem, body=parse_json(file.read_bytes()),
                                              profile_id=profile_id, note=note)
    except RegistryError as exc:
        cli._fail(exc.message)
    cli._consoles.out.print(f"{'Saved' if new else 'Unchanged:'} profile {row.id} version {version.number} "
                            f"({version.content_hash[:12]}…) for {shown(owner)}.", highlight=False)


@profile.command("list")
@click.option("--organisation", "--owner", "owner", default=None, help="Only this organisation's profiles.")
def profile_list(owner: str | None) -> None:
    """List saved profiles."""
    from registry.domain.access import ADMIN, ENTERPRISE, Principal
    from registry.services import profiles
    from registry.storage.database import read_session

    cli = _cli()
    engine = cli._engine(cli._settings())
    who = Principal(None, "cli", ENTERPRISE, organisation=owner) if owner else Principal(None, "cli", ADMIN)
    table = Table("id", "organisation", "name", "versions", "updated")
    with read_session(engine) as session:
        rows, _ = profiles.list_profiles(session, who, limit=10_000)
        for row in rows:
            table.add_row(shown(row.id), shown(row.owner), shown(row.name), str(len(profiles.versions(session, row))),
                          f"{row.updated_at:%Y-%m-%d %H:%M}")
    cli._consoles.out.print(table)


@profile.command("show")
@click.argument("profile_id")
def profile_show(profile_id: str) -> None:
    """Print a profile's newest version as JSON, with its check history on standard error."""
    from registry.domain.access import ADMIN, Principal
    from registry.services import profiles
    from registry.storage.database import read_session

    cli = _cli()
    engine = cli._engine(cli._settings())
    try:
        with read_session(engine) as session:
            row = profiles.get(session, Principal(None, "cli", ADMIN), profile_id)
            version = profiles.version(session, row)
            runs = profiles.runs(session, row)
    except RegistryError as exc:
        cli._fail(exc.message)
    click.echo(json.dumps(version.body, indent=2, ensure_ascii=False))
    for run in runs:
        cli._consoles.err.print(f"checked v{run.profile_number} as of {run.as_of}: {shown(run.statuses)}", highlight=False)
