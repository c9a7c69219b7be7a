"""The EN 16931 gate: the business rules billing's documents can break, checked in pure
Python before a number is taken (no XML, no Schematron: microseconds per document).

Each rule is the official Schematron's test (Factur-X 1.0 EN 16931 CII), restated on
the snapshot as the XML will state it (``presented``: a credit note positive, no
negative price). tests/unit/billing/test_en16931_gate.py proves that the gate and the
official Schematron give the same verdict, rule by rule, on valid and broken documents.
The documents service's XSD + Schematron stays the final check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from affbill_contracts.invoices import EInvoiceFormat, InvoiceDocument
from affbill_contracts.presentation import presented

ZERO, HALF = Decimal(0), Decimal("0.5")
COVERED = ("BR-27", "BR-33", "BR-38", "BR-42", "BR-CO-10", "BR-CO-11", "BR-CO-12",
           "BR-CO-14", "BR-CO-15", "BR-CO-16", "BR-CO-17", "BR-S-02", "BR-S-05", "BR-S-08",
           "BR-S-09", "BR-E-02", "BR-AE-02", "BR-AE-03", "BR-AE-04", "BR-AE-05", "BR-AE-08",
           "BR-IC-02", "BR-IC-03", "BR-IC-04", "BR-O-11", "BR-O-12", "BR-O-13", "BR-O-14")

# XRechnung (buyers who require it): the KoSIT rules billing can break, as the XRechnung
# validator configuration weighs them (PEPPOL-EN16931-R010 an error, not a warning)
XRECHNUNG_COVERED = ("BR-DE-15", "PEPPOL-EN16931-R010")
SUPPLY = "SUPPLY-DATE"  # §14 (4) no. 6 UStG / Art. 226 (7) VAT Directive, not a Schematron rule


@dataclass(frozen=True)
class Violation:
    rule: str  # the EN 16931 rule id, as the Schematron names it
    message: str
    field: str  # where in the document (contract field path)


def _r2(value: Decimal) -> Decimal:
    """XPath round(x * 100) div 100: half towards positive infinity, to cents."""
    return (value * 100 + HALF).to_integral_value(rounding=ROUND_FLOOR) / 100


def _r0(value: Decimal) -> Decimal:
    return (value + HALF).to_integral_value(rounding=ROUND_FLOOR)


def check(document: InvoiceDocument) -> list[Violation]:
    """Every covered rule the document breaks, as the XML would state it (empty: passes)."""
    doc = presented(document)
    return [*_lines(doc), *_allowances(doc), *_sums(doc), *_groups(doc), *_parties(doc),
            *_xrechnung(doc), *_supply(doc), *_outside_scope(doc)]


def _outside_scope(doc: InvoiceDocument) -> Iterator[Violation]:
    """BR-O-11..14: a document "not subject to VAT" (O) has no other VAT category."""
    if not any(g.vat_category.value == "O" for g in doc.tax_breakdown):
        return
    if any(g.vat_category.value != "O" for g in doc.tax_breakdown):
        yield Violation("BR-O-11", "A document with VAT category O has no other VAT "
                        "breakdown group", "tax_breakdown")
    if any(x.vat_category.value != "O" for x in doc.lines):
        yield Violation("BR-O-12", "A document with VAT category O has no line of another "
                        "category", "lines")
    for charge, rule in ((False, "BR-O-13"), (True, "BR-O-14")):
        if any(a.vat_category.value != "O" for a in doc.allowances_charges if a.charge is charge):
            kind = "charge" if charge else "allowance"
            yield Violation(rule, f"A document with VAT category O has no {kind} of another "
                            "category", "allowances_charges")


def _xrechnung(doc: InvoiceDocument) -> Iterator[Violation]:
    """What an XRechnung must carry: the buyer reference (BT-10, the Leitweg-ID) and the
    buyer's electronic address (BT-49)."""
    if doc.e_invoice_format != EInvoiceFormat.XRECHNUNG:
        return
    if not (doc.buyer_reference or "").strip():
        yield Violation("BR-DE-15", "An XRechnung needs the buyer reference (BT-10, the "
                        "Leitweg-ID)", "buyer_reference")
    if not (doc.buyer.email or "").strip():
        yield Violation("PEPPOL-EN16931-R010", "Buyer electronic address (BT-49) MUST be "
                        "provided: the profile's first e-mail recipient", "buyer.email")


def _supply(doc: InvoiceDocument) -> Iterator[Violation]:
    """Every document dates what it bills: a date of supply (BT-72) or a service period
    (BG-14)."""
    if doc.delivery_date is None and not (doc.period_start and doc.period_end):
        yield Violation(SUPPLY, "A document needs a date of supply (BT-72) or a service "
                        "period (BG-14)", "delivery_date")


def _lines(doc: InvoiceDocument) -> Iterator[Violation]:
    for n, line in enumerate(doc.lines):
        where = f"lines.{n}"
        if line.unit_price < 0:
            yield Violation("BR-27", "The item net price (BT-146) shall not be negative",
                            f"{where}.unit_price")
        cat = line.vat_category.value
        if cat == "S" and not line.vat_rate > 0:
            yield Violation("BR-S-05", "A standard rated line needs a VAT rate above 0",
                            f"{where}.vat_rate")
        if cat == "AE" and line.vat_rate != 0:
            yield Violation("BR-AE-05", "A reverse charge line has a VAT rate of 0",
                            f"{where}.vat_rate")
        for k, a in enumerate(line.allowances):
            if not (a.reason or a.reason_code):
                yield Violation("BR-42", "A line allowance needs a reason or a reason code",
                                f"{where}.allowances.{k}.reason")


def _allowances(doc: InvoiceDocument) -> Iterator[Violation]:
    for n, a in enumerate(doc.allowances_charges):
        if not (a.reason or a.reason_code):
            rule = "BR-38" if a.charge else "BR-33"
            yield Violation(rule, f"A document {'charge' if a.charge else 'allowance'} needs a "
                            "reason or a reason code", f"allowances_charges.{n}.reason")


def _sums(doc: InvoiceDocument) -> Iterator[Violation]:
    t = doc.totals
    if t.line_total != _r2(sum((x.net_amount for x in doc.lines), ZERO)):
        yield Violation("BR-CO-10", "Sum of line net amounts (BT-106) = Σ line net amounts "
                        "(BT-131)", "totals.line_total")
    if doc.allowances_charges:  # the totals are written only then
        for charge, rule, name in ((False, "BR-CO-11", "allowance"), (True, "BR-CO-12", "charge")):
            total = t.charge_total if charge else t.allowance_total
            parts = sum((a.amount for a in doc.allowances_charges if a.charge is charge), ZERO)
            if total != _r2(parts):
                yield Violation(rule, f"Sum of {name}s on document level = Σ document level "
                                f"{name} amounts", f"totals.{name}_total")
    if t.tax_total != _r2(sum((g.tax_amount for g in doc.tax_breakdown), ZERO)):
        yield Violation("BR-CO-14", "Invoice total VAT amount (BT-110) = Σ VAT category tax "
                        "amounts (BT-117)", "totals.tax_total")
    basis = t.line_total - t.allowance_total + t.charge_total
    if t.grand_total not in (_r2(basis + t.tax_total), basis):  # the Schematron's "or"
        yield Violation("BR-CO-15", "Invoice total with VAT (BT-112) = total without VAT "
                        "(BT-109) + total VAT (BT-110)", "totals.grand_total")
    if t.amount_due != t.grand_total:
        yield Violation("BR-CO-16", "Amount due for payment (BT-115) = total with VAT (BT-112)",
                        "totals.amount_due")


def _category_basis(doc: InvoiceDocument, category: str, rate: Decimal | None) -> Decimal:
    """Σ lines + Σ charges - Σ allowances of a category (and rate), each sum to cents."""
    def same(cat: str, r: Decimal) -> bool:
        return cat == category and (rate is None or r == rate)
    lines = sum((x.net_amount for x in doc.lines if same(x.vat_category.value, x.vat_rate)),
                ZERO)
    adj = [a for a in doc.allowances_charges if same(a.vat_category.value, a.vat_rate)]
    charges = sum((a.amount for a in adj if a.charge), ZERO)
    allowances = sum((a.amount for a in adj if not a.charge), ZERO)
    return _r2(lines) + _r2(charges) - _r2(allowances)


def _groups(doc: InvoiceDocument) -> Iterator[Violation]:
    for n, g in enumerate(doc.tax_breakdown):
        where, cat, rate = f"tax_breakdown.{n}", g.vat_category.value, g.vat_rate
        basis, tax = g.taxable_amount, g.tax_amount
        if not _co17(basis, tax, rate):
            yield Violation("BR-CO-17", "VAT category tax amount (BT-117) = taxable amount "
                            "(BT-116) × rate (BT-119) / 100, rounded", f"{where}.tax_amount")
        if cat == "S":
            if basis != _category_basis(doc, "S", rate):
                yield Violation("BR-S-08", "Standard rated taxable amount = Σ its lines + "
                                "charges - allowances", f"{where}.taxable_amount")
            expected = _r0(abs(basis) * rate) / 100
            if not (abs(tax) - 1 < expected < abs(tax) + 1):
                yield Violation("BR-S-09", "Standard rated tax amount = taxable amount × rate",
                                f"{where}.tax_amount")
        if cat == "AE" and not (basis - 1 <= _category_basis(doc, "AE", None) < basis + 1):
            yield Violation("BR-AE-08", "Reverse charge taxable amount = Σ its lines + "
                            "charges - allowances", f"{where}.taxable_amount")


def _co17(basis: Decimal, tax: Decimal, rate: Decimal) -> bool:
    if _r0(rate) == 0:
        return _r0(tax) == 0
    expected = _r2(abs(basis) * (rate / 100))
    return abs(tax) - 1 <= expected <= abs(tax) + 1


def _parties(doc: InvoiceDocument) -> Iterator[Violation]:
    categories = {x.vat_category.value for x in doc.lines}
    seller_id = bool(doc.seller.vat_id or doc.seller.tax_number)
    if "S" in categories and not seller_id:
        yield Violation("BR-S-02", "Standard rated documents need the seller's VAT id or tax "
                        "number", "seller.vat_id")
    if "E" in categories and not seller_id:  # a small business (§ 19 UStG) by its tax number
        yield Violation("BR-E-02", "Exempt documents need the seller's VAT id or tax number",
                        "seller.tax_number")
    for category, name, seller_ok, (line, allowance, charge) in (
            ("AE", "Reverse charge", seller_id, ("BR-AE-02", "BR-AE-03", "BR-AE-04")),
            ("K", "An intra-community supply", bool(doc.seller.vat_id),  # VAT id, not FC
             ("BR-IC-02", "BR-IC-03", "BR-IC-04"))):
        if seller_ok and doc.buyer.vat_id:
            continue
        where = "buyer.vat_id" if seller_ok else "seller.vat_id"
        if category in categories:
            yield Violation(line, f"{name} needs the seller's and the buyer's VAT id", where)
        for is_charge, rule in ((False, allowance), (True, charge)):
            if any(a.vat_category.value == category and a.charge is is_charge
                   for a in doc.allowances_charges):
                yield Violation(rule, f"{name} {'charge' if is_charge else 'allowance'} needs "
                                "the seller's and the buyer's VAT id", where)

