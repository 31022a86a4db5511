"""Which If-Match names the current state of a version, a meeting, its minutes or an action item. Writes answer
with the thing's own ETag (`"<its state>"`); reads answer with it extended by a hash of the representation
(`"<its state>.<body hash>"`, registry/api/caching.py), because a read also shows what the ETag does not name (a
version superseded, withdrawn or corrected, its state on the day) and a 304 must not hide that. Both name the state."""

from __future__ import annotations


def names_state(if_match: str, current: str) -> bool:
    sent = if_match.strip().removeprefix("W/")
    return sent == current or (sent.startswith(current[:-1] + ".") and sent.endswith('"') and len(sent) > len(current))


__all__ = ["names_state"]
