"""Who may do what: roles, jurisdiction scopes and ownership, as plain functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import Forbidden, Unauthorized

ADMIN, REGULATOR, ENTERPRISE, SECRETARIAT = "admin", "regulator", "enterprise", "secretariat"
ROLES = (ADMIN, REGULATOR, ENTERPRISE, SECRETARIAT)


@dataclass(frozen=True)
class Principal:
    """The caller behind a token; `anonymous` reads only published material. `name` is a label (the audit log
    shows it); an enterprise is its `organisation` id, which owns its profiles and check history."""

    token_id: str | None
    name: str
    role: str | None
    jurisdictions: tuple[str, ...] = field(default=())
    organisation: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}" if self.role else "anonymous"


ANONYMOUS = Principal(token_id=None, name="anonymous", role=None)


def require_signed_in(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthorized("this action needs a token: send 'Authorization: Bearer <token>'", code="token_required")


def can_write_namespace(principal: Principal, namespace: str) -> bool:
    """Admins write everything; a regulator writes the documents of its own jurisdictions; vocabularies
    are admin-only because every rule is written over them."""
    if principal.role == ADMIN:
        return True
    return principal.role == REGULATOR and namespace in principal.jurisdictions


def require_namespace_writer(principal: Principal, namespace: str) -> None:
    require_signed_in(principal)
    if not can_write_namespace(principal, namespace):
        scope = ", ".join(principal.jurisdictions) or "none"
        raise Forbidden(f"a {principal.role} token (jurisdictions: {scope}) may not write documents of {namespace}",
                        code="out_of_scope")


def require_role(principal: Principal, *roles: str) -> None:
    require_signed_in(principal)
    if principal.role not in roles and principal.role != ADMIN:
        raise Forbidden(f"this action needs one of the roles {', '.join(roles)}; the token is {principal.role}",
                        code="wrong_role")
