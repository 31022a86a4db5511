"""Site search (issue 16, item 9): one normaliser for both engines, stems, CJK and Cyrillic, rules found by their
summaries, citations and quotes, drafts hidden from the public, the index kept in step, results grouped by kind."""

from __future__ import annotations

import random
import re

import pytest
from sqlmodel import delete, select

from registry.domain.access import ANONYMOUS
from registry.domain.search import index_text, query_words, version
from registry.services import search, startup
from registry.storage.database import read_session, write_session
from registry.storage.tables import SearchEntry
from tests.conftest import auth
from tests.meetings.support import MEETINGS, body as meeting_body
from tests.test_lifecycle import DOC, schema

SEARCH = "/api/v1/search"


def found(client, q: str, headers: dict[str, str] | None = None) -> dict[str, list[dict]]:
    response = client.get(SEARCH, params={"q": q}, headers=headers or {})
    assert response.status_code == 200, response.text
    return {g["kind"]: g["items"] for g in response.json()["groups"]}


def titles(groups: dict[str, list[dict]], kind: str) -> list[str]:
    return [item["title"] for item in groups[kind]]


# ---- the normaliser ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [("returns", "return"), ("withdrawal", "withdraw"), ("Withdrawals", "withdrawing"),
                                  ("возврата", "возврат"), ("Café", "cafe")])
def test_inflected_forms_meet_in_one_word(a, b):
    assert query_words(a) == query_words(b)
    assert query_words(a)[0] in index_text(f"some text with {b} in it").split()


def test_han_text_is_indexed_as_characters_and_bigrams_and_found_by_any_part():
    indexed = set(index_text("中华人民共和国电子商务法").split())
    for query in ("中华人民共和国", "电子商务", "人民", "法"):
        assert set(query_words(query)) <= indexed, query
    assert not set(query_words("人民币")) <= indexed  # 民币 is not in the text


def test_the_words_are_plain_ascii_and_operators_are_no_operators():
    words = index_text('Китай 中国 "NEAR(a b)" -x* OR AND').split()
    assert all(re.fullmatch(r"[a-z0-9]+", w) for w in words), words
    assert query_words('"" * - ( )') == []
    assert query_words("OR") == ["or"]  # a word to find, never an FTS5 or tsquery operator


def test_the_stemmers_give_each_thread_its_own_answer():
    from concurrent.futures import ThreadPoolExecutor

    text = " ".join(["withdrawals returning возврата consumers китайский"] * 200)
    expected = index_text(text)
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(index_text, [text] * 64)) == {expected}


def test_the_indexed_words_are_bounded_whatever_the_text():
    from registry.domain.search import MAX_TEXT

    indexed = index_text("电子商务法" * 100_000)  # 500,000 Han characters
    assert len(indexed) <= MAX_TEXT and set(query_words("商务")) <= set(indexed.split())


def test_minutes_of_han_text_at_the_limit_are_stored_and_found(client, make_token):
    secretariat = auth(make_token("secretariat"))
    created = client.post(MEETINGS, json=meeting_body(title="Long minutes"), headers=secretariat)
    assert created.status_code == 201, created.text
    meeting = created.json()
    # Han text whose character pairs are nearly all different: indexed whole, PostgreSQL refuses it (tsvector
    # over 1 MB); its first MAX_TEXT characters of words are kept
    rng = random.Random(16)
    minutes = "".join(chr(0x4E00 + rng.randrange(20_000)) for _ in range(190_000))
    url = f"{MEETINGS}/{meeting['id']}"
    assert client.post(f"{url}/hold", headers=secretariat).status_code == 200
    saved = client.put(f"{url}/minutes", json={"markdown": minutes}, headers=secretariat)
    assert saved.status_code == 200, saved.text
    for step in ("approve", "publish"):  # published: the minutes become words of the meeting
        assert client.post(f"{url}/minutes/{step}", headers=secretariat).status_code == 200
    assert titles(found(client, minutes[:3]), "meeting") == ["Long minutes"]


# ---- the shipped corpus ------------------------------------------------------------------------------------------

def test_withdrawal_finds_the_eu_consumer_protection_rules_and_document(corpus_client):
    groups = found(corpus_client, "withdrawal")
    assert any(t.startswith("EU-CP-WITHDRAWAL-14D:") for t in titles(groups, "rule")), titles(groups, "rule")
    assert any(t.startswith("EU/consumer-protection ") for t in titles(groups, "document"))
    rule = next(i for i in groups["rule"] if i["title"].startswith("EU-CP-WITHDRAWAL-14D:"))
    # which version, its status and the citation: the user can tell what the hit is
    assert "Directive 2011/83/EU Art 9(1)" in rule["detail"] and "EU/consumer-protection@" in rule["detail"]
    assert rule["url"].startswith("/documents/EU/consumer-protection/versions/")
    assert rule["draft"] is False


def test_rules_are_found_by_the_vocabulary_names_they_constrain_not_by_schema_keywords(corpus_client):
    rules = found(corpus_client, "withdrawal_period_days")["rule"]
    assert rules and all("-CP-" in i["title"] for i in rules), [i["title"] for i in rules]
    assert found(corpus_client, "allOf")["rule"] == []  # a keyword on every rule's pointer


def test_returns_finds_the_documents_that_return_finds(corpus_client):
    returns, return_ = found(corpus_client, "returns"), found(corpus_client, "return")
    assert titles(returns, "document") and titles(returns, "document") == titles(return_, "document")
    assert any(t.startswith("CN/consumer-protection ") for t in titles(returns, "document"))


@pytest.mark.parametrize("query", ["China", "china", "CN", "中国", "Китай"])
def test_china_by_code_and_by_name_in_each_listed_language(corpus_client, query):
    groups = found(corpus_client, query)
    assert [i["url"] for i in groups["jurisdiction"]][:1] == ["/jurisdictions/CN"], groups["jurisdiction"]


def test_the_listed_names_are_shown_on_the_jurisdiction_page_and_in_its_json(corpus_client):
    assert corpus_client.get("/api/v1/jurisdictions/CN").json()["names"] == {"ru": "Китай", "zh": "中国"}
    page = corpus_client.get("/jurisdictions/CN").text
    assert '<span lang="ru">Китай</span> (ru), <span lang="zh">中国</span> (zh)' in page


def test_a_russian_word_of_the_quoted_sources_finds_the_russian_rules(corpus_client):
    # "возврата" (genitive) in the RU Consumer Protection Law's quote; the query is the nominative
    rules = titles(found(corpus_client, "возврат"), "rule")
    assert any(t.startswith("RU-CP-") for t in rules), rules


def test_a_chinese_phrase_of_the_quoted_sources_finds_the_chinese_rules(corpus_client):
    rules = titles(found(corpus_client, "七日"), "rule")  # "seven days" in the quoted PRC consumer law
    assert any(t.startswith("CN-CP-RETURN") for t in rules), rules


def test_the_page_groups_results_by_kind(corpus_client):
    page = corpus_client.get("/search", params={"q": "China"})
    assert page.status_code == 200
    kinds = re.findall(r'<section class="search-group" data-kind="(\w+)"', page.text)
    assert kinds == ["jurisdiction", "document", "rule", "meeting"]
    sections = dict(re.findall(r'data-kind="(\w+)"(.*?)</section>', page.text, re.S))
    assert 'href="/jurisdictions/CN"' in sections["jurisdiction"]
    assert 'href="/documents/CN/' in sections["document"] and 'href="/jurisdictions/CN"' not in sections["document"]
    assert re.search(r"<h2[^>]*>Rules \(\d+\)</h2>", sections["rule"])
    assert "None." in sections["meeting"]


def test_an_empty_or_operator_only_query(corpus_client):
    assert corpus_client.get(SEARCH, params={"q": ""}).status_code == 400
    answer = corpus_client.get(SEARCH, params={"q": '"*"'}).json()
    assert answer["words"] == [] and all(g["total"] == 0 for g in answer["groups"])
    assert "No words to find" in corpus_client.get("/search", params={"q": "*"}).text


# ---- drafts, and the index kept in step ----------------------------------------------------------------------------

def _with_summary(days: int, summary: str) -> dict:
    body = schema(days)
    body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["x-rule"]["summary"] = summary
    return body


def test_drafts_never_reach_the_public_and_publishing_makes_them_findable(client, make_token):
    eu = auth(make_token("regulator", "EU"))
    cn = auth(make_token("regulator", "CN"))
    created = client.post(f"{DOC}/versions", json={"schema": _with_summary(21, "Zanzibarian cooling-off period."),
                                                  "effective_from": "2024-01-01"}, headers=eu)
    assert created.status_code == 201, created.text
    for headers in ({}, cn):  # the public, and a writer of another jurisdiction
        assert found(client, "zanzibarian", headers)["rule"] == []
        assert "Zanzibarian" not in client.get("/search", params={"q": "zanzibarian"}, headers=headers).text
    mine = found(client, "zanzibarian", eu)["rule"]
    assert [(i["draft"], "(draft)" in i["detail"]) for i in mine] == [(True, True)]

    # an edit of the draft is what search sees next
    edited = client.put(f"{DOC}/versions/2", json={"schema": _with_summary(21, "Quokkaesque cooling-off period."),
                                                   "effective_from": "2024-01-01"},
                        headers={**eu, "If-Match": created.headers["etag"]})
    assert edited.status_code == 200, edited.text
    assert found(client, "zanzibarian", eu)["rule"] == []
    assert client.post(f"{DOC}/versions/2/publish", headers=eu).status_code == 200
    public = found(client, "quokkaesque")["rule"]
    assert len(public) == 1 and public[0]["draft"] is False
    assert "EU/consumer-protection@2 (published)" in public[0]["detail"]
    # withdrawn: never law, so its rules are no longer found
    withdrawn = client.post(f"{DOC}/versions/2/withdraw", json={"reason": "published in error"}, headers=eu)
    assert withdrawn.status_code == 200, withdrawn.text
    assert found(client, "quokkaesque", eu)["rule"] == []


def test_meetings_are_found_by_stem_and_follow_their_changes(client, make_token):
    secretariat = auth(make_token("secretariat"))
    created = client.post(MEETINGS, json=meeting_body(title="Platypus dialogue on refunds"), headers=secretariat)
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert titles(found(client, "platypuses"), "meeting") == ["Platypus dialogue on refunds"]
    assert titles(found(client, "withdrawing"), "meeting") == ["Platypus dialogue on refunds"]  # "Withdrawal periods"
    renamed = client.patch(f"{MEETINGS}/{meeting['id']}", json={"title": "Echidna dialogue"},
                           headers={**secretariat, "If-Match": meeting["etag"]})
    assert renamed.status_code == 200, renamed.text
    assert found(client, "platypus")["meeting"] == []
    assert titles(found(client, "echidna"), "meeting") == ["Echidna dialogue"]


def test_deleted_sample_meetings_leave_the_index(client, make_token, database_url):
    from registry.services import meetings
    from registry.storage.database import make_engine
    from registry.storage.tables import Meeting
    from tests.conftest import TEST_ADMIN

    secretariat = auth(make_token("secretariat"))
    created = client.post(MEETINGS, json=meeting_body(title="Wombat sample meeting"), headers=secretariat)
    assert created.status_code == 201, created.text
    engine = make_engine(database_url)
    try:
        with write_session(engine) as session:
            row = session.get(Meeting, created.json()["id"])
            row.sample = True
            session.add(row)
        with write_session(engine) as session:
            assert meetings.delete_sample_meetings(session, TEST_ADMIN) == 1  # one bulk DELETE
        with read_session(engine) as session:
            assert session.exec(select(SearchEntry).where(SearchEntry.kind == "meeting")).all() == []
    finally:
        engine.dispose()
    assert found(client, "wombat")["meeting"] == []


def test_a_word_in_tens_of_thousands_of_entries_is_counted_and_the_best_shown(mini_engine):
    from sqlalchemy import insert

    rows = [{"kind": "document", "key": f"XX/bulk-{i}", "item": f"XX/bulk-{i}", "namespace": "XX", "draft": False,
             "title": f"Aardvark {i}", "url": f"/documents/XX/bulk-{i}", "detail": "",
             "title_words": "aardvark" + (" aardvark" if i == 777 else ""), "text_words": f"n{i}"}
            for i in range(40_000)]  # more than SQLite's 32,766 bound parameters, were the matches listed
    with write_session(mini_engine) as session:
        session.execute(insert(SearchEntry), rows)
    with read_session(mini_engine) as session:
        found_ = search.search(session, "aardvarks", ANONYMOUS, limit=5)
    assert found_.totals["document"] == 40_000 and len(found_.groups["document"]) == 5
    assert found_.groups["document"][0].title == "Aardvark 777"  # the word twice in its title ranks first


def _index(engine) -> tuple[str | None, set[str]]:
    """The index's mark (which normaliser wrote it) and the kinds of its entries."""
    with read_session(engine) as session:
        rows = session.exec(select(SearchEntry)).all()
    return next((e.key for e in rows if e.kind == "index"), None), {e.kind for e in rows if e.kind != "index"}


def test_an_index_written_as_the_registry_grew_is_current_and_not_rebuilt_on_start(mini_engine):
    assert _index(mini_engine) == (version(), {"jurisdiction", "document", "rule"})
    with write_session(mini_engine) as session:
        session.exec(delete(SearchEntry).where(SearchEntry.kind == "rule"))  # type: ignore[call-overload]
    startup.prepare(mini_engine, None)
    assert _index(mini_engine) == (version(), {"jurisdiction", "document"})  # no rebuild: its mark is current


@pytest.mark.parametrize("mark", [None, "0", "1 snowballstemmer"])
def test_an_index_of_another_normaliser_or_none_is_rebuilt_on_start(mini_engine, mark):
    with write_session(mini_engine) as session:
        session.exec(delete(SearchEntry))  # type: ignore[call-overload]
        if mark is not None:
            session.add(SearchEntry(kind="index", key=mark, title="", url=""))
    startup.prepare(mini_engine, None)
    assert _index(mini_engine) == (version(), {"jurisdiction", "document", "rule"})
    with read_session(mini_engine) as session:
        assert [h.url for h in search.search(session, "China", ANONYMOUS).groups["jurisdiction"]] == \
            ["/jurisdictions/CN"]


def test_the_migration_marks_the_index_of_a_registry_that_held_anything_for_a_rebuild(mini_engine):
    from alembic import command

    from registry.storage.migrate import _config, migrate

    config = _config()
    with mini_engine.execution_options(registry_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_coverage")
    migrate(mini_engine)
    assert _index(mini_engine) == ("0", set())
    startup.prepare(mini_engine, None)
    assert _index(mini_engine) == (version(), {"jurisdiction", "document", "rule"})


def test_a_corpus_load_keeps_jurisdiction_names_in_step(engine, tmp_path):
    import json
    import shutil

    from tests.conftest import MINI, load_folder

    folder = tmp_path / "corpus"
    shutil.copytree(MINI, folder)
    load_folder(engine, folder)
    data = json.loads((folder / "jurisdictions.json").read_text())
    data["jurisdictions"][0]["names"] = {"zh": "中国", "ru": "Китай"}
    (folder / "jurisdictions.json").write_text(json.dumps(data, ensure_ascii=False))
    load_folder(engine, folder)
    with read_session(engine) as session:
        for query in ("中国", "Китай"):
            hits = search.search(session, query, ANONYMOUS)
            assert [h.url for h in hits.groups["jurisdiction"]] == ["/jurisdictions/CN"], query
            assert {h.url.split("/")[2] for h in hits.groups["document"]} == {"CN"}  # CN's documents, by its name


def test_a_names_entry_that_is_no_language_tag_is_refused(engine, tmp_path):
    import json
    import shutil

    from registry.services import corpus
    from tests.conftest import MINI, TEST_ADMIN

    folder = tmp_path / "corpus"
    shutil.copytree(MINI, folder)
    data = json.loads((folder / "jurisdictions.json").read_text())
    data["jurisdictions"][0]["names"] = {"Chinese": "中国"}
    (folder / "jurisdictions.json").write_text(json.dumps(data, ensure_ascii=False))
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    assert not report.ok
    assert any("names.Chinese must map a language tag" in e.detail for e in report.errors), report.errors
