"""Validating profiles against stored schemas, fast: jsonschema-rs where it gives the same failures as
python-jsonschema (the reference, kept for proof and as a fallback). Validators are built once per content
hash and reused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

import jsonschema_rs

from comparisons.bounded import BoundedCache, json_size
from registry.domain.schemas import build_validator

ENGINES = ("rust", "python")


@dataclass(frozen=True)
class Failure:
    """One failed keyword: where in the instance, which keyword in the schema, the value found."""

    instance_path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]
    instance: Any

    @property
    def keyword(self) -> str:
        return str(self.schema_path[-1]) if self.schema_path else ""


class Checker(Protocol):
    def failures(self, instance: Any) -> list[Failure]: ...

    def is_valid(self, instance: Any) -> bool: ...


def _refuse(uri: str) -> Any:
    raise ValueError(f"remote reference {uri!r} refused: nothing is ever fetched")


class RustChecker:
    def __init__(self, schema: Any, format_assertion: bool):
        self._validator = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=format_assertion, retriever=_refuse,
            pattern_options=jsonschema_rs.RegexOptions())  # the linear-time regex engine

    def failures(self, instance: Any) -> list[Failure]:
        return [Failure(tuple(e.instance_path), tuple(e.schema_path), e.instance)
                for e in self._validator.iter_errors(instance)]

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)


class PythonChecker:
    def __init__(self, schema: Any, format_assertion: bool):
        self._validator = build_validator(schema, format_assertion=format_assertion)

    def failures(self, instance: Any) -> list[Failure]:
        return [Failure(tuple(e.absolute_path), tuple(e.absolute_schema_path), e.instance)
                for e in self._validator.iter_errors(instance)]

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)


_CLASSES = {"rust": RustChecker, "python": PythonChecker}


# measured as the schema's JSON text (the compiled validator is about as large)
_CACHE = BoundedCache("profile-checkers", 8192, 32_000_000)


def checker(key: str, schema: Any, *, engine: str = "rust", format_assertion: bool = True) -> Checker:
    """A checker for a schema, built once per key (a content hash, plus a pointer for sub-schemas) and reused."""
    cache_key = (key, engine, format_assertion)
    found = _CACHE.get(cache_key)
    if found is None:
        found = _CACHE.put(cache_key, _CLASSES[engine](schema, format_assertion), size=json_size(schema))
    return found


def sorted_failures(failures: Iterable[Failure]) -> list[Failure]:
    """A stable order, so that two engines' answers compare equal."""
    return sorted(failures, key=lambda f: (json.dumps(f.instance_path), json.dumps(f.schema_path)))
