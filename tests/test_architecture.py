"""The import directions of STYLE.md: comparisons imports nothing of ours; the domain no web or storage;
services no web; only app.py and cli.py wire everything together."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = ("litestar", "uvicorn", "starlette", "httpx", "jinja2")
ORM = ("sqlalchemy", "sqlmodel", "alembic", "psycopg")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in modules(package):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def test_the_comparison_engine_imports_nothing_of_ours_and_no_web_or_database():
    assert modules("comparisons"), "comparisons/ has no modules"
    assert offending("comparisons", ("registry", "tests", "bench") + WEB + ORM) == []


def test_the_domain_imports_no_web_and_no_storage():
    assert offending("registry/domain", WEB + ORM + ("registry.api", "registry.storage", "registry.services",
                                                      "registry.web", "registry.app", "registry.cli", "msgspec")) == []


def test_services_and_storage_import_no_web():
    assert offending("registry/services", WEB + ("registry.api", "registry.web", "registry.app", "registry.cli")) == []
    assert offending("registry/storage", WEB + ("registry.api", "registry.web", "registry.services", "registry.app",
                                                "registry.cli")) == []


def test_the_api_does_not_wire_the_app():
    assert offending("registry/api", ("registry.app", "registry.cli", "registry.web")) == []


@pytest.mark.parametrize("package", ["registry", "comparisons"])
def test_no_module_is_named_utils(package):
    assert [p for p in modules(package) if "util" in p.stem] == []


def test_meeting_tags_are_written_only_where_the_search_words_are_rewritten():
    """A search with words narrows by the tags' words in the search text (services/meetings_search.filtered), so
    a meeting whose words were stale would be missed: tags are written in one function only, which rewrites them."""
    writers = []
    for path in modules("registry"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            source = ast.unparse(function)
            if "migrations" not in path.parts and (
                    any(write in source for write in ("MeetingTag(", "insert(MeetingTag", "update(MeetingTag")) or
                    re.search(r"(?i)(insert\s+into|update|delete\s+from)\s+meeting_tag\b", source)):
                writers.append((str(path.relative_to(ROOT)), function.name, "refresh_search_text(" in source))
    assert writers == [("registry/services/meetings.py", "_apply", True)]
