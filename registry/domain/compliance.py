"""Checking an operating profile against the rules in force in a market: violations with their citations,
rules that apply but cannot be checked by machine, and facts a rule needs that the profile does not state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Mapping, Sequence

from comparisons.bounded import BoundedCache, json_size
from registry.domain import conditions, rules
from registry.domain.coverage import NOT_RESEARCHED
from registry.domain.topics import PROFILE_SECTIONS
from registry.domain.jsonbody import pointer_join
from registry.domain.provenance import cited_rules
from registry.domain.validation import Failure, checker

COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, NOT_CHECKABLE = "compliant", "non_compliant", "not_applicable", "not_checkable"
NOT_COVERED = "not_covered"  # a topic the check concerns was not researched in the market (docs/compliance.md)
INCOMPLETE = "incomplete"  # a rule that applies, or may apply, asks a fact the profile does not state
# A market's (and a topic's) status is the first of these that applies (docs/compliance.md#what-the-statuses-mean)
STATUSES = (NON_COMPLIANT, INCOMPLETE, NOT_COVERED, NOT_CHECKABLE, COMPLIANT, NOT_APPLICABLE)
CONSTRAINED, CONDITION = "constrained", "condition"  # why a question is asked: a rule constrains the fact, or tests it
_MISSING = object()


@dataclass(frozen=True)
class RuleVersion:
    """One in-force version of one rule document that applies in a market (its own, or a bloc's)."""

    market: str
    jurisdiction: str
    document: str
    number: int
    content_hash: str  # what the version requires (its schema without annotations): reported
    topic: str
    schema: dict
    body_hash: str = ""  # the body as stored, annotations included
    effective_date_uncertain: bool = False  # the date checked falls in the unknown part of the version's start
    corrects: int | None = None  # the number of the version this one corrects, if it is a correction

    @cached_property
    def ref(self) -> str:
        return f"{self.document}@{self.number}"

    @property
    def key(self) -> str:
        """The key of every cache below: the hash of the whole body, since what they keep quotes its x-rules (an
        amendment of the annotations keeps the content hash, and must not be answered with the old text)."""
        return self.body_hash or self.content_hash


@dataclass
class Violation:
    path: str
    keyword: str
    expected: Any
    actual: Any
    message: str
    document: str
    rule: dict | None
    shared: bool = field(default=False, compare=False)  # remembered and in many reports: read only
    condition: tuple = ()  # the conditions under which the broken rule applies ({"path", "if", "branch"} each)

    @property
    def obligation(self) -> str:
        return (self.rule or {}).get("obligation", "must")


@dataclass
class MarketResult:
    market: str
    status: str
    violations: list[Violation] = field(default_factory=list)
    advisories: list[Violation] = field(default_factory=list)  # broken `should` rules
    not_checkable: list[dict] = field(default_factory=list)
    unstated: list[dict] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    applicable: int = 0
    # (instance path, keyword, value, rule, document) of every machine-checkable constraint that applies
    constraints: list[tuple[str, str, Any, dict | None, str]] = field(default_factory=list)
    # per topic: {"topic", "coverage", "status", "documents"}; empty when the check was not given coverage
    topics: list[dict] = field(default_factory=list)
    # the facts to state before this market can be answered: {"path", "reasons", "rules": [citation, …]}
    questions: list[dict] = field(default_factory=list)
    # rules (by document version and rule id) that apply and were answered, broken, or left open by the profile
    summary: dict[str, int] = field(default_factory=dict)

    def disputed_rules(self) -> list[dict]:
        """The disputed rules this answer rests on (violated, to review by hand, or applied and met), each once."""
        rules_ = [v.rule for v in self.violations + self.advisories] + self.not_checkable + [c[3] for c in self.constraints]
        return cited_rules(r for r in rules_ if r and r.get("disputed") is True)


# ---- what a document says, computed once per body hash -----------------------------------------------------

@dataclass(frozen=True)
class _Condition:
    if_pointer: str
    instance_path: tuple[str, ...] | None  # None: inside arrays or patterns, where the instance is not followed
    must_hold: bool  # True under `then`, False under `else`
    facts: tuple[tuple[str, ...], ...] = ()  # the facts the `if` tests, relative to instance_path


@dataclass(frozen=True)
class _Item:
    pointer: str
    instance_path: str
    rule: dict | None
    conditions: tuple[_Condition, ...]
    checkable: bool
    keyword: str = ""
    value: Any = None

    @property
    def followed(self) -> tuple[str, ...] | None:
        """The instance path as names, or None where it passes through an array (`*`)."""
        return None if "*" in self.instance_path else tuple(self.instance_path.split("/")[1:])


_ANALYSES = BoundedCache("rule-analyses", 4096, 16_000_000)  # by body hash (RuleVersion.key)


def _conditions(schema: dict, pointer: str) -> tuple[_Condition, ...]:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node: Any = schema
    where: list[str] | None = []
    found: list[_Condition] = []
    i = 0
    while i < len(tokens) and isinstance(node, dict):
        key = tokens[i]
        if key in ("properties", "patternProperties", "dependentSchemas", "$defs") and i + 1 < len(tokens):
            name = tokens[i + 1]
            node = node.get(key, {}).get(name)
            if key == "properties" and where is not None:
                where.append(name)
            elif key != "dependentSchemas":
                where = None
            i += 2
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and i + 1 < len(tokens):
            node = node[key][int(tokens[i + 1])]
            where = None if key == "prefixItems" else where
            i += 2
        elif key in ("then", "else"):
            if "if" in node:
                found.append(_Condition(pointer_join(*tokens[:i], "if"), tuple(where) if where is not None else None,
                                        key == "then", tested_facts(node["if"])))
            node = node[key]
            i += 1
        else:  # items, contains, not, additionalProperties …: the instance is no longer followed
            node = node.get(key)
            where = None if key != "not" else where
            i += 1
    return tuple(found)


def tested_facts(schema: Any, prefix: tuple[str, ...] = ()) -> tuple[tuple[str, ...], ...]:
    """The facts (paths of names) a condition reads: the innermost properties it names, through allOf, anyOf,
    oneOf and not; a fact inside an array (items, contains) is the array itself."""
    if not isinstance(schema, dict):
        return ()
    found: list[tuple[str, ...]] = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, sub in properties.items():
        found += tested_facts(sub, prefix + (name,)) or [prefix + (name,)]
    found += [prefix + (name,) for name in schema.get("required", ()) if isinstance(name, str) and name not in properties]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, ()) if isinstance(schema.get(key), list) else ():
            found += tested_facts(sub, prefix)
    found += tested_facts(schema.get("not"), prefix)
    return tuple(dict.fromkeys(found))


def analyse(key: str, schema: dict) -> list[tuple[_Item, tuple[str, ...] | None]]:
    """Every constraint and every not-machine-checkable rule of a schema, with the conditions it depends on, each
    beside the instance path it follows (None through arrays)."""
    analysed = _ANALYSES.get(key)
    if analysed is None:
        items = [_Item(c.pointer, c.instance_path, c.rule, _conditions(schema, c.pointer), True, c.keyword, c.value)
                 for c in rules.iter_constraints(schema)]
        items += [_Item(rule["pointer"], rule["instance_path"],
                        {k: v for k, v in rule.items() if k not in ("pointer", "instance_path")},
                        _conditions(schema, rule["pointer"]), False)
                  for rule in rules.rules_not_machine_checkable(schema)]
        analysed = _ANALYSES[key] = [(item, item.followed) for item in items]
    return analysed


def _at(instance: Any, path: Iterable[str]) -> Any:
    for name in path:
        if not isinstance(instance, dict) or name not in instance:
            return _MISSING
        instance = instance[name]
    return instance


def _sub_schema(schema: dict, pointer: str) -> Any:
    node: Any = schema
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, dict) and "$defs" in schema and "$defs" not in node:
        node = {**node, "$defs": schema["$defs"]}  # keep local references resolvable
    return node


_CONDITIONS = BoundedCache("rule-conditions", 8192, 16_000_000)  # checkers of `if` sub-schemas, measured as those


def _condition_checker(version: RuleVersion, pointer: str, engine: str, format_assertion: bool,
                       stated_only: bool = False) -> Any:
    """The checker of an `if` sub-schema; `stated_only`: of the same without `required` (outside `not`), which
    fails only on values the profile states."""
    key = (version.key, pointer, engine, format_assertion, stated_only)
    found = _CONDITIONS.get(key)
    if found is None:
        sub_schema = _sub_schema(version.schema, pointer)
        if stated_only:
            sub_schema = _without_required(sub_schema)
        found = _CONDITIONS.put(key, checker(f"{version.key}#{pointer}" + ("?stated" if stated_only else ""),
                                             sub_schema, engine=engine, format_assertion=format_assertion),
                                size=json_size(sub_schema))
    return found


def _without_required(schema: Any) -> Any:
    """A condition that a fact left out cannot fail: `required` dropped, through properties and allOf/anyOf/oneOf;
    a `not` is kept whole (there, a missing fact makes the inner schema fail, so the `not` hold)."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k not in ("required", "dependentRequired")}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: _without_required(sub) for name, sub in out["properties"].items()}
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_without_required(sub) for sub in out[key]]
    return out


# ---- turning failures into violations ----------------------------------------------------------------------

_LITERALS = {True: "true", False: "false", None: "null"}


def _dumps(value: Any) -> str:
    """json.dumps, without its call overhead for the scalars profiles mostly hold."""
    if value is None or value is True or value is False:
        return _LITERALS[value]
    if type(value) is int:
        return str(value)
    return json.dumps(value)


def _brief(value: Any, limit: int = 120) -> Any:
    if value is None or value is True or value is False or (type(value) is int and -10**100 < value < 10**100):
        return value
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= limit else text[: limit - 1] + "…"


_WORDS = {
    "minimum": "at least {}", "maximum": "at most {}", "exclusiveMinimum": "more than {}",
    "exclusiveMaximum": "less than {}", "const": "exactly {}", "enum": "one of {}", "multipleOf": "a multiple of {}",
    "minLength": "at least {} characters", "maxLength": "at most {} characters", "pattern": "to match {}",
    "minItems": "at least {} items", "maxItems": "at most {} items", "uniqueItems": "unique items",
    "contains": "an item matching {}", "type": "a value of type {}", "format": "the format {}",
    "minProperties": "at least {} facts", "maxProperties": "at most {} facts",
}


def describe(keyword: str, expected: Any, actual: Any) -> str:
    if keyword == "required":
        return f"requires {actual} to be stated"
    if keyword == "contains" and isinstance(expected, dict) and "const" in expected:
        return f"requires an item {_dumps(expected['const'])}; the profile has {_dumps(_brief(actual))}"
    if keyword == "not":
        return f"forbids {_dumps(_brief(actual))} here"
    if keyword in ("anyOf", "oneOf", "allOf", "if", "then", "else", "dependentRequired", "dependentSchemas"):
        return f"the profile's value {_dumps(_brief(actual))} does not satisfy the rule ({keyword})"
    words = _WORDS.get(keyword, keyword + " {}").format(_dumps(_brief(expected)))
    return f"requires {words}; the profile has {_dumps(_brief(actual))}"


_FACTS = BoundedCache("rule-facts", 20_000, 8_000_000)


def _facts(version: RuleVersion, schema_path: tuple) -> tuple[Any, dict | None]:
    """What a failing keyword requires and the rule it belongs to: fixed for a content hash, so looked up once."""
    key = (version.key, schema_path)
    found = _FACTS.get(key)
    if found is None:
        found = _FACTS[key] = (_expected(version.schema, schema_path), rules.rule_at(version.schema, list(schema_path)))
    return found


# keyed by a profile's scalar value (at most 200 characters): the request data kept, under these limits
_VIOLATIONS = BoundedCache("violations", 20_000, 8_000_000)
_SCALARS = (str, int, float, bool, type(None))


def _violations(version: RuleVersion, failure: Failure) -> tuple[Violation, ...]:
    """The violations of one failure; the same for the same rule version, keyword and value, so remembered for
    scalar values (most of what profiles hold), and shared: never mutated."""
    instance = failure.instance
    if type(instance) not in _SCALARS or (type(instance) is str and len(instance) > 200):
        return tuple(_new_violations(version, failure))
    key = (version.key, version.ref, failure.schema_path, failure.instance_path, type(instance), instance)
    found = _VIOLATIONS.get(key)
    if found is None:
        found = tuple(_new_violations(version, failure))
        for violation in found:
            violation.shared = True
        _VIOLATIONS[key] = found
    return found


def _new_violations(version: RuleVersion, failure: Failure) -> Iterable[Violation]:
    keyword = failure.keyword
    expected, rule = _facts(version, failure.schema_path)
    condition = tuple(conditions.conditions_at(version.schema, pointer_join(*failure.schema_path)))
    if keyword == "required" and isinstance(expected, list) and isinstance(failure.instance, dict):
        for name in (n for n in expected if n not in failure.instance):
            path = pointer_join(*failure.instance_path, name)
            yield Violation(path, keyword, expected, None, describe(keyword, expected, path), version.ref, rule,
                            condition=condition)
        return
    path = pointer_join(*failure.instance_path)
    yield Violation(path, keyword, expected, _brief(failure.instance), describe(keyword, expected, failure.instance),
                    version.ref, rule, condition=condition)


def _expected(schema: dict, schema_path: Sequence[str | int]) -> Any:
    node: Any = schema
    for token in schema_path:
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


# ---- one market --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    """What a version says that does not depend on the profile, worked out once per version and engine: the
    constraints and rules to review by hand that always apply, the citations to report when a path is not stated,
    and the items whose conditions must be evaluated against each profile (each condition as a memo key, the
    instance path of the value it tests, the branch it needs, and the validator's is_valid). Its citation dicts
    are shared: never mutated."""

    checker: Any
    constraints: tuple[tuple[str, str, Any, dict | None, str], ...]
    not_checkable: tuple[dict, ...]
    presence: tuple[tuple[tuple[str, ...], dict], ...]
    # items grouped by their conditions (several rules often share one `if`), so each group is decided once
    conditional: tuple[tuple[tuple[tuple[tuple, tuple[str, ...], bool, Any], ...],
                             tuple[tuple[_Item, tuple[str, ...] | None, dict], ...]], ...]
    applicable: frozenset[tuple[str, str]]  # (instance path, document version) of the constraints that always apply
    rule_keys: frozenset[tuple[str, str]] = frozenset()  # (document version, rule id) of those constraints


def _plan_size(key: tuple, plan: _Plan) -> int:
    # the checker is counted in "profile-checkers"; a condition's checker in "rule-conditions"
    return json_size([key, plan.constraints, plan.not_checkable, plan.presence, plan.conditional, plan.applicable])


_PLANS = BoundedCache("compliance-plans", 4096, 16_000_000, _plan_size)


def _plan(version: RuleVersion, engine: str, format_assertion: bool) -> _Plan:
    ref = version.ref
    key = (version.key, ref, engine, format_assertion)
    plan = _PLANS.get(key)
    if plan is None:
        constraints, not_checkable, presence = [], [], []
        conditional: dict[tuple, list] = {}
        for item, followed in analyse(version.key, version.schema):
            citation = {**(item.rule or {}), "path": item.instance_path, "document": ref}
            # a condition whose value cannot be followed (inside arrays) counts as holding: the cautious answer
            conditions = tuple(((version.key, c.if_pointer, c.instance_path), c.instance_path, c.must_hold,
                                _condition_checker(version, c.if_pointer, engine, format_assertion).is_valid,
                                tuple(c.instance_path + fact for fact in c.facts),
                                _condition_checker(version, c.if_pointer, engine, format_assertion, True).is_valid)
                               for c in item.conditions if c.instance_path is not None)
            if conditions:
                conditional.setdefault(tuple(c[:3] for c in conditions), [conditions]).append((item, followed, citation))
            elif not item.checkable:
                not_checkable.append(citation)
            else:
                constraints.append((item.instance_path, item.keyword, item.value, item.rule, ref))
                if followed is not None:
                    presence.append((followed, citation))
        plan = _PLANS[key] = _Plan(checker(version.key, version.schema, engine=engine,
                                           format_assertion=format_assertion),
                                   tuple(constraints), tuple(not_checkable), tuple(presence),
                                   tuple((group[0], tuple(group[1:]), _group_rules(ref, group[1:]))
                                         for group in conditional.values()),
                                   frozenset((c[0], ref) for c in constraints),
                                   frozenset(_rule_key(ref, c[3], c[0]) for c in constraints))
    return plan


def _group_rules(ref: str, items: Sequence[tuple[_Item, Any, dict]]) -> tuple[frozenset, dict]:
    """The rules of a group of items under the same conditions: their keys, and their citations by (id, document)."""
    citations: dict = {}
    for _, _, citation in items:
        citations.setdefault((citation.get("id"), citation["document"]), citation)
    return frozenset(_rule_key(ref, item.rule, item.instance_path) for item, _, _ in items), citations


def _decide(conditions: tuple, profile: Any, memo: dict) -> tuple[bool, tuple[tuple[str, ...], ...]]:
    """Whether a rule's conditions hold for the profile, and, when they do not, the facts they test that the profile
    leaves out: a condition that fails only for want of a fact is open (stating it may make the rule apply), one
    that fails on a value the profile states (selling to consumers: no) settles it."""
    missing: tuple[tuple[str, ...], ...] = ()
    for key, path, must_hold, is_valid, facts, stated_valid in conditions:
        outcome = memo.get(key, _MISSING)
        if outcome is _MISSING:
            value = _at(profile, path)
            outcome = memo[key] = None if value is _MISSING else is_valid(value)  # None: the branch is not taken
        if outcome is not None and outcome == must_hold:
            continue
        unstated = memo.get((key, "open"))
        if unstated is None:
            unstated = tuple(fact for fact in facts if _at(profile, fact) is _MISSING)
            if unstated and outcome is False and must_hold and not stated_valid(_at(profile, path)):
                unstated = ()  # it fails on a value the profile states: settled whatever else is stated
            memo[(key, "open")] = unstated
        if not unstated:
            return False, ()
        missing += unstated
    return not missing, tuple(dict.fromkeys(missing))


def concerned_topics(profile: Any, requested: Sequence[str] | None = None) -> list[str]:
    """The topics a check concerns: those it names, or else those whose section the profile fills in."""
    if requested:
        return list(dict.fromkeys(requested))
    if not isinstance(profile, dict):
        return []
    return [topic for section, topic in PROFILE_SECTIONS.items() if profile.get(section) not in (None, {}, [])]


@dataclass(frozen=True)
class TopicLayout:
    """Which topic each version of a market is on: fixed for a market's versions, so worked out once per loaded
    framework (Frameworks keeps it), not once per profile."""

    topic_of: dict[str, str]
    refs: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, versions: Sequence[RuleVersion]) -> "TopicLayout":
        refs: dict[str, list[str]] = {}
        for version in versions:
            refs.setdefault(version.topic, []).append(version.ref)
        return cls({v.ref: v.topic for v in versions}, {k: tuple(v) for k, v in refs.items()})


def first_status(applies: Mapping[str, bool]) -> str:
    """The first status in STATUSES whose condition holds; not_applicable when none does."""
    return next((status for status in STATUSES if applies.get(status)), NOT_APPLICABLE)


def _topic_results(result: MarketResult, layout: TopicLayout, applied: set[str], open_refs: set[str],
                   coverage: Mapping[str, str], concerned: Sequence[str]) -> list[dict]:
    """Each topic's answer from its own documents; `applied`: the refs of versions with a constraint that applies,
    `open_refs`: those with a rule the profile leaves open."""
    topic_of = layout.topic_of
    broken = {topic_of.get(v.document) for v in result.violations}
    checked = {topic_of[ref] for ref in applied}
    if result.advisories:
        checked |= {topic_of.get(v.document) for v in result.advisories}
    manual = {topic_of.get(c.get("document")) for c in result.not_checkable} if result.not_checkable else ()
    unanswered = {topic_of.get(ref) for ref in open_refs}
    out = []
    for slug in (*[c for c in concerned if c not in layout.refs], *layout.refs):
        documents = layout.refs.get(slug, ())
        if not documents:
            state = coverage.get(slug, NOT_RESEARCHED)
            # researched and no rule exists (`none`), or recorded rules of which none is in force on the date
            status = NOT_COVERED if state == NOT_RESEARCHED else NOT_APPLICABLE
        else:
            state = "recorded"
            status = first_status({NON_COMPLIANT: slug in broken, INCOMPLETE: slug in unanswered,
                                   NOT_CHECKABLE: slug in manual, COMPLIANT: slug in checked})
        out.append({"topic": slug, "coverage": state, "status": status, "documents": list(documents)})
    return out


def _rule_key(ref: str, rule: dict | None, path: str) -> tuple[str, str]:
    return ref, (rule or {}).get("id") or path


def _asked(profile: Any, fact: tuple[str, ...]) -> tuple[str, ...]:
    """The fact to ask for: the first missing object below a profile section (`/customs/per_transaction_amount`,
    not its `currency` inside it)."""
    for end in range(2, len(fact)):
        if _at(profile, fact[:end]) is _MISSING:
            return fact[:end]
    return fact


_POINTERS = BoundedCache("fact-pointers", 8192, 2_000_000)  # facts named by rule schemas, as JSON pointers


def _pointer(fact: tuple[str, ...]) -> str:
    found = _POINTERS.get(fact)
    if found is None:
        found = _POINTERS[fact] = pointer_join(*fact)
    return found


def _ask_all(questions: dict[str, tuple[list[str], dict]], pointer: str, reason: str, citations: dict) -> None:
    reasons, rules_ = questions.setdefault(pointer, ([], {}))
    if reason not in reasons:
        reasons.append(reason)
    if rules_:
        for key, citation in citations.items():
            rules_.setdefault(key, citation)
    else:
        rules_.update(citations)


def _ask(questions: dict[str, tuple[list[str], dict]], pointer: str, reason: str, citation: dict) -> None:
    reasons, rules_ = questions.setdefault(pointer, ([], {}))
    if reason not in reasons:
        reasons.append(reason)
    rules_.setdefault((citation.get("id"), citation["document"]), citation)


def question_words(vocabulary: Any, pointer: str) -> str:
    """A fact in the vocabulary's words: its title, else the first sentence of its description, else its name."""
    node: Any = vocabulary
    names = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for name in names:
        node = node.get("properties", {}).get(name) if isinstance(node, dict) else None
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith("#/$defs/") and isinstance(vocabulary, dict):
            node = {**vocabulary.get("$defs", {}).get(ref[len("#/$defs/"):], {}), **node}
    if isinstance(node, dict) and isinstance(node.get("title"), str) and node["title"].strip():
        return node["title"].strip()
    description = node.get("description") if isinstance(node, dict) else None
    if isinstance(description, str) and description.strip():
        return description.strip().split(". ")[0].rstrip(".")
    return (names[-1] if names else "the profile").replace("_", " ")


def check_market(market: str, versions: Sequence[RuleVersion], profile: Any, *, engine: str = "rust",
                 format_assertion: bool = True, coverage: Mapping[str, str] | None = None,
                 concerned: Sequence[str] = (), layout: TopicLayout | None = None) -> MarketResult:
    """`coverage` (topic -> recorded | none | not-researched) adds the per-topic results and the `not_covered`
    status for the `concerned` topics (concerned_topics: once per profile, not per market); without it (a single
    document's impact) the status comes from the rules alone."""
    result = MarketResult(market=market, status=NOT_APPLICABLE, documents=[v.ref for v in versions])
    memo: dict = {}
    applicable: set[tuple[str, str]] = set()
    applied: set[str] = set()  # refs of the versions with a machine-checkable constraint that applies
    rules_applied: set[tuple[str, str]] = set()
    rules_open: set[tuple[str, str]] = set()
    open_refs: set[str] = set()
    questions: dict[str, tuple[list[str], dict]] = {}  # pointer -> (reasons, {(rule id, document): citation})
    for version in versions:
        plan = _plan(version, engine, format_assertion)
        ref = version.ref
        for failure in plan.checker.failures(profile):
            for violation in _violations(version, failure):
                (result.violations if violation.obligation == "must" else result.advisories).append(violation)
        result.constraints.extend(plan.constraints)
        result.not_checkable.extend(plan.not_checkable)
        applicable |= plan.applicable
        rules_applied |= plan.rule_keys
        if plan.applicable:
            applied.add(ref)
        for followed, citation in plan.presence:
            if _at(profile, followed) is _MISSING:
                result.unstated.append(citation)
        for conditions, items, (group_keys, group_citations) in plan.conditional:
            holds, missing = _decide(conditions, profile, memo)
            if not holds:
                if missing:
                    open_refs.add(ref)
                    rules_open |= group_keys
                    for pointer in dict.fromkeys(_pointer(_asked(profile, fact)) for fact in missing):
                        _ask_all(questions, pointer, CONDITION, group_citations)
                continue
            for item, followed, citation in items:
                if not item.checkable:
                    result.not_checkable.append(citation)
                    continue
                result.constraints.append((item.instance_path, item.keyword, item.value, item.rule, ref))
                applicable.add((item.instance_path, ref))
                rules_applied.add(_rule_key(ref, item.rule, item.instance_path))
                applied.add(ref)
                if followed is not None and _at(profile, followed) is _MISSING:
                    result.unstated.append(citation)
    if len(result.unstated) > 1:
        result.unstated = _unique(result.unstated)
    if len(result.not_checkable) > 1:
        result.not_checkable = _unique(result.not_checkable)
    for citation in result.unstated:
        _ask(questions, citation["path"], CONSTRAINED, citation)
        rules_open.add(_rule_key(citation["document"], citation, citation["path"]))
        open_refs.add(citation["document"])
    violated = {_rule_key(v.document, v.rule, v.path) for v in result.violations}
    result.questions = [{"path": pointer, "reasons": reasons, "rules": list(rules_.values())}
                        for pointer, (reasons, rules_) in questions.items()]
    result.applicable = len(applicable)
    decided = rules_applied - (rules_open - violated)
    result.summary = {"rules_decided": len(decided), "rules_violated": len(violated),
                      "rules_open": len(rules_open - violated), "rules_to_review": len(result.not_checkable),
                      "questions": len(result.questions)}
    uncovered = False
    if coverage is not None:
        result.topics = _topic_results(result, layout or TopicLayout.of(versions), applied, open_refs, coverage,
                                       concerned)
        uncovered = any(t["status"] == NOT_COVERED for t in result.topics)
    # the first that applies: a broken rule, then an open question, then an unresearched topic (never compliant
    # while one is unknown), then a rule to review by hand, then rules checked and met
    result.status = first_status({NON_COMPLIANT: bool(result.violations), INCOMPLETE: bool(result.questions),
                                  NOT_COVERED: uncovered, NOT_CHECKABLE: bool(result.not_checkable),
                                  COMPLIANT: bool(result.applicable or result.advisories)})
    return result


def _unique(citations: list[dict]) -> list[dict]:
    seen, out = set(), []
    for citation in citations:
        key = (citation.get("path"), citation.get("id"), citation.get("document"))
        if key not in seen:
            seen.add(key)
            out.append(citation)
    return out
