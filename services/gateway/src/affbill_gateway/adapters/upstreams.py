"""HTTP/1.1 clients of the owning services: pooled keep-alive connections on asyncio streams.

The gateway only relays requests to a handful of known services on loopback, so it
needs no more than HTTP/1.1 with keep-alive, httptools' parser (uvicorn's) and
timeouts. httpx spent most of the gateway's time per request (its pool's locks and
events; with this anyio, one failed `import sniffio` each): bench/gateway_load.py.

A connection goes back to the pool only after a complete answer below 500 that did not
say `Connection: close`: a failing service may be closing it. A request is sent again on
a fresh connection only when its method is idempotent (never POST or PATCH) and the
kept-alive connection failed before any byte of an answer. Every request carries the
gateway's signature of who is calling (affbill_runtime.internal_auth).
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools

from affbill_gateway.adapters.upstream_response import CHUNK, Connection, Parsed, UpstreamResponse
from affbill_gateway.config import Settings
from affbill_gateway.domain.routes import Upstream
from affbill_runtime import tracing
from affbill_runtime.internal_auth import Identity, signed_headers

IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})
UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f]")


class UpstreamUnavailable(Exception):
    """The service did not answer: refused, reset, or (timeout=True) too slow."""

    def __init__(self, upstream: Upstream, timeout: bool) -> None:
        super().__init__(upstream)
        self.upstream = upstream
        self.timeout = timeout


class UpstreamStatusError(Exception):
    """The service answered with an error status where the gateway needed its data."""

    def __init__(self, upstream: Upstream, status: int) -> None:
        super().__init__(f"{upstream} answered {status}")
        self.status = status


class Pool:
    """Keep-alive connections to one service, at most `limit` in use at once."""

    def __init__(self, upstream: Upstream, url: str, limit: int, connect_timeout_s: float,
                 keepalive_s: float, signing_key: bytes = b"") -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{upstream} URL must be http://host[:port], got {url!r}")
        self.upstream = upstream
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.host_header = parts.netloc
        self.connect_timeout_s = connect_timeout_s
        self.keepalive_s = keepalive_s
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.signing_key = signing_key

    async def _connection(self) -> Connection:
        now = time.monotonic()
        while self.idle:
            conn = self.idle.pop()
            if conn.usable(now, self.keepalive_s):
                conn.reused = True
                return conn
            conn.close()
        async with asyncio.timeout(self.connect_timeout_s):
            return Connection(*await asyncio.open_connection(self.host, self.port))

    def release(self, conn: Connection, keep: bool) -> None:
        if keep and not conn.writer.is_closing():
            conn.idle_since = time.monotonic()
            self.idle.append(conn)
        else:
            conn.close()
        self.slots.release()

    def _give_up(self, conn: Connection | None) -> None:
        """A request that failed: its connection is closed (it may hold half an answer)."""
        if conn is None:
            self.slots.release()
        else:
            self.release(conn, keep=False)

    def _head(self, method: str, target: str, headers: dict[str, str], body: bytes | None
              ) -> bytes:
        lines = [f"{method} {self.prefix}{target} HTTP/1.1", f"Host: {self.host_header}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def request(self, method: str, target: str, headers: dict[str, str],
                      body: bytes | None, read_timeout_s: float, stream: bool,
                      identity: Identity | None = None) -> UpstreamResponse:
        """The service's answer; `identity` is who the gateway vouches for (signed)."""
        target = UNSAFE_IN_TARGET.sub(lambda m: f"%{ord(m.group()):02X}", target)

        def message() -> bytes:  # signed afresh for each attempt: a nonce is accepted once
            signed = headers if identity is None else {**headers, **signed_headers(
                self.signing_key, method, self.prefix + target, identity, body=body or b"")}
            return self._head(method, target, signed, body) + (body or b"")
        if self.slots.locked():  # every connection busy: wait for one, but not forever
            try:
                async with asyncio.timeout(read_timeout_s):
                    await self.slots.acquire()
            except TimeoutError as exc:
                raise UpstreamUnavailable(self.upstream, timeout=True) from exc
        else:
            await self.slots.acquire()
        for attempt in (1, 2):
            conn: Connection | None = None
            parsed, received = Parsed(), False
            try:
                conn = await self._connection()
                conn.writer.write(message())
                parser = parsed.parser = httptools.HttpResponseParser(parsed)
                async with asyncio.timeout(read_timeout_s):
                    while not (parsed.done if not stream else parsed.head_done):
                        data = await conn.reader.read(CHUNK)
                        if not data:
                            raise ConnectionResetError("the service closed the connection")
                        received = True
                        parser.feed_data(data)
                response = UpstreamResponse(self, conn, parser, parsed, read_timeout_s)
                if not stream:
                    await response.aread()  # all parsed already: hands the connection back
                return response
            except TimeoutError as exc:  # before OSError, whose subclass it is
                self._give_up(conn)
                raise UpstreamUnavailable(self.upstream, timeout=True) from exc
            except (OSError, httptools.HttpParserError) as exc:
                # a kept-alive connection the service had just closed: once more, afresh
                if (attempt == 1 and conn is not None and conn.reused and not received
                        and method in IDEMPOTENT):
                    conn.close()
                    continue
                self._give_up(conn)
                raise UpstreamUnavailable(self.upstream, timeout=False) from exc
            except BaseException:  # cancelled: the slot and the connection must not leak
                self._give_up(conn)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


class Upstreams:
    """The owning services by name; `send` relays one request to one of them."""

    KEEPALIVE_S = 4.0  # under uvicorn's 5 s: the gateway drops a connection before the service

    def __init__(self, settings: Settings) -> None:
        urls = {Upstream.SYNC: settings.sync_url, Upstream.BILLING: settings.billing_url,
                Upstream.DOCUMENTS: settings.documents_url, Upstream.JOBS: settings.jobs_url}
        self.read_timeout_s = settings.read_timeout_s
        self.pools = {u: Pool(u, url, settings.upstream_connections,
                              settings.connect_timeout_s, self.KEEPALIVE_S, settings.signing_key)
                      for u, url in urls.items()}

    async def send(self, upstream: Upstream, method: str, path: str, *, identity: Identity,
                   headers: dict[str, str], content: bytes | None = None,
                   stream: bool = False, read_timeout_s: float | None = None
                   ) -> UpstreamResponse:
        """The service's response; with stream=True the caller reads it to the end or closes it.

        `path` includes the query string; a body gets its Content-Length; the request is
        signed as made for `identity`.
        """
        pool, wait_s = self.pools[upstream], read_timeout_s or self.read_timeout_s
        if not tracing.enabled():
            return await pool.request(method, path, headers, content, wait_s, stream, identity)
        headers = dict(headers)  # the caller's dict stays as it was; the span's id goes in
        with tracing.client_call(f"{method} {upstream}", headers, **{
                "http.request.method": method, "server.address": pool.host,
                "server.port": pool.port, "url.path": path.split("?", 1)[0]}):
            return await pool.request(method, path, headers, content, wait_s, stream, identity)

    async def get_json(self, upstream: Upstream, path: str, headers: dict[str, str],
                       params: dict[str, Any], identity: Identity) -> Any:
        response = await self.send(upstream, "GET", f"{path}?{urlencode(params)}",
                                   headers=headers, identity=identity)
        if response.status_code >= 400:
            raise UpstreamStatusError(upstream, response.status_code)
        return response.json()

    async def aclose(self) -> None:
        for pool in self.pools.values():
            pool.close()
