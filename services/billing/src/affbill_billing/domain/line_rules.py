"""What EN 16931 allows on a line and a document allowance or charge a clerk edits, and
the error that names the field a rule refused. Pure, no I/O.
"""

from __future__ import annotations

from decimal import Decimal

from affbill_billing.domain.invoice_lines import AllowanceCharge, Line, Vat
from affbill_billing.domain.invoicing import EXPORT, PLACE_OF_SUPPLY, REVERSE_CHARGE

EXEMPTION_REASONS = {
    "AE": REVERSE_CHARGE, "G": EXPORT, "K": "Intra-community supply of services.",
    "E": "Exempt from VAT.", "O": PLACE_OF_SUPPLY, "Z": "Zero-rated supply.",
}
VAT_CATEGORIES = frozenset({"S", *EXEMPTION_REASONS})
LINE_FIELDS = frozenset({"description", "quantity", "unit_price", "unit_code", "vat_category",
                         "vat_rate", "exemption_reason", "period_start", "period_end",
                         "allowance"})
# UNTDID 5189 allowance reason codes EN 16931 accepts (BT-98, BT-140)
ALLOWANCE_CODES = frozenset({"41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70",
                             "71", "88", "95", "100", "102", "103", "104", "105"})
PRICE_HINT = ("must not be negative (EN 16931 BR-27): give a discount as the line's "
              "allowance or as a document allowance, returned units as a negative quantity")


class DraftError(ValueError):
    """Bad input for a draft, naming the field."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def vat(category: str, rate: Decimal, reason: str | None = None, where: str = "line") -> Vat:
    """A VAT category and rate as EN 16931 allows them (BR-S-05, BR-AE-05, BR-G-05, …)."""
    if category not in VAT_CATEGORIES:
        raise DraftError(f"{where}.vat_category", f"unknown VAT category {category!r}; "
                         f"one of {', '.join(sorted(VAT_CATEGORIES))}")
    if category == "S" and rate <= 0:
        raise DraftError(f"{where}.vat_rate", "standard-rated lines (S) need a rate above 0")
    if category != "S" and rate != 0:
        raise DraftError(f"{where}.vat_rate", f"category {category} carries a rate of 0")
    return Vat(category, rate, None if category == "S" else reason or EXEMPTION_REASONS[category])


def check_period(line: Line, where: str = "line") -> Line:
    if line.period_start and line.period_end and line.period_start > line.period_end:
        raise DraftError(f"{where}.period_end", "ends before it starts")
    return line


def _reason(reason: str | None, code: str | None, where: str, charge: bool) -> None:
    """BR-33/38/42/44: a reason or a code; the code from UNTDID 5189 or 7161."""
    if not (reason or code):
        raise DraftError(f"{where}.reason", "give a reason or a reason_code (EN 16931 BR-33, "
                         "BR-38, BR-42)")
    if code and not charge and code not in ALLOWANCE_CODES:
        raise DraftError(f"{where}.reason_code", f"not an UNTDID 5189 allowance code; one of "
                         f"{', '.join(sorted(ALLOWANCE_CODES, key=int))}")
    if code and charge and not (code.isalpha() and code.isupper() and len(code) <= 3):
        raise DraftError(f"{where}.reason_code", "not an UNTDID 7161 charge code (e.g. ABK, "
                         "FC, SAA)")


def check_line(line: Line, where: str = "line", prices: bool = True) -> Line:
    """What EN 16931 allows on a line: a price of 0 or more (BR-27), a quantity other than
    0 (negative for returned units), an allowance above 0 with a reason or code.
    ``prices`` False: the price was not edited (a run's line keeps a restated price)."""
    if prices and line.unit_price < 0:
        raise DraftError(f"{where}.unit_price", PRICE_HINT)
    if line.quantity == 0:
        raise DraftError(f"{where}.quantity", "must not be 0 (negative for returned units)")
    if line.allowance is not None:
        if line.allowance.amount <= 0:
            raise DraftError(f"{where}.allowance.amount", "must be above 0")
        _reason(line.allowance.reason, line.allowance.reason_code, f"{where}.allowance", False)
    return line


def check_adjustment(a: AllowanceCharge, where: str) -> AllowanceCharge:
    if a.amount <= 0:
        raise DraftError(f"{where}.amount", "must be above 0 (charge says which way)")
    _reason(a.reason, a.reason_code, where, a.charge)
    return a

