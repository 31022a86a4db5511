"""The fast lane: the application hands POST /api/v1/compliance/check straight to its handler.

A compliance check is the hot path of the API (a marketplace checks every seller it hosts, one request each).
Through litestar's router, its two exception-handling layers, the allowed-hosts middleware and the before-send
wrapper, a request spent about 18 µs in the framework for a check of about 50 µs; on one uvicorn worker under 50
connections the lane raised throughput by about 13% (docs/performance.md, "The fast lane").

The lane takes a request only where litestar would do nothing but call the handler: an exact path, POST, and no
browser CORS request (no Origin header while CORS is configured). Everything else goes the ordinary way, through
the same route, and so does a request for a host this registry does not answer for (to be refused there). What the
ordinary way does around a handler is done here too, by the same code: the allowed-hosts check (AllowedHosts), the
before_send hooks (security headers) and the route's one error handler. A route that
needs more than that (a guard, its own middleware, several error handlers, after-exception hooks) is refused when
the application is built, so the lane cannot quietly skip a protection added later."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from litestar import Litestar
from litestar.handlers import ASGIRouteHandler
from litestar.types import Message, Receive, Scope, Send

from registry.api.hosts import AllowedHosts


class RegistryApp(Litestar):
    """litestar, with a fast lane for the raw ASGI routes named in `fast_lane` (POST only)."""

    def __init__(self, *args: Any, fast_lane: Sequence[ASGIRouteHandler] = (), hosts: AllowedHosts, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hosts = hosts
        self.lanes: dict[str, tuple[Callable, Callable]] = {}
        for handler in fast_lane:
            registered, error_handler = self._registered(handler)
            for path in registered.paths:
                self.lanes[path] = (registered.fn, error_handler)

    def _registered(self, handler: ASGIRouteHandler) -> tuple[ASGIRouteHandler, Callable]:
        """The handler as registered on this app, and its one error handler; refused if the lane would skip
        anything the ordinary way does for it."""
        [registered] = [r.route_handler for r in self.routes
                        if isinstance(getattr(r, "route_handler", None), ASGIRouteHandler) and r.route_handler.fn is handler.fn]
        problems = []
        if registered.resolve_guards():
            problems.append("guards")
        if list(registered.resolve_middleware()) != [self.hosts.middleware]:
            problems.append("middleware other than the allowed hosts")
        error_handlers = set(registered.resolve_exception_handlers().values())
        if len(error_handlers) != 1 or Exception not in registered.resolve_exception_handlers():
            problems.append("not exactly one error handler for every exception")
        if self.after_exception:
            problems.append("after_exception hooks")
        if problems:
            raise RuntimeError(f"{registered} cannot take the fast lane: it has {', '.join(problems)}")
        return registered, error_handlers.pop()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        lane = self.lanes.get(scope.get("path")) if scope["type"] == "http" and scope.get("method") == "POST" else None
        if lane is None or not self.hosts.allows(scope) or \
                (self.cors_config is not None and any(name == b"origin" for name, _ in scope["headers"])):
            await super().__call__(scope, receive, send)  # the ordinary way (it refuses a host not allowed)
            return
        await self._fast(lane, scope, receive, send)

    async def _fast(self, lane: tuple[Callable, Callable], scope: Scope, receive: Receive, send: Send) -> None:
        handler, error_handler = lane
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
            await handler(scope, receive, hooked_send)
        except Exception as exc:
            if started:  # as litestar does: too late for an error response
                raise
            request = self.request_class(scope, receive)
            await error_handler(request, exc).to_asgi_response(None, request)(scope, receive, hooked_send)


__all__ = ["RegistryApp"]
