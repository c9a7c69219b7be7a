"""HTTP with retries: back off on rate limits, 5xx and timeouts; fail clearly when done."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Any

import httpx

from affbill_sync.adapters.connectors.base import AdtrackerAuthError, RetriesExhausted

log = logging.getLogger("affbill.sync.http")

# A classifier looks at a 2xx answer and returns a delay when it is a disguised rate limit.
Classifier = Callable[[httpx.Response], float | None]


class RetryingClient:
    """Failures (5xx, timeouts, broken connections) get `max_attempts` tries with backoff.

    Rate limits are expected, not failures: they are waited out (the platform's
    hint, else growing waits) for up to `rate_limit_budget_s` per request.
    """

    def __init__(self, client: httpx.AsyncClient, *, platform: str, max_attempts: int,
                 base_delay_s: float = 0.5, max_delay_s: float = 15.0,
                 rate_limit_budget_s: float = 120.0, classify: Classifier | None = None) -> None:
        self._client = client
        self._platform = platform
        self._max_attempts = max_attempts
        self._base = base_delay_s
        self._max = max_delay_s
        self._classify = classify or (lambda _: None)
        self._rate_budget = rate_limit_budget_s
        self.retries = 0
        self.rate_limited = 0

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        last = ""
        attempt = 0
        waited_for_limits = 0.0
        limited_in_a_row = 0
        while True:
            attempt += 1
            delay: float | None = None
            limited = False
            try:
                response = await self._client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                last = "timed out"
            except httpx.TransportError as exc:
                last = f"connection failed ({type(exc).__name__})"
            else:
                status = response.status_code
                if status in (401, 403):
                    raise AdtrackerAuthError(
                        f"{self._platform} refused the credentials (HTTP {status})")
                if status == 429:
                    last, limited = "rate limited (HTTP 429)", True
                    delay = _retry_after(response)
                elif status >= 500:
                    last = f"HTTP {status}"
                elif status >= 400:
                    raise RetriesExhausted(f"{self._platform} answered HTTP {status} to {url}: "
                                           f"{response.text[:200]}")
                else:
                    delay = self._classify(response)
                    if delay is None:
                        return response
                    last, limited = "rate limited", True
            if limited:
                attempt -= 1  # waiting out a limit is not a failed attempt
                limited_in_a_row += 1
                self.rate_limited += 1
                wait = delay if delay is not None else self._backoff(limited_in_a_row)
                wait = min(self._max, max(wait, self._base * limited_in_a_row))
                if waited_for_limits + wait > self._rate_budget:
                    break
                waited_for_limits += wait
            else:
                limited_in_a_row = 0
                if attempt >= self._max_attempts:
                    break
                wait = self._backoff(attempt)
            self.retries += 1
            log.warning("retrying %s %s", self._platform, url,
                        extra={"reason": last, "attempt": attempt, "wait_s": round(wait, 2)})
            await asyncio.sleep(wait)
        if limited:
            raise RetriesExhausted(f"{self._platform} {url}: still rate limited after waiting "
                                   f"{waited_for_limits:.0f} s")
        raise RetriesExhausted(
            f"{self._platform} {url}: gave up after {self._max_attempts} attempts ({last})")

    def _backoff(self, attempt: int) -> float:
        return min(self._max, self._base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)


def _retry_after(response: httpx.Response) -> float | None:
    for header in ("Retry-After", "X-RateLimit-Reset"):
        value = response.headers.get(header)
        if value:
            try:
                return min(max(float(value), 0.1), 30.0)
            except ValueError:
                continue
    return None
