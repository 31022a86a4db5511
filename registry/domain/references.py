"""Names and references: `EU/consumer-protection`, `…@3`, `…@latest` (the newest published version, which may
start later), `…@current` (the version in force today), `…@2024-06-01` (the version in force on that day)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from registry.errors import InvalidInput

JURISDICTION_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
VOCABULARY_NAMESPACE = "vocabulary"


@dataclass(frozen=True)
class DocumentName:
    namespace: str  # a jurisdiction code, or "vocabulary"
    slug: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.slug}"

    @property
    def is_vocabulary(self) -> bool:
        return self.namespace == VOCABULARY_NAMESPACE


@dataclass(frozen=True)
class VersionSelector:
    """One of: a version number, the latest published version, the version in force today (`current`), or the
    version in force on a date."""

    number: int | None = None
    latest: bool = False
    as_of: dt.date | None = None
    current: bool = False

    def __str__(self) -> str:
        if self.number is not None:
            return str(self.number)
        if self.current:
            return "current"
        return "latest" if self.latest else self.as_of.isoformat()  # type: ignore[union-attr]


@dataclass(frozen=True)
class Reference:
    document: DocumentName
    version: VersionSelector

    def __str__(self) -> str:
        return f"{self.document}@{self.version}"


def check_code(code: str, *, pointer: str | None = None) -> str:
    if not isinstance(code, str) or not JURISDICTION_CODE.match(code):
        raise InvalidInput(f"{code!r} is not a jurisdiction code (upper-case letters and digits, 2 to 8)",
                           pointer=pointer, code="invalid_jurisdiction_code")
    return code


def check_slug(slug: str, *, pointer: str | None = None) -> str:
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise InvalidInput(f"{slug!r} is not a slug (lower-case letters, digits and hyphens, at most 64)",
                           pointer=pointer, code="invalid_slug")
    return slug


def parse_name(text: str, *, pointer: str | None = None) -> DocumentName:
    """`EU/consumer-protection` or `vocabulary/operating-profile`."""
    namespace, sep, slug = text.partition("/") if isinstance(text, str) else ("", "", "")
    if not sep:
        raise InvalidInput(f"{text!r} is not a document name like 'EU/consumer-protection'", pointer=pointer,
                           code="invalid_name")
    if namespace != VOCABULARY_NAMESPACE:
        check_code(namespace, pointer=pointer)
    return DocumentName(namespace, check_slug(slug, pointer=pointer))


def parse_selector(text: str, *, pointer: str | None = None) -> VersionSelector:
    """`3`, `latest`, `current` or `2024-06-01`."""
    if text == "latest":
        return VersionSelector(latest=True)
    if text == "current":
        return VersionSelector(current=True)
    if re.fullmatch(r"[1-9][0-9]{0,8}", text):  # one way to write a number: `01`, `+1`, `١` are not versions
        return VersionSelector(number=int(text))
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return VersionSelector(as_of=parse_date(text, pointer=pointer))
    raise InvalidInput(f"{text!r} is not a version: use a number, 'latest', 'current' or a date "
                       "YYYY-MM-DD",
                       pointer=pointer, code="invalid_version_selector")


def parse_reference(text: str, *, pointer: str | None = None, default: str = "current") -> Reference:
    """`EU/consumer-protection@3`; without `@…` the default selector applies: the version in force today."""
    name, _, selector = text.partition("@") if isinstance(text, str) else ("", "", "")
    return Reference(parse_name(name, pointer=pointer), parse_selector(selector or default, pointer=pointer))


def parse_date(text: str, *, pointer: str | None = None) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{text!r} is not a date YYYY-MM-DD", pointer=pointer, code="invalid_date") from None
