"""Guessers are throttled per address in bounded memory; real users beside them are not."""

from __future__ import annotations

import logging

import httpx
import pytest

from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Role
from affbill_gateway.domain.throttle import ExpiringLru, TokenBuckets
from tests.unit.gateway.conftest import key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_s=2, burst=3, clock=clock)
    for _ in range(3):
        assert buckets.wait_s("10.0.0.1") == 0
        buckets.take("10.0.0.1")
    assert buckets.wait_s("10.0.0.1") == pytest.approx(0.5)
    assert buckets.wait_s("10.0.0.2") == 0  # another address has its own bucket
    clock.now += 0.5
    assert buckets.wait_s("10.0.0.1") == 0


def test_buckets_and_the_lru_are_bounded() -> None:
    buckets = TokenBuckets(rate_per_s=1, burst=1, clients=100)
    for n in range(1000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    assert len(buckets._buckets) == 100
    clock = Clock()
    lru = ExpiringLru(size=100, ttl_s=10, clock=clock)
    for n in range(1000):
        lru.add(n)
    assert len(lru) == 100 and 999 in lru and 0 not in lru
    clock.now += 10
    assert 999 not in lru


@pytest.fixture
def settings() -> Settings:
    return Settings(auth_failure_burst=3, auth_failures_per_s=0.5)


async def test_bad_keys_from_one_address_get_429_with_retry_after_not_valid_keys(
        gateway: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    bad = {"X-API-Key": "affb_" + "x" * 43}
    caplog.set_level(logging.INFO, logger="affbill.gateway.access")
    answers = [await gateway.get("/api/v1/jobs", headers=bad) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert (await gateway.get("/api/v1/jobs", headers=key(Role.VIEWER))).status_code == 200
    logged = [r for r in caplog.records if r.name == "affbill.gateway.access"]
    assert {getattr(r, "client", None) for r in logged} == {"127.0.0.1"}
