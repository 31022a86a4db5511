"""Compare: two jurisdictions' frameworks on a topic (or two versions) → relation, differences side by side, gap
report both ways, downloads. Matrix: the alignment score of every pair of jurisdictions on a topic as a heat-map
drawn by the server. Both call registry.services.comparing, as the API does."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Mapping, Optional
from urllib.parse import urlencode

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy import Engine

from registry.domain.access import Principal
from registry.domain.witnesses import WITNESSES
from registry.domain.coverage import NOT_RESEARCHED
from registry.domain.references import parse_date
from registry.reports.comparisons import COMPARE_FORMATS
from registry.reports.formats import FORMATS
from registry.services import comparing, conditions, differences, jurisdictions
from registry.services.compliance import PROFILE_VOCABULARY
from registry.settings import Settings
from registry.storage.database import read_session
from registry.web.charts import heatmap, legend
from registry.web.jurisdictions import COOPERATION_OPTIONS, Cooperation
from registry.web.layout import page

Side = Annotated[Optional[str], QueryParameter(max_length=120)]
Topic = Annotated[Optional[str], QueryParameter(max_length=64)]
Day = Annotated[Optional[str], QueryParameter(max_length=10)]
DEFAULT_TOPIC = "consumer-protection"


def compare_link(left: str, right: str, topic: str | None, as_of: str | None) -> str:
    return "/compare?" + urlencode({k: v for k, v in {"left": left, "right": right, "topic": topic,
                                                        "as_of": as_of}.items() if v})


def check_links(comparison: dict[str, Any], as_of: str | None) -> dict[str, dict[str, str]]:
    """For each witness that is an operating profile: the compliance page with it filled in, for the markets of the
    two sides (the jurisdictions compared, or those whose documents are), on the date compared (empty: today)."""
    within = comparison.get("within_vocabulary")
    if not within or within["vocabulary"].split("@")[0] != PROFILE_VOCABULARY:
        return {}
    markets = [side["label"].split("/")[0] for side in (comparison["left"], comparison["right"])]
    if any(not code or not code.isupper() for code in markets):  # an inline schema has no market
        return {}
    codes = list(dict.fromkeys(markets))
    query = [("markets", code) for code in codes] + ([("as_of", as_of)] if as_of else [])
    return {name: {"href": "/compliance?" + urlencode([*query, ("profile", json.dumps(
                       comparison[name], ensure_ascii=False, separators=(",", ":")))]),
                   "markets": " and ".join(codes), "when": f"on {as_of}" if as_of else "today"}
            for name in WITNESSES if name in comparison}


def _gap_both_ways(session: Any, left: str, right: str, topic: str | None, as_of: dt.date | None,
                   fa: bool) -> tuple[dict, dict]:
    return (comparing.framework_gap(session, left, right, topic=topic, as_of=as_of, format_assertion=fa),
            comparing.framework_gap(session, right, left, topic=topic, as_of=as_of, format_assertion=fa))


def _version_gaps(left: comparing.Side, right: comparing.Side, fa: bool, titles: Mapping[str, str]
                  ) -> tuple[dict, dict]:
    def one(a: comparing.Side, b: comparing.Side) -> dict:
        return conditions.worded_gap({"from": a.describe(), "to": b.describe(),
                                      **comparing.gap_report(a, b, format_assertion=fa)}, titles)

    return one(left, right), one(right, left)


class ComparePages(Controller):
    @get("/compare", sync_to_thread=True, media_type=MediaType.HTML, opt={"expensive": True})
    def compare(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
                viewer: NamedDependency[Principal], left: Side = None, right: Side = None, topic: Topic = None,
                as_of: Day = None,
                format: Annotated[Optional[str], QueryParameter(pattern=r"^(json|md|csv)$")] = None) -> Any:
        fa = settings.format_assertion
        day = parse_date(as_of, pointer="/as_of") if as_of else None
        result = None
        with read_session(engine) as session:
            codes = [(j.code, f"{j.code} — {j.name}") for j in jurisdictions.list_jurisdictions(session, limit=500)[0]]
            titles = conditions.titles(session)
            if left and right:
                if "/" in left or "/" in right:  # two versions: EU/consumer-protection@1
                    a = comparing.reference_side(session, viewer, left, pointer="/left")
                    b = comparing.reference_side(session, viewer, right, pointer="/right")
                    gaps = _version_gaps(a, b, fa, titles)
                    mode = "versions"
                else:
                    topic = topic or DEFAULT_TOPIC
                    a = comparing.framework(session, left, topic=topic, as_of=day)
                    b = comparing.framework(session, right, topic=topic, as_of=day)
                    gaps = _gap_both_ways(session, left, right, topic, day, fa)
                    mode = "frameworks"
                comparison = comparing.compare_sides(a, b, format_assertion=fa,
                                                     words=differences.vocabulary_words(session), titles=titles)
                result = {"mode": mode, "comparison": comparison, "check": check_links(comparison, as_of),
                          "gap_left_to_right": gaps[0], "gap_right_to_left": gaps[1]}
        if format == "json" and result is not None:
            return Response(result, media_type=MediaType.JSON)
        if format in COMPARE_FORMATS and result is not None:  # the differences, the sides named
            return Response(COMPARE_FORMATS[format](result["comparison"]), media_type=FORMATS[format])
        state = {"left": left, "right": right, "topic": topic, "as_of": as_of}
        return page("compare.html", viewer, title=f"Compare {left} and {right}" if result else "Compare",
                    codes=codes, state=state, result=result)

    @get("/matrix", sync_to_thread=True, opt={"expensive": True})
    def matrix(self, engine: NamedDependency[Engine], settings: NamedDependency[Settings],
               viewer: NamedDependency[Principal], topic: Topic = None, as_of: Day = None,
               cooperation: Cooperation = None) -> Template:
        topic = topic or DEFAULT_TOPIC
        day = parse_date(as_of, pointer="/as_of") if as_of else None
        with read_session(engine) as session:
            data = comparing.matrix(session, topic, as_of=day, format_assertion=settings.format_assertion,
                                    cooperation=cooperation or None)
        codes = data["jurisdictions"]
        scores: dict[tuple[str, str], tuple[float | None, str]] = {
            (c, c): (1.0, "equivalent") if data["coverage"][c] != NOT_RESEARCHED else (None, "not researched")
            for c in codes}
        for cell in data["cells"]:
            relation = cell["relation"] if cell["score"] is not None else "not researched"
            scores[(cell["left"], cell["right"])] = (cell["score"], relation)
            scores[(cell["right"], cell["left"])] = (cell["score"], _mirror(relation))
        svg = heatmap(codes, scores, title=f"Alignment of {len(codes)} jurisdictions on {topic} as of {data['as_of']}",
                      link=lambda a, b: compare_link(a, b, topic, as_of))
        return page("matrix.html", viewer, title=f"Matrix: {topic}", topic=topic, as_of=as_of or "", data=data,
                    svg=svg, legend=legend(), cooperation=cooperation or "", cooperation_options=COOPERATION_OPTIONS,
                    cells=sorted(data["cells"], key=lambda c: -1.0 if c["score"] is None else -c["score"]),
                    api=urlencode({k: v for k, v in {"topic": topic, "as_of": as_of,
                                                     "cooperation": cooperation}.items() if v}),
                    unresearched=[c for c in codes if data["coverage"][c] == NOT_RESEARCHED],
                    compare_link=compare_link)


def _mirror(relation: str) -> str:
    return {"stricter": "looser", "looser": "stricter"}.get(relation, relation)
