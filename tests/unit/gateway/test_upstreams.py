"""The gateway's HTTP/1.1 client against a scripted server on loopback: keep-alive, a
connection the service dropped, bodies of every framing, timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from affbill_gateway.adapters.upstreams import Pool, UpstreamUnavailable
from affbill_gateway.domain.routes import Upstream
from affbill_runtime.internal_auth import Identity, verified

OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
# what the server does with the n-th request on the c-th connection (both from 0)
Script = Callable[[int, int, bytes], bytes | None]  # None: close without answering


class Server:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection, self.connections = self.connections, self.connections + 1
        try:
            for n in range(100):
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.script(connection, n, request)
                if answer is None:
                    return
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


Serve = Callable[..., Awaitable[tuple[Server, Pool]]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a scripted server; returns it with a pool of connections to it."""
    servers: list[asyncio.Server] = []
    pools: list[Pool] = []

    async def start(script: Script, limit: int = 10) -> tuple[Server, Pool]:
        server = Server(script)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(listening)
        port = listening.sockets[0].getsockname()[1]
        pool = Pool(Upstream.JOBS, f"http://127.0.0.1:{port}", limit, 2, 4)
        pools.append(pool)
        return server, pool

    yield start
    for pool in pools:
        pool.close()
    for listening in servers:
        listening.close()


async def test_connections_are_kept_alive_and_reused(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: OK)
    for _ in range(3):
        response = await pool.request("GET", "/jobs", {"X-Request-Id": "r"}, None, 5, False)
        assert (response.status_code, response.content) == (200, b"{}")
    assert server.connections == 1 and len(server.requests) == 3
    assert server.requests[0].startswith(b"GET /jobs HTTP/1.1\r\nHost: 127.0.0.1:")


async def test_a_connection_the_service_closed_is_retried_once_for_a_read(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: OK if (c, n) != (0, 1) else None)
    await pool.request("GET", "/jobs", {}, None, 5, False)
    response = await pool.request("GET", "/jobs", {}, None, 5, False)
    assert response.status_code == 200 and server.connections == 2


async def test_a_change_is_never_sent_twice(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: OK if (c, n) != (0, 1) else None)
    await pool.request("GET", "/jobs", {}, None, 5, False)
    with pytest.raises(UpstreamUnavailable) as refused:
        await pool.request("POST", "/drafts", {}, b'{"a": 1}', 5, False)
    assert refused.value.timeout is False
    assert [r for r in server.requests if r.startswith(b"POST")] == [
        b"POST /drafts HTTP/1.1\r\nHost: " + server.requests[0].split(b"Host: ")[1].split(
            b"\r\n")[0] + b"\r\nContent-Length: 8\r\n\r\n{\"a\": 1}"]
    assert (await pool.request("GET", "/jobs", {}, None, 5, False)).status_code == 200


async def test_connection_close_is_honoured(serve: Serve) -> None:
    closing = OK.replace(b"content-length: 2", b"connection: close\r\ncontent-length: 2")
    server, pool = await serve(lambda c, n, r: closing)
    for _ in range(2):
        assert (await pool.request("GET", "/x", {}, None, 5, False)).content == b"{}"
    assert server.connections == 2


async def test_chunked_bodies_are_read_whole_and_streamed(serve: Serve) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
               b"5\r\n%PDF-\r\n3\r\n1.7\r\n0\r\n\r\n")
    server, pool = await serve(lambda c, n, r: chunked)
    assert (await pool.request("GET", "/x", {}, None, 5, False)).content == b"%PDF-1.7"
    streamed = await pool.request("GET", "/x", {}, None, 5, True)
    assert b"".join([chunk async for chunk in streamed.aiter_bytes()]) == b"%PDF-1.7"
    assert (await pool.request("GET", "/x", {}, None, 5, False)).status_code == 200
    assert server.connections == 1  # a stream read to its end gives the connection back


async def test_spaces_and_controls_in_the_target_are_percent_encoded(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: OK)
    await pool.request("GET", "/customers?q=a b\r\nX: y", {}, None, 5, False)
    assert server.requests[0].startswith(b"GET /customers?q=a%20b%0D%0AX:%20y HTTP/1.1\r\n")


async def test_a_service_that_does_not_answer_in_time_is_a_timeout(serve: Serve) -> None:
    _, pool = await serve(lambda c, n, r: b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{")
    with pytest.raises(UpstreamUnavailable) as slow:  # 1 of 10 bytes, then nothing
        await pool.request("GET", "/x", {}, None, 0.2, False)
    assert slow.value.timeout is True


async def test_a_cancelled_request_gives_its_connection_slot_back(serve: Serve) -> None:
    _, pool = await serve(lambda c, n, r: b"HTTP/1.1 200 OK\r\n" if c == 0 else OK, limit=1)
    waiting = asyncio.create_task(pool.request("GET", "/x", {}, None, 5, False))
    await asyncio.sleep(0.1)  # it holds the only slot, waiting for the rest of the head
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    response = await asyncio.wait_for(pool.request("GET", "/x", {}, None, 5, False), 5)
    assert response.status_code == 200


FAILED = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\n{}"


async def test_a_connection_is_not_reused_after_a_5xx(serve: Serve) -> None:
    # the failing service answers 500 and closes the connection when the next request comes
    server, pool = await serve(lambda c, n, r: (FAILED if c == 0 else OK) if n == 0 else None)
    assert (await pool.request("GET", "/x", {}, None, 5, False)).status_code == 500
    response = await pool.request("POST", "/drafts", {}, b"{}", 5, False)
    assert response.status_code == 200 and server.connections == 2
    assert sum(r.startswith(b"POST") for r in server.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_no_5xx_answer_leaves_its_connection_in_the_pool(serve: Serve, status: int
                                                               ) -> None:
    answer = FAILED.replace(b"500 Internal Server Error", b"%d X" % status)
    server, pool = await serve(lambda c, n, r: answer if c == 0 else OK)
    await pool.request("GET", "/x", {}, None, 5, False)
    assert pool.idle == []
    await pool.request("GET", "/x", {}, None, 5, False)
    assert server.connections == 2


async def test_a_streamed_5xx_is_not_reused_either(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: FAILED if c == 0 else OK)
    streamed = await pool.request("GET", "/x", {}, None, 5, True)
    assert b"".join([chunk async for chunk in streamed.aiter_bytes()]) == b"{}"
    assert pool.idle == []


@pytest.mark.parametrize(("method", "retried"), [
    ("GET", True), ("PUT", True), ("DELETE", True), ("OPTIONS", True),
    ("POST", False), ("PATCH", False)])
async def test_only_idempotent_methods_are_sent_again(serve: Serve, method: str,
                                                      retried: bool) -> None:
    # the service drops the kept-alive connection without answering the second request
    server, pool = await serve(lambda c, n, r: OK if (c, n) != (0, 1) else None)
    await pool.request(method, "/x", {}, None, 5, False)
    body = b"{}" if method in ("POST", "PATCH", "PUT") else None
    if retried:
        response = await pool.request(method, "/x", {}, body, 5, False)
        assert response.status_code == 200 and server.connections == 2
    else:
        with pytest.raises(UpstreamUnavailable):
            await pool.request(method, "/x", {}, body, 5, False)
    assert sum(r.startswith(method.encode()) for r in server.requests[1:]) == (
        2 if retried else 1)


async def test_every_request_carries_the_signed_identity(serve: Serve) -> None:
    server, pool = await serve(lambda c, n, r: OK)
    pool.signing_key = b"k" * 32
    who = Identity("key-1", "Łukasz", "accountant")
    await pool.request("GET", "/jobs?q=1", {}, None, 5, False, who)
    head = server.requests[0].decode("latin-1")
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
    scope = {"type": "http", "method": "GET", "raw_path": b"/jobs", "query_string": b"q=1",
             "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]}
    assert headers["X-Affbill-User"] == "%C5%81ukasz"
    assert verified(b"k" * 32, scope) == who
    assert verified(b"x" * 32, scope) == "the signature does not match"
