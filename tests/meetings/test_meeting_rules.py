"""The pure rules of registry.domain.meetings: times in zones, states, search terms, the feed window."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from registry.domain import meetings as rules
from registry.errors import Conflict, InvalidInput, Unprocessable

BERLIN = rules.zone("Europe/Berlin")
UTC = dt.timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2025-06-12T10:00", dt.datetime(2025, 6, 12, 8, 0, tzinfo=UTC)),
    ("2025-01-12T10:00", dt.datetime(2025, 1, 12, 9, 0, tzinfo=UTC)),
    ("2025-10-26T02:30", dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),  # the fold: first occurrence
    ("2025-10-26T02:30+01:00", dt.datetime(2025, 10, 26, 1, 30, tzinfo=UTC)),
    ("2025-03-30T03:00", dt.datetime(2025, 3, 30, 1, 0, tzinfo=UTC)),
    ("2025-06-12T08:00:00Z", dt.datetime(2025, 6, 12, 8, 0, tzinfo=UTC)),
])
def test_local_times_to_utc(text, expected):
    assert rules.local_to_utc(text, BERLIN, pointer="/start") == expected


@pytest.mark.parametrize("text", ["2025-03-30T02:00", "2025-03-30T02:30", "2025-03-30T02:59"])
def test_times_in_the_spring_gap_are_refused(text):
    with pytest.raises(Unprocessable) as caught:
        rules.local_to_utc(text, BERLIN, pointer="/start")
    assert caught.value.code == "nonexistent_local_time" and caught.value.pointer == "/start"


@pytest.mark.parametrize("text", ["", "2025-06-12", "10:00", "2025-06-12T25:00", "x" * 100, "2025-06-12T10:00 CEST"])
def test_malformed_times_are_refused(text):
    with pytest.raises(InvalidInput):
        rules.local_to_utc(text, BERLIN, pointer="/start")


def test_states():
    rules.check_transition("planned", "held", what="m")
    for current, target in (("held", "cancelled"), ("cancelled", "planned"), ("confirmed", "planned")):
        with pytest.raises(Conflict):
            rules.check_transition(current, target, what="m")
    rules.check_minutes_transition("approved", "published", what="m")
    with pytest.raises(Conflict):
        rules.check_minutes_transition("draft", "published", what="m")
    with pytest.raises(Conflict):
        rules.check_action_transition("done", "open", what="a")
    assert rules.is_overdue("open", dt.date(2025, 1, 1), dt.date(2025, 1, 2))
    assert not rules.is_overdue("open", dt.date(2025, 1, 2), dt.date(2025, 1, 2))
    assert not rules.is_overdue("done", dt.date(2025, 1, 1), dt.date(2025, 1, 2))
    assert not rules.is_overdue("in_progress", None, dt.date(2025, 1, 2))


@pytest.mark.parametrize("q", ['NEAR(a b)', 'a* OR b', '"x" AND -y', "col:val", "^start", "{a b}: c", "ü's"])
def test_every_search_is_a_valid_fts5_query_of_plain_words(q):
    """Operators become words that must all be there (the row holds `near`, `or` and `and`)."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    connection.execute("INSERT INTO t VALUES ('near a b or and col val start c x y s ü')")
    terms = rules.search_terms(q)
    assert terms and not any(set(t) & set('"*:^(){}-') for t in terms)
    assert rules.search_terms('"*(-^') == []
    assert connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (rules.fts5_query(terms),)).fetchone() == (1,)


def test_feed_window():
    today = dt.date(2026, 6, 1)
    assert rules.feed_window(None, None, today) == (dt.date(2025, 6, 1), dt.date(2028, 5, 31))
    assert rules.feed_window(dt.date(2026, 1, 1), dt.date(2026, 12, 31), today) == (dt.date(2026, 1, 1),
                                                                                    dt.date(2026, 12, 31))
    with pytest.raises(InvalidInput):
        rules.feed_window(dt.date(2020, 1, 1), dt.date(2026, 1, 1), today)
    with pytest.raises(InvalidInput):
        rules.feed_window(dt.date(2026, 1, 2), dt.date(2026, 1, 1), today)


def test_document_links():
    assert str(rules.parse_document_link("EU/consumer-protection@3", pointer="/d")) == "EU/consumer-protection@3"
    for bad in ("EU/consumer-protection@", "EU/consumer-protection@latest", "EU/consumer-protection@0", "EU"):
        with pytest.raises(InvalidInput):
            rules.parse_document_link(bad, pointer="/d")
