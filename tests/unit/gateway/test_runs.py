""""Select all": every customer the generator lists, whatever its paging looks like."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from affbill_gateway.service_layer.runs import PAGE, NothingToBill, generator_customers

CUSTOMERS = [f"ho:advertiser:{n}" for n in range(1234)]


def pages(shape: str) -> Any:
    asked: list[dict[str, Any]] = []

    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params)
        start = params["offset"]
        lines = [{"customer_id": c} for c in CUSTOMERS[start:start + PAGE]]
        if shape == "page":
            return {"page": params["page"], "customers": len(CUSTOMERS), "lines": lines}
        return {"items": lines, "total": len(CUSTOMERS), "limit": PAGE, "offset": start}

    return fetch, asked


@pytest.mark.parametrize("shape", ["page", "limit"])
async def test_all_customers_are_read_page_by_page(shape: str) -> None:
    fetch, asked = pages(shape)
    assert await generator_customers(fetch, dt.date(2026, 10, 31)) == CUSTOMERS
    assert len(asked) == 3 and asked[0]["period_to"] == "2026-10-31"


async def test_an_empty_generator_is_nothing_to_bill() -> None:
    async def empty(params: dict[str, Any]) -> dict[str, Any]:
        return {"items": [], "total": 0}

    with pytest.raises(NothingToBill):
        await generator_customers(empty, None)
