"""Reading the shipped standards folder and validating profiles against its schemas, for the corpus tests."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from registry.domain.rules import rule_at

STANDARDS = Path(__file__).resolve().parents[2] / "standards"
PROFILES = Path(__file__).resolve().parent / "base_profiles.json"
IN_FORCE = ("published", "superseded")


class DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_refuse_duplicates)


def document_paths() -> list[Path]:
    return sorted((STANDARDS / "vocabulary").glob("*.json")) + sorted((STANDARDS / "documents").glob("*/*.json"))


@lru_cache(maxsize=None)
def all_documents() -> tuple[tuple[Path, dict], ...]:
    return tuple((path, read_json(path)) for path in document_paths())


def rule_documents() -> list[dict]:
    return [doc for _, doc in all_documents() if doc["kind"] in ("rule", "technical-standard")]


def vocabularies() -> dict[str, dict]:
    """The latest published schema of each vocabulary, by name."""
    out = {}
    for _, doc in all_documents():
        if doc["kind"] == "vocabulary":
            published = [v for v in doc["versions"] if v["status"] == "published"]
            out[doc["name"]] = max(published, key=lambda v: v["number"])["schema"]
    return out


def _refuse(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


LOCAL_ONLY = Registry(retrieve=_refuse)  # type: ignore[call-arg]


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=LOCAL_ONLY, format_checker=Draft202012Validator.FORMAT_CHECKER)


def reported_rules(schema: dict, profile: Any) -> list[dict]:
    """The x-rules the validation errors of a profile are attributed to, descending into error contexts."""
    found: list[dict] = []

    def visit(error: Any) -> None:
        rule = rule_at(schema, list(error.absolute_schema_path))
        if rule is not None:
            found.append(rule)
        for sub in error.context or ():
            visit(sub)

    for error in validator(schema).iter_errors(profile):
        visit(error)
    return found


def parse_day(text: str | None) -> dt.date | None:
    """The first day of a corpus date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), as the registry computes intervals."""
    from registry.domain import dates

    found = dates.parse(text)
    return found.first_day if found else None


def version_in_force(doc: dict, day: dt.date) -> dict | None:
    hits = [v for v in doc["versions"] if v["status"] in IN_FORCE
            and parse_day(v["effective_from"]) <= day
            and (v["effective_to"] is None or day < parse_day(v["effective_to"]))]
    return max(hits, key=lambda v: v["number"]) if hits else None


def walk_schema(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every JSON value in a schema with its pointer."""
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_schema(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_schema(value, f"{pointer}/{index}")


def resolve(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node
