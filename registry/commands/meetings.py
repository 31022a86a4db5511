"""`registry meetings …`, `registry actions` and `registry demo`: the meeting log from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress
from rich.table import Table

from registry.commands.terminal import shown
from registry.errors import RegistryError


def _cli() -> Any:
    from registry import cli

    return cli


def _meeting_filters(command):
    """The filters that `meetings list` and `meetings export` share with GET /api/v1/meetings."""
    options = [
        click.option("--q", "text", default=None, help="Words to find (all of them)."),
        click.option("--from", "start_from", default=None, type=click.DateTime(["%Y-%m-%d"]),
                     help="Meetings that start on this day (UTC) or later."),
        click.option("--to", "start_to", default=None, type=click.DateTime(["%Y-%m-%d"]),
                     help="Meetings that start on this day (UTC) or earlier."),
        click.option("--jurisdiction", default=None, help="A linked jurisdiction, e.g. CN."),
        click.option("--organisation", default=None, help="A host or participating organisation."),
        click.option("--topic", default=None, help="A topic slug, e.g. e-invoicing."),
        click.option("--type", "type_", default=None, help="A meeting type."),
        click.option("--status", default=None, help="planned, confirmed, held or cancelled."),
        click.option("--sample/--no-sample", default=None, help="Only sample meetings, or none of them."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(text, start_from, start_to, jurisdiction, organisation, topic, type_, status, sample):
    from registry.services.meetings_search import MeetingFilters

    return MeetingFilters(text=text, start_from=start_from.date() if start_from else None,
                          start_to=start_to.date() if start_to else None, jurisdiction=jurisdiction,
                          organisation=organisation, topic=topic, type=type_, status=status, sample=sample)


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


@click.group()
def meetings() -> None:
    """Log, list, show, export and import dialogue meetings."""


@meetings.command("add")
@click.option("--title", required=True)
@click.option("--type", "type_", default="government-enterprise-dialogue", show_default=True,
              help="government-enterprise-dialogue, bilateral, multilateral, training or other.")
@click.option("--start", required=True, help="Local time at the venue, e.g. 2025-06-12T10:00.")
@click.option("--end", required=True, help="Local time at the venue.")
@click.option("--timezone", required=True, help="The venue's IANA time zone, e.g. Europe/Berlin.")
@click.option("--place", default="")
@click.option("--online-url", default=None)
@click.option("--host", default="", help="The host organisation.")
@click.option("--description", default="")
@click.option("--jurisdiction", "jurisdictions", multiple=True, help="A partner jurisdiction (repeatable).")
@click.option("--topic", "topics", multiple=True, help="A topic slug (repeatable).")
@click.option("--document", "documents", multiple=True, help="A document discussed, e.g. EU/consumer-protection@3 (repeatable).")
def meetings_add(title, type_, start, end, timezone, place, online_url, host, description, jurisdictions, topics,
                 documents) -> None:
    """Log a meeting; it starts as planned."""
    from registry.api.meeting_structs import MeetingCreate, to_input
    from registry.services import meetings as service
    from registry.storage.database import write_session

    engine = _cli()._engine(_cli()._settings())
    record = {"title": title, "type": type_, "start": start, "end": end, "timezone": timezone, "place": place,
              "online_url": online_url, "host": host, "description": description, "jurisdictions": list(jurisdictions),
              "topics": list(topics), "documents": list(documents)}
    try:
        data = to_input(to_input(record, MeetingCreate), service.MeetingInput)
        with write_session(engine) as session:
            row = service.create_meeting(session, _cli().CLI, data)
    except RegistryError as exc:
        _cli()._fail(exc.message + (f" (at {exc.pointer})" if exc.pointer else ""))
    _cli()._consoles.out.print(f"Meeting {row.id} logged: {shown(row.title)}", highlight=False)


@meetings.command("list")
@_meeting_filters
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def meetings_list(limit: int, **options) -> None:
    """List meetings, newest first, with the filters of GET /api/v1/meetings."""
    from registry.domain.meetings import in_zone
    from registry.services import meetings_search
    from registry.services.meetings import tags_of
    from registry.storage.database import read_session

    engine = _cli()._engine(_cli()._settings())
    table = Table("id", "starts (local)", "title", "type", "status", "jurisdictions", "sample")
    with read_session(engine) as session:
        rows, total = meetings_search.list_meetings(session, _filters(**options), limit=limit)
        tags = tags_of(session, [r.id for r in rows])
        for row in rows:
            table.add_row(str(row.id), f"{in_zone(row.start_at, row.timezone):%Y-%m-%d %H:%M} {row.timezone}",
                          shown(row.title), row.type, row.status, shown(", ".join(tags[row.id]["jurisdiction"])),
                          "sample" if row.sample else "")
    _cli()._consoles.out.print(table)
    _cli()._consoles.out.print(f"{len(rows)} of {total} meetings.", highlight=False)


@meetings.command("show")
@click.argument("meeting_id", type=int)
def meetings_show(meeting_id: int) -> None:
    """Show one meeting: when, where, who, agenda, documents, minutes and action items."""
    from registry.domain.meetings import in_zone
    from registry.services import meetings as service
    from registry.services.meetings_actions import ActionFilters, list_actions
    from registry.storage.database import read_session

    engine = _cli()._engine(_cli()._settings())
    try:
        with read_session(engine) as session:
            found = service.detail(session, service.get_meeting(session, meeting_id))
            actions, _ = list_actions(session, ActionFilters(meeting=meeting_id), today=_today(), limit=500)
    except RegistryError as exc:
        _cli()._fail(exc.message)
    m = found.meeting
    lines = [f"[bold]{shown(m.title)}[/]" + ("  [yellow](sample data)[/]" if m.sample else ""),
             f"{m.type}, {m.status}; sequence {m.sequence}",
             f"{in_zone(m.start_at, m.timezone):%Y-%m-%d %H:%M} – {in_zone(m.end_at, m.timezone):%Y-%m-%d %H:%M} "
             f"({m.timezone}); UTC {m.start_at:%Y-%m-%d %H:%M}",
             f"Where: {shown(', '.join(p for p in (m.place, m.online_url or '') if p) or '—')}; "
             f"host: {shown(m.host or '—')}",
             f"Jurisdictions: {shown(', '.join(found.jurisdictions) or '—')}; topics: {shown(', '.join(found.topics) or '—')}",
             f"Documents: {shown(', '.join(d.name + (f'@{d.version}' if d.version else '') for d in found.documents) or '—')}",
             f"Participants: {shown(', '.join(p.name for p in found.participants) or '—')}",
             f"Minutes: {found.minutes_status or 'none'}"]
    lines += [f"Agenda {a.position}. {shown(a.title)}" + (f" ({shown(a.presenter)})" if a.presenter else "")
              for a in found.agenda]
    lines += [f"Action {a.id}: {shown(a.title)} — {shown(a.owner_organisation or a.owner_person)}, "
              f"due {a.due_date or '—'}, {a.status}" for a in actions]
    _cli()._consoles.out.print("\n".join(lines), highlight=False)


@meetings.command("export")
@_meeting_filters
@click.option("--format", "format_", type=click.Choice(["csv", "json", "ics"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write [default: standard output].")
def meetings_export(format_: str, output: Path | None, **options) -> None:
    """Export meetings as CSV, JSON records (with minutes, outcomes, action items and e-mail addresses) or
    iCalendar (without e-mail addresses)."""
    import json

    from registry.services import meetings_calendar, meetings_exchange
    from registry.storage.database import read_session

    settings = _cli()._settings()
    engine = _cli()._engine(settings)
    filters = _filters(**options)
    try:
        with read_session(engine) as session:
            if format_ == "csv":
                text = meetings_exchange.meetings_csv(session, filters)
            elif format_ == "json":
                text = json.dumps(meetings_exchange.export_records(session, filters, private=True), ensure_ascii=False,
                                  indent=1) + "\n"
            else:
                text = meetings_calendar.feed(session, filters, _cli()._display_url(settings), today=_today()).decode()
    except RegistryError as exc:
        _cli()._fail(exc.message)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        _cli()._consoles.err.print(f"Wrote {shown(output)}.", highlight=False)


@meetings.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
def meetings_import(file: Path, dry_run: bool) -> None:
    """Import meetings from a CSV (the columns of `meetings export`) or a JSON export. All or nothing: one bad row
    and nothing is written; a meeting with the same title and start as one already there is skipped."""
    from registry.api.meeting_structs import import_record
    from registry.domain.jsonbody import parse_json
    from registry.services import meetings_exchange
    from registry.storage.database import write_session
    from registry.web.markdown import render

    engine = _cli()._engine(_cli()._settings())
    table = Table("row", "outcome", "detail", title=f"{'Dry run: ' if dry_run else ''}{shown(file)}")
    counts = {"created": 0, "exists": 0, "error": 0}

    class _Abort(Exception):
        pass

    def report(label: str, outcome: str, detail: str = "") -> None:
        counts[outcome] += 1
        style = {"error": "red", "created": "green"}.get(outcome, "")
        table.add_row(shown(label), f"[{style}]{outcome}[/]" if style else outcome, shown(detail))

    try:
        raw = file.read_bytes()
        if file.suffix.lower() == ".json":
            rows = meetings_exchange.records_from_json(parse_json(raw, max_depth=64))
        else:
            rows = meetings_exchange.records_from_csv(raw.decode("utf-8-sig"))
        with Progress(console=_cli()._consoles.err, transient=True) as progress, write_session(engine) as session:
            task = progress.add_task("Importing", total=len(rows))
            for label, raw_record in rows:
                try:
                    with session.begin_nested():
                        row = import_record(label, raw_record)
                        made = meetings_exchange.import_record(session, _cli().CLI, row, render=render)
                    report(label, "created" if made else "exists",
                           f"meeting {made.id}: {made.title}" if made else row.meeting.title)
                except RegistryError as exc:
                    report(label, "error", exc.message + (f" (at {exc.pointer})" if exc.pointer else ""))
                progress.advance(task)
            if counts["error"] or dry_run:
                raise _Abort()
    except _Abort:
        pass
    except UnicodeDecodeError:
        _cli()._fail(f"{file} is not UTF-8 text")
    except RegistryError as exc:
        _cli()._fail(f"{file}: {exc.message}")
    _cli()._consoles.out.print(table)
    if counts["error"]:
        _cli()._fail(f"{counts['error']} row(s) refused; nothing was written.")
    _cli()._consoles.out.print(f"{counts['created']} created, {counts['exists']} already there"
                        + (" (dry run: nothing written)." if dry_run else "."), highlight=False)


@click.command("actions")
@click.option("--overdue", is_flag=True, help="Only open or in-progress items whose due date has passed.")
@click.option("--meeting", "meeting_id", type=int, default=None, help="Only the items of this meeting.")
@click.option("--status", type=click.Choice(["open", "in_progress", "done", "cancelled"]), default=None)
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000))
def actions_list(overdue: bool, meeting_id: int | None, status: str | None, limit: int) -> None:
    """List action items, soonest due first."""
    from registry.domain.meetings import is_overdue
    from registry.services.meetings_actions import ActionFilters, list_actions
    from registry.storage.database import read_session

    engine = _cli()._engine(_cli()._settings())
    today = _today()
    table = Table("id", "meeting", "title", "owner", "due", "status", "overdue")
    with read_session(engine) as session:
        rows, total = list_actions(session, ActionFilters(meeting=meeting_id, status=status, overdue=overdue),
                                   today=today, limit=limit)
        for a in rows:
            table.add_row(str(a.id), str(a.meeting_id), shown(a.title), shown(a.owner_organisation or a.owner_person),
                          str(a.due_date or ""), a.status, "[red]overdue[/]" if is_overdue(a.status, a.due_date, today) else "")
    _cli()._consoles.out.print(table)
    _cli()._consoles.out.print(f"{len(rows)} of {total} action items" + (" overdue." if overdue else "."), highlight=False)


@click.command()
@click.option("--remove", is_flag=True, help="Delete the sample meetings (and only them).")
def demo(remove: bool) -> None:
    """Load 120 sample meetings (flagged `sample`, titles starting "[Sample]") over several years, partners and
    topics, to try the meeting log; `--remove` deletes them again."""
    from registry.services import meetings_demo
    from registry.services.meetings import delete_sample_meetings
    from registry.storage.database import write_session
    from registry.web.markdown import render

    engine = _cli()._engine(_cli()._settings())
    try:
        with write_session(engine) as session:
            if remove:
                removed = delete_sample_meetings(session, _cli().CLI)
            else:
                with Progress(console=_cli()._consoles.err, transient=True) as progress:
                    task = progress.add_task("Sample meetings", total=meetings_demo.COUNT)
                    made = meetings_demo.load(session, _cli().CLI, render=render, today=_today(),
                                              on_meeting=lambda _: progress.advance(task))
    except RegistryError as exc:
        _cli()._fail(exc.message)
    if remove:
        _cli()._consoles.out.print(f"Removed {removed} sample meetings." if removed else "There were no sample meetings.",
                            highlight=False)
    else:
        _cli()._consoles.out.print(f"Loaded {made} sample meetings (flag `sample`, titles starting \"[Sample]\"); "
                            "`registry demo --remove` deletes them.", highlight=False)


