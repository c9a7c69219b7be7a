"""HTTP clients of the owning services: one pooled httpx.AsyncClient per service."""

from __future__ import annotations

from typing import Any

import httpx

from affbill_gateway.config import Settings
from affbill_gateway.domain.routes import Upstream


class UpstreamUnavailable(Exception):
    """The service did not answer: refused, reset, or (timeout=True) too slow."""

    def __init__(self, upstream: Upstream, timeout: bool) -> None:
        super().__init__(upstream)
        self.upstream = upstream
        self.timeout = timeout


class Upstreams:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        urls = {Upstream.SYNC: settings.sync_url, Upstream.BILLING: settings.billing_url,
                Upstream.DOCUMENTS: settings.documents_url, Upstream.JOBS: settings.jobs_url}
        self.timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
        limits = httpx.Limits(max_connections=settings.upstream_connections,
                              max_keepalive_connections=settings.upstream_connections)
        self.clients = {u: httpx.AsyncClient(base_url=url, timeout=self.timeout, limits=limits,
                                             transport=transport)
                        for u, url in urls.items()}

    async def send(self, upstream: Upstream, method: str, path: str, *, stream: bool = False,
                   read_timeout_s: float | None = None, **kwargs: Any) -> httpx.Response:
        """The service's response; with stream=True the caller closes it."""
        client = self.clients[upstream]
        timeout = (httpx.Timeout(read_timeout_s, connect=self.timeout.connect)
                   if read_timeout_s else self.timeout)
        request = client.build_request(method, path, timeout=timeout, **kwargs)
        try:
            return await client.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailable(upstream, timeout=True) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(upstream, timeout=False) from exc

    async def get_json(self, upstream: Upstream, path: str, headers: dict[str, str],
                       params: dict[str, Any]) -> Any:
        response = await self.send(upstream, "GET", path, headers=headers, params=params)
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
