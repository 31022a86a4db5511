"""A form generated from the vocabulary schema (vocabulary/operating-profile): one field per fact, grouped by
its top-level section; and the operating profile (a JSON object) built back from the submitted fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from registry.errors import InvalidInput

PREFIX = "p."
MAX_DEPTH = 6


@dataclass(frozen=True)
class Field:
    name: str  # the form field: "p." + the dotted path
    path: tuple[str, ...]
    kind: str  # boolean | integer | number | choice | text | list
    label: str
    description: str
    choices: tuple[str, ...] = ()


@dataclass
class Group:
    name: str
    fields: list[Field] = field(default_factory=list)


def _resolve(root: dict, schema: Any) -> Any:
    for _ in range(MAX_DEPTH):  # local references only: "#/$defs/money"
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        target: Any = root
        for token in ref[2:].split("/"):
            target = target.get(token, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _leaf(root: dict, schema: dict, path: tuple[str, ...]) -> Field | None:
    kind = schema.get("type")
    label = path[-1].replace("_", " ")
    description = str(schema.get("description") or "")
    name = PREFIX + ".".join(path)
    if "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
        return Field(name, path, "choice", label, description, tuple(schema["enum"]))
    if kind in ("boolean", "integer", "number"):
        return Field(name, path, kind, label, description)
    if kind == "string":
        return Field(name, path, "text", label, description)
    if kind == "array":
        return Field(name, path, "list", label, description + " Separate values with commas.")
    return None


def fields(vocabulary: dict) -> list[Group]:
    groups: list[Group] = []

    def walk(schema: Any, path: tuple[str, ...], group: Group) -> None:
        schema = _resolve(vocabulary, schema)
        if not isinstance(schema, dict) or len(path) > MAX_DEPTH:
            return
        if isinstance(schema.get("properties"), dict):
            for key, sub in schema["properties"].items():
                walk(sub, (*path, key), group)
            return
        leaf = _leaf(vocabulary, schema, path)
        if leaf is not None:
            group.fields.append(leaf)

    for key, sub in (vocabulary.get("properties") or {}).items():
        group = Group(key.replace("_", " "))
        walk(sub, (key,), group)
        if group.fields:
            groups.append(group)
    return groups


def _value(f: Field, text: str) -> Any:
    text = text.strip()
    if f.kind == "boolean":
        return {"true": True, "false": False}.get(text)
    if f.kind in ("integer", "number"):
        try:
            number = float(text) if f.kind == "number" else int(text)
        except ValueError:
            raise InvalidInput(f"{'.'.join(f.path)}: {text!r} is not a{'n integer' if f.kind == 'integer' else ' number'}",
                               pointer="/" + "/".join(f.path), code="invalid_field") from None
        return number
    if f.kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


def profile_from_form(groups: list[Group], values: Mapping[str, str]) -> dict:
    """The profile the filled fields describe; empty fields are left out (unstated)."""
    profile: dict = {}
    for group in groups:
        for f in group.fields:
            text = values.get(f.name, "")
            if not text or not text.strip():
                continue
            value = _value(f, text)
            if value is None:
                continue
            target = profile
            for token in f.path[:-1]:
                target = target.setdefault(token, {})
            target[f.path[-1]] = value
    return profile


def form_from_profile(profile: Any, prefix: tuple[str, ...] = ()) -> dict[str, str]:
    """The field values that show a profile in the generated form."""
    out: dict[str, str] = {}
    if not isinstance(profile, dict):
        return out
    for key, value in profile.items():
        path = (*prefix, str(key))
        if isinstance(value, dict):
            out.update(form_from_profile(value, path))
        elif isinstance(value, bool):
            out[PREFIX + ".".join(path)] = "true" if value else "false"
        elif isinstance(value, list):
            out[PREFIX + ".".join(path)] = ", ".join(str(v) for v in value)
        elif value is not None:
            out[PREFIX + ".".join(path)] = str(value)
    return out
