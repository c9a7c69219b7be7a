"""Signed internal identity: the services believe who is calling only when the gateway
signed it.

The gateway signs every call it makes to a service with HMAC-SHA256 over the method,
the request target (path and query as sent), the user (key id, name, role), the time,
a nonce and the SHA-256 of the body, under the secret it shares with the services
(AFFBILL_INTERNAL_SECRET). A service answers 401 to a call without a valid signature
made within `MAX_SKEW_S`, to a nonce it has seen before (a replay), and to a body
that is not the one signed, so an X-Affbill-User header alone is never enough and a
signed request cannot be sent twice or with another body. The user's name travels
percent-encoded (UTF-8), so any name ("Łukasz") fits in a header.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_runtime.problems import problem

log = logging.getLogger("affbill.internal_auth")
MAX_SKEW_S = 60
USER, USER_ID, ROLE = "X-Affbill-User", "X-Affbill-User-Id", "X-Affbill-Role"
TIME, SIGNATURE = "X-Affbill-Time", "X-Affbill-Signature"
NONCE, BODY_SHA256 = "X-Affbill-Nonce", "X-Affbill-Body-Sha256"
VERSION = "v2"
_NONCE_FORM, _DIGEST_FORM = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{64}")
_SIGNED = (USER, USER_ID, ROLE, TIME, NONCE, BODY_SHA256, SIGNATURE)
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
              role: str, timestamp: str, nonce: str, body_sha256: str) -> str:
    message = "\n".join((VERSION, method.upper(), canonical_target(target), user_id,
                         encoded_name, role, timestamp, nonce, body_sha256))
    return f"{VERSION}={hmac.new(key, message.encode(), hashlib.sha256).hexdigest()}"


def signed_headers(key: bytes, method: str, target: str, identity: Identity,
                   now: float | None = None, body: bytes = b"") -> dict[str, str]:
    """The headers that make a service believe `identity` for this one request (and this
    body): sign again for every request, a nonce is accepted once."""
    name = encode_name(identity.name)
    timestamp = str(int(time.time() if now is None else now))
    nonce, digest = secrets.token_hex(16), hashlib.sha256(body).hexdigest()
    return {USER: name, USER_ID: identity.user_id, ROLE: identity.role, TIME: timestamp,
            NONCE: nonce, BODY_SHA256: digest,
            SIGNATURE: signature(key, method, target, identity.user_id, name, identity.role,
                                 timestamp, nonce, digest)}


def target_of(scope: Scope) -> str:
    """The request target as the client sent it: raw path and query string."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1").split("?", 1)[0] if raw else quote(scope.get("path", ""))
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def verified(key: bytes, scope: Scope, now: float | None = None) -> Identity | str:
    """The identity the gateway signed for this request, or why there is none."""
    headers = Headers(scope=scope)
    given = {h: headers.get(h) for h in _SIGNED}
    if missing := [h for h, v in given.items() if v is None]:
        return f"missing {', '.join(missing)}"
    try:
        timestamp = int(given[TIME] or "")
    except ValueError:
        return f"{TIME} is not a number"
    if abs((time.time() if now is None else now) - timestamp) > MAX_SKEW_S:
        return f"{TIME} is more than {MAX_SKEW_S} s away from now"
    if not _NONCE_FORM.fullmatch(given[NONCE] or ""):
        return f"{NONCE} is not 32 hex digits"
    if not _DIGEST_FORM.fullmatch(given[BODY_SHA256] or ""):
        return f"{BODY_SHA256} is not 64 hex digits"
    expected = signature(key, scope["method"], target_of(scope), given[USER_ID] or "",
                         given[USER] or "", given[ROLE] or "", given[TIME] or "",
                         given[NONCE] or "", given[BODY_SHA256] or "")
    if not hmac.compare_digest(expected.encode(), (given[SIGNATURE] or "").encode("latin-1")):
        return "the signature does not match"
    try:
        name = unquote(given[USER] or "", errors="strict")
    except UnicodeDecodeError:
        return f"{USER} is not percent-encoded UTF-8"
    return Identity(given[USER_ID] or "", name, given[ROLE] or "")


class SeenNonces:
    """The nonces of this process's signed requests while their time is still accepted
    (bounded: past `limit`, the oldest are forgotten first and a warning says so)."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._until: OrderedDict[str, float] = OrderedDict()

    def first_time(self, nonce: str, timestamp: float, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        while self._until and next(iter(self._until.values())) < now:
            self._until.popitem(last=False)
        if nonce in self._until:
            return False
        if len(self._until) >= self.limit:
            self._until.popitem(last=False)
            log.warning("more signed requests within %s s than nonces remembered", MAX_SKEW_S)
        self._until[nonce] = timestamp + MAX_SKEW_S + 1
        return True


class InternalTrust:
    """Every route but the open ones (health, metrics, dev docs) needs the gateway's
    signature, a nonce not seen before and the body it signed; the verified identity is
    in the request state as "caller". Bodies are read only after the signature holds (up
    to `max_body`; a longer one is left to RequestGuard's 413)."""

    def __init__(self, app: ASGIApp, key: bytes, open_paths: tuple[str, ...] = (),
                 max_body: int = 16 * 1024 * 1024) -> None:
        self.app = app
        self.key = key
        self.open_paths = ("/health/", "/metrics", *open_paths)
        self.max_body = max_body
        self.nonces = SeenNonces()

    def _open(self, path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p))
                   for p in self.open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._open(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        found = verified(self.key, scope)
        headers = Headers(scope=scope)
        if isinstance(found, Identity):
            if not self.nonces.first_time(headers[NONCE], int(headers[TIME])):
                found = f"{NONCE} was used before: a signed request is accepted once"
            else:
                receive, found = await self._signed_body(headers, receive, found)
        if isinstance(found, str):
            await self._refuse(scope, receive, send, found)
            return
        scope.setdefault("state", {})["caller"] = found
        await self.app(scope, receive, send)

    async def _signed_body(self, headers: Headers, receive: Receive, who: Identity
                           ) -> tuple[Receive, Identity | str]:
        """The body replayed for the app, and the caller if it is the body signed."""
        digest, chunks, size = hashlib.sha256(), [], 0
        more = "content-length" in headers or "transfer-encoding" in headers
        while more:
            message = await receive()
            chunks.append(message)
            chunk = message.get("body", b"")
            digest.update(chunk)
            size += len(chunk)
            more = message["type"] == "http.request" and message.get("more_body", False)
            if size > self.max_body:  # too large to check: RequestGuard refuses it
                return _replay(chunks, receive), who
        if not hmac.compare_digest(digest.hexdigest(), headers[BODY_SHA256]):
            return _replay(chunks, receive), "the body is not the one signed"
        return _replay(chunks, receive), who

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
        log.warning("unsigned internal call refused", extra={
            "reason": reason, "path": scope.get("path"), "client": _client(scope)})
        response = problem(401, "Unauthorized", f"Only the gateway may call this service: "
                           f"{reason}.", errors=[{"field": SIGNATURE, "reason": reason}])
        await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """The messages read already, then the client's own."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()
    return replayed


def _client(scope: Scope) -> Any:
    client = scope.get("client")
    return client[0] if client else None


def caller(state: Any) -> Identity | None:
    """The verified identity of a request (`request.state`), if any."""
    return getattr(state, "caller", None)
