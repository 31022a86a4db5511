"""The meeting log: thin handlers over registry.services.meetings*."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Callable, Literal, Optional

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import (
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    QueryParameter,
)
from sqlalchemy import Engine

from registry.api.dependencies import OptionalRowId, Page, RowId
from registry.api.meeting_structs import (
    ActionCreate,
    ActionOut,
    ActionPage,
    ActionUpdate,
    MeetingCreate,
    MeetingOut,
    MeetingPage,
    MeetingPatch,
    MinutesHistory,
    MinutesOut,
    MinutesWrite,
    OutcomeCreate,
    OutcomeList,
    OutcomeOut,
    StatsOut,
    action_change,
    action_out,
    meeting_out,
    meeting_summary,
    minutes_out,
    outcome_out,
    revision_out,
    stats_out,
    to_input,
)
from registry.api.structs import API
from registry.domain import meetings as rules
from registry.domain.access import Principal
from registry.domain.references import parse_name
from registry.services import (
    meetings,
    meetings_actions,
    meetings_calendar,
    meetings_exchange,
    meetings_minutes,
    meetings_search,
)
from registry.services.documents import get_document
from registry.services.meetings import MeetingInput
from registry.services.meetings_actions import ActionFilters, ActionInput, OutcomeInput
from registry.services.meetings_search import MeetingFilters
from registry.storage.database import read_session, write_session
from registry.storage.tables import Meeting, utcnow

MEETING = "/meetings/{meeting_id:int}"
IfMatch = Annotated[Optional[str], HeaderParameter(name="If-Match", max_length=200)]
Sort = Literal["start", "-start", "title", "-title", "updated", "-updated"]


def provide_filters(
    q: Annotated[Optional[str], QueryParameter(max_length=500, description="words to find (all of them)")] = None,
    start_from: Annotated[Optional[dt.date], QueryParameter(name="from", description="starts on this day (UTC) or later")] = None,
    start_to: Annotated[Optional[dt.date], QueryParameter(name="to", description="starts on this day (UTC) or earlier")] = None,
    jurisdiction: Annotated[Optional[str], QueryParameter(max_length=8)] = None,
    organisation: Annotated[Optional[str], QueryParameter(max_length=300)] = None,
    topic: Annotated[Optional[str], QueryParameter(max_length=64)] = None,
    type: Annotated[Optional[Literal[rules.TYPES]], QueryParameter()] = None,  # type: ignore[valid-type]
    status: Annotated[Optional[Literal[rules.STATUSES]], QueryParameter()] = None,  # type: ignore[valid-type]
    sample: FromQuery[Optional[bool]] = None,
) -> MeetingFilters:
    return MeetingFilters(text=q, start_from=start_from, start_to=start_to, jurisdiction=jurisdiction,
                          organisation=organisation, topic=topic, type=type, status=status, sample=sample)


def _with_etag(out: MeetingOut | MinutesOut, status_code: int = 200) -> Response:
    return Response(out, status_code=status_code, headers={"ETag": out.etag})


def _meeting(session, meeting: Meeting, principal: Principal) -> MeetingOut:
    return meeting_out(meetings.detail(session, meeting), private=meetings.can_write(principal))


def _today() -> dt.date:
    return utcnow().date()


def _file(content: str | bytes, media_type: str, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(content, media_type=media_type, headers=headers)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


ICS = "text/calendar"  # litestar adds the one "; charset=utf-8" of every text/ answer
CSV = "text/csv"


class MeetingController(Controller):
    path = API
    tags = ["meetings"]
    dependencies = {"filters": Provide(provide_filters, sync_to_thread=False)}

    @get("/meetings", sync_to_thread=True, summary="List and search meetings; filters combine")
    def list_meetings(self, engine: NamedDependency[Engine], page: NamedDependency[Page],
                      filters: NamedDependency[MeetingFilters], sort: FromQuery[Sort] = "-start") -> MeetingPage:
        with read_session(engine) as session:
            rows, total = meetings_search.list_meetings(session, filters, sort=sort, limit=page.limit,
                                                        offset=page.offset)
            tags = meetings.tags_of(session, [r.id for r in rows])  # type: ignore[misc]
            return MeetingPage(items=[meeting_summary(r, tags[r.id]) for r in rows], total=total,  # type: ignore[index]
                               limit=page.limit, offset=page.offset)

    @post("/meetings", sync_to_thread=True, summary="Log a meeting (secretariat)")
    def create_meeting(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                       data: JSONBody[MeetingCreate]) -> Response[MeetingOut]:
        with write_session(engine) as session:
            row = meetings.create_meeting(session, principal, to_input(data, MeetingInput))
            return _with_etag(_meeting(session, row, principal), 201)

    @get("/meetings/stats", sync_to_thread=True, summary="Meetings per year, partner, topic, organisation, type, status")
    def meeting_stats(self, engine: NamedDependency[Engine], filters: NamedDependency[MeetingFilters]) -> StatsOut:
        with read_session(engine) as session:
            return stats_out(meetings_search.stats(session, filters, today=_today()))

    @get(MEETING, sync_to_thread=True, summary="One meeting, with its ETag")
    def get_meeting(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    meeting_id: RowId) -> Response[MeetingOut]:
        with read_session(engine) as session:
            return _with_etag(_meeting(session, meetings.get_meeting(session, meeting_id), principal))

    @put(MEETING, sync_to_thread=True, summary="Replace a meeting (needs If-Match)")
    def replace_meeting(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                        meeting_id: RowId, data: JSONBody[MeetingCreate],
                        if_match: IfMatch = None) -> Response[MeetingOut]:
        with write_session(engine) as session:
            row = meetings.replace_meeting(session, principal, meeting_id, if_match, to_input(data, MeetingInput))
            return _with_etag(_meeting(session, row, principal))

    @patch(MEETING, sync_to_thread=True, summary="Change some fields of a meeting (needs If-Match)")
    def patch_meeting(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                      meeting_id: RowId, data: JSONBody[MeetingPatch],
                      if_match: IfMatch = None) -> Response[MeetingOut]:
        with write_session(engine) as session:
            current = meetings.input_of(session, meetings.get_meeting(session, meeting_id))
            merged = {**to_input(current, dict), **to_input(data, dict)}
            row = meetings.replace_meeting(session, principal, meeting_id, if_match, to_input(merged, MeetingInput))
            return _with_etag(_meeting(session, row, principal))

    def _transition(self, engine: Engine, principal: Principal, meeting_id: int, verb: str) -> Response[MeetingOut]:
        with write_session(engine) as session:
            return _with_etag(_meeting(session, meetings.transition(session, principal, meeting_id, verb), principal))

    @post(MEETING + "/confirm", sync_to_thread=True, status_code=200, summary="planned → confirmed")
    def confirm(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                meeting_id: RowId) -> Response[MeetingOut]:
        return self._transition(engine, principal, meeting_id, "confirm")

    @post(MEETING + "/hold", sync_to_thread=True, status_code=200, summary="Record that the meeting was held")
    def hold(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
             meeting_id: RowId) -> Response[MeetingOut]:
        return self._transition(engine, principal, meeting_id, "hold")

    @post(MEETING + "/cancel", sync_to_thread=True, status_code=200, summary="Cancel (kept, and in the calendar)")
    def cancel(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
               meeting_id: RowId) -> Response[MeetingOut]:
        return self._transition(engine, principal, meeting_id, "cancel")

    # ---- minutes ----------------------------------------------------------------------------------------

    @get(MEETING + "/minutes", sync_to_thread=True, summary="The minutes (the public sees published minutes only)")
    def get_minutes(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    meeting_id: RowId) -> Response[MinutesOut]:
        with read_session(engine) as session:
            row = meetings_minutes.get_minutes(session, principal, meeting_id)
            return _with_etag(minutes_out(row, meetings.get_meeting(session, meeting_id)))

    @put(MEETING + "/minutes", sync_to_thread=True, summary="Write the minutes in Markdown (If-Match once they exist)")
    def put_minutes(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    render_markdown: NamedDependency[Callable[[str], str]], meeting_id: RowId,
                    data: JSONBody[MinutesWrite], if_match: IfMatch = None) -> Response[MinutesOut]:
        with write_session(engine) as session:
            row = meetings_minutes.save_minutes(session, principal, meeting_id, data.markdown, if_match,
                                                render=render_markdown)
            return _with_etag(minutes_out(row, meetings.get_meeting(session, meeting_id)))

    def _advance(self, engine: Engine, principal: Principal, meeting_id: int, target: str) -> Response[MinutesOut]:
        with write_session(engine) as session:
            row = meetings_minutes.advance(session, principal, meeting_id, target)
            return _with_etag(minutes_out(row, meetings.get_meeting(session, meeting_id)))

    @post(MEETING + "/minutes/approve", sync_to_thread=True, status_code=200, summary="Approve draft minutes")
    def approve_minutes(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                        meeting_id: RowId) -> Response[MinutesOut]:
        return self._advance(engine, principal, meeting_id, rules.MINUTES_APPROVED)

    @post(MEETING + "/minutes/publish", sync_to_thread=True, status_code=200, summary="Publish approved minutes")
    def publish_minutes(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                        meeting_id: RowId) -> Response[MinutesOut]:
        return self._advance(engine, principal, meeting_id, rules.MINUTES_PUBLISHED)

    @get(MEETING + "/minutes/history", sync_to_thread=True, summary="Every saved text of the minutes, as diffs")
    def minutes_history(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                        meeting_id: RowId) -> MinutesHistory:
        with read_session(engine) as session:
            rows = meetings_minutes.history(session, principal, meeting_id)
            return MinutesHistory(meeting=meeting_id, items=[revision_out(r) for r in rows])

    # ---- outcomes and action items ----------------------------------------------------------------------

    @get(MEETING + "/outcomes", sync_to_thread=True, summary="Decisions and agreements of a meeting")
    def list_outcomes(self, engine: NamedDependency[Engine], meeting_id: RowId) -> OutcomeList:
        with read_session(engine) as session:
            rows = meetings_actions.list_outcomes(session, meeting_id)
            return OutcomeList(meeting=meeting_id, items=[outcome_out(r) for r in rows])

    @post(MEETING + "/outcomes", sync_to_thread=True, summary="Record a decision or agreement")
    def add_outcome(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                    meeting_id: RowId, data: JSONBody[OutcomeCreate]) -> Response[OutcomeOut]:
        with write_session(engine) as session:
            row = meetings_actions.add_outcome(session, principal, meeting_id, to_input(data, OutcomeInput))
            # an outcome has no URL of its own: the list it joined
            return Response(outcome_out(row), status_code=201, headers={"Location": f"{API}/meetings/{meeting_id}/outcomes"})

    @get(MEETING + "/actions", sync_to_thread=True, summary="The action items of a meeting")
    def meeting_actions(self, engine: NamedDependency[Engine], page: NamedDependency[Page],
                        meeting_id: RowId) -> ActionPage:
        with read_session(engine) as session:
            meetings.get_meeting(session, meeting_id)
            return self._actions(session, ActionFilters(meeting=meeting_id), page)

    @post(MEETING + "/actions", sync_to_thread=True, summary="Add an action item: owner, due date")
    def add_action(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                   meeting_id: RowId, data: JSONBody[ActionCreate]) -> ActionOut:
        with write_session(engine) as session:
            row = meetings_actions.add_action(session, principal, meeting_id, to_input(data, ActionInput))
            return action_out(row, _today())

    @staticmethod
    def _actions(session, filters: ActionFilters, page: Page) -> ActionPage:
        today = _today()
        rows, total = meetings_actions.list_actions(session, filters, today=today, limit=page.limit,
                                                    offset=page.offset)
        return ActionPage(items=[action_out(r, today) for r in rows], total=total, limit=page.limit,
                          offset=page.offset)

    @get("/actions", sync_to_thread=True, summary="Action items, soonest due first; overdue=true for the late ones")
    def list_actions(self, engine: NamedDependency[Engine], page: NamedDependency[Page],
                     overdue: FromQuery[bool] = False,
                     status: Annotated[Optional[Literal[rules.ACTION_STATUSES]], QueryParameter()] = None,  # type: ignore[valid-type]
                     owner: Annotated[Optional[str], QueryParameter(max_length=300)] = None,
                     meeting: OptionalRowId = None, sample: FromQuery[Optional[bool]] = None) -> ActionPage:
        with read_session(engine) as session:
            return self._actions(session, ActionFilters(meeting=meeting, status=status, overdue=overdue, owner=owner,
                                                        sample=sample), page)

    @patch("/actions/{action_id:int}", sync_to_thread=True,
           summary="Change an action item: status, due date, owner, carry-over (If-Match optional)")
    def update_action(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                      action_id: RowId, data: JSONBody[ActionUpdate], if_match: IfMatch = None) -> Response[ActionOut]:
        with write_session(engine) as session:
            row = meetings_actions.change_action(session, principal, action_id, action_change(data), if_match)
            out = action_out(row, _today())
        return Response(out, headers={"ETag": out.etag})

    # ---- calendar and exports ---------------------------------------------------------------------------

    @get("/meetings.ics", sync_to_thread=True, media_type=ICS, summary="The calendar feed (iCalendar) of a window of meetings")
    def calendar_feed(self, request: Request, engine: NamedDependency[Engine],
                      filters: NamedDependency[MeetingFilters]) -> Response:
        with read_session(engine) as session:
            return _file(meetings_calendar.feed(session, filters, _base_url(request), today=_today()), ICS)

    @get(MEETING + "/ics", sync_to_thread=True, media_type=ICS, summary="One meeting as iCalendar")
    def calendar_event(self, request: Request, engine: NamedDependency[Engine], meeting_id: RowId) -> Response:
        with read_session(engine) as session:
            meeting = meetings.get_meeting(session, meeting_id)
            return _file(meetings_calendar.one(session, meeting, _base_url(request)), ICS, f"meeting-{meeting_id}.ics")

    @get(MEETING + "/minutes.md", sync_to_thread=True, media_type="text/markdown", summary="The minutes as a Markdown file")
    def minutes_file(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                     meeting_id: RowId) -> Response:
        with read_session(engine) as session:
            minutes = meetings_minutes.get_minutes(session, principal, meeting_id)
            text = meetings_exchange.minutes_markdown(meetings.get_meeting(session, meeting_id), minutes)
            return _file(text, "text/markdown", f"meeting-{meeting_id}-minutes.md")

    @get("/meetings.csv", sync_to_thread=True, media_type=CSV, summary="Meetings as CSV (the filters of the list)")
    def meetings_csv(self, engine: NamedDependency[Engine], filters: NamedDependency[MeetingFilters]) -> Response:
        with read_session(engine) as session:
            return _file(meetings_exchange.meetings_csv(session, filters), CSV, "meetings.csv")

    @get("/meetings.json", sync_to_thread=True, summary="Meetings as JSON records, with minutes, outcomes and actions")
    def meetings_json(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                      filters: NamedDependency[MeetingFilters]) -> dict:
        with read_session(engine) as session:
            return meetings_exchange.export_records(session, filters, private=meetings.can_write(principal))

    @get(MEETING + "/participants.csv", sync_to_thread=True, media_type=CSV, summary="The participants of a meeting as CSV")
    def participants_csv(self, engine: NamedDependency[Engine], principal: NamedDependency[Principal],
                         meeting_id: RowId) -> Response:
        with read_session(engine) as session:
            text = meetings_exchange.participants_csv(session, meeting_id, private=meetings.can_write(principal))
            return _file(text, CSV, f"meeting-{meeting_id}-participants.csv")

    @get("/actions.csv", sync_to_thread=True, media_type=CSV, summary="Action items as CSV (the filters of /actions)")
    def actions_csv(self, engine: NamedDependency[Engine], overdue: FromQuery[bool] = False,
                    meeting: OptionalRowId = None, sample: FromQuery[Optional[bool]] = None) -> Response:
        with read_session(engine) as session:
            filters = ActionFilters(meeting=meeting, overdue=overdue, sample=sample)
            return _file(meetings_exchange.actions_csv(session, filters, today=_today()), CSV, "actions.csv")

    # ---- documents --------------------------------------------------------------------------------------

    @get("/documents/{jurisdiction:str}/{slug:str}/meetings", sync_to_thread=True,
         summary="The meetings that discussed a document")
    def document_meetings(self, engine: NamedDependency[Engine], page: NamedDependency[Page],
                          jurisdiction: FromPath[str], slug: FromPath[str]) -> MeetingPage:
        with read_session(engine) as session:
            document = get_document(session, parse_name(f"{jurisdiction}/{slug}"))
            rows, total = meetings_search.meetings_for_document(session, document.id, limit=page.limit,  # type: ignore[arg-type]
                                                                offset=page.offset)
            tags = meetings.tags_of(session, [r.id for r in rows])  # type: ignore[misc]
            return MeetingPage(items=[meeting_summary(r, tags[r.id]) for r in rows], total=total,  # type: ignore[index]
                               limit=page.limit, offset=page.offset)
