"""merge_strictest: one schema accepting exactly what every input accepts, the strictest
requirement per path, and the conflicts no instance can satisfy."""

from __future__ import annotations

from typing import Any, Optional

from .constraints import Constraint, flatten
from .canonical import Context
from .containment import document_problem, is_subschema
from .differences import COMPARATORS, phrase
from .resources import all_of, has_reference
from .results import Conflict, Merged, Requirement
from .validation import Undecidable, is_valid
from .values import canonical_json, json_equal, value_key

LOWER = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"}
UPPER = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"}
# (lower keyword, upper keyword) pairs that can contradict each other
BOUND_PAIRS = [("minimum", "maximum"), ("minimum", "exclusiveMaximum"), ("exclusiveMinimum", "maximum"),
               ("exclusiveMinimum", "exclusiveMaximum"), ("minLength", "maxLength"), ("minItems", "maxItems"),
               ("minProperties", "maxProperties")]


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def merge_strictest(inputs: dict[str, Any], *, format_assertion: bool = False, simplify: bool = True,
                    schema: bool = True) -> Merged:
    """`schema=False` leaves out the combined schema (`Merged.schema` is None): the requirements and conflicts are the
    same, without building the allOf and proving a simplified form equivalent, the larger part of the cost."""
    labels = list(inputs)
    for label in labels:
        problem = document_problem(inputs[label], Context())
        if problem:
            raise ValueError(f"{label}: {problem}")
    flat = {label: flatten(schema) for label, schema in inputs.items()}
    requirements = _requirements(flat)
    conflicts = _conflicts(flat, format_assertion)
    if not schema:
        return Merged(None, tuple(requirements), tuple(conflicts), False)
    combined: Any = all_of([inputs[k] for k in labels])  # each input keeps what its references mean
    simplified = False
    if simplify and len(labels) > 1 and not any(has_reference(inputs[k]) for k in labels):
        candidate = merge_plain([inputs[k] for k in labels])
        if candidate is not None:
            # only keep the simplified form when it is proven equivalent to the allOf
            there = is_subschema(candidate, combined, format_assertion=format_assertion)
            back = is_subschema(combined, candidate, format_assertion=format_assertion)
            if there.answer == "yes" and back.answer == "yes":
                combined, simplified = candidate, True
    return Merged(combined, tuple(requirements), tuple(conflicts), simplified)


# ---------------------------------------------------------------- requirements

def _requirements(flat: dict[str, list[Constraint]]) -> list[Requirement]:
    groups: dict[tuple, list[tuple[str, Constraint]]] = {}
    for label, cs in flat.items():
        for c in cs:
            groups.setdefault(c.key(), []).append((label, c))
    out = []
    for _key, members in groups.items():
        c0 = members[0][1]
        kw = c0.keyword
        value, winners = _strictest(kw, members)
        cond = [x.to_dict() for x in c0.conditions] or None
        rules = tuple(c.rule for label, c in members if label in winners and c.rule)
        out.append(Requirement(c0.path, kw, value, tuple(winners), _dedupe(rules), cond))
    return out


def _dedupe(rules: tuple) -> tuple:
    """The rules without repeats (equal as JSON), in order. Rule annotations carry long quoted sources, so only those
    that could be equal are serialised: the same object is a repeat, and annotations whose string `id`s differ are not."""
    out: list = []
    objects: set[int] = set()
    kept: dict[Any, list[list]] = {}  # pre-key -> [[rule, its canonical JSON or None], ...]
    for r in rules:
        if id(r) in objects:
            continue
        objects.add(id(r))
        pre = r["id"] if isinstance(r, dict) and isinstance(r.get("id"), str) else None
        same = kept.setdefault(pre, [])
        if same:
            text = canonical_json(r)
            for entry in same:
                entry[1] = entry[1] if entry[1] is not None else canonical_json(entry[0])
            if any(entry[1] == text for entry in same):
                continue
            same.append([r, text])
        else:
            same.append([r, None])
        out.append(r)
    return tuple(out)


def _strictest(kw: str, members: list[tuple[str, Constraint]]) -> tuple[Any, list[str]]:
    values = [c.value for _l, c in members]
    if kw in LOWER and all(_num(v) for v in values):
        best = max(values)
    elif kw in UPPER and all(_num(v) for v in values):
        best = min(values)
    elif kw == "enum" and all(isinstance(v, list) for v in values):
        keys = set.intersection(*({value_key(x) for x in v} for v in values))
        best = [x for x in values[0] if value_key(x) in keys]
        return best, [l for l, c in members if {value_key(x) for x in c.value} == keys] or [l for l, _ in members]
    elif kw in ("required", "uniqueItems"):
        best = any(v is True for v in values)
    else:
        distinct = {canonical_json(v): v for v in values}
        if len(distinct) == 1:
            best = values[0]
        else:
            return list(distinct.values()), [l for l, _ in members]
    return best, [l for l, c in members if json_equal(c.value, best)]


# ---------------------------------------------------------------- conflicts

def _clash(k1: str, v1: Any, k2: str, v2: Any) -> Optional[str]:
    """Why no value can satisfy keyword k1=v1 and k2=v2 at one path (None: they can agree)."""
    for lo, hi in BOUND_PAIRS:
        for (ka, va), (kb, vb) in (((k1, v1), (k2, v2)), ((k2, v2), (k1, v1))):
            if ka == lo and kb == hi and _num(va) and _num(vb):
                strict = lo.startswith("exclusive") or hi.startswith("exclusive")
                if va > vb or (strict and va == vb):
                    return f"{phrase(ka, va)} contradicts {phrase(kb, vb)}"
    if k1 == k2 and k1 in ("const", "enum", "type"):
        d = COMPARATORS[k1](v1, v2)
        if d == "incompatible":
            return f"{phrase(k1, v1)} contradicts {phrase(k2, v2)}"
    if {k1, k2} == {"const", "enum"}:
        const, enum = (v1, v2) if k1 == "const" else (v2, v1)
        if isinstance(enum, list) and not any(json_equal(const, x) for x in enum):
            return f"{phrase('const', const)} is not {phrase('enum', enum)}"
    if "const" in (k1, k2) and k1 != k2 and (k1, k2) != ("const", "const"):
        const, (ok, ov) = (v1, (k2, v2)) if k1 == "const" else (v2, (k1, v1))
        if ok in COMPARATORS and ok not in ("enum", "required"):
            try:
                if not is_valid({ok: ov}, const):
                    return f"{phrase('const', const)} fails {phrase(ok, ov)}"
            except Undecidable:
                return None
    return None


def exists_schema(steps: tuple) -> Any:
    """Instances in which the path `steps` leads to a value."""
    inner: Any = True
    for step in reversed(steps):
        if step.kind == "prop":
            inner = {"type": "object", "required": [step.name], "properties": {step.name: inner}}
        elif step.kind == "prefix":
            inner = {"type": "array", "minItems": step.name + 1, "prefixItems": [True] * step.name + [inner]}
        elif step.kind == "item":
            after = step.name or 0
            inner = ({"type": "array", "minItems": after + 1, "prefixItems": [True] * after, "items": inner}
                     if after else {"type": "array", "contains": inner})
        elif step.kind == "pattern":
            inner = {"type": "object", "minProperties": 1, "propertyNames": {"pattern": step.name},
                     "additionalProperties": inner}
        else:  # a member outside properties and patternProperties
            names, patterns = step.name or ((), ())
            outside = [{"enum": list(names)}] + [{"pattern": p} for p in patterns]
            inner = {"type": "object", "minProperties": 1, "propertyNames": {"not": {"anyOf": outside}},
                     "additionalProperties": inner}
    return inner


def _conditions_schema(c: Constraint) -> Any:
    from .constraints import wrap

    parts = [exists_schema(c.steps)]
    for cond in c.conditions:
        test = cond.schema if cond.branch == "then" else {"not": cond.schema}
        parts.append(wrap(cond.steps, test))
    return {"allOf": parts} if parts else True


# the instances a bound speaks about: a conflict between bounds is one for the values of that type
BOUND_TYPES = {**{k: "number" for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")},
               "minLength": "string", "maxLength": "string", "minItems": "array", "maxItems": "array",
               "minProperties": "object", "maxProperties": "object"}


def _typed(ca: Constraint, cb: Constraint) -> list[Any]:
    """`type` at the path when both keywords speak about one type only (minimum 14 / maximum 7: numbers)."""
    types = {BOUND_TYPES.get(ca.keyword), BOUND_TYPES.get(cb.keyword)}
    if len(types) != 1 or None in types:
        return []
    from .constraints import wrap

    return [wrap(ca.steps, {"type": types.pop()})]


def _no_instance(where: Any, sides: list[list[Constraint]], fa: bool) -> str:
    """"yes" when no instance satisfies both sides' constraints at the path where both apply (the proof a
    certain conflict needs), "no" when one does, "unknown" otherwise. Without their documents: a reference
    then stays unresolved and the answer unknown, never a wrong proof (see constraints.with_document)."""
    both = {"allOf": [where] + [c.schema(document=False) for side in sides for c in side]}
    return is_subschema(both, False, format_assertion=fa).answer


def _siblings(members: list[tuple[str, Constraint]], label: str, c: Constraint) -> list[Constraint]:
    """The constraints one label puts at the same path under the same conditions (type beside minimum...)."""
    return [x for l, x in members if l == label and x.conditions == c.conditions]


def _conflicts(flat: dict[str, list[Constraint]], fa: bool) -> list[Conflict]:
    by_path: dict[str, list[tuple[str, Constraint]]] = {}
    for label, cs in flat.items():
        for c in cs:
            by_path.setdefault(c.path, []).append((label, c))
    out: list[Conflict] = []
    seen: set[str] = set()
    labels = list(flat)
    for path, members in by_path.items():
        for i, (la, ca) in enumerate(members):
            for lb, cb in members[i + 1:]:
                if la == lb:
                    continue
                why = _clash(ca.keyword, ca.value, cb.keyword, cb.value)
                if why is None:
                    continue
                status, conditions = "certain", {}
                where = {"allOf": [_conditions_schema(ca), _conditions_schema(cb)]}
                if ca.conditions or cb.conditions:
                    res = is_subschema(where, False, format_assertion=fa)
                    if res.answer == "yes":
                        continue  # the two conditions never hold together
                    status = "certain" if res.answer == "no" else "possible"
                    conditions = {la: [x.to_dict() for x in ca.conditions], lb: [x.to_dict() for x in cb.conditions]}
                    if res.answer == "no":
                        conditions["example"] = res.witness
                where = {"allOf": where["allOf"] + _typed(ca, cb)}
                proof = _no_instance(where, [_siblings(members, la, ca), _siblings(members, lb, cb)], fa)
                if proof == "no":
                    continue  # an instance satisfies both where both apply: the clash was only apparent
                if proof == "unknown":
                    status = "possible"
                key = canonical_json([path, sorted([[la, ca.keyword, ca.value], [lb, cb.keyword, cb.value]], key=canonical_json)])
                if key in seen:
                    continue
                seen.add(key)
                pair = tuple(sorted({la, lb}, key=labels.index))
                out.append(Conflict(path, ca.keyword if ca.keyword == cb.keyword else f"{ca.keyword}/{cb.keyword}",
                                    pair, {la: {ca.keyword: ca.value}, lb: {cb.keyword: cb.value}} if la != lb else {},
                                    f"{path or 'the document'}: {la} requires {phrase(ca.keyword, ca.value)}; "
                                    f"{lb} requires {phrase(cb.keyword, cb.value)} ({why})",
                                    conditions, status))
    return out


# ---------------------------------------------------------------- simplification

PLAIN_KEYS = LOWER | UPPER | {"type", "const", "enum", "required", "properties", "multipleOf", "pattern",
                              "format", "uniqueItems", "title", "description", "x-rule", "$comment"}


def merge_plain(schemas: list[Any]) -> Optional[Any]:
    """Keyword-wise merge of plain schemas (no applicators, refs, additional/pattern properties);
    None when some input is not plain. The caller proves equivalence before using it."""
    if not all(isinstance(s, dict) and set(s) <= PLAIN_KEYS for s in schemas):
        return None
    out: dict[str, Any] = {}
    for s in schemas:
        for k, v in s.items():
            if k in ("title", "description", "$comment"):
                continue
            if k not in out:
                out[k] = v
                continue
            cur = out[k]
            if k in LOWER and _num(cur) and _num(v):
                out[k] = max(cur, v)
            elif k in UPPER and _num(cur) and _num(v):
                out[k] = min(cur, v)
            elif k == "required":
                out[k] = list(dict.fromkeys(list(cur) + list(v)))
            elif k == "enum" and isinstance(cur, list) and isinstance(v, list):
                keys = {value_key(x) for x in v}
                out[k] = [x for x in cur if value_key(x) in keys]
            elif k == "properties" and isinstance(cur, dict) and isinstance(v, dict):
                merged = dict(cur)
                for name, sub in v.items():
                    if name in merged:
                        m = merge_plain([merged[name], sub])
                        merged[name] = m if m is not None else {"allOf": [merged[name], sub]}
                    else:
                        merged[name] = sub
                out[k] = merged
            elif k == "x-rule":
                if canonical_json(cur) != canonical_json(v):
                    out[k] = None  # different rules: dropped below

            elif canonical_json(cur) == canonical_json(v):
                continue
            else:
                return None
    if out.get("x-rule", 0) is None:
        del out["x-rule"]
    return out


