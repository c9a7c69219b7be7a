"""Signed internal identity: the services believe who is calling only when the gateway
signed it.

The gateway signs every call it makes to a service with HMAC-SHA256 over the method,
the request target (path and query as sent), the user (key id, name, role) and the
time, under the secret it shares with the services (AFFBILL_INTERNAL_SECRET). A
service answers 401 to a call without a valid signature made within `MAX_SKEW_S`,
so an X-Affbill-User header alone is never enough. The user's name travels
percent-encoded (UTF-8), so any name ("Łukasz") fits in a header.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from affbill_runtime.problems import problem

log = logging.getLogger("affbill.internal_auth")
MAX_SKEW_S = 60
USER, USER_ID, ROLE = "X-Affbill-User", "X-Affbill-User-Id", "X-Affbill-Role"
TIME, SIGNATURE = "X-Affbill-Time", "X-Affbill-Signature"
VERSION = "v1"
_HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7f) if chr(c) != "%")


@dataclass(frozen=True)
class Identity:
    """Who acts, as the gateway vouches for it: the API key's id, name and role."""

    user_id: str
    name: str
    role: str


def encode_name(name: str) -> str:
    """The name as header text: printable ASCII kept, everything else %-encoded UTF-8."""
    return quote(name, safe=_HEADER_SAFE)


def canonical_target(target: str) -> str:
    return target[:-1] if target.endswith("?") else target


def signature(key: bytes, method: str, target: str, user_id: str, encoded_name: str,
              role: str, timestamp: str) -> str:
    message = "\n".join((VERSION, method.upper(), canonical_target(target), user_id,
                         encoded_name, role, timestamp))
    return f"{VERSION}={hmac.new(key, message.encode(), hashlib.sha256).hexdigest()}"


def signed_headers(key: bytes, method: str, target: str, identity: Identity,
                   now: float | None = None) -> dict[str, str]:
    """The headers that make a service believe `identity` for this one request."""
    name = encode_name(identity.name)
    timestamp = str(int(time.time() if now is None else now))
    return {USER: name, USER_ID: identity.user_id, ROLE: identity.role, TIME: timestamp,
            SIGNATURE: signature(key, method, target, identity.user_id, name, identity.role,
                                 timestamp)}


def target_of(scope: Scope) -> str:
    """The request target as the client sent it: raw path and query string."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1").split("?", 1)[0] if raw else quote(scope.get("path", ""))
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def verified(key: bytes, scope: Scope, now: float | None = None) -> Identity | str:
    """The identity the gateway signed for this request, or why there is none."""
    headers = Headers(scope=scope)
    given = {h: headers.get(h) for h in (USER, USER_ID, ROLE, TIME, SIGNATURE)}
    if missing := [h for h, v in given.items() if v is None]:
        return f"missing {', '.join(missing)}"
    try:
        timestamp = int(given[TIME] or "")
    except ValueError:
        return f"{TIME} is not a number"
    if abs((time.time() if now is None else now) - timestamp) > MAX_SKEW_S:
        return f"{TIME} is more than {MAX_SKEW_S} s away from now"
    expected = signature(key, scope["method"], target_of(scope), given[USER_ID] or "",
                         given[USER] or "", given[ROLE] or "", given[TIME] or "")
    if not hmac.compare_digest(expected.encode(), (given[SIGNATURE] or "").encode("latin-1")):
        return "the signature does not match"
    try:
        name = unquote(given[USER] or "", errors="strict")
    except UnicodeDecodeError:
        return f"{USER} is not percent-encoded UTF-8"
    return Identity(given[USER_ID] or "", name, given[ROLE] or "")


class InternalTrust:
    """Every route but the open ones (health, metrics, dev docs) needs the gateway's
    signature; the verified identity is in the request state as "caller"."""

    def __init__(self, app: ASGIApp, key: bytes, open_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.key = key
        self.open_paths = ("/health/", "/metrics", *open_paths)

    def _open(self, path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p))
                   for p in self.open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._open(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        found = verified(self.key, scope)
        if isinstance(found, str):
            log.warning("unsigned internal call refused", extra={
                "reason": found, "path": scope.get("path"), "client": _client(scope)})
            response = problem(401, "Unauthorized", f"Only the gateway may call this service: "
                               f"{found}.", errors=[{"field": SIGNATURE, "reason": found}])
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = found
        await self.app(scope, receive, send)


def _client(scope: Scope) -> Any:
    client = scope.get("client")
    return client[0] if client else None


def caller(state: Any) -> Identity | None:
    """The verified identity of a request (`request.state`), if any."""
    return getattr(state, "caller", None)
