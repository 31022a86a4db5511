"""HTTP caching and compression in one route middleware (litestar's CompressionConfig, `middleware_class`), so that
validators are computed on the answer as the handler made it, before it is compressed.

A complete GET 200 answer gets a strong ETag (the handler's own, e.g. a version's `"number.revision.hash"`, or a hash
of the body), `Cache-Control` (`immutable` for content-addressed bodies under /api/v1/schemas/, `no-cache` for the
rest: revalidate every time, since versions can be superseded, withdrawn or corrected) and `Vary` (Accept-Encoding;
Accept where the route negotiates its format). `If-None-Match` that matches answers 304 without a body. A compressed
answer's body-hash ETag is made weak (`W/`): the bytes differ from the identity answer's (RFC 9110 §8.8.3); `If-None-Match`
compares weakly. A handler's own ETag (a version's, a meeting's) names the state of the thing and is what
If-Match expects; a read shows more than that state, so its ETag is the handler's extended by the body's hash
(`"1.2.ab12….<hash>"`), strong whatever the coding, and If-Match takes either (registry/domain/etags.py). Streamed answers (static files,
large downloads) and the static files pass through untouched. HEAD arrives here as GET (registry/api/head.py), so it gets the same headers.
"""

from __future__ import annotations

import hashlib

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Receive, Scope, Send

IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
CONTENT_ADDRESSED = "/api/v1/schemas/"
STATIC = "/static/"  # litestar's file answers carry their own validators (Last-Modified, ETag)
NEGOTIATED = "negotiated"  # a route handler's opt key: its format follows Accept, so the answer varies by it
# what a 304 repeats of the 200 it stands for (RFC 9110 §15.4.5)
_KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"content-location", b"expires", b"date"}


def compression(minimum_size: int = 1024) -> CompressionConfig:
    """brotli where the client takes it, gzip otherwise; answers under `minimum_size` bytes are sent as they are."""
    return CompressionConfig(backend="brotli", brotli_quality=4, gzip_fallback=True, gzip_compress_level=6,
                             minimum_size=minimum_size, middleware_class=CachingCompression)


def body_etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def represented(own: bytes, body: bytes) -> bytes:
    """A handler's ETag names the state of a thing (what If-Match expects); a read shows more (a version superseded,
    its state today), so its validator adds the body's hash: `"<own>.<hash>"` (registry/domain/etags.py)."""
    return own[:-1] + b"." + hashlib.blake2b(body, digest_size=8).hexdigest().encode() + b'"'


def matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 §13.1.2: `*`, or any listed tag equal to ours under weak comparison."""
    if if_none_match.strip() == b"*":
        return True
    ours = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == ours for tag in if_none_match.split(b","))


def _header(headers: list, name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _vary(headers: list, names: list[bytes]) -> None:
    for i, (key, value) in enumerate(headers):
        if key.lower() == b"vary":
            have = {v.strip().lower() for v in value.split(b",")}
            if b"*" not in have:
                extra = [n for n in names if n.lower() not in have]
                headers[i] = (key, b", ".join([value, *extra]) if extra else value)
            return
    headers.append((b"vary", b", ".join(names)))


def _weak(etag: bytes) -> bytes:
    return etag if etag.startswith(b"W/") else b"W/" + etag


def _once(vary: bytes) -> bytes:
    names: dict[bytes, bytes] = {}
    for name in vary.split(b","):
        names.setdefault(name.strip().lower(), name.strip())
    return b", ".join(names.values())


class CachingCompression(CompressionMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET" or scope["path"].startswith(STATIC):
            await self.app(scope, receive, self._compressing(scope, send))
            return
        start: Message | None = None
        streamed = False
        body = b""

        async def hold(message: Message) -> None:
            nonlocal start, streamed, body
            if streamed:
                await compressed(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                if message.get("more_body", False):  # a stream: not held, not validated
                    streamed = True
                    await compressed(start)  # type: ignore[arg-type]
                    await compressed(message)
                else:
                    body = message.get("body", b"")

        compressed = self._compressing(scope, send)
        await self.app(scope, receive, hold)
        if streamed or start is None:
            return
        headers = start["headers"] = list(start.get("headers", ()))  # type: ignore[typeddict-unknown-key]
        if start["status"] == 200:
            request_headers = dict(scope["headers"])
            own = _header(headers, b"etag")
            etag = body_etag(body) if own is None else represented(own, body)
            headers[:] = [(k, v) for k, v in headers if k.lower() != b"etag"] + [(b"etag", etag)]
            if own is None:
                compressed = self._compressing(scope, send, weaken=True)
            if _header(headers, b"cache-control") is None:
                immutable = scope["path"].startswith(CONTENT_ADDRESSED)
                headers.append((b"cache-control", IMMUTABLE if immutable else REVALIDATE))
            handler = scope.get("route_handler")
            negotiated = handler is not None and handler.opt.get(NEGOTIATED)
            _vary(headers, [b"Accept-Encoding", b"Accept"] if negotiated else [b"Accept-Encoding"])
            if_none_match = request_headers.get(b"if-none-match")
            if if_none_match is not None and matches(if_none_match, etag):
                kept = [(k, v) for k, v in headers if k.lower() in _KEPT_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
        await compressed(start)
        await compressed({"type": "http.response.body", "body": body, "more_body": False})

    def _compressing(self, scope: Scope, send: Send, weaken: bool = False) -> Send:
        """litestar's compressing send for the encoding the client accepts (or `send` itself); it weakens the ETag
        of an answer it compresses if told to."""
        accepted = dict(scope["headers"]).get(b"accept-encoding", b"").decode("latin-1")
        encoding = next((e for e in (self.config.compression_facade.encoding, "gzip" if self.config.gzip_fallback
                                     else None) if e and e in accepted), None)
        if encoding is None:
            return send

        async def weakened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message["headers"] = list(message.get("headers", ()))  # type: ignore[typeddict-unknown-key]
                if _header(headers, b"content-encoding") is not None:  # litestar's Vary names it again
                    headers[:] = [(k, _weak(v) if weaken and k.lower() == b"etag" else _once(v) if k.lower() == b"vary" else v)
                                  for k, v in headers]
            await send(message)

        return self.create_compression_send_wrapper(send=weakened, compression_encoding=encoding, scope=scope)


__all__ = ["CONTENT_ADDRESSED", "NEGOTIATED", "CachingCompression", "body_etag", "compression", "matches", "represented"]
