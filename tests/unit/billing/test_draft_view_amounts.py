"""A draft as the clerk sees it states its amounts in the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft, Presets
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoice_lines import Line
from affbill_billing.domain.line_rules import vat
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.service_layer.views import lines_and_totals


def draft_in(currency: str, quantity: str, price: str) -> Draft:
    presets = Presets("Acme", TaxTreatment.DOMESTIC, currency, 14, InvoiceDateRule.TODAY,
                      LineGrouping.OFFER_PER_PERIOD, "default")
    return Draft.custom(presets, [Line("Setup", Decimal(quantity), Decimal(price),
                                       vat("S", Decimal(19), None, "line"))])


def test_yen_amounts_have_no_decimals_and_euro_amounts_two() -> None:
    yen = lines_and_totals(draft_in("JPY", "3", "333.4"))
    assert yen["lines"][0]["net_amount"] == "1000"  # 1000.2, rounded to whole yen
    assert yen["totals"] == {"net": "1000", "tax": "190", "gross": "1190"}
    euro = lines_and_totals(draft_in("EUR", "5", "13.333"))
    assert euro["lines"][0]["net_amount"] == "66.67"  # 66.665 HALF_UP
    assert euro["lines"][0]["unit_price"] == "13.333"  # a price keeps its digits
    assert euro["totals"] == {"net": "66.67", "tax": "12.67", "gross": "79.34"}
