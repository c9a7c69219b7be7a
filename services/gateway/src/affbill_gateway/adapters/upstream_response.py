"""One HTTP/1.1 answer of a service on a pooled connection: parsed with httptools,
read whole or streamed, and handed back to its pool only when the connection may be
reused (a complete answer below 500, kept alive, without `Connection: close`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httptools

if TYPE_CHECKING:
    from affbill_gateway.adapters.upstreams import Pool

CHUNK = 65_536


class Parsed:
    """httptools callbacks: the head, then body chunks as they are parsed."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.head_done = False
        self.done = False
        self.keep_alive = False
        self.parser: httptools.HttpResponseParser | None = None

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.head_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        # the parser forgets keep-alive once it has moved past the message: ask now
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()
        self.done = True


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = 0.0
        self.reused = False

    def usable(self, now: float, keepalive_s: float) -> bool:
        return (not self.writer.is_closing() and not self.reader.at_eof()
                and now - self.idle_since < keepalive_s)

    def close(self) -> None:
        self.writer.close()


class UpstreamResponse:
    """A service's answer: status, headers (lower-case names), and the body read or to stream."""

    def __init__(self, pool: Pool, conn: Connection, parser: httptools.HttpResponseParser,
                 parsed: Parsed, read_timeout_s: float) -> None:
        self._pool, self._conn, self._parser, self._parsed = pool, conn, parser, parsed
        self._timeout = read_timeout_s
        self.status_code: int = parser.get_status_code()
        self.headers = parsed.headers
        self.content = b""
        self._open = True

    async def _next_chunks(self) -> list[bytes]:
        """Read until the parser has body bytes or the message is complete."""
        parsed = self._parsed
        while not parsed.chunks and not parsed.done:
            async with asyncio.timeout(self._timeout):
                data = await self._conn.reader.read(CHUNK)
            if not data:
                if "content-length" in parsed.headers or "transfer-encoding" in parsed.headers:
                    raise ConnectionResetError("the service closed the connection mid-answer")
                parsed.done = True  # a body delimited by the end of the connection
                self._conn.writer.close()
                break
            self._parser.feed_data(data)
        chunks, parsed.chunks = parsed.chunks, []
        return chunks

    async def aread(self) -> bytes:
        try:
            body = []
            while not self._parsed.done:
                body += await self._next_chunks()
            body += self._parsed.chunks
            self.content = b"".join(body)
        finally:
            await self.aclose()
        return self.content

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        try:
            while True:
                for chunk in await self._next_chunks():
                    yield chunk
                if self._parsed.done and not self._parsed.chunks:
                    return
        finally:
            await self.aclose()

    @property
    def reusable(self) -> bool:
        """Read to its end, kept alive, and not an answer of a failing service."""
        closing = "close" in self.headers.get("connection", "").lower()
        return (self._parsed.done and self._parsed.keep_alive and not closing
                and self.status_code < 500)

    async def aclose(self) -> None:
        if self._open:
            self._open = False
            self._pool.release(self._conn, self.reusable)

    def json(self) -> Any:
        return json.loads(self.content)
