"""The pages' frame: the Jinja2 environment, the signed-in viewer, and `page()`, which every page controller
returns. Templates live in registry/web/templates, CSS and JS in registry/web/static (both ship in the wheel)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.template.config import TemplateConfig
from sqlalchemy import Engine

from registry.domain import dates, lifecycle
from registry.domain.access import ANONYMOUS, Principal
from registry.domain.links import linkable
from registry.domain.provenance import cited_rules, confidence_basis, linked_sources
from registry.domain.topics import TOPICS
from registry.web.security import signed_in_viewer

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def _query(base: dict[str, Any] | None = None, **changes: Any) -> str:
    """A query string: `base` with `changes` applied, empty values dropped (for permalinks and filters)."""
    merged = {**(base or {}), **changes}
    pairs = [(k, v) for k, v in merged.items() if v not in (None, "", [], False)]
    return ("?" + urlencode(pairs, doseq=True)) if pairs else ""


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))


def _in_force(version: Any) -> str:
    """A version's interval as far as its dates are known: `since 2010; day unknown`."""
    return dates.in_force_text(version.effective_from, version.effective_from_precision, version.effective_to,
                               version.effective_to_precision)


def _state(version: Any) -> lifecycle.State:
    """What a version is today (in force, scheduled, superseded, …), beside its stored status."""
    return lifecycle.state_on(version, lifecycle.today())


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(json=_json, date=_date, linkable=linkable, in_force=_in_force, state=_state,  # every href built from data goes through linkable
                       sources=linked_sources, cited=cited_rules, basis=lambda rule: confidence_basis(rule or {})[1])
    env.globals.update(query=_query, topics=TOPICS, topic_titles={t.slug: t.title for t in TOPICS})
    return env


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine(engine_instance=environment()))


def provide_viewer(request: Request, engine: NamedDependency[Engine]) -> Principal:
    """The person signed in on this browser, or anonymous (registry/web/security.py)."""
    return signed_in_viewer(request, engine)


def page(template: str, viewer: Principal = ANONYMOUS, *, status_code: int = 200, title: str = "",
         **context: Any) -> Template:
    return Template(template_name=template, status_code=status_code,
                    context={"viewer": viewer, "title": title, "nav": template.split("/")[0].split(".")[0],
                             **context})
