"""Calling a service directly in a test as the gateway does: every request signed.

The services believe only the gateway's signature (affbill_runtime.internal_auth), so a
test that talks to a service itself signs with the same secret instead of turning the
check off. The acting user is the request's X-Affbill-User header (a name, %-encoded
where it is not ASCII: `encode_name`), taken out and signed; else nobody.
"""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import unquote

import httpx

from affbill_runtime.internal_auth import USER, Identity, signed_headers
from affbill_runtime.settings import DEVELOPMENT_SECRET


class SignedAsGateway(httpx.Auth):
    requires_request_body = True  # the body is signed too

    def __init__(self, key: bytes | str = DEVELOPMENT_SECRET, role: str = "admin") -> None:
        self.key = key.encode() if isinstance(key, str) else key
        self.role = role

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        name = unquote(request.headers.pop(USER, ""))
        request.headers.update(signed_headers(
            self.key, request.method, request.url.raw_path.decode("ascii"),
            Identity("test", name, self.role), body=request.content))
        yield request
