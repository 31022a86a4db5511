"""What the pages' forms send (application/x-www-form-urlencoded), decoded by litestar into these structs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenForm:
    token: str
