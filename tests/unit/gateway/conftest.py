"""The gateway in-process, its upstream services replaced by an httpx MockTransport."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from affbill_gateway.bootstrap import bootstrap
from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Role
from affbill_gateway.entrypoints.app import create_app
from affbill_gateway.service_layer.keys import Principal

KEYS = {f"key-{r.value}": Principal(uuid.uuid4(), f"{r.value}@network.example", r)
        for r in Role}


def key(role: Role) -> dict[str, str]:
    return {"X-API-Key": f"key-{role.value}"}


class FakeKeys:
    async def authenticate(self, key: str) -> Principal | None:
        return KEYS.get(key)


class Upstream:
    """Records what reaches the services; answers with `reply` (default: echo as JSON)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.reply: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(
            200, json={"path": r.url.path})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply(request)


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def gateway(upstream: Upstream) -> AsyncIterator[httpx.AsyncClient]:
    runtime = bootstrap(Settings(), transport=httpx.MockTransport(upstream))
    runtime.state.keys = FakeKeys()
    app = create_app(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://gateway") as client:
        yield client
    await runtime.state.upstreams.aclose()
    await runtime.engine.dispose()
