"""Checking schemas at submission and building validators once: draft 2020-12 only, local `$ref` only,
every pattern in a linear-time engine (RE2)."""

from __future__ import annotations

import re
from typing import Any, Iterator

import re2
from jsonschema import (
    Draft202012Validator,
    FormatChecker,
    ValidationError,
    _keywords,  # the reference implementations we wrap
    validators,
)
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from comparisons.bounded import bounded
from comparisons.expansion import DEFAULT_LIMIT, measure
from registry.domain.jsonbody import pointer_join
from registry.domain.links import check_rule_sources
from registry.domain.structural import instance_free_cycle
from registry.errors import Unprocessable

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_ACCEPTED_DIALECTS = {DRAFT_2020_12, DRAFT_2020_12 + "#"}
MAX_PATTERN_LENGTH = 1000

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


class RemoteReferenceRefused(Unprocessable):
    code = "remote_ref_refused"


def _refuse(uri: str) -> Resource:
    # Never fetch: a remote or file `$ref` is a security hole (SSRF, local file read).
    raise NoSuchResource(ref=uri)


LOCAL_ONLY = Registry(retrieve=_refuse)  # type: ignore[call-arg]


@bounded("pattern-programs", 4096, 4_000_000, lambda key, program: 1024 + 64 * len(key[0]))
def compile_pattern(pattern: str) -> Any:
    """Compile with RE2 (linear time); refuse what RE2 or Python cannot compile, or what is too long."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re2.compile(pattern, _RE2_OPTIONS)
    except Exception as exc:  # re2 raises its own error type for every unsupported construct
        raise ValueError(f"not supported by the linear-time engine: {_re2_message(exc)}") from None
    try:  # RE2 reads some constructs literally that Python (and ECMA-262) read as operators
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    return compiled


def _re2_message(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compile_pattern(patrn).search(instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator: Any, pattern_properties: dict, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in pattern_properties.items():
        compiled = compile_pattern(patrn)
        for key, value in instance.items():
            if compiled.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


FORMAT_CHECKER = FormatChecker()
for _name in Draft202012Validator.FORMAT_CHECKER.checkers:
    if _name != "regex":
        FORMAT_CHECKER.checkers[_name] = Draft202012Validator.FORMAT_CHECKER.checkers[_name]


@FORMAT_CHECKER.checks("regex", raises=ValueError)
def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


# The draft 2020-12 validator with `pattern` and `patternProperties` matched by RE2.
RegistryValidator = validators.extend(
    Draft202012Validator, {"pattern": _pattern, "patternProperties": _pattern_properties}
)
del _keywords


def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every object in a schema with its path (iterative: a deep schema must not overflow the stack)."""
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            yield where, current
            stack.extend((v, where + (k,)) for k, v in current.items())
        elif isinstance(current, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(current))


def _check_patterns(schema: Any) -> None:
    for path, node in _walk(schema):
        candidates = []
        if isinstance(node.get("pattern"), str) and "pattern" not in path[-1:]:
            candidates.append((path + ("pattern",), node["pattern"]))
        if isinstance(node.get("patternProperties"), dict):
            candidates.extend((path + ("patternProperties", p), p) for p in node["patternProperties"])
        for where, patrn in candidates:
            try:
                compile_pattern(patrn)
            except ValueError as exc:
                raise Unprocessable(f"pattern {patrn[:80]!r} is refused: {exc}", pointer=pointer_join(*where),
                                    code="pattern_refused") from None


def _check_references(schema: dict) -> None:
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    base = schema.get("$id", "urn:registry:submitted") if isinstance(schema.get("$id"), str) else "urn:registry:submitted"
    registry = LOCAL_ONLY.with_resource(base, resource).crawl()
    local_ids = {uri for uri in registry} | {base}
    resolver = registry.resolver(base_uri=base)
    for path, node in _walk(schema):
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if not isinstance(ref, str) or (path and path[-1] in ("properties", "$defs")):
                continue
            where = pointer_join(*path, keyword)
            target = ref.split("#", 1)[0]
            if target and target not in local_ids:
                raise RemoteReferenceRefused(f"{keyword} {ref[:200]!r} points outside this document; only local "
                                             "references ('#…') are allowed and nothing is ever fetched",
                                             pointer=where)
            try:
                resolver.lookup(ref)
            except (Unresolvable, NoSuchResource, Exception) as exc:  # any failure to resolve is the author's to fix
                raise Unprocessable(f"{keyword} {ref[:200]!r} does not resolve in this document ({type(exc).__name__})",
                                    pointer=where, code="unresolvable_ref") from None


def _check_cycles(schema: dict) -> None:
    """Refuse a loop of references that never descends into the instance (through pointers, anchors, ids or
    dynamic references): validating against it would never end (registry.domain.structural)."""
    base = schema["$id"] if isinstance(schema.get("$id"), str) else "urn:registry:submitted"
    registry = LOCAL_ONLY.with_resource(base, Resource.from_contents(schema, default_specification=DRAFT202012)
                                        ).crawl()
    where = instance_free_cycle(schema, base, lambda uri, ref: registry.resolver(base_uri=uri).lookup(ref).contents)
    if where is not None:
        raise Unprocessable("$ref cycle: validation would never end (a loop of references that never descends "
                            "into the instance)", pointer=where, code="ref_cycle")


_META_VALIDATOR = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=FORMAT_CHECKER,
                                       registry=LOCAL_ONLY)


def check_expansion(schema: Any, max_expansion: int = DEFAULT_LIMIT) -> None:
    """Refuse a schema that could make one validation (or comparison) take exponential time: a `$ref` chain that
    doubles at each level, recursion that multiplies at each level of the instance (comparisons.expansion)."""
    found = measure(schema, max_expansion)
    why = found.over(max_expansion)
    if why is not None:
        raise Unprocessable(f"the schema is refused: {why} (REGISTRY_MAX_SCHEMA_EXPANSION)", pointer=found.pointer,
                            code="schema_too_expansive")


def check_schema(schema: Any, *, max_expansion: int = DEFAULT_LIMIT) -> None:
    """Refuse anything that is not a valid draft 2020-12 object schema that is safe to store and validate
    (`max_expansion`: Settings.max_schema_expansion)."""
    if not isinstance(schema, dict):
        raise Unprocessable("a document's schema must be a JSON object", pointer="", code="invalid_schema")
    dialect = schema.get("$schema", DRAFT_2020_12)
    if dialect not in _ACCEPTED_DIALECTS:
        raise Unprocessable(f"$schema {str(dialect)[:200]!r} is not supported; use {DRAFT_2020_12!r}",
                            pointer="/$schema", code="unsupported_dialect")
    _check_patterns(schema)
    try:
        error = next(iter(sorted(_META_VALIDATOR.iter_errors(schema), key=lambda e: e.path)), None)
    except (RecursionError, OverflowError, ValueError) as exc:
        raise Unprocessable(f"the schema could not be checked: {type(exc).__name__}", code="invalid_schema") from None
    if error is not None:
        raise Unprocessable(f"not a valid draft 2020-12 schema: {error.message[:300]}",
                            pointer=pointer_join(*error.absolute_path), code="invalid_schema")
    _check_references(schema)
    _check_cycles(schema)
    check_rule_sources(schema)
    check_expansion(schema, max_expansion)


def build_validator(schema: dict, *, format_assertion: bool = True) -> Any:
    """A validator for an already-checked schema, resolving references only inside it."""
    return RegistryValidator(schema, registry=LOCAL_ONLY, format_checker=FORMAT_CHECKER if format_assertion else None)


@bounded("schema-validators", 2048, 32_000_000, lambda key, validator: 2 * len(key[1]))  # text and schema
def _cached_validator(content_hash: str, canonical: str, format_assertion: bool) -> Any:
    import json

    return build_validator(json.loads(canonical), format_assertion=format_assertion)


def validator_for(content_hash: str, canonical: str, *, format_assertion: bool = True) -> Any:
    """A validator built once per content hash and reused."""
    return _cached_validator(content_hash, canonical, format_assertion)
