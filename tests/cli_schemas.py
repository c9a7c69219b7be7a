"""The JSON every `affbill … list --json` prints (the gateway's answer, as it is), as
pydantic models: the fields the CLI's tables read, typed. Unknown fields are allowed (the
services may add some); a missing or mistyped field the CLI shows fails validation.
Used by the CLI's unit tests (their fake answers) and the e2e tests (the real ones)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, TypeAdapter


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(Open):
    total: int
    limit: int | None = None
    offset: int | None = None


class Threshold(Open):
    amount: Decimal
    currency: str


class GeneratorTotal(Open):
    currency: str
    open_total: Decimal
    items: int
    pending_conversions: int | None = None
    reaches_threshold: bool | None


class GeneratorLine(Open):
    customer_id: str
    name: str | None
    threshold: Threshold | None
    totals: list[GeneratorTotal]


class Generator(Open):
    customers: int
    page: int
    page_size: int
    lines: list[GeneratorLine]


class Invoice(Open):
    invoice_id: uuid.UUID
    number: str
    customer_id: str
    status: str
    currency: str
    net_total: Decimal
    gross_total: Decimal
    issue_date: dt.date | None = None


class Invoices(Page):
    items: list[Invoice]


class DraftTotals(Open):
    net: Decimal
    gross: Decimal


class DraftRow(Open):
    draft_id: uuid.UUID
    customer_id: str
    currency: str
    totals: DraftTotals
    version: int
    age_days: int


class Drafts(Page):
    items: list[DraftRow]


class Job(Open):
    job_id: uuid.UUID
    kind: str
    status: str
    started_at: dt.datetime | None = None
    title: str | None = None


class Jobs(Page):
    items: list[Job]


class Key(Open):
    key_id: uuid.UUID
    prefix: str
    name: str
    role: str


class Keys(Page):
    items: list[Key]


class Customer(Open):
    customer_id: str
    name: str
    kind: str | None = None
    status: str | None = None


class Customers(Page):
    items: list[Customer]


class Item(Open):
    item_id: uuid.UUID
    offer_id: str
    day: dt.date
    currency: str
    units: int
    revenue: Decimal


class Items(Open):
    total: int
    items: list[Item]


class Line(Open):
    line_no: int
    description: str
    quantity: Decimal
    net_amount: Decimal
    items: int


class InvoiceLines(Open):
    invoice_id: uuid.UUID
    currency: str
    items: list[Line]


class StatRow(Open):
    stat_key: str
    day: dt.date
    units: int
    revenue: Decimal


class StatRows(Open):
    item: Item
    items: list[StatRow]


class Period(Open):
    start: dt.date
    end: dt.date
    ready: bool


class Periods(Open):
    time_zone: str
    items: list[Period]


class Entity(Open):
    entity: str
    legal_name: str
    country: str


class Series(Open):
    series: str
    prefix: str
    padding: int


class AuditEntry(Open):
    seq: int
    at: dt.datetime
    actor: str
    entity_kind: str
    action: str


class Audit(Page):
    items: list[AuditEntry]


class Rate(Open):
    currency: str
    rate: Decimal
    rate_date: dt.date


class Rates(Open):
    rates: list[Rate]


SCHEMAS: dict[str, TypeAdapter[object]] = {name: TypeAdapter(model) for name, model in {
    "generator": Generator, "invoices": Invoices, "drafts": Drafts, "jobs": Jobs,
    "keys": Keys, "customers": Customers, "items": Items, "lines": InvoiceLines,
    "stat_rows": StatRows, "periods": Periods, "entities": list[Entity],
    "series": list[Series], "audit": Audit, "rates": Rates}.items()}
