"""Drafts in the invoices table (status 'draft'): presets, lines and reserved items as JSONB,
a version for optimistic concurrency, approvals per version, items reserved by draft_id."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from affbill_billing.adapters import billable_items
from affbill_billing.domain.customers import Side
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft, DraftLine, Presets
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoice_lines import Allowance, AllowanceCharge, Line, Vat
from affbill_billing.domain.invoicing import basis, document_type
from affbill_billing.domain.payouts import AffiliateTaxStatus, BankDetails
from affbill_billing.domain.profiles import BuyerKind, TaxTreatment


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def line_json(d: DraftLine) -> dict[str, Any]:
    line = d.line
    return {"line_id": str(d.line_id), "description": line.description,
            "quantity": str(line.quantity), "unit_code": line.unit_code,
            "unit_price": str(line.unit_price), "vat_category": line.vat.category,
            "vat_rate": str(line.vat.rate), "exemption_reason": line.vat.exemption_reason,
            "period_start": line.period_start and line.period_start.isoformat(),
            "period_end": line.period_end and line.period_end.isoformat(),
            "item_ids": [str(i) for i in line.item_ids],
            "allowance": line.allowance and {
                "amount": str(line.allowance.amount), "reason": line.allowance.reason,
                "reason_code": line.allowance.reason_code}}


def adjustment_json(a: AllowanceCharge) -> dict[str, Any]:
    return {"charge": a.charge, "amount": str(a.amount), "vat_category": a.vat.category,
            "vat_rate": str(a.vat.rate), "exemption_reason": a.vat.exemption_reason,
            "reason": a.reason, "reason_code": a.reason_code}


def adjustment_from(j: dict[str, Any]) -> AllowanceCharge:
    return AllowanceCharge(j["charge"], Decimal(j["amount"]), Vat(
        j["vat_category"], Decimal(j["vat_rate"]), j["exemption_reason"]), j["reason"],
        j["reason_code"])


def line_from(j: dict[str, Any]) -> DraftLine:
    return DraftLine(uuid.UUID(j["line_id"]), Line(
        j["description"], Decimal(j["quantity"]), Decimal(j["unit_price"]),
        Vat(j["vat_category"], Decimal(j["vat_rate"]), j["exemption_reason"]), j["unit_code"],
        _date(j["period_start"]), _date(j["period_end"]),
        tuple(uuid.UUID(i) for i in j["item_ids"]),
        Allowance(Decimal(a["amount"]), a["reason"], a["reason_code"])
        if (a := j.get("allowance")) else None))


def item_json(i: Item) -> dict[str, Any]:
    return {"item_id": str(i.item_id), "offer_id": i.offer_id, "offer_name": i.offer_name,
            "day": i.day.isoformat(), "currency": i.currency, "units": i.units,
            "revenue": str(i.revenue)}


def item_from(j: dict[str, Any]) -> Item:
    return Item(uuid.UUID(j["item_id"]), j["offer_id"], j["offer_name"],
                dt.date.fromisoformat(j["day"]), j["currency"], j["units"], Decimal(j["revenue"]))


def treatment_from(value: str | None) -> TaxTreatment | AffiliateTaxStatus | None:
    """A stored treatment: an advertiser's VAT treatment or an affiliate's tax status."""
    if not value:
        return None
    return (TaxTreatment(value) if value in {t.value for t in TaxTreatment}
            else AffiliateTaxStatus(value))


def presets_from(j: dict[str, Any]) -> Presets:
    kind = j.get("buyer_kind")
    return Presets(**{**j, "tax_treatment": treatment_from(j.get("tax_treatment")),
                      "bank": BankDetails(**j["bank"]) if j.get("bank") else None,
                      "buyer_kind": BuyerKind(kind) if kind else None,
                      "invoice_date_rule": InvoiceDateRule(j["invoice_date_rule"]),
                      "line_grouping": LineGrouping(j["line_grouping"]),
                      **{day: dt.date.fromisoformat(j[day]) if j.get(day) else None
                         for day in ("supply_date", "period_start", "period_end")}})


@dataclass(frozen=True)
class DraftRow:
    draft_id: uuid.UUID
    customer_id: str
    version: int
    status: str
    created_by: str | None


DRAFT_COLUMNS = "invoice_id, customer_id, version, status, created_by, presets, lines, reserved"


def _draft(row: Any) -> tuple[DraftRow, Draft | None]:
    meta = DraftRow(row.invoice_id, row.customer_id, row.version, row.status, row.created_by)
    if row.status != "draft":
        return meta, None
    presets = dict(row.presets)
    adjustments = [adjustment_from(j) for j in presets.pop("allowances_charges", [])]
    return meta, Draft(presets_from(presets), [line_from(j) for j in row.lines],
                       [item_from(j) for j in row.reserved], adjustments)


async def lock(session: AsyncSession | AsyncConnection, draft_id: uuid.UUID,
               for_update: bool = True
               ) -> tuple[DraftRow, Draft | None] | None:
    """The draft, locked until the transaction ends; no Draft when it is no longer one."""
    row = (await session.execute(text(
        f"select {DRAFT_COLUMNS} from invoices where invoice_id = :id"
        + (" for update" if for_update else "")), {"id": draft_id})).first()
    return None if row is None else _draft(row)


def _values(draft: Draft) -> dict[str, Any]:
    t = draft.totals()
    presets = {**asdict(draft.presets),
               "allowances_charges": [adjustment_json(a) for a in draft.adjustments]}
    return {"presets": orjson.dumps(presets).decode(),
            "lines": orjson.dumps([line_json(d) for d in draft.lines]).decode(),
            "reserved": orjson.dumps([item_json(i) for i in draft.items]).decode(),
            "cur": draft.presets.currency, "series": draft.presets.number_series,
            "type": document_type(basis(t), Side(draft.presets.side)), "net": t.net,
            "tax": t.tax, "gross": t.gross}


async def insert(session: AsyncSession, draft_id: uuid.UUID, customer_id: str, draft: Draft,
                 created_by: str, run_id: uuid.UUID | None = None) -> None:
    await session.execute(text("""
        insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
            net_total, tax_total, gross_total, presets, lines, reserved, created_by, run_id)
        values (:id, :c, :series, 'draft', :type, :cur, :net, :tax, :gross,
                cast(:presets as jsonb), cast(:lines as jsonb), cast(:reserved as jsonb), :by, :run)
    """), {**_values(draft), "id": draft_id, "c": customer_id, "by": created_by, "run": run_id})
    await billable_items.reserve(session, draft_id, [i.item_id for i in draft.items])


async def save(session: AsyncSession, draft_id: uuid.UUID, draft: Draft) -> int:
    """Store an edit; the version moves on (so approvals of the old version lapse)."""
    return (await session.execute(text("""
        update invoices set presets = cast(:presets as jsonb), lines = cast(:lines as jsonb),
            reserved = cast(:reserved as jsonb), currency = :cur, series = :series,
            document_type = :type, net_total = :net, tax_total = :tax, gross_total = :gross,
            version = version + 1, updated_at = now()
        where invoice_id = :id returning version"""), {**_values(draft), "id": draft_id})
            ).scalar_one()


async def approvers(session: AsyncSession, draft_id: uuid.UUID, version: int) -> list[str]:
    return list((await session.execute(text(
        "select approved_by from draft_approvals where invoice_id = :d and version = :v "
        "order by approved_at, approved_by"), {"d": draft_id, "v": version})).scalars())


async def approve(session: AsyncSession, draft_id: uuid.UUID, version: int, user: str) -> None:
    await session.execute(text(
        "insert into draft_approvals (invoice_id, version, approved_by) values (:d, :v, :u) "
        "on conflict do nothing"), {"d": draft_id, "v": version, "u": user})


async def delete(session: AsyncSession, draft_id: uuid.UUID) -> None:
    """Discard: its items return to the generator, its approvals go with it."""
    await billable_items.release_draft(session, draft_id)
    await session.execute(text("delete from draft_approvals where invoice_id = :d"),
                          {"d": draft_id})
    await session.execute(text("delete from invoices where invoice_id = :d and status = 'draft'"),
                          {"d": draft_id})
