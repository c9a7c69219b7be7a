"""HTTP routes of number series: list, read, create, edit (the format is fixed once used)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from affbill_billing.domain.numbering import Reset
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute
from affbill_billing.service_layer import number_series as service
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

Piece = Field(max_length=30, description="Letters, digits, / _ . - and {yyyy} (the year).")


class SeriesChange(BaseModel):
    """Format fields to change; those left out stay as they are."""

    model_config = {"extra": "forbid"}
    prefix: str | None = Field(None, max_length=30, examples=["INV-{yyyy}-"])
    suffix: str | None = Field(None, max_length=30, examples=[""])
    padding: int | None = Field(None, ge=1, le=12, description="Counter width.")
    start: int | None = Field(None, ge=1, le=10**9, description="Minimum start number.")
    cancellation_suffix: str | None = Field(None, min_length=1, max_length=10)
    reset: Reset | None = Field(None, description="never, or yearly (needs {yyyy}).")


class SeriesIn(SeriesChange):
    series: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                        examples=["credit-notes"])
    prefix: str = Field(max_length=30, examples=["CN-{yyyy}-"])



def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["number series"], route_class=ProblemRoute)
    engine = runtime.engine

    async def one(name: str) -> dict[str, Any]:
        for series in await service.list_series(engine):
            if series["series"] == name:
                return series
        raise HTTPException(404, f"No number series {name!r}")

    @router.get("/number-series", **answers(list[v.NumberSeries]))
    async def list_series() -> list[dict[str, Any]]:
        return await service.list_series(engine)

    @router.get("/number-series/{series}", **answers(v.NumberSeries))
    async def get_series(series: str) -> dict[str, Any]:
        return await one(series)

    @router.post("/number-series", status_code=201, **answers(v.NumberSeries, 201))
    async def create_series(body: SeriesIn) -> dict[str, Any]:
        await service.create_series(engine, body.series, body.model_dump(
            exclude={"series"}, exclude_none=True))
        return await one(body.series)

    @router.patch("/number-series/{series}", **answers(v.NumberSeries))
    async def change_series(series: str, body: SeriesChange) -> dict[str, Any]:
        await service.change_series(engine, series, body.model_dump(exclude_unset=True))
        return await one(series)

    return router
