"""The coverage page: every jurisdiction × every topic, what the registry holds (registry/services/coverage.py)."""

from __future__ import annotations

from typing import Annotated, Optional

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.domain.coverage import since_words
from registry.services import coverage, jurisdictions
from registry.storage.database import read_session
from registry.web.jurisdictions import COOPERATION_OPTIONS, Cooperation
from registry.web.layout import page

STATE_WORDS = {"recorded": "recorded", "none": "researched: none exists", "not-researched": "not researched"}


class CoveragePages(Controller):
    path = "/coverage"

    @get("/", sync_to_thread=True)
    def grid(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
             region: Annotated[Optional[str], QueryParameter(max_length=100)] = None,
             cooperation: Cooperation = None) -> Template:
        with read_session(engine) as session:
            data = coverage.coverage_grid(session, cooperation=cooperation or None, region=region or None)
            everything, _ = jurisdictions.list_jurisdictions(session, limit=10_000)
        regions = sorted({j.region for j in everything if j.region})
        since = {j["code"]: since_words(j["cooperation"]["since"]) for j in data["jurisdictions"]}
        return page("coverage.html", viewer, title="Coverage", nav="coverage", data=data, regions=regions,
                    since=since, state_words=STATE_WORDS, cooperation_options=COOPERATION_OPTIONS,
                    filters={"region": region, "cooperation": cooperation})
