"""The gateway in-process; its four services are one small HTTP/1.1 server on loopback.

The server answers every service (its Host tells which) with `Upstream.reply`, so the
gateway's own HTTP client is exercised for real: keep-alive, bodies, chunked downloads.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import httptools
import httpx
import pytest

from affbill_gateway.bootstrap import bootstrap
from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Role
from affbill_gateway.domain.routes import Upstream as Service
from affbill_gateway.entrypoints.app import create_app
from affbill_gateway.service_layer.keys import Principal

KEYS = {f"key-{r.value}": Principal(uuid.uuid4(), f"{r.value}@network.example", r)
        for r in Role}


def key(role: Role) -> dict[str, str]:
    return {"X-API-Key": f"key-{role.value}"}


class FakeKeys:
    def recently_valid(self, key: str) -> bool:
        return key in KEYS

    async def authenticate(self, key: str) -> Principal | None:
        return KEYS.get(key)


class _Request:
    """httptools callbacks of one request."""

    def __init__(self) -> None:
        self.url, self.headers, self.body, self.done = b"", [], b"", False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.done = True


class Upstream:
    """Records what reaches the services (the URL's host is the service's name) and answers
    with `reply` (default: echo the path as JSON) after `delay` seconds."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.delay = 0.0
        self.reply: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(
            200, json={"path": r.url.path})
        self.ports: dict[int, Service] = {}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        service = self.ports[writer.get_extra_info("sockname")[1]]
        try:
            while True:
                got = _Request()
                parser = httptools.HttpRequestParser(got)
                while not got.done:
                    data = await reader.read(65536)
                    if not data:
                        return
                    parser.feed_data(data)
                request = httpx.Request(parser.get_method().decode(),
                                        f"http://{service}{got.url.decode()}",
                                        headers=got.headers, content=got.body)
                self.requests.append(request)
                await asyncio.sleep(self.delay)
                response = self.reply(request)
                body = response.read()
                head = [f"HTTP/1.1 {response.status_code} X"] + [
                    f"{k}: {v}" for k, v in response.headers.items()
                    if k not in ("content-length", "transfer-encoding")]
                if response.headers.get("transfer-encoding") == "chunked":
                    head.append("transfer-encoding: chunked")
                    payload = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 5000]),
                                                          body[i:i + 5000])
                                       for i in range(0, len(body), 5000)) + b"0\r\n\r\n"
                else:
                    head.append(f"content-length: {len(body)}")
                    payload = body
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        except (ConnectionError, httptools.HttpParserError):
            return
        finally:
            writer.close()


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def settings() -> Settings:
    """What the gateway runs with; a test may override the fixture (timeouts, a service URL
    where nothing listens)."""
    return Settings()


@pytest.fixture
async def gateway(upstream: Upstream, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    servers = []
    for service in Service:  # a service the test pointed elsewhere stays there
        if getattr(settings, f"{service.value}_url") != Settings.model_fields[
                f"{service.value}_url"].default:
            continue
        server = await asyncio.start_server(upstream.serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        upstream.ports[port] = service
        setattr(settings, f"{service.value}_url", f"http://127.0.0.1:{port}")
        servers.append(server)
    runtime = bootstrap(settings)
    runtime.state.keys = FakeKeys()
    app = create_app(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://gateway") as client:
        yield client
    await runtime.state.upstreams.aclose()
    await runtime.engine.dispose()
    for server in servers:
        server.close()
