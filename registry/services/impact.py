"""What-if before publishing: how many saved profiles a draft rule would turn non-compliant, and on which paths.
Counts only, except for the caller's own profiles."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlmodel import Session

from registry.domain import lifecycle
from registry.domain.access import (
    ADMIN,
    ENTERPRISE,
    REGULATOR,
    Principal,
    require_namespace_writer,
    require_role,
)
from comparisons.expansion import DEFAULT_LIMIT
from registry.domain.canonical import version_hashes
from registry.domain.compliance import RuleVersion, check_market
from registry.domain.references import DocumentName, VersionSelector
from registry.domain.schemas import check_expansion
from registry.errors import InvalidInput
from registry.services import documents, profiles


def impact(session: Session, principal: Principal, name: DocumentName, *, number: int | None = None,
           schema: Any = None, as_of: dt.date | None = None, engine: str = "rust",
           format_assertion: bool = True, max_expansion: int = DEFAULT_LIMIT) -> dict[str, Any]:
    require_role(principal, REGULATOR, ENTERPRISE)
    if principal.role == REGULATOR:
        require_namespace_writer(principal, name.namespace)
    document = documents.get_document(session, name)
    if (number is None) == (schema is None):
        raise InvalidInput("name a draft version number or send a schema, not both", pointer="/version",
                           code="draft_required")
    if number is not None:
        proposed = documents.get_version(session, document, VersionSelector(number=number), principal)
        check_expansion(proposed.body, max_expansion)  # a draft stored under a higher limit
        proposed_schema, proposed_ref = proposed.body, f"{document.name}@{proposed.number}"
    else:
        documents.check_body(session, document, schema, max_expansion)
        proposed_schema, proposed_ref = schema, f"{document.name}@inline"
    day = as_of or dt.date.today()
    current = lifecycle.select_in_force(documents.versions_of(session, document), day)

    def rule_version(body: dict, ref_number: int) -> RuleVersion:
        return RuleVersion(market=name.namespace, jurisdiction=name.namespace, document=document.name,
                           number=ref_number, topic=document.topic or "", schema=body, **version_hashes(body))

    before = [rule_version(current.body, current.number)] if current else []
    after = [rule_version(proposed_schema, number or 0)]
    turned: Counter[str] = Counter()
    citations: dict[str, str | None] = {}
    affected = already = checked = 0
    own: list[str] = []
    for profile, version in profiles.latest_bodies(session):
        if principal.role == ENTERPRISE and not profiles.owns(principal, profile):
            continue  # an enterprise's counts cover its own profiles: others' would leak through a chosen schema
        checked += 1
        was = check_market(name.namespace, before, version.body, engine=engine, format_assertion=format_assertion)
        now = check_market(name.namespace, after, version.body, engine=engine, format_assertion=format_assertion)
        if was.violations:
            already += 1
        if now.violations and not was.violations:
            affected += 1
            if profiles.owns(principal, profile):
                own.append(profile.id)
        old_paths = {v.path for v in was.violations}
        for violation in now.violations:
            if violation.path not in old_paths:
                turned[violation.path] += 1
                citations[violation.path] = (violation.rule or {}).get("citation")
    result: dict[str, Any] = {
        "document": document.name, "proposed": proposed_ref,
        "current": f"{document.name}@{current.number}" if current else None, "as_of": day.isoformat(),
        "profiles_checked": checked, "turned_non_compliant": affected, "already_non_compliant": already,
        "paths": [{"path": p, "profiles": n, "citation": citations[p]} for p, n in turned.most_common()],
    }
    if principal.role in (ENTERPRISE, ADMIN):
        result["your_profiles"] = own
    return result
