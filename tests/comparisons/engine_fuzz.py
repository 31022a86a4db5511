"""Differential fuzzer for the comparison engine (issue 14, item 7).

Schema pairs come from a grammar of keywords that trips shortcuts: booleans against numbers (0/false,
1/true/1.0), recursion (`$ref: "#"`, `$defs`), patterns, formats and big numbers (1e308, 2**53 + 1,
multipleOf 3.0). Every answer is checked against both validators the registry can use (python-jsonschema
with a local referencing.Registry, the reference; jsonschema-rs as the registry configures it):
- "yes" (a ⊆ b): no sampled instance valid under `a` is invalid under `b` (instances: literals of both
  schemas, generic JSON values, the engine's own instance pool of `a`, and hypothesis-jsonschema draws
  for a share of the yes answers);
- "no": the witness is a finite JSON value, valid under `a` and invalid under `b`;
- compare() (one pair in COMPARE_EVERY): each witness (only_left, only_right, both) checked the same way.

Used by tests/comparisons/test_fuzz_engine.py (about 2,000 pairs, fixed seed) and bench/fuzz_engine.py
(20,000 pairs, reports the unknown rate by category).
"""

from __future__ import annotations

import collections
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import jsonschema_rs
import referencing
import referencing.exceptions
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from comparisons import compare, is_subschema
from comparisons.budget import Budget
from comparisons.values import json_equal, unique_values
from comparisons.witness import GENERIC, instance_pool, schema_values

COMPARE_EVERY = 8  # compare() on one pair in eight (it also computes differences: slower)
DRAW_EVERY = 10  # hypothesis-jsonschema draws for one yes answer in ten
DRAWS = 3
STEPS = 300_000  # a step budget per engine call, so that answers do not depend on the machine's speed

# ---------------------------------------------------------------- the grammar

BIG = [1e308, -1e308, 2 ** 53 + 1, 2 ** 64, 10 ** 30, 1e-300, 9007199254740993.0]
NUMBERS = [-1, 0, 0.5, 1, 1.0, 2, 3, 7, 14, 2.5] + BIG
LITERALS = [0, 1, 1.0, -1, 0.0, True, False, None, "", "a", "0", "1", "true", [], [0], [False], [True], [1],
            {}, {"a": 1}, {"a": True}, {"a": 1.0}, 2 ** 53 + 1, 1e308, "2024-01-31", "user@example.com"]
PATTERNS = ["^a", "a", "^[a-z]+$", "^\\d+$", "^[0-9]*$", "x|y", "^(ab)*$", "b$", "\\s", "^\\S+$", "^.$", "[^a]"]
FORMATS = ["date", "email", "uuid", "date-time", "ipv4", "hostname", "regex", "time"]
NAMES = ["a", "b", "next"]
CONFUSABLE = [0, 1, 0.0, 1.0, [0], [1], {"a": 0}, {"a": 1}, [0, 1]]  # Python's == takes them for booleans

TYPES = ["integer", "number", "boolean", "null", "string", "array", "object", ["integer", "boolean"],
         ["number", "string"], ["null", "boolean"]]
MULTIPLES = [1, 2, 3, 3.0, 0.5, 0.1, 1e-300, 2 ** 53 + 1]


class Grammar:
    """Random schemas from a keyword grammar, driven by a random.Random that hypothesis seeds (a strategy
    per keyword cost 18 ms per pair in hypothesis itself; this costs well under one)."""

    def __init__(self, rnd: Any) -> None:
        self.r = rnd

    def some(self, options: list, most: int) -> list:
        return [self.r.choice(options) for _ in range(self.r.randint(0, most))]

    def optional(self, parts: dict[str, Callable[[], Any]]) -> dict:
        return {k: make() for k, make in parts.items() if self.r.random() < 0.35}

    def leaf(self) -> Any:
        r = self.r
        kind = r.randrange(5)
        if kind == 0:
            return r.random() < 0.6
        typed = {"type": lambda: r.choice(TYPES)}
        if kind == 1:
            return self.optional({**typed, "const": lambda: r.choice(LITERALS), "enum": lambda: self.some(LITERALS, 3)})
        if kind == 2:
            return self.optional({**typed, **{k: (lambda: r.choice(NUMBERS)) for k in (
                "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")}, "multipleOf": lambda: r.choice(MULTIPLES)})
        if kind == 3:
            return self.optional({**typed, "minLength": lambda: r.randint(0, 3), "maxLength": lambda: r.randint(0, 4),
                                  "pattern": lambda: r.choice(PATTERNS), "format": lambda: r.choice(FORMATS)})
        return self.optional({**typed, "enum": lambda: self.some(LITERALS, 3)})

    def schema(self, depth: int = 0) -> Any:
        r = self.r
        if depth >= 2 or r.random() < 0.45:
            return self.leaf()
        sub = lambda: self.schema(depth + 1)  # noqa: E731
        kind = r.randrange(7)
        if kind < 3:
            return {("allOf", "anyOf", "oneOf")[kind]: [sub() for _ in range(r.randint(1, 2))]}
        if kind == 3:
            return {"not": sub()}
        if kind == 4:
            return {"if": sub(), "then": sub(), "else": sub()}
        if kind == 5:
            return {"type": "array", **self.optional({
                "items": sub, "prefixItems": lambda: [sub() for _ in range(r.randint(0, 2))],
                "minItems": lambda: r.randint(0, 2), "maxItems": lambda: r.randint(0, 3),
                "uniqueItems": lambda: r.random() < 0.5, "contains": sub})}
        return {"type": "object", **self.optional({
            "properties": lambda: {n: sub() for n in self.some(NAMES, 2)},
            "required": lambda: sorted(set(self.some(NAMES, 2))),
            "additionalProperties": lambda: r.random() < 0.5 if r.random() < 0.5 else sub(),
            "patternProperties": lambda: {r.choice(["^a", "^n", "t$"]): sub()},
            "propertyNames": lambda: r.choice([{"maxLength": 1}, {"pattern": "^[a-c]"}, {"enum": ["a", "next"]}]),
            "minProperties": lambda: r.randint(0, 2), "maxProperties": lambda: r.randint(0, 3)})}

    def near_complement(self) -> Any:
        """x with "not x'" beside it, x' being x with booleans and numbers swapped (0/false, 1/true):
        the pairs a shortcut comparing values with Python == takes for complements."""
        r = self.r
        x = {"const": r.choice(CONFUSABLE)} if r.random() < 0.7 else {"enum": self.some(CONFUSABLE, 2)}
        return {r.choice(["anyOf", "allOf", "oneOf"]): [x, {"not": _swap_booleans(x)}][::r.choice([1, -1])]}

    def pair(self) -> tuple[Any, Any, bool]:
        r = self.r
        if r.random() < 0.1:  # a near complement, against anything (true included)
            x, y = self.near_complement(), self.schema() if r.random() < 0.7 else True
            a, b = (x, y) if r.random() < 0.5 else (y, x)
            return a, b, r.random() < 0.5
        a, b = _related(self.schema(), self.schema(), r.randrange(6), r.randrange(20))
        return a, b, r.random() < 0.5


def _swap_booleans(schema: Any) -> Any:
    if isinstance(schema, bool):
        return schema
    if isinstance(schema, list):
        return [_swap_booleans(x) for x in schema]
    if isinstance(schema, dict):
        return {k: _swap_booleans(v) for k, v in schema.items()}
    if schema is None or isinstance(schema, str):
        return schema
    return {0: False, 1: True}.get(schema, schema) if isinstance(schema, int) else schema


def _recursive(x: Any, how: int) -> Any:
    """Recursion and local references around a schema."""
    if how == 0:  # a linked list: next is the whole schema
        return {"type": "object", "properties": {"next": {"$ref": "#"}, "a": x}}
    if how == 1:
        return {"$defs": {"d": x}, "$ref": "#/$defs/d"}
    return {"$defs": {"d": x}, "anyOf": [{"$ref": "#/$defs/d"}, {"type": "array", "items": {"$ref": "#"}}]}


def _related(x: Any, y: Any, how: int, rec: int) -> tuple[Any, Any]:
    """Pairs that share structure often, so that "yes" answers are common."""
    if how == 0:
        pair = (x, y)
    elif how == 1:
        pair = ({"allOf": [x, y]}, x)
    elif how == 2:
        pair = (x, {"anyOf": [x, y]})
    elif how == 3 and isinstance(x, dict) and isinstance(y, dict):
        pair = ({**x, **y}, x)
    elif how == 4:
        pair = (x, x)
    else:
        pair = (y, x)
    if rec < 3:  # recursion on both sides, or on one (3 pairs in 20)
        return _recursive(pair[0], rec), _recursive(pair[1], rec) if rec != 2 else pair[1]
    return pair


# ---------------------------------------------------------------- the two validators

def _refuse(uri: str) -> referencing.Resource:
    raise referencing.exceptions.NoSuchResource(ref=uri)


_REGISTRY = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]


class Oracle:
    """python-jsonschema and jsonschema-rs for one schema, format assertion on or off."""

    def __init__(self, schema: Any, fa: bool) -> None:
        kwargs: dict[str, Any] = {"registry": _REGISTRY}
        if fa:
            kwargs["format_checker"] = Draft202012Validator.FORMAT_CHECKER
        self.reference = Draft202012Validator(schema, **kwargs)
        try:
            self.registry: Optional[Any] = jsonschema_rs.Draft202012Validator(
                schema, validate_formats=fa, pattern_options=jsonschema_rs.RegexOptions())
        except Exception:  # a pattern its linear-time engine refuses: the registry refuses the document too
            self.registry = None

    def verdicts(self, value: Any) -> Optional[set]:
        """{True} / {False} when both validators agree, {True, False} when they differ, None when
        validation cannot run (a remote reference, recursion...)."""
        try:
            out = {bool(self.reference.is_valid(value))}
            if self.registry is not None:
                out.add(bool(self.registry.is_valid(value)))
        except Exception:
            return None
        return out


def finite(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- checking one pair

@dataclass
class Findings:
    pairs: int = 0
    answers: collections.Counter = field(default_factory=collections.Counter)
    unknown: collections.Counter = field(default_factory=collections.Counter)  # by reason category
    wrong: list = field(default_factory=list)  # (kind, a, b, fa, detail)
    disagreements: int = 0  # instances the two validators read differently (not the engine's answer)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only: the wall time depends on what else runs

    def record_wrong(self, kind: str, a: Any, b: Any, fa: bool, detail: Any) -> None:
        self.wrong.append((kind, a, b, fa, detail))


def _witness_ok(o_in: list, o_out: list, value: Any) -> Optional[str]:
    if not finite(value):
        return "not a finite JSON value"
    for o in o_in:
        v = o.verdicts(value)
        if v is not None and v != {True}:
            return f"not valid where it must be ({sorted(v)})"
    for o in o_out:
        v = o.verdicts(value)
        if v is not None and v != {False}:
            return f"valid where it must not be ({sorted(v)})"
    return None


def _instances(a: Any, b: Any, fa: bool) -> list:
    out = schema_values(a) + schema_values(b) + GENERIC + LITERALS
    try:
        out += instance_pool(a, fa)
    except Exception:
        pass
    return [v for v in out if finite(v)]


def drawn_instances(a: Any, n: int = DRAWS) -> list:
    """Up to n instances of `a` drawn by hypothesis-jsonschema (none when it cannot handle `a`; it
    expands references, which takes seconds on recursive ones: those are left to the other instances)."""
    if "$ref" in json.dumps(a):
        return []
    try:
        strategy = from_schema(a)
    except (HypothesisException, Exception):
        return []
    found: list = []

    @settings(max_examples=n, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        try:
            found.append(data.draw(strategy))
        except (HypothesisException, AssertionError, RecursionError):
            pass  # hypothesis-jsonschema bugs and unsatisfiable schemas: no instance

    try:
        draw()
    except Exception:
        pass
    return found


def check_pair(a: Any, b: Any, fa: bool, findings: Findings, index: int) -> None:
    findings.pairs += 1
    res = is_subschema(a, b, format_assertion=fa, budget=Budget(seconds=600, max_steps=STEPS))
    findings.answers[res.answer] += 1
    try:
        oa, ob = Oracle(a, fa), Oracle(b, fa)
    except Exception:  # a schema jsonschema cannot even build a validator for
        return
    if res.answer == "unknown":
        findings.unknown[(res.reason or "no reason").split(":")[0]] += 1
        if not res.reason:
            findings.record_wrong("unknown without a reason", a, b, fa, None)
    elif res.answer == "no":
        problem = _witness_ok([oa], [ob], res.witness)
        if problem:
            findings.record_wrong("witness", a, b, fa, (res.witness, problem))
    else:
        instances = _instances(a, b, fa)
        if index % DRAW_EVERY == 0:
            instances += [v for v in drawn_instances(a) if finite(v)]
        found = _outside(oa, ob, instances, findings)
        if found is not _NONE:
            findings.record_wrong("yes", a, b, fa, found)
    if index % COMPARE_EVERY == 0:
        _check_compare(a, b, fa, oa, ob, findings)


_NONE = object()


def _outside(inside: Oracle, outside: Oracle, instances: list, findings: Findings) -> Any:
    """An instance `inside` accepts and `outside` refuses (each by at least one validator, the two
    together by both), or _NONE."""
    for v in unique_values(instances):
        va = inside.verdicts(v)
        if va is None or True not in va:
            continue
        vb = outside.verdicts(v)
        if vb is None:
            continue
        if len(va) > 1 or len(vb) > 1:
            findings.disagreements += 1
        if False in vb and (va == {True} or vb == {False}):
            return v
    return _NONE


class _Both:
    """Valid under both schemas (for a "disjoint" answer, no instance may be)."""

    def __init__(self, oa: Oracle, ob: Oracle) -> None:
        self.oa, self.ob = oa, ob

    def verdicts(self, value: Any) -> Optional[set]:
        va, vb = self.oa.verdicts(value), self.ob.verdicts(value)
        return None if va is None or vb is None else {x and y for x in va for y in vb}


class _Nothing:
    def verdicts(self, value: Any) -> set:
        return {False}


def _check_compare(a: Any, b: Any, fa: bool, oa: Oracle, ob: Oracle, findings: Findings) -> None:
    res = compare(a, b, format_assertion=fa)
    if res.relation == "unknown" and not res.reason:
        findings.record_wrong("compare: unknown without a reason", a, b, fa, None)
    claims = {"equivalent": [(oa, ob), (ob, oa)], "stricter": [(oa, ob)], "looser": [(ob, oa)],
              "disjoint": [(_Both(oa, ob), _Nothing())]}.get(res.relation, [])
    instances = _instances(a, b, fa) + _instances(b, a, fa)
    for inside, outside in claims:
        found = _outside(inside, outside, instances, findings)
        if found is not _NONE:
            findings.record_wrong(f"compare {res.relation}", a, b, fa, found)
    for name, inside, outside in (("only_left", [oa], [ob]), ("only_right", [ob], [oa]), ("both", [oa, ob], [])):
        if getattr(res, "has_" + name):
            problem = _witness_ok(inside, outside, getattr(res, name))
            if problem:
                findings.record_wrong(f"compare {name}", a, b, fa, (getattr(res, name), problem))


def run(pairs: int, seed_value: int, progress: Optional[Callable[[Findings], None]] = None) -> Findings:
    """Check `pairs` generated pairs (hypothesis seeds the grammar's random source; generation only)."""
    findings = Findings()
    start, cpu = time.perf_counter(), time.process_time()

    @seed(seed_value)
    @settings(max_examples=pairs, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.randoms(use_true_random=False))
    def each(rnd: Any) -> None:
        a, b, fa = Grammar(rnd).pair()
        check_pair(a, b, fa, findings, findings.pairs)
        if progress is not None and findings.pairs % 1000 == 0:
            progress(findings)

    each()
    findings.seconds = time.perf_counter() - start
    findings.cpu_seconds = time.process_time() - cpu
    return findings


def unknown_rate_table(findings: Findings) -> list[str]:
    total = max(1, findings.pairs)
    lines = [f"{findings.pairs} pairs in {findings.seconds:.1f} s ({findings.cpu_seconds:.1f} s CPU): "
             + ", ".join(f"{k} {v} ({100 * v / total:.1f}%)" for k, v in sorted(findings.answers.items()))]
    lines.append("unknown by category:")
    for reason, n in findings.unknown.most_common():
        lines.append(f"  {n:>6}  {100 * n / total:5.2f}%  {reason}")
    lines.append(f"instances the two validators read differently: {findings.disagreements}")
    causes = collections.Counter(known_cause(w) or "new" for w in findings.wrong)
    lines.append(f"wrong answers and bad witnesses: {len(findings.wrong)}"
                 + "".join(f"\n  {n:>6}  {cause}" for cause, n in causes.most_common()))
    return lines


# Two causes of wrong answers that the fuzzer found before issue 14 items 1 and 2 were fixed: each has a test
# of its own in test_fuzz_engine.py, so a return of either is named as such.
EQUALITY = "JSON equality shortcut (issue 14 item 1: keywords._has_complement_pair compares with Python ==)"
WRAPPER = "$ref behind a wrapper (issue 14 item 2: compare() tests disjointness as a ⊆ {not: b})"


def known_cause(wrong: tuple) -> Optional[str]:
    kind, a, b, _fa, _detail = wrong
    literals = [v for s in (a, b) for v in _const_values(s)]
    if any(x == y and not json_equal(x, y) for i, x in enumerate(literals) for y in literals[i + 1:]):
        return EQUALITY
    if kind in ("compare disjoint", "compare both") and "$ref" in json.dumps([a, b]):
        return WRAPPER
    return None


def _const_values(schema: Any) -> list:
    """The const and enum values anywhere in a schema."""
    if isinstance(schema, list):
        return [v for x in schema for v in _const_values(x)]
    if not isinstance(schema, dict):
        return []
    out = [schema["const"]] if "const" in schema else []
    out += schema["enum"] if isinstance(schema.get("enum"), list) else []
    return out + [v for k, x in schema.items() if k not in ("const", "enum") for v in _const_values(x)]


def describe(wrong: tuple) -> str:
    kind, a, b, fa, detail = wrong
    return f"{kind}: a={json.dumps(a)} b={json.dumps(b)} format_assertion={fa} detail={detail!r}"


