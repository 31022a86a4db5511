"""Bounded memory (issue 13, item 3): every cache in the process is a BoundedCache, stays under its entries and
bytes whatever the requests, and no request's schema stays alive beyond what those limits allow. Resident memory
over a long run is measured by bench/soak.py, not here."""

from __future__ import annotations

import ast
import datetime as dt
import gc
from pathlib import Path
from typing import Iterator

import pytest
from litestar.testing import TestClient

from comparisons import bounded
from registry.api.hosts import AllowedHosts
from registry.app import create_app
from registry.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SMALL = (4, 200_000)  # entries and bytes of every cache in these tests
# module-level dicts filled once at import (keyword tables), not by requests; and a worker process's database
# engines, one per database URL of the settings (never a key a request chooses)
_NOT_CACHES = {("comparisons/keywords.py", "POSITIVE"), ("comparisons/keywords.py", "NEGATIVE"),
               ("comparisons/atoms.py", "_TOPS"), ("registry/api/compliance.py", "_engines")}


def _module_memos(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:  # module level: what lives as long as the process
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Dict, ast.Call)):
            value = node.value
            empty_dict = isinstance(value, ast.Dict) and not value.keys
            made = isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] in (
                "dict", "OrderedDict", "defaultdict", "WeakValueDictionary", "WeakKeyDictionary")
            if empty_dict or made:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                yield from (ast.unparse(t) for t in targets)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                text = ast.unparse(decorator)
                if ("lru_cache" in text and "maxsize=1)" not in text) or text in ("cache", "functools.cache"):
                    yield f"{node.name} ({text})"


def test_every_cache_of_the_process_is_a_bounded_cache():
    """A module-level dict that starts empty, or an lru_cache, is a memo without a byte limit: use BoundedCache."""
    found = []
    for package in ("comparisons", "registry"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            found += [(relative, name) for name in _module_memos(path) if (relative, name) not in _NOT_CACHES]
    assert found == []


@pytest.fixture
def small_caches() -> Iterator[str]:
    """REGISTRY_CACHE_LIMITS giving every cache SMALL limits; the limits are put back afterwards."""
    before = {c.name: (c.max_entries, c.max_bytes) for c in bounded.caches()}
    yield ",".join(f"{name}={SMALL[0]}/{SMALL[1]}" for name in sorted(bounded.names()))
    bounded.configure({name: limits for name, limits in before.items() if name in bounded.names()})


def _over_limit() -> list[dict]:
    return [c.stats() for c in bounded.caches() if len(c) > c.max_entries or c.bytes > c.max_bytes]


def _schema(i: int, side: str) -> dict:
    return {"title": f"soak-{side}-{i}", "type": "object", "required": ["id"],
            "properties": {"id": {"type": "string", "pattern": f"^{side}[0-9]{{{i % 5 + 1}}}$",
                                  "maxLength": 10 + i},
                           f"field{i}": {"type": "integer", "minimum": i, "maximum": i + (1 if side == "a" else 2)}}}


def _alive_request_schemas() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects()
               if type(o) is dict and isinstance(o.get("title"), str) and o["title"].startswith("soak-"))


def test_distinct_inline_requests_keep_every_cache_under_its_limits_and_no_schema_beyond_them(
        corpus_engine, database_url, small_caches):
    settings = Settings.from_env({}, database_url=database_url, load_corpus_on_start=False, cache_limits=small_caches)
    requests = 80
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as client:
        for i in range(requests):
            response = client.post("/api/v1/compare", json={"left_schema": _schema(i, "a"),
                                                            "right_schema": _schema(i, "b")})
            assert response.status_code == 200, response.text
            profile = {"seller": {"sells_b2c": True}, "consumer_protection": {"withdrawal_period_days": i % 30}}
            response = client.post("/api/v1/compliance/check", json={
                "profile": profile, "markets": ["CN", "EU", "BR"][: i % 3 + 1],
                "as_of": (dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat()})
            assert response.status_code == 200, response.text
            if i % 10 == 0:
                assert _over_limit() == []
        assert _over_limit() == []
        # every cache that can hold a schema holds at most SMALL[0] of them: far fewer than the requests sent
        alive = _alive_request_schemas()
        assert alive <= SMALL[0] * len(bounded.names()) < 2 * requests, alive


def test_an_unknown_cache_name_in_the_settings_stops_the_app_from_starting(database_url):
    settings = Settings.from_env({"REGISTRY_CACHE_LIMITS": "no-such-cache=10/1MB"}, database_url=database_url,
                                 load_corpus_on_start=False)
    with pytest.raises(ValueError, match="no cache is named no-such-cache"):
        create_app(settings)


def test_a_long_host_header_is_answered_but_not_remembered():
    hosts = AllowedHosts(("registry.example",))
    long_host = b"registry.example" + b"x" * 10_000
    assert not hosts.allows({"headers": [(b"host", long_host)]})
    assert hosts.allows({"headers": [(b"host", b"registry.example:8000")]})
    assert list(hosts._answers) == [b"registry.example:8000"]
