"""A draft invoice: the presets and lines a clerk edits before "Create". Pure, no I/O.

Lines start as a batch run builds them (grouping.build_lines) and totals always come
from invoice_lines.totals, so a manual invoice and a run's invoice agree to the cent.
The items a draft bills are reserved by it: removing an item-backed line frees them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from affbill_billing.domain.dates import InvoiceDateRule, due_date, invoice_date
from affbill_billing.domain.grouping import Item, LineGrouping, build_lines
from affbill_billing.domain.invoice_lines import (
    AllowanceCharge,
    Line,
    Totals,
    Vat,
    totals,
)
from affbill_billing.domain.invoicing import (
    InvoicePlan,
    vat_for,
)
from affbill_billing.domain.line_rules import (
    LINE_FIELDS,
    DraftError,
    check_adjustment,
    check_line,
    check_period,
    vat,
)
from affbill_billing.domain.payouts import (
    AffiliateTaxStatus,
    BankDetails,
    TaxStatusMissing,
    tax_status,
)
from affbill_billing.domain.profiles import BuyerKind, TaxTreatment, VatIdMissing, tax_treatment


@dataclass(frozen=True)
class Presets:
    """The customer's billing presets, copied into the draft and editable for it alone."""

    billing_name: str
    # None: an EU buyer without VAT id or declared kind (an affiliate: its status unknown)
    tax_treatment: TaxTreatment | AffiliateTaxStatus | None
    currency: str
    payment_days: int
    invoice_date_rule: InvoiceDateRule
    line_grouping: LineGrouping
    number_series: str
    address: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    vat_id: str | None = None
    intro_text: str | None = None
    closing_text: str | None = None
    buyer_reference: str | None = None
    e_invoice_format: str = "factur-x"  # or "xrechnung" (buyers who require it)
    buyer_email: str | None = None  # BT-49: the profile's first e-mail recipient
    supply_date: dt.date | None = None  # BT-72, for a draft whose lines name no period
    debtor_number: str | None = None  # BT-46, from the profile
    language: str = "en"  # of the PDF, from the profile
    buyer_kind: BuyerKind | None = None  # EU buyers without VAT id: business or consumer
    seller_entity: str | None = None  # the issuing entity (None: the configured seller)
    # the service period a run's draft states (BG-14): the billed period, from an earlier
    # day when carried items are on it; None (drafts made by hand): the lines' days
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    # an affiliate's draft (a self-billed credit note): its side, tax number and bank
    side: str = "advertiser"
    tax_number: str | None = None
    bank: BankDetails | None = None

    def issuable_treatment(self) -> TaxTreatment | AffiliateTaxStatus:
        """The treatment Create issues under; VatIdMissing (an affiliate's: TaxStatusMissing)
        while it is undecided."""
        if self.tax_treatment is None:
            if self.side == "affiliate":
                raise TaxStatusMissing(self.billing_name)
            raise VatIdMissing(self.billing_name)
        return self.tax_treatment

    def decided(self, seller_country: str) -> TaxTreatment | AffiliateTaxStatus | None:
        """The treatment the rule decides for the presets as they stand (an affiliate's:
        its status where country and VAT id make it plain)."""
        if self.side == "affiliate":
            return tax_status(None, seller_country, self.country, self.vat_id)
        return tax_treatment(seller_country, self.country, self.vat_id, self.buyer_kind)


@dataclass(frozen=True)
class DraftLine:
    line_id: uuid.UUID
    line: Line


@dataclass
class Draft:
    presets: Presets
    lines: list[DraftLine]
    items: list[Item] = field(default_factory=list)  # reserved: billed by the lines
    adjustments: list[AllowanceCharge] = field(default_factory=list)  # BG-20 / BG-21

    @classmethod
    def from_items(cls, items: list[Item], presets: Presets, domestic_rate: Decimal) -> Draft:
        if not items:
            raise DraftError("item_ids", "select at least one open item")
        currencies = sorted({i.currency for i in items})
        if len(currencies) > 1:
            raise DraftError("item_ids",
                             f"items in more than one currency ({', '.join(currencies)})"
                             ": make one draft per currency")
        draft = cls(replace(presets, currency=currencies[0]), [], list(items))
        draft.lines = draft._item_lines(domestic_rate)
        return draft

    @classmethod
    def custom(cls, presets: Presets, lines: list[Line]) -> Draft:
        if not lines:
            raise DraftError("lines", "a custom invoice needs at least one line")
        for n, line in enumerate(lines):
            check_line(line, f"lines.{n}")
        return cls(presets, [DraftLine(uuid.uuid4(), line) for line in lines])

    def _item_lines(self, domestic_rate: Decimal) -> list[DraftLine]:
        lines = build_lines(self.items, self.presets.line_grouping,
                            self.default_vat(domestic_rate), self.presets.currency,
                            self.presets.language)
        return [DraftLine(uuid.uuid4(), line) for line in lines]

    def default_vat(self, domestic_rate: Decimal) -> Vat:
        """VAT of a new line: what the draft's tax treatment asks for."""
        return vat_for(self.presets.tax_treatment, domestic_rate)

    def totals(self) -> Totals:
        return totals([d.line for d in self.lines], self.presets.currency,
                      tuple(self.adjustments))

    def add_line(self, line: Line) -> uuid.UUID:
        line_id = uuid.uuid4()
        check_line(line)
        self.lines.append(DraftLine(line_id, replace(line, item_ids=())))
        return line_id

    def edit_line(self, line_id: uuid.UUID, changes: dict[str, Any]) -> None:
        index = self._index(line_id)
        current = self.lines[index].line
        unknown = set(changes) - LINE_FIELDS
        if unknown:
            raise DraftError(min(unknown), "not a field of a line")
        values = {k: v for k, v in changes.items() if k in ("description", "quantity",
                                                             "unit_price", "unit_code",
                                                             "period_start", "period_end",
                                                             "allowance")}
        if {"vat_category", "vat_rate", "exemption_reason"} & set(changes):
            category = changes.get("vat_category", current.vat.category)
            rate = changes.get("vat_rate", current.vat.rate if category == current.vat.category
                               else Decimal(0))
            values["vat"] = vat(category, rate, changes.get("exemption_reason"))
        edited = replace(current, **values)
        check_period(edited)
        check_line(edited, prices="unit_price" in changes)
        self.lines[index] = DraftLine(line_id, edited)

    def remove_line(self, line_id: uuid.UUID) -> list[uuid.UUID]:
        """Remove a line; returns the items it billed, which go back to the generator."""
        removed = self.lines.pop(self._index(line_id)).line
        freed = set(removed.item_ids)
        self.items = [i for i in self.items if i.item_id not in freed]
        return list(removed.item_ids)

    def change_presets(self, changes: dict[str, Any], domestic_rate: Decimal,
                       seller_country: str | None = None) -> None:
        """Edit this invoice's presets. A new tax treatment re-taxes every line — named by
        the clerk, or decided anew (with the seller's country) when the buyer's country, VAT
        id or kind changes; a (re)applied line grouping rebuilds the item-backed lines from
        the reserved items (free lines stay)."""
        if "currency" in changes and self.items and changes["currency"] != self.presets.currency:
            raise DraftError("currency", f"the draft bills items in {self.presets.currency}; "
                             "items cannot change currency")
        changes = dict(changes)
        if "allowances_charges" in changes:
            default = self.default_vat(domestic_rate)  # for those that name no VAT
            self.adjustments = [
                check_adjustment(a if a.vat is not None else replace(a, vat=default),
                                 f"allowances_charges.{n}")
                for n, a in enumerate(changes.pop("allowances_charges") or [])]
        if "buyer_kind" in changes and changes["buyer_kind"] is not None:
            changes["buyer_kind"] = BuyerKind(changes["buyer_kind"])
        buyer = {"country", "vat_id", "buyer_kind"} & changes.keys()
        self.presets = replace(self.presets, **changes)
        if buyer and "tax_treatment" not in changes and seller_country is not None:
            p = self.presets
            changes["tax_treatment"] = p.decided(seller_country)
            self.presets = replace(p, tax_treatment=changes["tax_treatment"])
        if "line_grouping" in changes and self.items:
            free = [d for d in self.lines if not d.line.item_ids]
            self.lines = self._item_lines(domestic_rate) + free
        if "tax_treatment" in changes:
            new = self.default_vat(domestic_rate)
            self.lines = [DraftLine(d.line_id, replace(d.line, vat=new)) for d in self.lines]

    def plan(self, today: dt.date, *, dated: bool = True) -> InvoicePlan:
        """What Create would issue today. ``dated`` False (a preview): a missing date of
        supply is not refused yet."""
        if not self.lines:
            raise DraftError("lines", "an empty draft cannot be issued: add a line or discard it")
        starts = [d.line.period_start for d in self.lines if d.line.period_start]
        ends = [d.line.period_end for d in self.lines if d.line.period_end]
        if self.presets.period_start and self.presets.period_end:  # a run's billed period
            starts = [min([self.presets.period_start, *starts])]
            ends = [self.presets.period_end]
        end = max(ends) if ends else today
        supplied = self.presets.supply_date
        if dated and supplied is None and not (starts and ends):
            raise DraftError("supply_date", "give the date of supply (BT-72) or a service "
                             "period on the lines (BG-14): every invoice dates what it bills")
        issued = invoice_date(self.presets.invoice_date_rule, today, supplied or end)
        return InvoicePlan(self.presets.currency, [d.line for d in self.lines], self.totals(),
                           issued, due_date(issued, self.presets.payment_days),
                           min(starts) if starts else None, max(ends) if ends else None,
                           tuple(self.adjustments), supplied)

    def _index(self, line_id: uuid.UUID) -> int:
        for n, d in enumerate(self.lines):
            if d.line_id == line_id:
                return n
        raise LookupError(f"no line {line_id} on this draft")
