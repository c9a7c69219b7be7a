""""Select all": the gateway sends the selection, not the generator's customers; it only
checks that the generator lists someone, whatever its paging looks like."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from affbill_gateway.service_layer.runs import NothingToBill, check_something_to_bill

CUSTOMERS = [f"ho:advertiser:{n}" for n in range(1234)]


def pages(shape: str) -> Any:
    asked: list[dict[str, Any]] = []

    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params)
        start, size = params["offset"], params["limit"]
        assert params["page_size"] == size
        lines = [{"customer_id": c} for c in CUSTOMERS[start:start + size]]
        if shape == "page":
            return {"page": params["page"], "customers": len(CUSTOMERS), "lines": lines}
        return {"items": lines, "total": len(CUSTOMERS), "limit": size, "offset": start}

    return fetch, asked


@pytest.mark.parametrize("shape", ["page", "limit"])
async def test_select_all_reads_one_line_under_the_runs_filters(shape: str) -> None:
    fetch, asked = pages(shape)
    await check_something_to_bill(fetch, dt.date(2026, 10, 31), "EUR", "12")
    [params] = asked  # one small page, never the whole generator
    assert params["limit"] == 1 and params["period_to"] == "2026-10-31"
    assert params["currency"] == "EUR" and params["account_manager"] == "12"


async def test_an_empty_generator_is_nothing_to_bill() -> None:
    async def empty(params: dict[str, Any]) -> dict[str, Any]:
        return {"items": [], "total": 0}

    with pytest.raises(NothingToBill):
        await check_something_to_bill(empty, None)
