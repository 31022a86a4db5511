"""`registry compare`, `registry gap` and `registry matrix`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from rich.table import Table

from registry.commands.terminal import shown
from registry.errors import RegistryError


def _cli() -> Any:
    from registry import cli

    return cli


def _session_call(fn: Any) -> Any:
    from registry.storage.database import read_session

    cli = _cli()
    settings = cli._settings()
    engine = cli._engine(settings)
    try:
        with read_session(engine) as session:
            return fn(session, settings)
    except RegistryError as exc:
        cli._fail(exc.message + (f" (at {exc.pointer})" if exc.pointer else ""))


@click.command("compare")
@click.argument("left")
@click.argument("right")
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison as JSON.")
def compare(left: str, right: str, as_json: bool) -> None:
    """Compare two references, e.g. EU/consumer-protection@latest CN/consumer-protection@2020-01-01."""
    from registry.domain.access import ANONYMOUS
    from registry.services import comparing

    data = _session_call(lambda s, settings: comparing.compare_references(
        s, ANONYMOUS, left, right, format_assertion=settings.format_assertion))
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out = _cli()._consoles.out
    out.print(f"{shown(data['left']['label'])} vs {shown(data['right']['label'])}: [bold]{data['relation']}[/]"
              + (f" ({shown(data['reason'])})" if data.get("reason") else ""), highlight=False)
    table = Table("path", "keyword", "stricter side", "summary")
    for d in data["differences"]:
        side = d["stricter_side"] or (f"only {d['only_side']}" if d["only_side"] else "neither")
        table.add_row(shown(d["path"]), shown(d["keyword"]), shown(side), shown(d["summary"]))
    out.print(table)
    within = data.get("within_vocabulary")
    if within:  # the witnesses: instances of the shared vocabulary, or why there are none
        out.print(shown(within["says"]), highlight=False)
        for name, told in within["witnesses"].items():
            out.print(f"{name}: {shown(told['says'])}", highlight=False)
            if told["found"]:
                out.print(shown(json.dumps(data[name], ensure_ascii=False)), highlight=False)


@click.command("gap")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--topic", default=None, help="Only this topic.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Frameworks in force on this date [default: today].")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True)
def gap(source: str, target: str, topic: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """What the framework of TO requires that the framework of FROM does not already imply, with citations."""
    from registry.reports import comparisons as formats
    from registry.services import comparing

    data = _session_call(lambda s, settings: comparing.framework_gap(
        s, source, target, topic=topic, as_of=as_of.date() if as_of else None,
        format_assertion=settings.format_assertion))
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if fmt == "json"
               else formats.gap_markdown(data) if fmt == "md" else formats.gap_csv(data))


@click.command("matrix")
@click.option("--topic", required=True, help="The topic to compare on.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Frameworks in force on this date [default: today].")
@click.option("--cooperation", type=click.Choice(["partner", "not-partner", "unknown"]), default=None,
              help="Only jurisdictions with this cooperation status.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def matrix(topic: str, as_of: dt.datetime | None, cooperation: str | None, fmt: str) -> None:
    """Relation and alignment score for every pair of jurisdictions on a topic ("?" where one side was not
    researched on it)."""
    from registry.reports import comparisons as formats
    from registry.services import comparing

    data = _session_call(lambda s, settings: comparing.matrix(
        s, topic, as_of=as_of.date() if as_of else None, format_assertion=settings.format_assertion,
        cooperation=cooperation))
    if fmt != "table":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False) if fmt == "json" else formats.matrix_csv(data))
        return
    names = data["jurisdictions"]
    score = {(c["left"], c["right"]): c["score"] for c in data["cells"]}
    table = Table("", *names, title=f"Alignment on {topic} as of {data['as_of']} (1.00 = the same rules)")
    for a in names:
        table.add_row(a, *("—" if a == b else _score(score.get((a, b), score.get((b, a)))) for b in names))
    _cli()._consoles.out.print(table)


def _score(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"  # "?": a side not researched on the topic
