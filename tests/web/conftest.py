"""Browser tests: a real uvicorn server on 127.0.0.1 over the shipped corpus plus a few meetings, driven by
Debian's chromium through Playwright. Without /usr/bin/chromium they skip, except under CI=true where they fail.
Every page visit fails on a console error, a failed request or a same-origin response >= 400."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from registry.settings import Settings
from registry.storage.database import make_engine, write_session
from tests.conftest import ROOT, STANDARDS, TEST_ADMIN, load_folder, own_pg_database

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# the tracked pictures in docs/screenshots/ change only when asked (REGISTRY_UPDATE_SCREENSHOTS=1); an ordinary run
# writes its pictures to a folder of its own, so running the suite never leaves the checkout changed
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("REGISTRY_UPDATE_SCREENSHOTS") == "1"
               else Path(tempfile.gettempdir()) / f"registry-screenshots-{os.getpid()}")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI=true: apt-get install -y chromium", pytrace=False)
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y chromium); CI=true makes this fail")
    for item in items:
        if Path(str(item.path)).is_relative_to(Path(__file__).parent):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory, _corpus_template: Path | None,
                     worker_id: str, testrun_uid: str) -> Iterator[str]:
    """A database of the browser tests' own, holding the shipped corpus (it outlives single tests)."""
    if _corpus_template is not None:
        path = tmp_path_factory.mktemp("web") / "registry.db"
        shutil.copyfile(_corpus_template, path)
        yield f"sqlite:///{path}"
        return
    with own_pg_database("rcr_web", worker_id, testrun_uid) as url:
        engine = make_engine(url)
        load_folder(engine, STANDARDS)
        engine.dispose()
        yield url


def add_meetings(url: str) -> dict[str, int]:
    """A held meeting with published minutes, an outcome and an overdue action; and a planned one ahead."""
    from registry.services import meetings, meetings_actions, meetings_minutes
    from registry.services.meetings import AgendaInput, MeetingInput, ParticipantInput
    from registry.web.markdown import render

    engine = make_engine(url)
    today = dt.date.today()
    with write_session(engine) as session:
        held = meetings.create_meeting(session, TEST_ADMIN, MeetingInput(
            title="EU–China dialogue on consumer protection", type="government-enterprise-dialogue",
            start="2025-06-12T10:00", end="2025-06-12T12:30", timezone="Europe/Berlin",
            place="Bundesministerium, Berlin", host="Federal Ministry for Economic Affairs",
            description="Withdrawal periods and refunds for cross-border sales.",
            jurisdictions=("EU", "CN"), topics=("consumer-protection",), documents=("EU/consumer-protection@1",),
            participants=(ParticipantInput(name="European Commission", jurisdiction="EU", role="government"),
                          ParticipantInput(name="Chen Wei", kind="person", organisation="Example Marketplace",
                                           jurisdiction="CN", role="enterprise")),
            agenda=(AgendaInput(title="Withdrawal periods", presenter="DG JUST", duration_minutes=45),)))
        session.flush()
        meetings.transition(session, TEST_ADMIN, held.id, "hold")
        meetings_minutes.save_minutes(session, TEST_ADMIN, held.id, "## Summary\n\nBoth sides described their "
                                      "withdrawal periods.\n\n- EU: 14 days\n- CN: 7 days\n", None, render=render)
        meetings_minutes.advance(session, TEST_ADMIN, held.id, "approved")
        meetings_minutes.advance(session, TEST_ADMIN, held.id, "published")
        meetings_actions.add_outcome(session, TEST_ADMIN, held.id, meetings_actions.OutcomeInput(
            text="Publish a joint table of withdrawal periods", kind="agreement"))
        meetings_actions.add_action(session, TEST_ADMIN, held.id, meetings_actions.ActionInput(
            title="Draft the joint table", owner_organisation="European Commission",
            due_date=today - dt.timedelta(days=30)))
        ahead = today + dt.timedelta(days=20)
        planned = meetings.create_meeting(session, TEST_ADMIN, MeetingInput(
            title="Central Asia e-invoicing workshop", type="multilateral", start=f"{ahead}T09:00",
            end=f"{ahead}T17:00", timezone="Asia/Almaty", place="Almaty", jurisdictions=("KZ", "RU"),
            topics=("e-invoicing",)))
        session.flush()
        ids = {"held": held.id, "planned": planned.id}
    engine.dispose()
    return ids


class Server:
    def __init__(self, url: str) -> None:
        import uvicorn

        from registry.app import create_app

        settings = Settings.from_env({}, database_url=url, load_corpus_on_start=False, standards_dir=STANDARDS)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def site(web_database_url: str) -> Iterator[dict]:
    ids = add_meetings(web_database_url)
    from registry.services import tokens

    engine = make_engine(web_database_url)
    with write_session(engine) as session:
        _, regulator = tokens.create(session, TEST_ADMIN, name="EU desk", role="regulator", jurisdictions=("EU",))
        _, secretariat = tokens.create(session, TEST_ADMIN, name="Secretariat", role="secretariat")
    engine.dispose()
    with Server(web_database_url) as server:
        yield {"base": server.base, "meetings": ids, "regulator": regulator, "secretariat": secretariat,
               "url": web_database_url}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A Playwright page that records console errors, failed requests and same-origin responses >= 400."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base, self.problems = page, base, []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.url.startswith(base) and r.status >= 400 and not self.expect_error
                and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.expect_error = False

    def _failed(self, request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page navigated away (a click while the
        # favicon still loads), not a failure of the server; everything else counts
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} {request.failure}")

    def visit(self, path: str) -> object:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        self.check()
        return response

    def check(self) -> None:
        problems, self.problems[:] = list(self.problems), []
        assert not problems, problems

    def screenshot(self, name: str) -> list[Path]:
        """The page at each width in WIDTHS, written to SCREENSHOTS/{name}-{width}.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        paths = []
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"{name}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        return paths

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the current page (WCAG 2 A and AA rules)."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate("async () => await axe.run(document, {runOnly: {type: 'tag', values: "
                                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def web(browser, site) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=False)
    context.set_default_timeout(10_000)
    watched = Watched(context.new_page(), site["base"])
    yield watched
    try:
        watched.check()
    finally:
        context.close()


def sign_in(web: Watched, token: str) -> None:
    web.visit("/sign-in")
    web.page.fill("#token", token)
    web.page.click("button[type=submit]")
    web.page.wait_for_load_state()
    assert web.page.url.endswith("/sign-in")
    assert web.page.locator("[role=status]").count() == 1, web.page.content()[:2000]
    web.check()
