"""Property-based fuzzing of every operation of the app's own OpenAPI document (schemathesis, in-process ASGI):
no 5xx, every response in its documented schema and content type. Bounded and derandomised so CI is stable."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from litestar.testing import TestClient
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from registry.app import create_app
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import make_engine, write_session
from registry.storage.migrate import migrate
from tests.conftest import MINI, STANDARDS, TEST_ADMIN, auth, empty_database, load_folder
from tests.meetings.support import MEETINGS, body

EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _document() -> dict:
    """The OpenAPI document, built without a database (the routes do not depend on one)."""
    app = create_app(Settings.from_env({}, database_url="sqlite://", load_corpus_on_start=False))
    return app.openapi_schema.to_schema()


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx, value) -> bytes:
    """The batch route's body: the documented array, one item per line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


# read at import; every case is sent to the app over this module's database (app=…)
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory, pg_database):
    """One database for the module: the mini corpus, an admin token, a meeting with minutes and an action item
    (so that id 1 exists for the fuzzer to find); the app over it, started."""
    url = empty_database(tmp_path_factory.mktemp("fuzz"), pg_database)
    engine = make_engine(url)
    migrate(engine)
    load_folder(engine, MINI)
    with write_session(engine) as session:
        _, secret = tokens.create(session, TEST_ADMIN, name="fuzz", role="admin")
    engine.dispose()
    header = auth(secret)
    app = create_app(Settings.from_env({}, database_url=url, load_corpus_on_start=False, standards_dir=STANDARDS))
    with TestClient(app) as client:
        assert client.post(MEETINGS, json=body(), headers=header).status_code == 201
        client.put(f"{MEETINGS}/1/minutes", json={"markdown": "# Minutes"}, headers=header)
        client.post(f"{MEETINGS}/1/actions", json={"title": "Follow up", "owner": "DG JUST", "due": "2025-07-01"},
                    headers=header)
        yield app, header


@schema.parametrize()
@BOUNDED
def test_every_operation_anonymously(case, fuzz_target):
    app, _ = fuzz_target
    case.call_and_validate(app=app, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_with_an_admin_token(case, fuzz_target):
    app, header = fuzz_target
    case.call_and_validate(app=app, headers=header, checks=CHECKS)


def test_the_fuzzer_sees_every_api_route(fuzz_target):
    app, _ = fuzz_target
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    routes = {(method, route.path.replace(":str}", "}").replace(":int}", "}"))
              for route in app.routes if route.path.startswith("/api/")
              for method in getattr(route, "http_methods", ()) if method not in ("HEAD", "OPTIONS")}
    assert len(operations) >= 50 and routes - operations == set()
