"""Rule conditions in plain words, generated from the schema (`if`/`then`/`else`, `dependentSchemas`) over the
vocabulary's titles, never written by hand per rule: "applies when “Sells to consumers” is yes and …".

Pure: a condition schema (or a rule schema and a pointer into it) and a table of titles in, words out. A title is
the vocabulary's `title` where it has one, else the first clause of its `description`, else the member's name.
Every phrase names the field in quotes, so that a reader can find it in the profile, and says what happens when the
profile leaves it out ("(or not stated)"): a condition on an absent member holds in JSON Schema.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Optional, Sequence

__all__ = ["applies_when", "at_pointer", "cases", "describe", "formula", "vocabulary_titles"]

Titles = Mapping[str, str]  # instance pointer ("/seller/sells_b2c") -> label
_VALUE_KEYWORDS = ("const", "enum", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "contains",
                   "items", "minItems", "maxItems", "pattern", "minLength", "maxLength", "format")


# ---- titles ------------------------------------------------------------------------------------------------------

def vocabulary_titles(vocabulary: Any) -> dict[str, str]:
    """instance pointer -> label, for every member the vocabulary names (through its local `$ref`s)."""
    out: dict[str, str] = {}
    root = vocabulary if isinstance(vocabulary, dict) else {}

    def walk(node: Any, path: str, depth: int) -> None:
        if not isinstance(node, dict) or depth > 12:
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for token in ref[2:].split("/"):
                target = target.get(token) if isinstance(target, dict) else None
            if isinstance(target, dict):
                walk({**target, **{k: v for k, v in node.items() if k != "$ref"}}, path, depth + 1)
                return
        for name, sub in (node.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            here = f"{path}/{_escape(name)}"
            out[here] = _label(sub, name)
            walk(sub, here, depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path, depth + 1)  # an array's items read as the array itself

    walk(root, "", 0)
    return out


def _label(schema: dict, name: str) -> str:
    if isinstance(schema.get("title"), str) and schema["title"].strip():
        return schema["title"].strip()
    text = schema.get("description")
    if isinstance(text, str) and text.strip():
        text = re.sub(r"\s*\([^()]*\)", "", text.strip())  # parentheses explain; the label names
        text = re.split(r"[.;:]\s|[.;:]$|,\s", text + " ", maxsplit=1)[0].strip()
        if text:
            return text
    return name.replace("_", " ")


def _escape(name: str) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")


def _title(titles: Titles, path: str) -> str:
    label = titles.get(path)
    if not label:
        label = (path.rsplit("/", 1)[-1] or "the profile").replace("~1", "/").replace("~0", "~").replace("_", " ")
    return f"“{label}”"


# ---- formulas ----------------------------------------------------------------------------------------------------
# ("and", [f…]) · ("or", [f…]) · ("not", f) · ("leaf", path, required, value) where value is a formula over
# ("is", {keyword: value}) atoms of that one path · ("stated", path) · ("true",) · ("false",) · ("raw", schema)

def formula(schema: Any, path: str = "") -> tuple:
    """The condition a schema states about the instance at `path`, as a formula (see the words functions)."""
    return _and(_conjuncts(schema, path))


def _and(parts: list) -> tuple:
    parts = [p for p in parts if p != ("true",)]
    if not parts:
        return ("true",)
    return parts[0] if len(parts) == 1 else ("and", parts)


def _conjuncts(schema: Any, path: str) -> list:
    if schema is True:
        return []
    if schema is False:
        return [("false",)]
    if not isinstance(schema, dict):
        return [("raw", schema)]
    out: list = []
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = [n for n in schema.get("required") or () if isinstance(n, str)] \
        if isinstance(schema.get("required"), list) else []
    value = _value(schema)
    if value is not None:
        out.append(("leaf", path, True, value))
    money = _is_money(schema)  # amount and currency read as one value ("more than 50 USD")
    for name, sub in props.items():
        if money and name in ("amount", "currency"):
            continue
        here = f"{path}/{_escape(name)}"
        out.extend(_property(sub, here, name in required))
    for name in required:
        if name not in props and not (money and name in ("amount", "currency")):
            out.append(("stated", f"{path}/{_escape(name)}"))
    for sub in schema.get("allOf") or () if isinstance(schema.get("allOf"), list) else ():
        out.extend(_conjuncts(sub, path))
    for keyword in ("anyOf", "oneOf"):
        if isinstance(schema.get(keyword), list):
            out.append(("or", [formula(sub, path) for sub in schema[keyword]]))
    if "not" in schema and _value({"not": schema["not"]}) is None:
        out.append(("not", formula(schema["not"], path)))
    if "if" in schema:
        cond = formula(schema["if"], path)
        then = formula(schema.get("then", True), path)
        other = formula(schema.get("else", True), path)
        out.append(("or", [_and([cond, then]), _and([("not", cond), other])]))
    if isinstance(schema.get("dependentSchemas"), dict):
        for name, sub in schema["dependentSchemas"].items():
            here = f"{path}/{_escape(name)}"
            out.append(("or", [("not", ("stated", here)), formula(sub, path)]))
    return out


def _property(sub: Any, path: str, required: bool) -> list:
    """A member's conjuncts: a value test at this path becomes a leaf that says whether absence passes; members
    nested further carry their own leaves (an object that holds them is implied by them)."""
    inner = _conjuncts(sub, path)
    if not inner:
        return [("stated", path)] if required else []
    out = []
    for part in inner:
        if part[0] == "leaf" and part[1] == path:
            out.append(("leaf", path, required, part[3]))
        else:
            out.append(part)
    if required and not any(p[0] == "leaf" and p[1] == path for p in out) \
            and not any(_mentions_below(p, path) for p in out):
        out.append(("stated", path))
    return out


def _mentions_below(f: tuple, path: str) -> bool:
    if f[0] in ("leaf", "stated"):
        return f[1].startswith(path + "/")
    if f[0] in ("and", "or"):
        return any(_mentions_below(x, path) for x in f[1])
    if f[0] == "not":
        return _mentions_below(f[1], path)
    return False


def _value(schema: dict) -> Optional[tuple]:
    """The tests a schema puts on the value at its own path (no members), or None."""
    kws = {k: schema[k] for k in _VALUE_KEYWORDS if k in schema}
    if "type" in schema and not kws and not schema.get("properties") and not schema.get("required"):
        kws = {"type": schema["type"]}
    parts: list = [("is", kws)] if kws else []
    if _is_money(schema):
        parts.append(("money", schema["properties"].get("amount"), schema["properties"]["currency"]["const"]))
    if "not" in schema and isinstance(schema["not"], dict) and not _has_members(schema["not"]):
        inner = _value(schema["not"])
        if inner is not None:
            parts.append(("not", inner))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ("and", parts)


def _has_members(schema: dict) -> bool:
    return any(k in schema for k in ("properties", "required", "allOf", "anyOf", "oneOf", "if", "dependentSchemas"))


def _is_money(schema: dict) -> bool:
    props = schema.get("properties")
    return isinstance(props, dict) and set(props) <= {"amount", "currency"} \
        and isinstance(props.get("amount", {}), dict) and isinstance(props.get("currency"), dict) \
        and isinstance(props["currency"].get("const"), str)


# ---- words -------------------------------------------------------------------------------------------------------

def describe(schema: Any, titles: Titles = {}, path: str = "", *, holds: bool = True) -> str:
    """Words for "the instance at `path` is valid under `schema`" (or, with holds=False, that it is not)."""
    return words(formula(schema, path), titles, holds)


def words(f: tuple, titles: Titles, positive: bool = True) -> str:
    kind = f[0]
    if kind == "true":
        return "always" if positive else "never"
    if kind == "false":
        return "never" if positive else "always"
    if kind == "not":
        return words(f[1], titles, not positive)
    if kind in ("and", "or"):
        conjunction = (kind == "and") == positive
        parts = _unique([words(x, titles, positive) for x in f[1]])
        if len(parts) == 1:
            return parts[0]
        if conjunction:
            return _join(parts, "and")
        return "either " + _join(parts, "or")
    if kind == "stated":
        return f"{_title(titles, f[1])} is {'stated' if positive else 'not stated'}"
    if kind == "leaf":
        _, path, required, value = f
        text = _value_words(value, _title(titles, path), positive)
        # JSON Schema: a test on a member that is absent passes, so absence is on the holding side unless required
        if positive != required:
            text += " (or not stated)"
        return text
    return ("the profile is valid under " if positive else "the profile is not valid under ") + _json(f[1])


def _value_words(v: tuple, label: str, positive: bool) -> str:
    if v[0] == "not":
        return _value_words(v[1], label, not positive)
    if v[0] in ("and", "or"):
        conjunction = (v[0] == "and") == positive
        parts = _unique([_value_words(x, label, positive) for x in v[1]])
        return _join(parts, "and" if conjunction else "or")
    if v[0] == "money":
        _, amount, currency = v
        tests = {k: amount[k] for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
                 if isinstance(amount, dict) and k in amount}
        if not tests:
            return f"{label} is {'' if positive else 'not '}in {currency}"
        bounds = [_bound(k, n, positive) + f" {currency}" for k, n in tests.items()]
        return f"{label} is " + _join(bounds, "and" if positive else "or") + ("" if positive else f" (or not in {currency})")
    return _is_words(v[1], label, positive)


def _is_words(kws: dict, label: str, positive: bool) -> str:
    parts: list[str] = []
    done: set[str] = set()
    if "items" in kws and isinstance(kws["items"], dict) and "enum" in kws["items"]:
        listed = _list([_plain(x) for x in kws["items"]["enum"]], "or")
        parts.append(f"{label} {'are all' if positive else 'are not all'} among {listed}")
        done.update({"items", "minItems"} if kws.get("minItems") == 1 else {"items"})
    if "contains" in kws:
        inner = kws["contains"] if isinstance(kws["contains"], dict) else {}
        values = [inner["const"]] if "const" in inner else inner.get("enum") or []
        other = inner.get("not") if set(inner) == {"not"} and isinstance(inner.get("not"), dict) else {}
        others = [other["const"]] if "const" in other else other.get("enum") or []
        if others:
            listed = _list([_plain(x) for x in others], "or")
            parts.append(f"{label} include something other than {listed}" if positive
                         else f"{label} include nothing other than {listed}")
        elif values:
            listed = _list([_plain(x) for x in values], "or")
            if positive:
                parts.append(f"{label} include {listed}")
            else:
                parts.append(f"{label} include {'none of ' if len(values) > 1 else 'no '}{listed}"
                             if len(values) > 1 else f"{label} do not include {listed}")
        else:
            parts.append(f"{label} {'include' if positive else 'do not include'} an item valid under "
                         f"{_json(kws['contains'])}")
        done.add("contains")
    for keyword, value in kws.items():
        if keyword in done:
            continue
        parts.append(f"{label} " + _keyword_words(keyword, value, positive))
    return _join(parts, "and" if positive else "or")


def _keyword_words(keyword: str, value: Any, positive: bool) -> str:
    if keyword == "const":
        if isinstance(value, bool):
            return "is " + ("yes" if value == positive else "no")
        return f"is {'' if positive else 'not '}{_plain(value)}"
    if keyword == "enum" and isinstance(value, list):
        if len(value) == 1:
            return _keyword_words("const", value[0], positive)
        return f"is {'one' if positive else 'none'} of " + _list([_plain(x) for x in value], "or" if positive else "and")
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return "is " + _bound(keyword, value, positive)
    if keyword == "minItems":
        return f"have at least {value} items" if positive else f"have fewer than {value} items"
    if keyword == "maxItems":
        return f"have at most {value} items" if positive else f"have more than {value} items"
    if keyword == "minLength":
        return f"{'has at least' if positive else 'has fewer than'} {value} characters"
    if keyword == "maxLength":
        return f"{'has at most' if positive else 'has more than'} {value} characters"
    if keyword == "pattern":
        return f"{'matches' if positive else 'does not match'} the pattern {value}"
    if keyword == "format":
        return f"{'is' if positive else 'is not'} a {value}"
    if keyword == "type":
        return "is stated" if positive else "is not stated"
    if keyword == "items":
        return f"{'all are' if positive else 'not all are'} valid under {_json(value)}"
    return f"{'is' if positive else 'is not'} valid under {_json({keyword: value})}"


_BOUNDS = {  # keyword -> (holding, failing)
    "minimum": ("at least {}", "less than {}"),
    "exclusiveMinimum": ("more than {}", "at most {}"),
    "maximum": ("at most {}", "more than {}"),
    "exclusiveMaximum": ("less than {}", "at least {}"),
}


def _bound(keyword: str, value: Any, positive: bool) -> str:
    return _BOUNDS[keyword][0 if positive else 1].format(_number(value))


def _number(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) or float(value).is_integer() else str(value)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "null"
    return _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _list(items: Sequence[str], conjunction: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _join(parts: Sequence[str], conjunction: str) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return f" {conjunction} ".join(parts) if len(parts) == 2 else ", ".join(parts[:-1]) + f", {conjunction} " + parts[-1]


def _unique(parts: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return seen


# ---- conditions of a rule ----------------------------------------------------------------------------------------

def _condition_formula(conditions: Sequence[Mapping[str, Any]]) -> tuple:
    """The formula of the engine's conditions (each {"path", "if", "branch"}) holding together."""
    parts = []
    for c in conditions:
        f = formula(c.get("if"), c.get("path") or "")
        parts.append(f if c.get("branch", "then") == "then" else ("not", f))
    return _and(parts)


def applies_when(conditions: Optional[Sequence[Mapping[str, Any]]], titles: Titles = {}) -> Optional[str]:
    """"applies when …" for the engine's conditions of a rule, or None for a rule without conditions."""
    if not conditions:
        return None
    return "applies when " + words(_condition_formula(conditions), titles)


def conditions_at(schema: Any, pointer: str) -> list[dict]:
    """The conditions leading to a schema pointer, as the engine gives them ({"path", "if", "branch"}): each
    `then`/`else` on the way, and each `dependentSchemas` member (a condition that the member is stated)."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node, where, found, i = schema, "", [], 0
    while i < len(tokens) and isinstance(node, (dict, list)):
        key = tokens[i]
        if isinstance(node, list):
            node = node[int(key)] if key.isdigit() and int(key) < len(node) else None
            i += 1
            continue
        if key in ("properties", "patternProperties", "dependentSchemas", "$defs") and i + 1 < len(tokens):
            name = tokens[i + 1]
            if key == "dependentSchemas":
                found.append({"path": where, "if": {"required": [name]}, "branch": "then"})
            node = (node.get(key) or {}).get(name)
            if key == "properties":
                where += "/" + _escape(name)
            elif key == "patternProperties":
                where += "/*"
            i += 2
            continue
        if key in ("then", "else") and "if" in node:
            found.append({"path": where, "if": node["if"], "branch": key})
        elif key in ("items", "additionalProperties", "contains", "prefixItems"):
            where += "/*"
        node = node.get(key)
        i += 1
    return found


def at_pointer(schema: Any, pointer: str, titles: Titles = {}) -> Optional[str]:
    """"applies when …" for the constraint at a schema pointer of a rule document, or None if unconditional."""
    return applies_when(conditions_at(schema, pointer), titles)


# ---- the cases where one side's rule applies and the other's does not --------------------------------------------

def _flat(f: tuple) -> list[tuple]:
    return [x for part in f[1] for x in _flat(part)] if f[0] == "and" else ([] if f == ("true",) else [f])


def _key(f: tuple) -> str:
    return json.dumps(f, sort_keys=True, default=str)


def cases(target: Optional[Sequence[Mapping[str, Any]]], source: Optional[Sequence[Mapping[str, Any]]],
          titles: Titles = {}) -> str:
    """Words for the cases where the target's conditions hold and the source's do not: where the target's rule
    applies and the source's (on the same field) does not. The source's extra conjuncts are negated when its
    condition narrows the target's; otherwise both conditions are named."""
    t, s = _flat(_condition_formula(target or [])), _flat(_condition_formula(source or []))
    t_keys = {_key(x) for x in t}
    extra = [x for x in s if _key(x) not in t_keys]
    if not extra:
        return "in no case"  # the source's condition is no narrower: its rule applies wherever the target's does
    s_keys = {_key(x) for x in s}
    narrows = all(k in s_keys for k in t_keys)  # the source's condition is the target's and more
    here = words(_and(t), titles) if t else None
    unless = words(_and(extra if narrows else s), titles, False)
    return f"where {here} and {unless}" if here else f"where {unless}"
