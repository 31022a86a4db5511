"""Result types: frozen dataclasses with JSON-ready `to_dict()`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, Optional

Answer = Literal["yes", "no", "unknown"]
_NO_WITNESS = object()


def _plain(v: Any) -> Any:
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if f.name.startswith("has_"):
                continue
            if f.name == "witness" and not getattr(self, "has_witness", False):
                continue
            out[f.name] = _plain(v)
        return out


@dataclass(frozen=True)
class Containment(_ToDict):
    """Answer to "is every instance valid under a also valid under b?".

    `witness` (only when answer == "no", with has_witness=True) is valid under a and invalid
    under b, checked with jsonschema; `reason` (only when answer == "unknown") says why.
    """

    answer: Answer
    witness: Any = None
    has_witness: bool = False
    reason: Optional[str] = None

    @property
    def yes(self) -> bool:
        return self.answer == "yes"


@dataclass(frozen=True)
class Difference(_ToDict):
    path: str
    keyword: str
    left: Any
    right: Any
    direction: str
    summary: str
    left_rule: Optional[dict] = None
    right_rule: Optional[dict] = None
    condition: Optional[Any] = None


@dataclass(frozen=True)
class Comparison(_ToDict):
    relation: str
    left_in_right: Containment
    right_in_left: Containment
    only_left: Any = None
    has_only_left: bool = False
    only_right: Any = None
    has_only_right: bool = False
    both: Any = None
    has_both: bool = False
    differences: tuple[Difference, ...] = ()
    reason: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"relation": self.relation,
                               "left_in_right": self.left_in_right.to_dict(),
                               "right_in_left": self.right_in_left.to_dict(),
                               "differences": [d.to_dict() for d in self.differences]}
        for name in ("only_left", "only_right", "both"):
            if getattr(self, "has_" + name):
                out[name] = getattr(self, name)
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class GapItem(_ToDict):
    path: str
    keyword: str
    required: Any
    status: str  # "missing" | "weaker" | "narrower_condition" | "unknown" | "combination"
    summary: str
    source_value: Any = None
    rule: Optional[dict] = None
    citation: Optional[str] = None
    obligation: Optional[str] = None
    condition: Optional[Any] = None  # the target rule's conditions
    source_condition: Optional[Any] = None  # the source's rule on the field, when under other conditions
    witness: Any = None  # valid under the source, invalid under the target (only with has_witness)
    reason: Optional[str] = None
    has_witness: bool = False
    no_witness: Optional[str] = None  # with a domain: "none" (no instance of it shows the gap) or "unknown: …"


@dataclass(frozen=True)
class GapReport(_ToDict):
    covered: Answer
    items: tuple[GapItem, ...] = ()
    witness: Any = None
    has_witness: bool = False
    reason: Optional[str] = None


@dataclass(frozen=True)
class Requirement(_ToDict):
    path: str
    keyword: str
    value: Any
    labels: tuple[str, ...]
    rules: tuple[dict, ...] = ()
    condition: Optional[Any] = None


@dataclass(frozen=True)
class Conflict(_ToDict):
    path: str
    keyword: str
    labels: tuple[str, ...]
    values: dict = field(default_factory=dict)
    summary: str = ""
    conditions: dict = field(default_factory=dict)
    status: str = "certain"  # "certain" | "possible"


@dataclass(frozen=True)
class Merged(_ToDict):
    schema: Any
    requirements: tuple[Requirement, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    simplified: bool = False


@dataclass(frozen=True)
class Compatibility(_ToDict):
    mode: str
    compatible: Answer
    differences: tuple[Difference, ...] = ()
    witness: Any = None
    has_witness: bool = False
    reason: Optional[str] = None
    against: tuple[int, ...] = ()
    failed_version: Optional[int] = None
