"""Request bodies of the manual generator. Limits here are the clerk's input limits; the
VAT rules (category against rate) are the domain's. Every amount a draft can reach stays
far inside the numeric(28,10) columns its totals are stored in (`check_amounts`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoice_lines import Allowance, AllowanceCharge, Line, Vat
from affbill_billing.domain.line_rules import DraftError, check_line, check_period, vat
from affbill_billing.domain.profiles import BuyerKind, TaxTreatment
from affbill_contracts.bounds import Name
from affbill_contracts.bounds import Text as TextType
from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import VatCategory
from affbill_contracts.money import CurrencyCode

# a draft's gross total (lines, VAT up to 100 %) at most this: numeric(28,10) holds < 10^18
MAX_AMOUNT = Decimal(10) ** 15
Quantity = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=4, allow_inf_nan=False,
                                    description="Units billed, up to 4 decimals.")]
LineQuantity = Annotated[Decimal, Field(max_digits=16, decimal_places=4, allow_inf_nan=False,
                                        description=("Units billed, up to 4 decimals; negative "
                                                     "for returned units, never 0."))]
Price = Annotated[Decimal, Field(max_digits=18, decimal_places=6, allow_inf_nan=False, description=(
    "Net price per unit, up to 6 decimals, never negative (EN 16931 BR-27): a discount is "
    "a line allowance or a document allowance."))]
Money = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2, allow_inf_nan=False)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="The draft version you edited; "
                                                               "409 if it moved on.")]
Text = Annotated[TextType, Field(max_length=2000)]
Description = Annotated[TextType, Field(min_length=1, max_length=500)]
CustomerId = Annotated[Name, Field(min_length=1, max_length=200)]


def check_amounts(lines: Iterable[Line], where: str) -> None:
    """Refuse lines whose gross amounts (VAT included) add up past MAX_AMOUNT."""
    gross = sum((abs(line.quantity * line.unit_price) * (1 + line.vat.rate / 100)
                 for line in lines), Decimal(0))
    if gross > MAX_AMOUNT:
        raise DraftError(where, f"the invoice's amounts may add up to at most {MAX_AMOUNT:,} "
                                "(quantity × unit price, VAT included)")


class Strict(BaseModel):
    model_config = {"extra": "forbid"}


class AllowanceIn(Strict):
    """A discount on one line (BG-27): a reason or an UNTDID 5189 code (e.g. 95)."""

    amount: Money
    reason: str | None = Field(None, max_length=300)
    reason_code: str | None = Field(None, max_length=3)

    def allowance(self) -> Allowance:
        return Allowance(self.amount, self.reason, self.reason_code)


class AllowanceChargeIn(AllowanceIn):
    """A document allowance (BG-20, UNTDID 5189 code) or charge (BG-21, UNTDID 7161 code);
    VAT defaults to the draft's treatment."""

    charge: bool = False
    vat_category: VatCategory | None = None
    vat_rate: Rate | None = None

    def adjustment(self, where: str) -> AllowanceCharge:
        """Without a VAT category the draft gives it its treatment's VAT."""
        tax = None
        if self.vat_category is not None:
            category = self.vat_category.value
            tax = vat(category, self.vat_rate if self.vat_rate is not None else Decimal(0),
                      None, where)
        return AllowanceCharge(self.charge, self.amount, tax,  # type: ignore[arg-type]
                               self.reason, self.reason_code)


class LineIn(Strict):
    description: Description
    quantity: LineQuantity = Decimal(1)
    unit_price: Price
    unit_code: str = Field("C62", pattern="^[A-Z0-9]{1,3}$", description="UN/ECE Rec 20.")
    vat_category: VatCategory | None = Field(None, description="Default: the draft's treatment.")
    vat_rate: Rate | None = None
    exemption_reason: TextType | None = Field(None, max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    allowance: AllowanceIn | None = None

    @model_validator(mode="after")
    def _amount_fits(self) -> LineIn:
        if abs(self.quantity * self.unit_price) > MAX_AMOUNT:
            raise ValueError(f"quantity × unit_price may be at most {MAX_AMOUNT:,}")
        return self

    def line(self, default: Vat, where: str) -> Line:
        """The domain line; VAT falls back to `default` (the draft's tax treatment)."""
        category = self.vat_category.value if self.vat_category else default.category
        rate = self.vat_rate if self.vat_rate is not None else (
            default.rate if default.category == category else Decimal(0))
        line = Line(self.description, self.quantity, self.unit_price,
                    vat(category, rate, self.exemption_reason, where), self.unit_code,
                    self.period_start, self.period_end,
                    allowance=self.allowance.allowance() if self.allowance else None)
        return check_line(check_period(line, where), where)


class LineEdit(Strict):
    version: Version
    description: Description | None = None
    quantity: LineQuantity | None = None
    unit_price: Price | None = None
    unit_code: str | None = Field(None, pattern="^[A-Z0-9]{1,3}$")
    vat_category: VatCategory | None = None
    vat_rate: Rate | None = None
    exemption_reason: TextType | None = Field(None, max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    allowance: AllowanceIn | None = Field(None, description="null removes it.")

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True, exclude={"version"})
        _refuse_nulls(values, ("description", "quantity", "unit_price", "unit_code"))
        if "allowance" in values:
            values["allowance"] = self.allowance.allowance() if self.allowance else None
        if "vat_category" in values and values["vat_category"] is not None:
            values["vat_category"] = values["vat_category"].value
        return values


class CartIn(Strict):
    customer_id: CustomerId
    item_ids: list[uuid.UUID] = Field(max_length=100_000)


class CustomIn(Strict):
    customer_id: CustomerId
    currency: CurrencyCode | None = Field(None, description="Default: the billing currency.")
    supply_date: dt.date | None = Field(None, description=(
        "Date of supply (BT-72); Create asks for it unless the lines name a service period."))
    lines: list[LineIn] = Field(max_length=500)


class AddLine(Strict):
    version: Version
    line: LineIn


class VersionIn(Strict):
    version: Version


class BulkIssue(Strict):
    draft_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)


class DraftUpdate(Strict):
    """Presets of this invoice only; the customer's profile stays as it is."""

    version: Version
    billing_name: Name | None = Field(None, min_length=1, max_length=200)
    address: PostalAddress | None = None
    country: str | None = Field(None, pattern="^[A-Z]{2}$")
    vat_id: Name | None = Field(None, max_length=30)
    tax_treatment: TaxTreatment | None = Field(
        None, description="Override for this invoice; by default decided from country, "
                          "VAT id and buyer kind.")
    buyer_kind: BuyerKind | None = Field(
        None, description="An EU buyer without VAT id: business or consumer.")
    currency: CurrencyCode | None = None
    payment_days: int | None = Field(None, ge=0, le=365)
    invoice_date_rule: InvoiceDateRule | None = None
    line_grouping: LineGrouping | None = None
    number_series: Name | None = Field(None, min_length=1, max_length=50)
    intro_text: Text | None = None
    closing_text: Text | None = None
    buyer_reference: Name | None = Field(None, max_length=100)
    buyer_email: Name | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                     description="The buyer's electronic address (BT-49).")
    supply_date: dt.date | None = Field(None, description="Date of supply (BT-72), for lines "
                                        "without a service period.")
    allowances_charges: list[AllowanceChargeIn] | None = Field(
        None, max_length=50, description="Document allowances and charges; replaces the list.")

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True, exclude={"version", "allowances_charges"})
        if "allowances_charges" in self.model_fields_set:
            values["allowances_charges"] = [a.adjustment(f"allowances_charges.{n}")
                                            for n, a in enumerate(self.allowances_charges or [])]
        required = ("billing_name", "tax_treatment", "currency", "payment_days",
                    "invoice_date_rule", "line_grouping", "number_series")
        _refuse_nulls(values, required)
        if "address" in values:
            values["address"] = self.address.model_dump(exclude_none=True) if self.address else {}
        return values


def _refuse_nulls(values: dict[str, Any], required: tuple[str, ...]) -> None:
    if nulls := [k for k in required if k in values and values[k] is None]:
        raise DraftError(nulls[0], "cannot be empty")


class CreditedLineIn(Strict):
    line_no: int = Field(ge=1, description="The invoice's line to credit.")
    quantity: Quantity | None = Field(None, description="Part of its quantity; default all.")


class CreditNoteIn(Strict):
    """A partial credit note: either chosen lines or a net amount (one VAT rate only)."""

    lines: list[CreditedLineIn] = Field(default_factory=list, max_length=1000)
    amount: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2)] | None = None
    reason: Text | None = None

    def request(self) -> Any:
        from affbill_billing.domain.credit_notes import CreditedLine, CreditRequest
        return CreditRequest(tuple(CreditedLine(x.line_no, x.quantity) for x in self.lines),
                             self.amount, self.reason)
