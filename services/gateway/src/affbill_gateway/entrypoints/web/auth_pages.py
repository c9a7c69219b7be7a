"""Sign in with a password, sign out. The sign-in form has its own CSRF token (a
double-submit cookie): no session exists yet to hold one."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from affbill_gateway.domain.users import csrf_ok
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import COOKIE, Checked, Refused, set_session_cookie
from affbill_gateway.service_layer.users import Users
from affbill_runtime import audit
from affbill_runtime.acting import Actor

LOGIN_CSRF = "affbill_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a path of this UI: never an open redirect."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and parts.path.startswith("/ui/"):
        return target
    return "/ui/generator"


async def _record(request: Request, action: str, username: str, role: str | None) -> None:
    async with request.app.state.runtime.engine.begin() as conn:
        await audit.record(conn, entity_kind="ui_session", entity_id=username, action=action,
                           who=Actor(username, role, request.state.request_id))


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui", include_in_schema=False)

    @router.get("/login")
    async def login_form(request: Request, next: str | None = None) -> Response:
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", login_csrf=token, next=_safe_next(next))
        response.set_cookie(LOGIN_CSRF, token, max_age=3600, path="/ui/login",
                            secure=request.app.state.settings.ui_cookie_secure, httponly=True,
                            samesite="strict")
        return response

    @router.post("/login")
    async def login(request: Request, username: Annotated[str, Form(max_length=100)],
                    password: Annotated[str, Form(max_length=1000)],
                    csrf_token: Annotated[str, Form(max_length=100)] = "",
                    next: Annotated[str, Form(max_length=500)] = "") -> Response:
        if not csrf_ok(request.cookies.get(LOGIN_CSRF), csrf_token):
            raise Refused("The sign-in form expired or was not sent from this browser. "
                          "Reload it and try again.")
        users: Users = request.app.state.users
        opened = await users.sign_in(username.strip(), password)
        if opened is None:
            return page(request, "login.html", 401, login_csrf=csrf_token, next=_safe_next(next),
                        error="Wrong username or password, or the user is disabled.",
                        username=username)
        session_id, user = opened
        await _record(request, "sign_in", user.username, user.role.value)
        response = see_other(request, _safe_next(next))
        set_session_cookie(response, request.app.state.settings, session_id)
        response.delete_cookie(LOGIN_CSRF, path="/ui/login")
        return response

    @router.post("/logout")
    async def logout(request: Request, user: Checked) -> Response:
        await request.app.state.users.sign_out(request.cookies.get(COOKIE, ""))
        await _record(request, "sign_out", user.username, user.role.value)
        response = see_other(request, "/ui/login")
        response.delete_cookie(COOKIE, path="/ui")
        return response

    @router.get("")
    @router.get("/")
    async def home(request: Request) -> Response:
        return see_other(request, "/ui/generator")

    return router
