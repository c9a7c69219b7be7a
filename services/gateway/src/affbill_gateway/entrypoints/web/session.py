"""Who is signed in to the UI, what they may do, and the CSRF check of every POST.

The session cookie is HttpOnly, SameSite=Lax and Secure (configurable off only for
plain-http localhost); every POST carries its session's CSRF token (form field
`csrf_token`, or header X-CSRF-Token for htmx), else 403 and nothing happens. A viewer's
POST is refused (403) before the API is asked; the API checks the role once more.
With single sign-on on, the trusted proxy's header names the user.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Access, may
from affbill_gateway.domain.users import csrf_ok
from affbill_gateway.entrypoints.web.api import Api
from affbill_gateway.service_layer.users import SignedIn, Users

COOKIE = "affbill_session"
CSRF_HEADER = "x-csrf-token"


class NotSignedIn(Exception):
    """No live session: the page sends the browser to sign in."""


class Refused(Exception):
    """403: the user's role may not do this, or the POST lacks its CSRF token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def set_session_cookie(response: Response, settings: Settings, session_id: str) -> None:
    response.set_cookie(COOKIE, session_id, max_age=int(settings.ui_session_hours * 3600),
                        path="/ui", secure=settings.ui_cookie_secure, httponly=True,
                        samesite="lax")


def flash(response: Response, message: str, error: bool = False) -> Response:
    """A one-time message for the next page (kept in a short cookie, never in the URL)."""
    response.set_cookie("affbill_flash", quote(("!" if error else "") + message[:600]),
                        max_age=60, path="/ui", httponly=True, samesite="lax")
    return response


async def _single_sign_on(request: Request, settings: Settings, users: Users
                          ) -> SignedIn | None:
    name = request.headers.get(settings.ui_sso_header or "", "").strip()
    if not settings.ui_sso_header or not name:
        return None
    role = settings.ui_sso_roles.get(name, settings.ui_sso_default_role)
    display = request.headers.get(settings.ui_sso_name_header or "", "").strip() or None
    opened = await users.single_sign_on(name, display, role)
    if opened is None:
        return None
    request.state.new_session = opened[0]
    return opened[1]


async def signed_in(request: Request) -> SignedIn:
    """The user of the request's session (or, with SSO on, of the proxy's header)."""
    settings: Settings = request.app.state.settings
    users: Users = request.app.state.users
    user = await users.session(request.cookies.get(COOKIE, ""))
    sso = request.headers.get(settings.ui_sso_header or "", "").strip() \
        if settings.ui_sso_header else ""
    if sso and (user is None or user.username != sso):
        user = await _single_sign_on(request, settings, users)
    if user is None:
        raise NotSignedIn()
    request.state.ui_user = user
    return user


async def checked_post(request: Request, user: Annotated[SignedIn, Depends(signed_in)]
                       ) -> SignedIn:
    """A POST of the signed-in user that carries the session's CSRF token."""
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        given = str((await request.form()).get("csrf_token") or "")
    if not csrf_ok(user.csrf_token, given):
        raise Refused("The form was not sent from this session (CSRF token missing or "
                      "wrong). Reload the page and try again.")
    return user


async def acting(user: Annotated[SignedIn, Depends(checked_post)]) -> SignedIn:
    """A POST that changes something: accountants and admins only."""
    if not may(user.role, Access.ACT):
        raise Refused(f"The role {user.role} may not change anything.")
    return user


async def administering(user: Annotated[SignedIn, Depends(checked_post)]) -> SignedIn:
    if not may(user.role, Access.ADMIN):
        raise Refused(f"The role {user.role} may not manage users and API keys.")
    return user


async def admin_reading(user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    if not may(user.role, Access.ADMIN):
        raise Refused(f"The role {user.role} may not manage users and API keys.")
    return user


def api_for(request: Request, user: SignedIn) -> Api:
    return Api(request.app, user.principal, request.state.request_id)


Reader = Annotated[SignedIn, Depends(signed_in)]
Actor = Annotated[SignedIn, Depends(acting)]
Admin = Annotated[SignedIn, Depends(administering)]
AdminReader = Annotated[SignedIn, Depends(admin_reading)]
Checked = Annotated[SignedIn, Depends(checked_post)]
