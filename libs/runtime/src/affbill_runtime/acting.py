"""Who acts in the current request: read once at the edge, found by the audit trail.

A service learns the acting user from the gateway (today the X-Affbill-User and
X-Affbill-Role headers); `actor_from_headers` is the one place that reads them, so a
signed identity replaces it without touching any handler. `ActingUser` sets the actor
for the duration of one HTTP request; a consumer that acts for a command's requester
wraps its work in `acting_as`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

USER_HEADER = "X-Affbill-User"
ROLE_HEADER = "X-Affbill-Role"
REQUEST_ID_HEADER = "X-Request-Id"


@dataclass(frozen=True)
class Actor:
    """A user (the API key's name) with the role the gateway gave it, and the request id."""

    name: str
    role: str | None = None
    request_id: str | None = None


SYSTEM = Actor("system")  # work nobody asked for in a request (a consumer without requester)
_acting: ContextVar[Actor | None] = ContextVar("affbill_acting", default=None)


def current_actor() -> Actor | None:
    return _acting.get()


def actor(user: str | None = None) -> Actor:
    """The actor of this request; a handler that was told `user` gets that user, with the
    request's role and id when the request is that user's (a command's requester otherwise)."""
    found = _acting.get()
    if user is None:
        return found or SYSTEM
    if found is not None and found.name == user:
        return found
    return Actor(user, request_id=found.request_id if found else None)


@contextlib.contextmanager
def acting_as(who: Actor | None) -> Iterator[None]:
    token = _acting.set(who)
    try:
        yield
    finally:
        _acting.reset(token)


def _clean(value: str | None, limit: int = 200) -> str | None:
    value = (value or "").strip()
    return value[:limit] if value and value.isprintable() else None


def actor_from_headers(scope: Scope) -> Actor | None:
    """The acting user as the gateway passes it to a service (None: nobody named): the
    identity the gateway signed (InternalTrust put it in the request state), else the
    headers as they came (percent-encoded UTF-8 names decoded)."""
    headers = Headers(scope=scope)
    caller = (scope.get("state") or {}).get("caller")
    if caller is not None:
        return Actor(caller.name, caller.role, _clean(headers.get(REQUEST_ID_HEADER), 128))
    name = _clean(unquote(headers.get(USER_HEADER) or ""))
    if name is None:
        return None
    return Actor(name, _clean(headers.get(ROLE_HEADER), 50),
                 _clean(headers.get(REQUEST_ID_HEADER), 128))


class ActingUser:
    """Pure ASGI middleware: the actor `read` finds in a request is current while it runs."""

    def __init__(self, app: ASGIApp,
                 read: Callable[[Scope], Actor | None] = actor_from_headers) -> None:
        self.app = app
        self.read = read

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with acting_as(self.read(scope)):
            await self.app(scope, receive, send)
