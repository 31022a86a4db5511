"""Property test: on generated schema pairs, every `yes` survives instances drawn from `a`
(hypothesis-jsonschema) and every `no` carries a witness that jsonschema confirms."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, InvalidArgument, Unsatisfiable
from hypothesis_jsonschema import from_schema

from comparisons import is_subschema
from comparisons.budget import Budget
from comparisons.canonical import _ROOT_CACHE
from comparisons.validation import is_valid, validator_for
from comparisons.witness import GENERIC, schema_values

EXAMPLES_PER_FAMILY = int(os.environ.get("COMPARISONS_PROPERTY_EXAMPLES", "1300"))  # 4 families: 5,200 generated pairs in all
DRAWS_PER_YES = 5
YES_SAMPLE = int(os.environ.get("COMPARISONS_PROPERTY_YES_SAMPLE", "60"))  # per family
SETTINGS = settings(
    max_examples=EXAMPLES_PER_FAMILY,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

values = st.sampled_from([0, 1, 1.0, 2, -1, 0.5, 7, 14, True, False, None, "", "a", "EU", "CN", [], [1], {}, {"a": 1}])
numbers = st.sampled_from([-10, -1, 0, 0.5, 1, 2, 3, 5, 7, 10, 14, 30, 2.5])
patterns = st.sampled_from(["^a", "a", "^[a-z]+$", "^[a-z]*$", "^[A-Z]{2}$", "b$", "^\\d+$", "^[0-9]+$", "x|y", "^(ab)*$",
                            "^(cat|dog)$", "(a|b)c", "^[^a]*$", "\\.", "^a?b{1,2}$"])
names = st.sampled_from(["a", "b", "c", "days", "x1"])


def _dict(**parts):
    return st.fixed_dictionaries({}, optional=parts)


def numeric() -> st.SearchStrategy:
    return _dict(type=st.sampled_from(["integer", "number", ["integer", "string"], ["number", "null"]]),
                 minimum=numbers, maximum=numbers, exclusiveMinimum=numbers, exclusiveMaximum=numbers,
                 multipleOf=st.sampled_from([1, 2, 3, 5, 0.5]),
                 enum=st.lists(values, min_size=1, max_size=4), const=values)


def stringy() -> st.SearchStrategy:
    return _dict(type=st.sampled_from(["string", ["string", "number"]]),
                 minLength=st.integers(0, 4), maxLength=st.integers(0, 5), pattern=patterns,
                 enum=st.lists(st.sampled_from(["", "a", "ab", "EU", "CN", "abc", "12", 1]), min_size=1, max_size=4),
                 format=st.sampled_from(["email", "date"]))


def simple() -> st.SearchStrategy:
    return st.one_of(numeric(), stringy(), st.booleans(),
                     _dict(type=st.sampled_from(["null", "boolean", "object", "array"])),
                     _dict(const=values), _dict(enum=st.lists(values, min_size=0, max_size=4)))


def arrays(inner: st.SearchStrategy) -> st.SearchStrategy:
    return _dict(type=st.just("array"), items=inner, prefixItems=st.lists(inner, max_size=2),
                 minItems=st.integers(0, 3), maxItems=st.integers(0, 4), uniqueItems=st.booleans(),
                 contains=inner, minContains=st.integers(0, 2), maxContains=st.integers(0, 3))


def objects(inner: st.SearchStrategy) -> st.SearchStrategy:
    return _dict(type=st.just("object"), properties=st.dictionaries(names, inner, max_size=3),
                 required=st.lists(names, max_size=3, unique=True),
                 additionalProperties=st.one_of(st.booleans(), inner),
                 patternProperties=st.dictionaries(st.sampled_from(["^a", "^x", "1$"]), inner, max_size=2),
                 minProperties=st.integers(0, 3), maxProperties=st.integers(0, 4),
                 propertyNames=st.sampled_from([{"maxLength": 1}, {"pattern": "^[a-c]"}, {"enum": ["a", "b"]}]),
                 dependentRequired=st.dictionaries(names, st.lists(names, max_size=2, unique=True), max_size=2),
                 dependentSchemas=st.dictionaries(names, inner, max_size=1))


def rule_like(inner: st.SearchStrategy) -> st.SearchStrategy:
    """Rule documents: an object with properties and allOf of if/then blocks."""
    cond = st.builds(lambda n, v: {"properties": {n: {"const": v}}, "required": [n]}, names, values)
    block = _dict(**{"if": cond, "then": objects(inner), "else": objects(inner)})
    return st.builds(lambda base, blocks: {**base, "allOf": blocks} if blocks else base,
                     objects(inner), st.lists(block, max_size=2))


def combinators(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda xs: {"allOf": xs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda xs: {"anyOf": xs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda xs: {"oneOf": xs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda x: {"not": x}, inner),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
    )


def related(schemas: st.SearchStrategy) -> st.SearchStrategy:
    """Pairs that share structure often: (x, y), (x, allOf[x, y]), (anyOf[x, y], x), (x, x+keyword)."""
    def build(x, y, how):
        if how == 0:
            return x, y
        if how == 1:
            return {"allOf": [x, y]}, x
        if how == 2:
            return x, {"anyOf": [x, y]}
        if how == 3 and isinstance(x, dict) and isinstance(y, dict):
            return {**x, **y}, x
        if how == 4 and isinstance(x, dict) and isinstance(y, dict):
            return x, {**x, **y}
        if how == 5:
            # local $ref / $defs at the root of both sides
            return {"$defs": {"d": x}, "$ref": "#/$defs/d"}, {"$defs": {"e": y}, "allOf": [{"$ref": "#/$defs/e"}]}
        return y, x
    return st.builds(build, schemas, schemas, st.integers(0, 6))


FAMILIES = {
    "scalars": st.one_of(numeric(), stringy(), simple()),
    "arrays": arrays(simple()),
    "objects": st.one_of(objects(simple()), rule_like(simple())),
    "combinators": st.recursive(simple(), lambda inner: st.one_of(combinators(inner), arrays(inner), objects(inner)),
                                max_leaves=3),
}


def check_pair(a, b) -> str:
    """Check the engine's answer on one pair; returns the answer."""
    # a step budget only (no wall clock) and no memoised canonical forms (they save steps),
    # so that answers are the same when hypothesis replays an example
    _ROOT_CACHE.clear()
    res = is_subschema(a, b, budget=Budget(seconds=600, max_steps=1_000_000))
    note(f"a={a!r}\nb={b!r}\nresult={res!r}")
    if res.answer == "no":
        assert res.has_witness
        assert is_valid(a, res.witness), "witness not valid under a"
        assert not is_valid(b, res.witness), "witness valid under b"
    elif res.answer == "unknown":
        assert res.reason
    else:
        # cheap, deterministic instances: literals of both schemas and generic JSON values
        for instance in schema_values(a) + schema_values(b) + GENERIC:
            assert holds(a, b, instance), f"engine said yes but {instance!r} is in a and not in b"
    return res.answer


def holds(a, b, instance) -> bool:
    """Valid under `a` implies valid under `b`, for each validation engine on its own (they may disagree)."""
    pairs = zip(validator_for(a).verdicts(instance), validator_for(b).verdicts(instance))
    return all(not x or y for x, y in pairs if x is not None and y is not None)


def check_yes_with_drawn_instances(a, b) -> None:
    """Instances of `a` drawn by hypothesis-jsonschema all validate under `b`."""
    try:
        strategy = from_schema(a)
    except HypothesisException:
        return  # a schema hypothesis-jsonschema cannot handle

    @settings(max_examples=DRAWS_PER_YES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def draw(data):
        try:
            instance = data.draw(strategy)
        except (InvalidArgument, AssertionError):
            # hypothesis-jsonschema bugs: invalid strategies (minLength > maxLength),
            # internal assertions on some object schemas
            return
        # hypothesis-jsonschema does not know every 2020-12 keyword: instances outside `a` prove nothing
        assert holds(a, b, instance), f"engine said yes but {instance!r} is in a and not in b\na={a!r}\nb={b!r}"

    try:
        draw()
    except Unsatisfiable:
        return  # `a` is empty (or hypothesis-jsonschema cannot find its instances)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_engine_is_sound_on_generated_pairs(family: str) -> None:
    pairs: list[int] = []
    yes_pairs: dict[str, tuple] = {}

    @SETTINGS
    @given(pair=related(FAMILIES[family]))
    def run(pair):
        pairs.append(1)
        if check_pair(pair[0], pair[1]) == "yes":
            yes_pairs.setdefault(json.dumps(pair, sort_keys=True), pair)

    run()
    print(f"{family}: {len(pairs)} generated pairs checked, {len(yes_pairs)} distinct yes answers")
    # hypothesis runs max_examples valid examples here (no filtering, no failure)
    assert len(pairs) >= EXAMPLES_PER_FAMILY
    # instances drawn from `a` with hypothesis-jsonschema, for a sample of the yes answers
    # (a separate hypothesis run per pair: draws must not depend on the engine's answer)
    sample = list(yes_pairs.values())[:: max(1, len(yes_pairs) // YES_SAMPLE)]
    for a, b in sample:
        if is_subschema(True, b).answer != "yes":
            check_yes_with_drawn_instances(a, b)


PATTERN_SAMPLES = ["^(cat|dog)$", "a(b|c)d", "^[a-z]+$", "^[^0-9]*$", "\\d{2}", "^\\s*$", "x|^y", "a$", "^a.c$",
                   "[\\]-]", "^\\.\\*$", "^(a|)$", "(?:ab)+", "^a{2,}$", "[\\x41-\\x43]", "\\u00e9", "^\\S+$", "[^\\d]"]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(pattern=st.sampled_from(PATTERN_SAMPLES),
       text=st.text(alphabet=st.sampled_from(list("abcdxy019 .*-]\n\u00e9\u0663AB")), max_size=6))
def test_pattern_automata_agree_with_python_re(pattern: str, text: str) -> None:
    """Python-semantics automata bracket re.search: the under-approximation accepts only what
    re.search finds, the over-approximation everything it finds (exact for ASCII text)."""
    import re

    from comparisons.regex import pattern_fsms

    over, under = pattern_fsms(pattern, True), pattern_fsms(pattern, False)
    assert over is not None and under is not None, pattern
    found = re.search(pattern, text) is not None
    if under[1].accepts(text):
        assert found, (pattern, text)
    if found:
        assert over[1].accepts(text), (pattern, text)
    if text.isascii():
        assert over[1].accepts(text) == found == under[1].accepts(text), (pattern, text)
