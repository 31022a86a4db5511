"""HEAD answers like GET without the body (RFC 9110 §9.3.2), on every GET route, pages and API alike. litestar
routes HEAD only to handlers declared for it (a 405 otherwise), so the request is routed as a GET and the body
is dropped on its way out; the headers, Content-Length included, stay those of the GET."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


def head_as_get(app: ASGIApp) -> ASGIApp:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[typeddict-item]

    return answer


__all__ = ["head_as_get"]
