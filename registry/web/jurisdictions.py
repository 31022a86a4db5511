"""Jurisdictions: the list with region and bloc filters, and one jurisdiction's framework and meetings."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Optional

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.domain.coverage import cooperation_status, cooperation_words
from registry.services import coverage, documents, jurisdictions
from registry.services.meetings_search import MeetingFilters, list_meetings
from registry.storage.database import read_session
from registry.web.layout import page

Code = Annotated[Optional[str], QueryParameter(max_length=8)]
# "" is what the form sends for "any"
Cooperation = Annotated[Optional[str], QueryParameter(pattern=r"^(partner|not-partner|unknown)?$")]
COOPERATION_OPTIONS = [("partner", "partner"), ("not-partner", "not a partner"), ("unknown", "not researched")]


class JurisdictionPages(Controller):
    path = "/jurisdictions"

    @get("/", sync_to_thread=True)
    def index(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
              region: Annotated[Optional[str], QueryParameter(max_length=100)] = None, bloc: Code = None,
              cooperation: Cooperation = None) -> Template:
        with read_session(engine) as session:
            everything, _ = jurisdictions.list_jurisdictions(session, limit=500)
            rows, total = jurisdictions.list_jurisdictions(session, region=region or None, bloc=bloc or None,
                                                           cooperation=cooperation or None, limit=500)
            blocs_of = {r.code: jurisdictions.blocs_of(session, r.code) for r in rows}
        regions = sorted({j.region for j in everything if j.region})
        blocs = [(j.code, j.name) for j in everything if j.kind == "bloc"]
        return page("jurisdictions/index.html", viewer, title="Jurisdictions", rows=rows, total=total,
                    regions=regions, blocs=blocs, blocs_of=blocs_of, cooperation_options=COOPERATION_OPTIONS,
                    cooperation_text={r.code: cooperation_words(r.cooperation) for r in rows},
                    filters={"region": region, "bloc": bloc, "cooperation": cooperation})

    @get("/{code:str}", sync_to_thread=True)
    def one(self, engine: NamedDependency[Engine], viewer: NamedDependency[Principal], code: FromPath[str]) -> Template:
        with read_session(engine) as session:
            jurisdiction = jurisdictions.get(session, code)
            members = jurisdictions.members(session, code)
            codes = jurisdictions.framework_codes(session, code)
            by_topic: dict[str, list] = defaultdict(list)
            for namespace in codes:
                rows, _ = documents.list_documents(session, jurisdiction=namespace, sort="topic", limit=500)
                for row in rows:
                    by_topic[row.topic or "other"].append(row)
            meetings, meetings_total = list_meetings(session, MeetingFilters(jurisdiction=code), limit=20)
            topics = coverage.coverage_of(session, code)
        found = jurisdiction.cooperation or {}
        cooperation = {**found, "status": cooperation_status(found), "text": cooperation_words(found)}
        return page("jurisdictions/one.html", viewer, title=f"{jurisdiction.name} ({code})", jurisdiction=jurisdiction,
                    cooperation=cooperation, coverage=topics,
                    members=members, blocs=codes[1:], by_topic=dict(sorted(by_topic.items())), meetings=meetings,
                    meetings_total=meetings_total)
