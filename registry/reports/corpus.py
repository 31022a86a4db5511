"""docs/corpus.md, generated from a standards folder: what the shipped corpus holds, per jurisdiction and
topic, with counts and confidence, and every document's versions."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from registry.domain import coverage, lifecycle, provenance, rules
from registry.domain.links import linkable
from registry.domain.topics import TOPICS
from registry.reports.formats import md_table
from registry.services.corpus import read_folder


def _confidence(counter: Counter) -> str:
    return " ".join(f"{level}{counter[level]}" for level in ("H", "M", "L") if counter[level])


def _link_text(text: object) -> str:
    return str(text or "").replace("[", "(").replace("]", ")").replace("\n", " ")


def _sources_cell(rule: dict) -> str:
    """Each source as a Markdown link named by its publisher (or title), with its kind and language."""
    parts = []
    for source in provenance.linked_sources(rule):
        name = _link_text(source.get("publisher") or source.get("title") or source.get("url"))
        url = linkable(source.get("url"))
        link = f"[{name}]({url.replace('(', '%28').replace(')', '%29')})" if url else name
        notes = [str(x) for x in (source.get("kind"), source.get("language")) if x]
        notes += [] if source.get("quote") else ["no quote"]
        parts.append(f"{link} ({', '.join(notes)})")
    return "; ".join(parts) or "—"


def _rule_rows(name: str, schema: dict) -> list[list[object]]:
    """One row per distinct rule of a version: id, citation, confidence basis, sources."""
    cited = provenance.cited_rules(rule for _, rule in provenance.rules_with_pointers(schema))
    return [[rule.get("id"), name, rule.get("citation"), provenance.confidence_basis(rule)[1]
             + (" (disputed)" if rule.get("disputed") else ""), _sources_cell(rule)] for rule in cited]


# the topics issue 17 asks every partner economy to be researched on (e-signatures go with e-invoicing)
CORE_TOPICS = ("consumer-protection", "personal-data", "customs-and-tax", "e-invoicing", "e-signatures")
_STATE_WORDS = {coverage.RECORDED: "recorded", coverage.NONE: "none exists", coverage.NOT_RESEARCHED: "not researched"}


def _coverage_section(juris: list, documents: list) -> list[str]:
    """Per jurisdiction: cooperation status and, per core topic, recorded / none exists / not researched (a bloc's
    document counts for its members), with the share of all topics researched; then the partners' totals."""
    topics = [t.slug for t in TOPICS]
    own: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        if doc.kind != "vocabulary" and doc.topic:
            own[doc.name.split("/")[0]].add(doc.topic)
    blocs: dict[str, list[str]] = defaultdict(list)
    for j in juris:
        for member in j.members:
            blocs[member].append(j.code)
    rows, partner_cells = [], []
    for j in juris:
        recorded = own[j.code].union(*(own[b] for b in blocs[j.code]))
        states = coverage.topic_coverage(topics, j.coverage_dict(), recorded)
        found = j.cooperation_dict() or {}
        status = coverage.cooperation_status(found)
        since = f" since {found['since']}" if status == coverage.PARTNER and found.get("since") else ""
        sure = f" ({found['confidence']})" if found.get("confidence") else ""
        researched = sum(state != coverage.NOT_RESEARCHED for state in states.values())
        rows.append([j.code, f"{status}{since}{sure}", *(_STATE_WORDS[states[t]] for t in CORE_TOPICS),
                     f"{researched} of {len(topics)}"])
        if status == coverage.PARTNER:
            partner_cells += [states[t] for t in CORE_TOPICS]
    partners = sum(1 for j in juris if coverage.cooperation_status(j.cooperation_dict()) == coverage.PARTNER)
    share = (lambda n: f"{n} of {len(partner_cells)} ({100 * n // max(1, len(partner_cells))}%)")
    return ["## Coverage", "",
            f"{partners} partners of the cooperation mechanism (with a date and a quoted source). Over the partners' "
            f"{len(CORE_TOPICS)} core topics: {share(sum(s != coverage.NOT_RESEARCHED for s in partner_cells))} cells "
            f"researched, {share(partner_cells.count(coverage.RECORDED))} with rules recorded. \"not researched\" means "
            "the registry does not know, never \"no rule\" (`/coverage` and `GET /api/v1/coverage` give every topic).",
            "", md_table(["code", "cooperation", *CORE_TOPICS, "topics researched"], rows), ""]


def corpus_markdown(folder: Path) -> str:
    corpus, errors = read_folder(folder)
    if errors:
        raise ValueError(f"{errors[0].path}: {errors[0].detail}")
    juris = corpus.jurisdictions.jurisdictions if corpus.jurisdictions else []
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unchecked: Counter = Counter()
    kinds: Counter = Counter()
    versions_total = multi = 0
    rows = []
    rule_rows: list[list[object]] = []
    for _, doc in sorted(corpus.documents, key=lambda pd: pd[1].name):
        kinds[doc.kind] += 1
        versions_total += len(doc.versions)
        multi += len(doc.versions) > 1
        if doc.kind == "vocabulary":
            continue
        code = doc.name.split("/")[0]
        latest = lifecycle.select_latest(doc.versions) or doc.versions[-1]  # type: ignore[arg-type]
        ids: dict[str, str] = {}
        for constraint in rules.iter_constraints(latest.schema):
            if constraint.rule:
                ids[constraint.rule["id"]] = constraint.rule.get("confidence", "?")
        for confidence in ids.values():
            cells[(code, doc.topic or "")][confidence] += 1
        unchecked[(code, doc.topic)] += len(rules.rules_not_machine_checkable(latest.schema))
        rule_rows += _rule_rows(f"{doc.name}@{latest.number}", latest.schema)
        for v in doc.versions:
            rows.append([doc.name, v.number, v.status, v.effective_from or "", v.effective_to or "",
                         v.changelog.splitlines()[0][:110] if v.changelog else ""])
    topics = [t.slug for t in TOPICS]
    codes = sorted({code for code, _ in cells} | {c for c, _ in unchecked})
    table = []
    for code in codes:
        row = [code]
        for slug in topics:
            counter = cells.get((code, slug), Counter())
            n = sum(counter.values())
            extra = f" +{unchecked[(code, slug)]}nc" if unchecked[(code, slug)] else ""
            row.append(f"{n} ({_confidence(counter)}){extra}" if n else (extra.strip() or "—"))
        table.append(row)
    total_rules = sum(sum(c.values()) for c in cells.values())
    confidence = sum(cells.values(), Counter())
    lines = [
        "# The shipped corpus", "",
        "Generated from `standards/` by `registry.reports.corpus`; a test fails when this page is stale "
        "(`REGISTRY_UPDATE_DOCS=1 python -m pytest tests/test_corpus_page.py` rewrites it). `shared/corpus/FACTS.md` "
        "gave leads only; every fact comes from the sources it cites (research notes in `standards/research/`), each "
        "with its citation, its sources (a deep link and the verbatim quote that "
        "states the rule), the date it was recorded and a confidence that its sources must support: **H** the legal "
        "text is quoted, or two sources of different publishers agree; **M** one source quotes or closely "
        "paraphrases the rule; **L** only indirect or weak sources (docs/corpus-format.md). `registry corpus check` "
        "lists the rules whose confidence their sources do not support.", "",
        f"- {len(juris)} jurisdictions ({sum(j.kind == 'bloc' for j in juris)} blocs), "
        f"{kinds['rule']} rule documents, {kinds['technical-standard']} technical standards, "
        f"{kinds['vocabulary']} vocabularies; {versions_total} versions, {multi} documents with more than one.",
        f"- {total_rules} cited rules in the documents' latest versions (H {confidence['H']}, M {confidence['M']}, "
        f"L {confidence['L']}), and {sum(unchecked.values())} recorded rules that are not machine-checkable (nc).",
        "", "## Rules per jurisdiction and topic", "",
        "Distinct cited rules in each document's latest version, by confidence; `+Nnc`: rules recorded but not "
        "machine-checkable.", "",
        md_table(["", *topics], table), "",
        *_coverage_section(juris, [doc for _, doc in corpus.documents]),
        "## Jurisdictions", "",
        md_table(["code", "name", "kind", "region", "members"],
                 [[j.code, j.name, j.kind, j.region, ", ".join(j.members)] for j in juris]), "",
        "## Rules and their sources", "",
        "Each distinct rule of each document's latest version: its citation, the basis of its confidence in words, "
        "and its sources (publisher, kind, language; \"no quote\" where a rule still carries only a link).", "",
        md_table(["rule", "document", "citation", "confidence basis", "sources"], rule_rows), "",
        "## Documents and their versions", "",
        md_table(["document", "version", "status", "from", "until", "changelog (first line)"], rows), "",
    ]
    return "\n".join(lines)
