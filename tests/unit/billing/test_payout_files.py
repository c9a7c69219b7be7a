"""Payout file rules: SEPA for EUR paid by SEPA, CSV for the rest, one file per entity,
format and currency; the pain.001.001.09 file validates against the vendored ISO 20022 XSD
and states each credit note's amount to the cent; a file the XSD rejects is never returned."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from affbill_billing.adapters.sepa_files import NS, InvalidPaymentFile, problems, sepa_file
from affbill_billing.config import Settings
from affbill_billing.domain.payout_files import FileFormat, Payout, csv_text, grouped, refusal

NOW = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)


def payout(number: str, amount: str = "95.34", method: str | None = "sepa",
           currency: str = "EUR", entity: str = "default", iban: str | None =
           "DE89370400440532013000") -> Payout:
    return Payout(uuid.uuid4(), number, "ho:affiliate:1", "Müller Medien", entity, currency,
                  Decimal(amount), method, iban, None)


def test_sepa_for_eur_by_sepa_csv_for_other_currencies_and_methods() -> None:
    files = grouped([payout("SB-2"), payout("SB-1"), payout("SB-3", currency="USD"),
                     payout("SB-4", method="paypal"), payout("SB-5", entity="ltd")])
    assert {k: [p.number for p in v] for k, v in files.items()} == {
        ("default", FileFormat.CSV, "EUR"): ["SB-4"],
        ("default", FileFormat.CSV, "USD"): ["SB-3"],
        ("default", FileFormat.SEPA, "EUR"): ["SB-1", "SB-2"],
        ("ltd", FileFormat.SEPA, "EUR"): ["SB-5"]}


def test_what_is_never_paid_out() -> None:
    assert refusal(payout("SB-1")) is None
    assert refusal(payout("SB-1", amount="0.00")) == "nothing to pay out (0.00 EUR)"
    assert refusal(payout("SB-1", method=None)) == "no payout_method in the affiliate's profile"
    assert "no bank_account.iban" in str(refusal(payout("SB-1", iban=None)))


def test_csv_states_the_amount_and_the_reference() -> None:
    text = csv_text([payout("SB-7", "1234.5", method="wire", currency="USD")])
    assert text.splitlines()[1] == ("SB-7,ho:affiliate:1,Müller Medien,wire,USD,1234.50,"
                                    "DE89370400440532013000,,SB-7")


@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"),
                            places=2), min_size=1, max_size=20))
def test_sepa_file_is_xsd_valid_and_exact_to_the_cent(amounts: list[Decimal]) -> None:
    payouts = [payout(f"SB-2026-{n:05}", str(a)) for n, a in enumerate(amounts)]
    file_id = uuid.uuid4()
    xml = sepa_file(file_id, Settings().configured_seller(), payouts, NOW, NOW.date())
    assert problems(xml) == []
    root = etree.fromstring(xml)
    stated = [Decimal(a.text) for a in root.iterfind(".//p:InstdAmt", NS)]
    assert stated == amounts
    assert Decimal(root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == sum(amounts)
    assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == str(len(amounts))
    assert root.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == file_id.hex


def test_a_file_the_xsd_rejects_is_never_returned() -> None:
    too_long = payout("SB-" + "9" * 40)  # EndToEndId is at most 35 characters
    with pytest.raises(InvalidPaymentFile, match="EndToEndId"):
        sepa_file(uuid.uuid4(), Settings().configured_seller(), [too_long], NOW, NOW.date())
