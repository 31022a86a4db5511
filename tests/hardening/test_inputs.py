"""Issue 13, item 6 (inputs, the data-facing part): numbers beyond range, far dates, ids in one canonical form,
LIKE wildcards, `$ref` cycles through anchors, ids and dynamic references, and unsafe URLs. Each answer is a 4xx in
the one error shape, and nothing stored changes on a refused request."""

from __future__ import annotations

import json

import pytest

from tests.conftest import auth
from tests.hardening.support import snapshot
from tests.test_compliance import SEVEN_DAYS
from tests.test_error_shape import check_shape

HUGE_INTEGER = "1" + "0" * 4999


# ---- numbers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [HUGE_INTEGER, "1e400", "-1e400", "1" + "0" * 400 + ".5"])
def test_a_number_beyond_range_is_one_error_line_in_a_batch_and_the_valid_lines_are_answered(corpus_client, number):
    lines = [json.dumps({"id": "a", "profile": SEVEN_DAYS}),
             '{"id": "big", "profile": {"consumer_protection": {"withdrawal_period_days": ' + number + '}}}',
             json.dumps({"id": "c", "profile": SEVEN_DAYS})]
    response = corpus_client.post("/api/v1/compliance/batch?markets=EU", content="\n".join(lines).encode())
    assert response.status_code == 200
    results = [json.loads(line) for line in response.text.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3]
    assert results[1]["error"]["code"] == "number_out_of_range" and results[1]["error"]["status"] == 400
    assert [r["id"] for r in (results[0], results[2])] == ["a", "c"]
    assert all(r["results"][0]["market"] == "EU" for r in (results[0], results[2]))


@pytest.mark.parametrize("number", [HUGE_INTEGER, "1e400"])
def test_a_number_beyond_range_in_a_schema_is_400(client, make_token, mini_engine, number):
    admin = auth(make_token("admin"))
    schema = '{"type": "object", "properties": {"n": {"maximum": ' + number + '}}}'
    before = snapshot(mini_engine)
    for url, body in [("/api/v1/documents/EU/consumer-protection/versions", '{"schema": ' + schema + '}'),
                      ("/api/v1/compare", '{"left_schema": ' + schema + ', "right_schema": {}}'),
                      ("/api/v1/compliance/check", '{"markets": ["EU"], "profile": {"n": ' + number + '}}')]:
        response = client.post(url, content=body.encode(), headers={**admin, "Content-Type": "application/json"})
        check_shape(response, 400, "number_out_of_range")
    assert snapshot(mini_engine) == before
