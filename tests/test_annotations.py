"""Annotations are not constraints: the content hash leaves `x-rule` annotations out (only where `x-rule` is a keyword
of a schema object), amendments of a recorded version's annotations are revisions with their history, the corpus
loader records them, export writes them back, and no cache answers with the annotations before an amendment."""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil

import pytest
from sqlalchemy import text
from sqlmodel import select

from registry.domain.canonical import (
    annotations_of,
    content_hash,
    schema_hash,
    version_hashes,
    without_annotations,
)
from registry.domain.compliance import RuleVersion, check_market
from registry.services import annotations, corpus
from registry.storage.database import make_engine, read_session, write_session
from registry.storage.migrate import MIGRATIONS, migrate
from registry.storage.tables import AnnotationRevision, AuditEvent, Document, Version
from tests.conftest import MINI, STANDARDS, TEST_ADMIN, auth, downgrade, load_folder

DOC = "/api/v1/documents/CN/consumer-protection"
CN_FILE = "documents/CN/consumer-protection.json"
RULE = ("properties", "consumer_protection", "properties", "withdrawal_period_days")


def _rule_of(schema: dict) -> dict:
    node = schema
    for key in RULE:
        node = node[key]
    return node["x-rule"]


# ---- the hash -------------------------------------------------------------------------------------------------

TRICKY = {
    "type": "object",
    "x-rule": {"id": "ROOT", "citation": "c"},
    "properties": {
        "x-rule": {"type": "string", "x-rule": {"id": "NAMED-X-RULE"}},  # a property named "x-rule"
        "kind": {"const": {"x-rule": "in a const value"}, "enum": [{"x-rule": 1}, 2],
                 "default": {"x-rule": "d"}, "examples": [{"x-rule": "e"}]},
        "list": {"items": {"minimum": 1, "x-rule": {"id": "ITEMS"}},
                 "prefixItems": [{"x-rule": {"id": "PREFIX"}, "type": "integer"}]},
    },
    "patternProperties": {"^x-rule$": {"x-rule": {"id": "PATTERN"}, "type": "number"}},
    "$defs": {"x-rule": {"x-rule": {"id": "DEF"}, "maximum": 3}},
    "allOf": [{"if": {"x-rule": {"id": "IF"}, "required": ["a"]}, "then": {"x-rule": {"id": "THEN"}}}],
    "x-other": {"x-rule": "an unknown keyword's value is data"},
}


def test_x_rule_is_removed_only_where_it_is_a_keyword_of_a_schema_object():
    stripped = without_annotations(TRICKY)
    assert "x-rule" not in stripped
    assert stripped["properties"]["x-rule"] == {"type": "string"}  # the property stays, its annotation goes
    kind = stripped["properties"]["kind"]
    assert kind == TRICKY["properties"]["kind"]  # const, enum, default, examples: values, kept as written
    assert stripped["properties"]["list"] == {"items": {"minimum": 1}, "prefixItems": [{"type": "integer"}]}
    assert stripped["patternProperties"] == {"^x-rule$": {"type": "number"}}
    assert stripped["$defs"] == {"x-rule": {"maximum": 3}}
    assert stripped["allOf"] == [{"if": {"required": ["a"]}, "then": {}}]
    assert stripped["x-other"] == {"x-rule": "an unknown keyword's value is data"}
    assert TRICKY["x-rule"]["id"] == "ROOT"  # the argument is not changed
    assert set(annotations_of(TRICKY)) == {"", "/properties/x-rule", "/properties/list/items",
                                           "/properties/list/prefixItems/0", "/patternProperties/^x-rule$",
                                           "/$defs/x-rule", "/allOf/0/if", "/allOf/0/then"}


@pytest.mark.parametrize("edit, same", [
    (lambda s: s["x-rule"].update(citation="another"), True),
    (lambda s: s["properties"]["x-rule"]["x-rule"].update(summary="new"), True),
    (lambda s: s["$defs"]["x-rule"].pop("x-rule"), True),
    (lambda s: s["properties"]["list"]["items"].update({"x-rule": {"id": "OTHER"}}), True),
    (lambda s: s["properties"].pop("x-rule"), False),  # the property named x-rule is a constraint's place
    (lambda s: s["properties"]["kind"]["const"].update({"x-rule": "changed"}), False),
    (lambda s: s["properties"]["kind"]["enum"][0].update({"x-rule": 9}), False),
    (lambda s: s["properties"]["kind"]["default"].update({"x-rule": "changed"}), False),
    (lambda s: s["properties"]["kind"]["examples"][0].update({"x-rule": "changed"}), False),
    (lambda s: s["$defs"]["x-rule"].update(maximum=4), False),
    (lambda s: s["patternProperties"]["^x-rule$"].update(type="string"), False),
    (lambda s: s["x-other"].update({"x-rule": "changed"}), False),
])
def test_the_content_hash_ignores_annotations_and_nothing_else(edit, same):
    changed = copy.deepcopy(TRICKY)
    edit(changed)
    assert (schema_hash(changed) == schema_hash(TRICKY)) is same
    assert content_hash(changed) != content_hash(TRICKY)  # the body hash sees every change
    assert version_hashes(changed) == {"content_hash": schema_hash(changed), "body_hash": content_hash(changed)}


def _migration():
    path = MIGRATIONS / "versions" / "0007_annotations.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_migration_hashes_as_the_registry_does():
    """0007 keeps its own copy of the canonical JSON and of the removal: the same hashes, on the tricky schema
    and on every version of the shipped corpus."""
    module = _migration()
    bodies = [TRICKY, {"a": [1.0, 2.5, {"b": 3.0}]}, True]
    for path in sorted(STANDARDS.glob("documents/*/*.json")) + sorted(STANDARDS.glob("vocabulary/*.json")):
        bodies += [v["schema"] for v in json.loads(path.read_text(encoding="utf-8"))["versions"]]
    for body in bodies:
        assert module._hash(module._strip(body)) == schema_hash(body)
        assert module._hash(body) == content_hash(body)


def test_migration_0007_recomputes_every_stored_hash_and_leaves_the_audit_log(mini_engine):
    downgrade(mini_engine, "0005_organisations")
    with mini_engine.connect() as connection:
        old = {i: (h, json.loads(b) if isinstance(b, str) else b)
               for i, h, b in connection.execute(text("SELECT id, content_hash, body FROM version"))}
        audit_before = connection.execute(text("SELECT id, before_hash, after_hash FROM audit_event ORDER BY id")).all()
    assert old and all(h == content_hash(body) for h, body in old.values())  # as the code before stored them
    migrate(mini_engine)
    with read_session(mini_engine) as session:
        rows = session.exec(select(Version)).all()
        assert {v.id: (v.content_hash, v.body_hash) for v in rows} == {
            i: (schema_hash(body), content_hash(body)) for i, (_, body) in old.items()}
        assert any(v.content_hash != v.body_hash for v in rows)
    with mini_engine.connect() as connection:
        assert connection.execute(text("SELECT id, before_hash, after_hash FROM audit_event ORDER BY id")).all() \
            == audit_before


# ---- the API --------------------------------------------------------------------------------------------------

@pytest.fixture
def cn(client, make_token):
    return auth(make_token("regulator", "CN"))


def _current(client):
    response = client.get(f"{DOC}/versions/1")
    return response.json(), response.headers["ETag"]


def _amended(schema: dict, **fields) -> dict:
    body = copy.deepcopy(schema)
    _rule_of(body).update(fields)
    return body


def test_an_amendment_keeps_the_content_hash_changes_the_etag_and_is_listed(client, cn, mini_engine):
    version, tag = _current(client)
    body = _amended(version["schema"], summary="Seven days from receipt, without giving a reason.",
                    citation="Consumer Rights Protection Law (2013) Art 25")
    answer = client.put(f"{DOC}/versions/1/annotations", json={"schema": body, "reason": "Article 25 quoted."},
                        headers={**cn, "If-Match": tag})
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["content_hash"] == version["content_hash"] and out["body_hash"] != version["body_hash"]
    assert out["etag"] != version["etag"] and answer.headers["ETag"] == out["etag"]
    assert out["revision"] == version["revision"] + 1 and out["status"] == "published"
    assert _rule_of(client.get(f"{DOC}/versions/1").json()["schema"])["summary"].startswith("Seven days from receipt")

    history = client.get(f"{DOC}/versions/1/annotations", headers=cn).json()
    assert history["etag"] == out["etag"] and history["content_hash"] == version["content_hash"]
    [item] = history["items"]
    assert item["revision"] == 1 and item["reason"] == "Article 25 quoted." and item["author"] == "regulator:test-regulator"
    assert item["token_id"] and item["body_before_hash"] == version["body_hash"]
    assert item["changes"] == [{"pointer": "/properties/consumer_protection/properties/withdrawal_period_days",
                                "id": "T-CN-7D", "change": "changed", "fields": ["citation", "summary"]}]
    public = client.get(f"{DOC}/versions/1/annotations").json()["items"][0]
    assert public["token_id"] is None and public["reason"] == "Article 25 quoted."  # who, without the token id
    with read_session(mini_engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "version.amend")).one()
        assert event.target == "CN/consumer-protection@1" and event.token_id == item["token_id"]
        assert event.before_hash == event.after_hash == version["content_hash"]
        assert event.detail["rules"] == ["T-CN-7D"] and event.detail["body_hash_after"] == out["body_hash"]

    stale = client.put(f"{DOC}/versions/1/annotations", json={"schema": body, "reason": "again"},
                       headers={**cn, "If-Match": tag})
    assert stale.status_code == 409 and stale.json()["code"] == "edit_conflict"
    same = client.put(f"{DOC}/versions/1/annotations", json={"schema": body, "reason": "again"},
                      headers={**cn, "If-Match": out["etag"]})
    assert same.status_code == 422 and same.json()["code"] == "no_annotation_change"


@pytest.mark.parametrize("edit, status, code, pointer", [
    (lambda s: s["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"].update(minimum=8),
     422, "constraint_changed", "/schema/properties/consumer_protection/properties/withdrawal_period_days/minimum"),
    (lambda s: s.update(title="a title is not an annotation"), 422, "constraint_changed", "/schema/title"),
    (lambda s: _rule_of(s).pop("citation"), 422, "uncited_constraint", None),
])
def test_an_amendment_that_is_not_one_is_refused_and_nothing_changes(client, cn, edit, status, code, pointer):
    version, tag = _current(client)
    body = copy.deepcopy(version["schema"])
    edit(body)
    answer = client.put(f"{DOC}/versions/1/annotations", json={"schema": body, "reason": "try"},
                        headers={**cn, "If-Match": tag})
    assert answer.status_code == status and answer.json()["code"] == code, answer.text
    if code == "constraint_changed":
        assert "a change to a constraint is a new version (reform) or a correction" in answer.json()["message"]
        assert answer.json()["pointer"] == pointer
    assert _current(client) == (version, tag)
    assert client.get(f"{DOC}/versions/1/annotations").json()["items"] == []


def test_who_may_amend(client, cn, make_token):
    version, tag = _current(client)
    body = _amended(version["schema"], summary="Other words.")
    put = lambda headers, **extra: client.put(f"{DOC}/versions/1/annotations",  # noqa: E731
                                              json={"schema": body, "reason": "why", **extra}, headers=headers)
    assert put({"If-Match": tag}).status_code == 401
    assert put({**auth(make_token("regulator", "EU", name="eu")), "If-Match": tag}).json()["code"] == "out_of_scope"
    assert put(cn).status_code == 428
    assert put({**cn, "If-Match": tag}, reason=" ").json()["code"] == "reason_required"
    assert put({**auth(make_token("admin", name="root")), "If-Match": tag}).status_code == 200


def test_a_draft_is_edited_not_amended(client, cn):
    version, _ = _current(client)
    body = copy.deepcopy(version["schema"])
    body["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["minimum"] = 10
    draft = client.post(f"{DOC}/versions", json={"schema": body}, headers=cn)
    assert draft.status_code == 201
    answer = client.put(f"{DOC}/versions/2/annotations", json={"schema": _amended(body, summary="x"), "reason": "r"},
                        headers={**cn, "If-Match": draft.headers["ETag"]})
    assert answer.status_code == 409 and answer.json()["code"] == "draft_version"
    # a draft whose constraints are those of a published version is not published again
    same = client.post(f"{DOC}/versions", json={"schema": _amended(version["schema"], summary="x")}, headers=cn)
    refused = client.post(f"{DOC}/versions/3/publish", json={}, headers=cn)
    assert same.status_code == 201 and refused.status_code == 409 and refused.json()["code"] == "identical_version"
    assert "amendment" in refused.json()["message"]


def test_the_version_page_shows_the_history(client, cn):
    version, tag = _current(client)
    client.put(f"{DOC}/versions/1/annotations", headers={**cn, "If-Match": tag},
               json={"schema": _amended(version["schema"], summary="Quoted."), "reason": "Quote from Art 25 added."})
    page = client.get("/documents/CN/consumer-protection/versions/1").text
    assert "Annotations amended" in page and "Quote from Art 25 added." in page and "regulator:test-regulator" in page


# ---- no cache answers with the annotations before an amendment ----------------------------------------------

def test_gap_reports_quote_the_amended_citation(client, make_token):
    """The gap report of the same versions is cached by their body hashes: after an amendment it quotes the new
    citation, though the content hashes it names are the same."""
    eu_doc, gaps = "/api/v1/documents/EU/consumer-protection", "/api/v1/gaps?from=CN&to=EU&topic=consumer-protection"
    before = client.get(gaps).json()
    assert [i["citation"] for i in before["items"]] == ["Directive 2011/83/EU Art 9(1)"]
    version = client.get(f"{eu_doc}/versions/1")
    body = _amended(version.json()["schema"], citation="Directive 2011/83/EU Article 9(1) (amended)")
    assert client.put(f"{eu_doc}/versions/1/annotations", json={"schema": body, "reason": "r"},
                      headers={**auth(make_token("regulator", "EU")), "If-Match": version.headers["ETag"]}
                      ).status_code == 200
    after = client.get(gaps).json()
    assert after["to"]["versions"] == before["to"]["versions"]  # the same content hashes …
    assert [i["citation"] for i in after["items"]] == ["Directive 2011/83/EU Article 9(1) (amended)"]  # … new text


def test_compliance_caches_are_keyed_by_the_whole_body():
    """Two versions with one content hash and different citations (an amendment, or two documents alike): each
    check quotes its own."""
    schema = json.loads((MINI / CN_FILE).read_text())["versions"][0]["schema"]
    amended = _amended(schema, citation="Amended citation Art 25")
    profile = {"consumer_protection": {"withdrawal_period_days": 3}}
    found = []
    for body in (schema, amended, schema):
        version = RuleVersion("CN", "CN", "CN/consumer-protection", 1, topic="consumer-protection", schema=body,
                              **version_hashes(body))
        [violation] = check_market("CN", [version], profile).violations
        found.append(violation.rule["citation"])
    assert found == ["Consumer Rights Protection Law Art 25", "Amended citation Art 25",
                     "Consumer Rights Protection Law Art 25"]


# ---- the corpus files -----------------------------------------------------------------------------------------

def _folder(tmp_path, edit, name="amended"):
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    path = folder / CN_FILE
    data = json.loads(path.read_text())
    edit(data["versions"][0])
    path.write_text(json.dumps(data))
    return folder


def _load(engine, folder):
    with write_session(engine) as session:
        report = corpus.load(session, TEST_ADMIN, folder)
    assert report.ok, [(e.path, e.detail) for e in report.errors]
    return report


def _state(engine):
    with read_session(engine) as session:
        return ([(v.number, v.content_hash, v.body_hash, v.revision) for v in session.exec(select(Version)).all()],
                [(r.version_id, r.revision, r.author, r.reason, r.recorded) for r in
                 session.exec(select(AnnotationRevision)).all()],
                len(session.exec(select(AuditEvent)).all()))


def _cn_version(session):
    document = session.exec(select(Document).where(Document.namespace == "CN")).one()
    return session.exec(select(Version).where(Version.document_id == document.id)).one()


def test_the_loader_records_an_amendment_from_the_files_once(mini_engine, tmp_path):
    def edit(version):
        _rule_of(version["schema"]).update(summary="Seven days, quoted.")
        version["amendments"] = [{"recorded": "2026-12-01", "author": "someone", "reason": "older"},
                                 {"recorded": "2026-12-02", "author": "registry corpus", "reason": "Quotes added."}]

    before = _state(mini_engine)
    report = _load(mini_engine, _folder(tmp_path, edit))
    assert report.updated == 1
    after = _state(mini_engine)
    with read_session(mini_engine) as session:
        version = _cn_version(session)
        [row] = annotations.revisions(session, version)
        assert (row.author, row.reason, str(row.recorded)) == ("registry corpus", "Quotes added.", "2026-12-02")
        assert row.changes[0]["fields"] == ["summary"] and row.body_before is not None
        assert _rule_of(version.body)["summary"] == "Seven days, quoted."
    assert sorted(h for _, h, _, _ in after[0]) == sorted(h for _, h, _, _ in before[0])  # content hashes kept
    _load(mini_engine, _folder(tmp_path, edit, "again"))  # the same folder again changes nothing
    assert _state(mini_engine) == after


def test_the_loader_names_the_corpus_when_the_files_give_no_amendment(mini_engine, tmp_path):
    _load(mini_engine, _folder(tmp_path, lambda v: _rule_of(v["schema"]).update(confidence="M")))
    with read_session(mini_engine) as session:
        [row] = annotations.revisions(session, _cn_version(session))
    assert (row.author, row.reason) == ("registry corpus", "annotations updated from the corpus files")


def test_a_changed_constraint_in_the_files_is_still_a_conflict(mini_engine, tmp_path):
    def edit(version):
        version["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"]["minimum"] = 8
        version["amendments"] = [{"recorded": "2026-12-02", "author": "x", "reason": "not an amendment"}]

    before = _state(mini_engine)
    with pytest.raises(corpus.CorpusError, match="published constraints never change"):
        with write_session(mini_engine) as session:
            corpus.load(session, TEST_ADMIN, _folder(tmp_path, edit))
    assert _state(mini_engine) == before


def test_export_writes_the_amendments_and_load_round_trips_them(mini_engine, tmp_path):
    _load(mini_engine, _folder(tmp_path, lambda v: _rule_of(v["schema"]).update(summary="Quoted.")))
    _load(mini_engine, _folder(tmp_path, lambda v: (_rule_of(v["schema"]).update(summary="Quoted again."),
                                                    v.update(amendments=[{"recorded": "2026-12-02", "author": "a",
                                                                          "reason": "b"}])), "second"))
    with read_session(mini_engine) as session:
        corpus.export(session, tmp_path / "out")
    exported = json.loads((tmp_path / "out" / CN_FILE).read_text())["versions"][0]
    assert [a["reason"] for a in exported["amendments"]] == ["annotations updated from the corpus files", "b"]
    assert exported["amendments"][1] == {"recorded": "2026-12-02", "author": "a", "reason": "b"}
    assert exported["content_hash"] == schema_hash(exported["schema"])
    eu = json.loads((tmp_path / "out/documents/EU/consumer-protection.json").read_text())["versions"][0]
    assert "amendments" not in eu  # a version never amended writes none

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(engine)
    load_folder(engine, tmp_path / "out")
    with read_session(engine) as session:
        corpus.export(session, tmp_path / "again")
    assert json.loads((tmp_path / "again" / CN_FILE).read_text()) == json.loads((tmp_path / "out" / CN_FILE).read_text())
    with read_session(engine) as session:
        rows = annotations.revisions(session, _cn_version(session))
        assert [r.body_before for r in rows] == [None, None]  # the text before is not in the files
    _load(engine, tmp_path / "out")
    with read_session(engine) as session:
        assert len(annotations.revisions(session, _cn_version(session))) == 2
    engine.dispose()


# ---- a later start with a newer corpus ---------------------------------------------------------------------------

def test_a_later_start_loads_changed_files_once(engine, tmp_path, caplog):
    from registry.services.startup import prepare

    folder = tmp_path / "standards"
    shutil.copytree(MINI, folder)
    assert prepare(engine, folder).created == 4  # first start: jurisdictions, vocabulary, CN, EU
    first = _state(engine)
    assert prepare(engine, folder) is None and _state(engine) == first  # the same files: nothing read again

    path = folder / CN_FILE
    data = json.loads(path.read_text())
    _rule_of(data["versions"][0]["schema"]).update(summary="Seven days, quoted.")
    data["versions"][0]["amendments"] = [{"recorded": "2026-12-02", "author": "registry corpus", "reason": "Quoted."}]
    path.write_text(json.dumps(data))
    report = prepare(engine, folder)
    assert report is not None and report.updated == 1
    amended = _state(engine)
    assert [(r[2], r[3]) for r in amended[1]] == [("registry corpus", "Quoted.")]
    assert prepare(engine, folder) is None and _state(engine) == amended

    data["versions"][0]["schema"]["properties"]["consumer_protection"]["properties"]["withdrawal_period_days"][
        "minimum"] = 8
    path.write_text(json.dumps(data))
    with caplog.at_level("WARNING"):
        assert prepare(engine, folder) is None  # a conflict is logged; the registry serves what it has
    assert "published constraints never change" in caplog.text
    assert _state(engine) == amended


def test_a_start_leaves_a_database_loaded_by_hand_alone(engine, tmp_path):
    from registry.services.startup import prepare

    load_folder(engine, MINI)  # the operator's own `registry load`, not the corpus on start
    before = _state(engine)
    folder = _folder(tmp_path, lambda v: _rule_of(v["schema"]).update(summary="Changed."))
    assert prepare(engine, folder) is None and _state(engine) == before


def test_a_withdrawn_version_may_be_amended_too(client, cn):
    assert client.post(f"{DOC}/versions/1/withdraw", json={"reason": "published in error"}, headers=cn).status_code == 200
    version, tag = _current(client)
    answer = client.put(f"{DOC}/versions/1/annotations", headers={**cn, "If-Match": tag},
                        json={"schema": _amended(version["schema"], summary="Quoted."), "reason": "quote"})
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert answer.json()["content_hash"] == version["content_hash"]


def test_a_compliance_check_after_an_amendment_quotes_the_new_citations(corpus_client, make_token):
    """Through the API over the shipped corpus: the frameworks cache sees the amendment (the version's updated_at)
    and the rule caches are keyed by the body hash, so the second check quotes the amended text."""
    import datetime as dt

    doc = "/api/v1/documents/EU/consumer-protection"
    check = {"profile": {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": 7}},
             "markets": ["EU"], "topics": ["consumer-protection"]}
    before = corpus_client.post("/api/v1/compliance/check", json=check).json()
    [market] = before["markets"]
    assert market["violations"] and all(not v["citation"].endswith("[amended]") for v in market["violations"])
    version = corpus_client.get(f"{doc}/versions/{dt.date.today().isoformat()}")
    body = version.json()["schema"]
    for pointer in annotations_of(body):
        node = body
        for token in pointer.split("/")[1:]:
            node = node[int(token)] if isinstance(node, list) else node[token.replace("~1", "/").replace("~0", "~")]
        node["x-rule"]["citation"] += " [amended]"
    amended = corpus_client.put(f"{doc}/versions/{version.json()['number']}/annotations",
                                json={"schema": body, "reason": "citations amended"},
                                headers={**auth(make_token("regulator", "EU")), "If-Match": version.headers["ETag"]})
    assert amended.status_code == 200, amended.text
    [market] = corpus_client.post("/api/v1/compliance/check", json=check).json()["markets"]
    assert market["violations"] and all(v["citation"].endswith("[amended]") for v in market["violations"])
