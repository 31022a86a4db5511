"""The docs and the code stay in step: every route, setting and command is documented; the CLI reference is
generated from --help (REGISTRY_UPDATE_DOCS=1 rewrites it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
import pytest

from registry.app import create_app
from registry.cli import main
from registry.settings import Settings, environment_variables

DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented_routes() -> set[str]:
    text = (DOCS / "api.md").read_text()
    return {re.sub(r"\{(\w+)\}", "{}", m) for m in re.findall(r"`(?:GET|POST|PUT|DELETE|PATCH) (/[^`]*)`", text)}


def app_routes() -> set[str]:
    app = create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False))
    paths = set()
    for route in app.routes:
        if not route.path.startswith(("/api/", "/healthz")):
            continue
        paths.add(re.sub(r"\{(\w+):\w+\}", "{}", route.path))
    return paths


def test_every_api_route_is_documented():
    missing = app_routes() - documented_routes()
    assert not missing, f"routes missing from docs/api.md: {sorted(missing)}"


def test_every_documented_route_exists():
    stale = {r for r in documented_routes() if r.startswith(("/api/", "/healthz"))} - app_routes()
    assert not stale, f"docs/api.md names routes that do not exist: {sorted(stale)}"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    missing = [name for name in environment_variables() if f"`{name}`" not in text]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def render_cli_reference() -> str:
    lines = ["# Command line", "", "Generated from `registry --help`; `REGISTRY_UPDATE_DOCS=1 pytest tests/test_docs.py`",
             "rewrites this page.", ""]

    def walk(command: click.Command, path: list[str], parent: click.Context | None) -> None:
        ctx = command.make_context(path[-1], [], parent=parent, resilient_parsing=True, terminal_width=100,
                                   max_content_width=100)
        lines.extend([f"{'#' * min(len(path) + 1, 4)} `{' '.join(path)}`", "", "```", command.get_help(ctx).rstrip(),
                      "```", ""])
        if isinstance(command, click.Group):
            for name in sorted(command.list_commands(ctx)):
                walk(command.get_command(ctx, name), [*path, name], ctx)  # type: ignore[arg-type]

    walk(main, ["registry"], None)
    return "\n".join(lines)


def test_the_cli_reference_is_current(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    expected = render_cli_reference()
    path = DOCS / "cli.md"
    if os.environ.get("REGISTRY_UPDATE_DOCS"):
        path.write_text(expected)
    assert path.read_text() == expected, "docs/cli.md is stale: run REGISTRY_UPDATE_DOCS=1 pytest tests/test_docs.py"


@pytest.mark.parametrize("page", sorted(p.stem for p in DOCS.glob("*.md")))
def test_every_docs_page_is_served(client, page):
    response = client.get(f"/docs/{page}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text


def test_docs_links_point_at_existing_pages():
    names = {p.stem for p in DOCS.glob("*.md")}
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([a-z0-9-]+)\.md(?:#[^)]*)?\)", page.read_text()):
            assert target in names, f"{page.name} links to missing {target}.md"


def test_unknown_and_hostile_page_names_are_404(client):
    for name in ("nope", "..%2F..%2Fetc%2Fpasswd", "CONCEPTS", "a" * 100):
        response = client.get(f"/docs/{name}")
        assert response.status_code == 404


def test_the_topic_table_in_concepts_is_the_list_of_topics():
    """docs/concepts.md's topic table names every topic, in order, with its title, its three framework mappings and
    whether it is checked against a profile."""
    from registry.domain.topics import TOPICS

    text = (DOCS / "concepts.md").read_text()
    rows = re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, re.M)
    assert [r[0] for r in rows] == [t.slug for t in TOPICS]
    for topic, (_, title, unctad, dstri, rdtii, checked) in zip(TOPICS, rows):
        assert title.strip() == topic.title
        for written, mapped in ((unctad, topic.unctad), (dstri, topic.oecd_dstri), (rdtii, topic.rdtii)):
            expected = [m.split(" affecting")[0] for m in mapped] or ["—"]
            assert [w.strip() for w in written.split(";")] == expected, topic.slug
        assert checked.strip().startswith("yes" if topic.checkable else "no"), topic.slug
