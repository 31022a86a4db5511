"""Admission: the caller is known before a write's body is read, expensive requests are capped per caller and in
all, and CPU-heavy work (large bodies, checks) runs in bounded pools of worker processes and threads: one request
never stalls everyone.

Why: bodies were parsed, and inline compliance checks run, on the event loop and before authentication; one
anonymous 9.8 MB body to /compliance/check sent in a loop kept GET /healthz at a median of 4.6 s (issue 13).

- A write (POST, PUT, PATCH, DELETE) is authenticated before its body is read: a bad token is a 401 then, and so is
  no token at all unless the route takes anonymous writes (`opt={"anonymous": True}`: checks, comparisons, signing
  in). The principal found is the one the handler gets (`provide_caller`), so a write is counted once.
- A request is expensive when its route says so (`opt={"expensive": True}`: checks, batches, comparisons, gap
  reports, the matrix, impact) or when its body is larger than REGISTRY_INLINE_BODY_BYTES (or of unknown size).
  An expensive request holds a slot until it is answered: at most REGISTRY_EXPENSIVE_PER_CALLER at once per caller
  (the token, else the client address: 429) and REGISTRY_EXPENSIVE_TOTAL at once in the process (503), both in the
  one error shape with Retry-After.
- A large JSON body is parsed in a worker process (`parse_json`, used by RegistryRequest.json; the raw compliance
  check also runs a large body's check there): parsing holds the GIL in long C calls (one 9.8 MB text: tens of milliseconds each), which
  in a thread would still stall the event loop; in a process it pays only the transfer (a worker thread if
  REGISTRY_PARSER_PROCESSES is 0, or if a worker process cannot start). A large url-encoded form is parsed in a
  worker thread (the parser is Python code, which lets the loop in) before litestar's CSRF check and the handler
  read it; a saved profile's check runs in one too. Small bodies stay on the event
  loop: a hop costs more than parsing them."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Callable, TypeVar

import anyio
import anyio.to_process
from anyio import BrokenWorkerProcess
from litestar import Request
from litestar._parsers import parse_url_encoded_form_data  # litestar's own, as its form extractor uses
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy import Engine

from registry.api.dependencies import provide_principal
from registry.api.raw import read_body
from registry.api.structs import API
from registry.domain.jsonbody import parse_json
from registry.domain.access import ANONYMOUS, Principal, require_signed_in
from registry.errors import RegistryError, ServiceBusy, TooManyRequests
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import read_session

log = logging.getLogger("registry")
T = TypeVar("T")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_AFTER_SECONDS = 1  # a slot frees as soon as one expensive request is answered
_CALLER = "registry.caller"  # where the principal found before the body waits for the handler (scope["state"])
_READ = frozenset({b"authorization", b"cookie", b"content-length", b"transfer-encoding"})


class Slots:
    """How many expensive requests run now, per caller and in all; 0 means no limit. Used on the event loop only."""

    def __init__(self, per_caller: int, total: int):
        self.per_caller, self.total = per_caller, total
        self.running: dict[str, int] = {}
        self.count = 0

    def take(self, caller: str) -> None:
        mine = self.running.get(caller, 0)
        if self.per_caller and mine >= self.per_caller:
            raise TooManyRequests(f"you already have {mine} expensive requests running; retry when one is answered",
                                  code="too_many_expensive_requests", detail={"retry_after": RETRY_AFTER_SECONDS})
        if self.total and self.count >= self.total:
            raise ServiceBusy("the registry is busy with other expensive requests; retry shortly",
                              detail={"retry_after": RETRY_AFTER_SECONDS})
        self.running[caller] = mine + 1
        self.count += 1

    def give_back(self, caller: str) -> None:
        self.count -= 1
        left = self.running[caller] - 1
        if left:
            self.running[caller] = left
        else:
            del self.running[caller]  # nothing kept per caller once its requests are answered


class Admission:
    """The admission control of one app, from its settings; `middleware` goes on every route."""

    def __init__(self, settings: Settings, cookie: str):
        self.cookie = cookie  # the pages' sign-in cookie (registry/web/security.py)
        self.inline_body_bytes = settings.inline_body_bytes
        self.max_body_bytes = settings.max_body_bytes
        self.slots = Slots(settings.expensive_per_caller, settings.expensive_total)
        self.workers = anyio.CapacityLimiter(settings.worker_threads)
        self.parsers = anyio.CapacityLimiter(settings.parser_processes) if settings.parser_processes else None
        self.max_json_depth, self.max_string_chars = settings.max_json_depth, settings.max_string_chars

    async def in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker thread of the bounded pool; the event loop serves others meanwhile."""
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=self.workers)

    async def in_process(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` (picklable) in a worker process, which holds no GIL of ours; in a worker thread when
        REGISTRY_PARSER_PROCESSES is 0 or a process cannot start. Errors come back as they were raised."""
        call = partial(fn, *args)
        if self.parsers is not None:
            try:
                return await anyio.to_process.run_sync(call, limiter=self.parsers)
            except BrokenWorkerProcess:
                log.warning("a worker process failed to start or died; running in a worker thread instead")
        return await self.in_worker(call)

    async def parse_json(self, body: bytes) -> Any:
        """A JSON body parsed strictly (registry.domain.jsonbody): inline when small, else in a worker process."""
        parse = partial(parse_json, body or b"null", max_depth=self.max_json_depth,
                        max_string_chars=self.max_string_chars)
        return parse() if len(body) <= self.inline_body_bytes else await self.in_process(parse)

    def is_large(self, length: bytes | None, chunked: bool) -> bool:
        """Whether a body (its Content-Length, or sent chunked without one) is larger than is parsed inline."""
        if length is None:
            return chunked  # a body of unknown size
        return not length.isdigit() or int(length) > self.inline_body_bytes

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def admit(scope: Scope, receive: Receive, send: Send) -> None:
            handler = scope.get("route_handler")
            opt = getattr(handler, "opt", None) or {}
            write = scope["type"] == "http" and scope.get("method") in WRITES
            if not write and not opt.get("expensive"):
                await app(scope, receive, send)
                return
            headers = {name: value for name, value in scope["headers"] if name in _READ}  # the few it needs
            caller = await self._caller(scope, receive, headers)
            if write and not opt.get("anonymous"):
                require_signed_in(caller)  # 401 before a byte of the body is read
            large = self.is_large(headers.get(b"content-length"), b"transfer-encoding" in headers)
            if not opt.get("expensive") and not large:
                await app(scope, receive, send)
                return
            request: Request = Request(scope, receive)
            key = caller.token_id or "address " + request.app.state.limits.client_address(request)
            self.slots.take(key)
            try:
                if write and large and not opt.get("stream"):
                    await self._parse_large_form(request, scope, receive)
                await app(scope, receive, send)
            finally:
                self.slots.give_back(key)

        return admit

    async def _caller(self, scope: Scope, receive: Receive, headers: dict[bytes, bytes]) -> Principal:
        caller = ANONYMOUS  # without a token or a sign-in cookie: no Request, no thread (the hot path)
        page = not scope["path"].startswith(API)  # the API knows bearer tokens only
        if b"authorization" in headers or (page and self.cookie.encode() in headers.get(b"cookie", b"")):
            request: Request = Request(scope, receive)
            engine = request.app.state.engine
            if "authorization" in request.headers:
                caller = await provide_principal(request, engine)  # a bad token: 401 (and counted as a failure)
            elif page and request.cookies.get(self.cookie):
                caller = await self.in_worker(_signed_in, engine, request.cookies[self.cookie])
        scope.setdefault("state", {})[_CALLER] = caller
        return caller

    async def _parse_large_form(self, request: Request, scope: Scope, receive: Receive) -> None:
        """A large url-encoded form, read and parsed in a worker thread, where litestar finds it already parsed."""
        if request.content_type[0] != RequestEncodingType.URL_ENCODED:
            return
        body = await read_body(receive, self.max_body_bytes, request.headers.get("content-length", "").encode())
        state = ScopeState.from_scope(scope)
        state.body = body
        state.form = await self.in_worker(parse_url_encoded_form_data, body)


def _signed_in(engine: Engine, token: str) -> Principal:
    """The person signed in on this browser, or anonymous (a bad cookie is treated as signed out, as on pages)."""
    try:
        with read_session(engine) as session:
            return tokens.authenticate(session, token)
    except RegistryError:
        return ANONYMOUS


async def provide_caller(request: Request, engine: NamedDependency[Engine]) -> Principal:
    """The caller: the one admission found before reading the body, else from the bearer token."""
    known = request.scope.get("state", {}).get(_CALLER)
    if known is not None and ("authorization" in request.headers or known is ANONYMOUS):
        return known
    return await provide_principal(request, engine)


def known_caller(scope: Scope) -> Principal:
    """The caller admission found (it runs before every write): for the raw routes, which have no dependencies."""
    return scope["state"][_CALLER]


__all__ = ["Admission", "Slots", "known_caller", "provide_caller"]
