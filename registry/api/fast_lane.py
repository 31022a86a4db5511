"""The fast lane: the application hands POST /api/v1/compliance/check straight to its handler.

A compliance check is the hot path of the API (a marketplace checks every seller it hosts, one request each).
Through litestar's router, its two exception-handling layers, the allowed-hosts middleware and the before-send
wrapper, a request spent about 18 µs in the framework for a check of about 50 µs; on one uvicorn worker under 50
connections the lane raised throughput by about 13% (docs/performance.md, "The fast lane").

The lane takes a request only where litestar would do nothing but call the handler: the route's exact path, no
root path, POST, a Host header that litestar's router accepts and that this registry answers for, and no browser
CORS request (no Origin header while CORS is configured). Everything else goes the ordinary way, through the same
route. What the ordinary way does around the handler is done here too, with the same code: the allowed-hosts check
(AllowedHosts), the before_send hooks (security headers) and the route's one error handler, with the route's type
encoders; if that handler fails in turn, it answers again for the new error, as litestar's outer layer does.

An application whose configuration would make the ordinary way do more (a guard, other middleware, CSRF,
compression, litestar's own allowed hosts, several error handlers, after-exception hooks, debugging, exception
logging, OpenTelemetry, a copied scope, a path with parameters) refuses to start, so that the lane never skips a
protection added later quietly. tests/test_fast_lane.py sends good and hostile requests both ways and compares the answers."""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from litestar import Litestar
from litestar.exceptions import LitestarException
from litestar.handlers import ASGIRouteHandler
from litestar.routes import ASGIRoute
from litestar.types import Message, Receive, Scope, Send

from registry.api.hosts import AllowedHosts

# the Host headers litestar's router accepts (litestar._asgi.utils: any other is refused with 400 there)
_HOST_SYNTAX = re.compile(rb"\A[0-9A-Za-z!$&'()*+,;=\-._~:\[\]@%]*\Z")


class _Lane:
    def __init__(self, handler: Callable, error_handler: Callable, type_encoders: Any):
        self.handler, self.error_handler, self.type_encoders = handler, error_handler, type_encoders


class RegistryApp(Litestar):
    """litestar, with a fast lane for the raw ASGI routes named in `fast_lane` (POST only)."""

    def __init__(self, *args: Any, fast_lane: Sequence[ASGIRouteHandler] = (), hosts: AllowedHosts, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hosts = hosts
        self.lanes: dict[str, _Lane] = dict(self._lane(handler) for handler in fast_lane)

    def _lane(self, handler: ASGIRouteHandler) -> tuple[str, _Lane]:
        """The route's full path and its lane; refused if the lane would skip anything the ordinary way does."""
        routes = [r for r in self.routes if isinstance(r, ASGIRoute) and r.route_handler.fn is handler.fn]
        if len(routes) != 1:
            raise RuntimeError(f"{handler} cannot take the fast lane: it is registered {len(routes)} times")
        route, registered = routes[0], routes[0].route_handler
        problems = []
        if registered.resolve_guards():
            problems.append("guards")
        if list(registered.resolve_middleware()) != [self.hosts.middleware]:
            problems.append("middleware other than the allowed hosts")
        if self.csrf_config or self.compression_config or self.allowed_hosts:
            problems.append("CSRF, compression or litestar's allowed hosts")
        handlers = registered.resolve_exception_handlers()
        if len(set(handlers.values())) != 1 or Exception not in handlers:
            problems.append("not exactly one error handler for every exception")
        if self.after_exception or self.debug or self.pdb_on_exception or \
                getattr(self.logging_config, "log_exceptions", "debug") != "debug":
            problems.append("after_exception hooks, debugging or exception logging")
        if any(type(plugin).__name__ == "OpenTelemetryPlugin" for plugin in self.plugins):
            problems.append("OpenTelemetry")
        if registered.copy_scope is not False or registered.is_mount or route.path_parameters:
            problems.append("a copied scope, a mount or path parameters")
        if problems:
            raise RuntimeError(f"{registered} cannot take the fast lane: it has {', '.join(problems)}")
        return route.path, _Lane(registered.fn, handlers[Exception], registered.resolve_type_encoders())

    def _takes(self, scope: Any) -> _Lane | None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("root_path"):
            return None
        lane = self.lanes.get(scope.get("path"))
        if lane is None:
            return None
        host = next((value for name, value in scope["headers"] if name == b"host"), None)  # as the router reads it
        if host is not None and not _HOST_SYNTAX.match(host):
            return None
        if not self.hosts.allows(scope):
            return None
        if self.cors_config is not None and any(name.lower() == b"origin" for name, _ in scope["headers"]):
            return None
        return lane

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        lane = self._takes(scope)
        if lane is None:
            await super().__call__(scope, receive, send)  # the ordinary way (it refuses what the lane leaves)
            return
        await self._fast(lane, scope, receive, send)

    async def _fast(self, lane: _Lane, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = scope["litestar_app"] = self  # as Litestar.__call__ sets them
        scope.setdefault("state", {})
        started = False

        async def hooked_send(message: Message) -> None:
            nonlocal started
            started = True
            for hook in self.before_send:
                await hook(message, scope)
            await send(message)

        try:
            await lane.handler(scope, receive, hooked_send)
        except Exception as exc:
            if started:  # as litestar does: too late for an error response
                raise LitestarException("Exception caught after response started") from exc
            try:
                await self._answer_error(lane, exc, scope, receive, hooked_send)
            except Exception as again:  # the error could not be answered: answer for that error, once
                if started:
                    raise
                await self._answer_error(lane, again, scope, receive, hooked_send)

    async def _answer_error(self, lane: _Lane, exc: Exception, scope: Scope, receive: Receive, send: Send) -> None:
        request = self.request_class(scope=scope, receive=receive, send=send)
        response = lane.error_handler(request, exc)
        await response.to_asgi_response(None, request, type_encoders=lane.type_encoders)(scope, receive, send)


__all__ = ["RegistryApp"]
