"""/schedules: scheduled runs as data — list, create, change, pause and resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.schedules import MAX_DELAY_DAYS, SCHEDULE_ID
from affbill_billing.entrypoints import views_api as v
from affbill_billing.entrypoints.problems import ProblemRoute, acting_user
from affbill_billing.service_layer import schedules
from affbill_contracts.billing import CustomerKind
from affbill_contracts.bounds import Text
from affbill_contracts.money import CurrencyCode
from affbill_contracts.periods import FORMATS, period_days
from affbill_contracts.wire import answers
from affbill_runtime.runtime import Runtime

User = Annotated[str, Depends(acting_user)]
Delay = Annotated[int, Field(ge=0, le=MAX_DELAY_DAYS, description=(
    "Days after the period is over: 0 runs on its first day after, 2 on the 3rd of the "
    "month for a monthly period."))]
Hour = Annotated[int, Field(ge=0, le=23, description="Hour of that day, network time zone.")]


class ScheduleFilters(BaseModel):
    """What a schedule's runs bill besides its frequency, and their date rules."""

    model_config = ConfigDict(extra="forbid")

    customer_kind: CustomerKind | None = None
    currency: CurrencyCode | None = None
    account_manager_id: Text | None = Field(None, min_length=1, max_length=200)
    invoice_date_rule: InvoiceDateRule | None = None
    due_date_basis: DueDateBasis | None = None


class ScheduleCreate(ScheduleFilters):
    """A schedule: every customer of a billing frequency, billed for each period of it, a
    generation delay after the period is over, once the period is ready."""

    schedule_id: str = Field(pattern=rf"^{SCHEDULE_ID.pattern}$", max_length=63,
                             examples=["monthly-advertisers"])
    frequency: BillingFrequency
    delay_days: Delay = 0
    hour: Hour = 0
    first_period: str | None = Field(None, max_length=30, description=(
        f"The first period it bills: {FORMATS}. Default: the last closed period."))

    @field_validator("first_period")
    @classmethod
    def _known_period(cls, value: str | None) -> str | None:
        if value is not None:
            period_days(value)  # a ValueError naming the period and the formats
        return value


class ScheduleChange(ScheduleFilters):
    """Fields to change; those left out stay. ``paused_reason`` pauses, ``"resume": true``
    resumes."""

    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The version you edited; 409 if it moved on.")
    delay_days: Delay | None = None
    hour: Hour | None = None
    paused_reason: Text | None = Field(None, min_length=1, max_length=500, pattern=r"\S",
                                       examples=["Year-end closing: bill by hand"])
    resume: bool = False


def build_router(runtime: Runtime, printable: Callable[[Any], Any]) -> APIRouter:
    router = APIRouter(tags=["billing"], route_class=ProblemRoute)
    settings = runtime.settings

    @router.get("/schedules", **answers(v.Schedules))
    async def list_schedules() -> dict[str, Any]:
        """Every schedule with its next run, the latest scheduled runs (waiting for their
        period to be ready, or started) and which billing process leads."""
        return printable(await schedules.every(runtime.engine, settings))

    @router.get("/schedules/{schedule_id}", **answers(v.ScheduleDetail))
    async def one_schedule(schedule_id: str) -> dict[str, Any]:
        return printable(await schedules.one(runtime.engine, schedule_id, settings))

    @router.post("/schedules", status_code=201, **answers(v.ScheduleDetail, 201))
    async def create_schedule(body: ScheduleCreate, user: User) -> dict[str, Any]:
        values = body.model_dump(mode="json", exclude={"first_period"})
        return printable(await schedules.create(runtime.engine, values, body.first_period,
                                                user, settings))

    @router.patch("/schedules/{schedule_id}", **answers(v.ScheduleDetail))
    async def change_schedule(schedule_id: str, body: ScheduleChange, user: User
                              ) -> dict[str, Any]:
        changes = body.model_dump(mode="json", exclude_unset=True,
                                  exclude={"version", "resume"})
        if body.resume:
            changes["paused_reason"] = None
        return printable(await schedules.change(runtime.engine, schedule_id, changes, user,
                                                body.version, settings))

    return router
