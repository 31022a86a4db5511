"""Schema-evolution checks in the style of schema registries."""

from __future__ import annotations

from typing import Any

from .canonical import R_UNDECIDED
from .containment import is_subschema
from .differences import differences
from .results import Compatibility, Containment

MODES = ("NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE")
# direction (seen from the new version) that breaks each guarantee
_BREAKS_BACKWARD = {"stricter", "added", "incompatible", "changed"}
_BREAKS_FORWARD = {"looser", "removed", "incompatible", "changed"}


def check_compatibility(old: Any, new: Any, mode: str = "BACKWARD", *, format_assertion: bool = False) -> Compatibility:
    """BACKWARD: old ⊆ new (data valid before stays valid); FORWARD: new ⊆ old; FULL: both.
    *_TRANSITIVE modes take `old` as the list of all earlier versions; the others use the last."""
    mode = mode.upper()
    if mode not in MODES:
        raise ValueError(f"unknown compatibility mode {mode!r}; expected one of {', '.join(MODES)}")
    history = list(old) if isinstance(old, list) else [old]
    if not history:
        raise ValueError("no earlier version to compare with")
    if mode.endswith("_TRANSITIVE"):
        indices, versions = list(range(len(history))), history
    else:
        indices, versions = [len(history) - 1], [history[-1]]
    if mode == "NONE":
        return Compatibility(mode, "yes", against=tuple(indices))
    backward = mode.startswith(("BACKWARD", "FULL"))
    forward = mode.startswith(("FORWARD", "FULL"))
    unknown_reason = None
    for idx, prev in zip(indices, versions):
        checks: list[tuple[Containment, set]] = []
        if backward:
            checks.append((is_subschema(prev, new, format_assertion=format_assertion), _BREAKS_BACKWARD))
        if forward:
            checks.append((is_subschema(new, prev, format_assertion=format_assertion), _BREAKS_FORWARD))
        for res, breaking in checks:
            if res.answer == "no":
                diffs = tuple(d for d in differences(new, prev, ("new", "old")) if d.direction in breaking)
                return Compatibility(mode, "no", diffs, witness=res.witness, has_witness=True,
                                     against=tuple(indices), failed_version=idx)
            if res.answer == "unknown" and unknown_reason is None:
                unknown_reason = res.reason or R_UNDECIDED
    if unknown_reason:
        return Compatibility(mode, "unknown", reason=unknown_reason, against=tuple(indices))
    return Compatibility(mode, "yes", against=tuple(indices))


