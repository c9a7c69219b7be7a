"""The API's one way of writing values for people and tools: timestamps in RFC 3339 with
``T`` and ``Z``, days as ISO dates, ids as text, amounts as exact decimal strings.

Every service's JSON views go through these helpers, so a time reads the same whether a
clerk gets it from billing, documents, jobs, sync or the gateway (events already do:
pydantic writes an aware UTC time with ``Z``).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from affbill_contracts.money import quantum


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC with ``Z`` (2026-12-01T21:30:36.714326Z); a naive time is UTC."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.isoformat().replace("+00:00", "Z")


def amount_text(value: Decimal) -> str:
    """An exact amount without storage padding, with at least two decimals (12.50, 0.00125)."""
    whole, _, frac = format(value, "f").partition(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def rounded(value: Decimal, currency: str) -> str:
    """An amount for people: rounded HALF_UP to the currency's minor unit (EUR 13744.01,
    JPY 13744, KWD 1.235), as invoice lines are rounded."""
    return format(Decimal(value).quantize(quantum(currency), ROUND_HALF_UP), "f")


def jsonable(value: Any) -> Any:
    """Any view value as JSON, all the way down: times by `timestamp`, days ISO, ids and
    enums as text, Decimals by `amount_text` (views round for people before this)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, (dt.date, uuid.UUID)):
        return str(value)
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    return value


Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$",
                                 json_schema_extra={"format": "date-time"},
                                 examples=["2026-12-01T21:30:36.714326Z"],
                                 description="RFC 3339, UTC, with T and Z.")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\d$", json_schema_extra={"format": "date"},
                           examples=["2026-11-30"])]
AmountText = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1234.50"],
                                  description="An exact decimal amount as a string.")]
Id = Annotated[str, Field(examples=["3f0c1e9e-5d1b-4b7e-9a53-0c6a3f1d2e4b"])]


class View(BaseModel):
    """A JSON view of the API: the fields named are always there; a service may add more."""

    model_config = ConfigDict(extra="allow")


class Page(View):
    total: int = Field(ge=0, description="How many match the filters in all.")
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class JobStarted(View):
    """The answer to a request that starts a job: follow it at GET /jobs/{job_id}."""

    job_id: Id
    status: str | None = Field(None, examples=["queued"])


def answers(model: Any, status: int = 200) -> dict[str, Any]:
    """Route arguments that type a route's answer in the OpenAPI document without running
    the answer through the model (the route prints its view itself)."""
    return {"response_model": None, "responses": {status: {"model": model}}}
