"""Batch compliance checks over JSON Lines: one result line per input line, streamed, and a malformed line
answers with an error for that line while the batch goes on."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Iterable, Iterator

from registry.domain.jsonbody import parse_json
from registry.errors import InvalidInput, RegistryError
from registry.services.compliance import Frameworks, check_profile_shape

TOO_LONG = b"\x00too-long\x00"


async def lines(chunks: AsyncIterator[bytes], max_line: int) -> AsyncIterator[bytes]:
    """Lines of a byte stream, never holding more than one line (bounded by max_line) in memory."""
    buffer = b""
    skipping = False
    async for chunk in chunks:
        buffer += chunk
        while True:
            end = buffer.find(b"\n")
            if end < 0:
                break
            line, buffer = buffer[:end], buffer[end + 1:]
            if skipping:
                skipping = False
                continue
            yield TOO_LONG if len(line) > max_line else line
        if len(buffer) > max_line:
            if not skipping:
                yield TOO_LONG
            skipping, buffer = True, b""
    if buffer.strip() and not skipping:
        yield TOO_LONG if len(buffer) > max_line else buffer


def read_lines(stream: Iterable[bytes], max_line: int) -> Iterator[bytes]:
    """The same over a file opened in binary mode."""
    for line in stream:
        yield TOO_LONG if len(line) > max_line else line.rstrip(b"\r\n")


class LineChecker:
    """Checks JSON Lines (`{"id": …, "profile": {…}}`) against frameworks loaded once. `line` in each result
    is the physical line number in the input (blank lines are skipped but counted)."""

    def __init__(self, frameworks: Frameworks, *, engine: str, format_assertion: bool, max_depth: int = 128):
        self.frameworks, self.engine, self.format_assertion, self.max_depth = frameworks, engine, format_assertion, max_depth

    def check_one(self, line: bytes, number: int) -> dict[str, Any] | None:
        if not line.strip():
            return None
        record_id: Any = None
        try:
            if line == TOO_LONG:
                raise InvalidInput("the line is longer than this registry accepts", code="line_too_long")
            record = parse_json(line, max_depth=self.max_depth)
            if not isinstance(record, dict) or "profile" not in record:
                raise InvalidInput('each line is {"id": …, "profile": {…}}', code="invalid_line", pointer="/profile")
            record_id = record.get("id")
            profile = record["profile"]
            check_profile_shape(self.frameworks, profile, engine=self.engine, format_assertion=self.format_assertion)
            results = []
            concerned = self.frameworks.concerned(profile)
            for outcome in self.frameworks.check_all(profile, engine=self.engine,
                                                     format_assertion=self.format_assertion, concerned=concerned):
                results.append({"market": outcome.market, "status": outcome.status, "unstated": len(outcome.unstated),
                                "summary": outcome.summary, "questions": [q["path"] for q in outcome.questions],
                                "disputed": bool(outcome.disputed_rules()),
                                "topics": [{"topic": t["topic"], "status": t["status"]} for t in outcome.topics],
                                "violations": [{"path": v.path, "message": v.message,
                                                "citation": (v.rule or {}).get("citation"), "document": v.document,
                                                "disputed": (v.rule or {}).get("disputed") is True}
                                               for v in outcome.violations]})
            return {"line": number, "id": record_id, "results": results}
        except RegistryError as exc:
            return {"line": number, "id": record_id, "error": {"status": exc.status, "code": exc.code,
                                                               "message": exc.message, "pointer": exc.pointer}}

    def check_lines(self, lines_: list[bytes], first: int) -> list[dict[str, Any]]:
        return [r for i, line in enumerate(lines_) if (r := self.check_one(line, first + i)) is not None]


def encode(results: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in results).encode("utf-8")
