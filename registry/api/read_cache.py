"""Anonymous API reads answered from memory until anything is written to the database (issue 18, fast reads).

A GET under /api/v1/ without `Authorization` or `Cookie` is the same for everyone: its complete 200 answer (as the
route's middleware made it: ETag, Cache-Control, compressed for the coding asked for) is kept under the database's
change count (registry/storage/changes.py: any commit by any worker changes it), the UTC day (versions' states,
calendar windows), the path and query, the Host (feeds carry absolute links), `Accept` and the coding. A kept answer
costs no handler, no session and no query; `If-None-Match` is answered 304 here too. Answers to a caller (a token
or a session), answers that set a cookie, other statuses, and everything while the change count is unknown (no
listener yet, database lost) go to the route as usual. Bounded like every cache (`read-answers`, docs/security.md).
"""

from __future__ import annotations

import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from comparisons.bounded import BoundedCache
from registry.api.caching import matches
from registry.storage.changes import ChangeCounter

PREFIX = "/api/v1/"
_PERSONAL = (b"authorization", b"cookie")
_KEPT_ON_304 = (b"etag", b"cache-control", b"vary")
_MAX_ANSWER = 1_000_000
_MAX_ACCEPT = 200


def _coding(accept_encoding: bytes) -> bytes:
    """Which coding the compression will choose (registry/api/caching.py): brotli, gzip or none."""
    return b"br" if b"br" in accept_encoding else b"gzip" if b"gzip" in accept_encoding else b""


class ReadCache:
    def __init__(self, max_entries: int = 4_096, max_bytes: int = 64_000_000) -> None:
        self.changes: ChangeCounter | None = None  # from start-up (listening) to shutdown: nothing cached outside
        self.answers = BoundedCache("read-answers", max_entries, max_bytes)

    def start(self, changes: ChangeCounter) -> None:
        self.changes = changes

    def stop(self) -> None:
        changes, self.changes = self.changes, None
        if changes is not None:
            changes.close()
        self.answers.clear()

    def _current(self) -> tuple[int, int] | None:
        changes = self.changes
        return None if changes is None else changes.current()

    def _key(self, scope: Scope) -> tuple | None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(PREFIX):
            return None
        host = accept = coding = b""
        for name, value in scope["headers"]:
            if name in _PERSONAL:
                return None
            if name == b"host":
                host = value
            elif name == b"accept":
                accept = value
            elif name == b"accept-encoding":
                coding = _coding(value)
        if len(accept) > _MAX_ACCEPT:
            return None
        count = self._current()
        if count is None:
            return None
        return count, int(time.time() // 86_400), scope["path"], scope["query_string"], host, accept, coding

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            key = self._key(scope)
            if key is None:
                await app(scope, receive, send)
                return
            if_none_match = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
            kept = self.answers.get(key)
            if kept is None:
                kept = await self._fill(app, scope, receive, send, key, if_none_match)
                if kept is None:
                    return
            await self._replay(send, kept, if_none_match)

        return answer

    async def _fill(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, key: tuple,
                    if_none_match: bytes | None) -> tuple | None:
        """Runs the route without the request's If-None-Match; keeps a complete 200 (answered by the caller); any
        other answer goes out as it came."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        headers = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
        await app({**scope, "headers": headers}, receive, hold)  # type: ignore[typeddict-item]
        start = held[0] if held and held[0]["type"] == "http.response.start" else None
        bodies = [m for m in held[1:] if m["type"] == "http.response.body"]
        complete = len(bodies) == 1 and not bodies[0].get("more_body", False)
        if start is not None and start["status"] == 200 and complete:
            response_headers = list(start.get("headers", ()))
            body = bodies[0].get("body", b"")
            etag = next((v for k, v in response_headers if k.lower() == b"etag"), None)
            if etag is not None:
                kept = (response_headers, body, etag)
                if len(body) <= _MAX_ANSWER and self._current() == key[0] and \
                        not any(k.lower() == b"set-cookie" for k, _ in response_headers):
                    self.answers.put(key, kept, len(body) + 64 * len(response_headers))  # nothing written meanwhile
                return kept
        for message in held:
            await send(message)
        return None

    @staticmethod
    async def _replay(send: Send, kept: tuple, if_none_match: bytes | None) -> None:
        headers, body, etag = kept
        if if_none_match is not None and matches(if_none_match, etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in headers if k.lower() in _KEPT_ON_304]})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body, "more_body": False})


__all__ = ["ReadCache"]
