"""Signing in on a browser: the person pastes a token; it is checked, then kept in an HttpOnly, SameSite=Strict
cookie that the page handlers read (the API keeps reading the Authorization header only)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import Engine

from registry.api.limits import Limits
from registry.domain.access import Principal
from registry.errors import RegistryError, TooManyRequests
from registry.services import tokens
from registry.storage.database import read_session
from registry.web.forms import TokenForm
from registry.web.layout import page
from registry.web.security import TOKEN_COOKIE

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
COOKIE_DAYS = 30


def _cookie(value: str, request: Request, max_age: int) -> Cookie:
    return Cookie(key=TOKEN_COOKIE, value=value, httponly=True, samesite="strict", path="/", max_age=max_age,
                  secure=request.url.scheme == "https")


class SignInPages(Controller):
    path = "/sign-in"

    @get("/", sync_to_thread=False)
    def form(self, viewer: NamedDependency[Principal]) -> Template:
        return page("signin.html", viewer, title="Sign in", error=None)

    @post("/", sync_to_thread=True, opt={"anonymous": True})
    def sign_in(self, request: Request, engine: NamedDependency[Engine], viewer: NamedDependency[Principal],
                data: Annotated[TokenForm, Form]) -> Response:
        limits: Limits = request.app.state.limits  # failed sign-ins count as failed authentications (per address)
        try:
            with read_session(engine) as session:
                limits.check_auth_allowed(request, session)
                principal = tokens.authenticate(session, data.token.strip())
        except TooManyRequests:  # the error page, with Retry-After; not one more failure
            raise
        except RegistryError as exc:
            limits.auth_failed(request)
            return page("signin.html", viewer, title="Sign in", status_code=exc.status, error=exc.message)
        return Redirect("/sign-in", status_code=303, cookies=[_cookie(data.token.strip(), request, COOKIE_DAYS * 86400)],
                        headers={"X-Signed-In-As": principal.actor})

    @post("/out", sync_to_thread=False, opt={"anonymous": True})
    def sign_out(self, request: Request) -> Response:
        return Redirect("/", status_code=303, cookies=[_cookie("", request, 0)])
