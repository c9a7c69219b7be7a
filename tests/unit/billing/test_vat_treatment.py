"""The VAT treatment a document gets from seller and buyer, and VAT ids checked per country."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft, Presets
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoice_lines import Vat
from affbill_billing.domain.invoicing import PLACE_OF_SUPPLY, REVERSE_CHARGE, vat_for
from affbill_billing.domain.profiles import (
    EU,
    BuyerKind,
    TaxTreatment,
    VatIdMissing,
    tax_treatment,
    vat_id_missing,
)
from affbill_contracts.vat_ids import vat_id_problem
from affbill_simulator.vat_ids import vat_id as simulated_vat_id

RATE = Decimal(19)
COUNTRIES = sorted(EU | {"GB", "CH", "US", "NO", "JP"})


@pytest.mark.parametrize(("country", "vat_id", "kind", "expected"), [
    ("DE", "DE136695976", None, TaxTreatment.DOMESTIC),
    ("DE", None, None, TaxTreatment.DOMESTIC),
    (None, None, None, TaxTreatment.DOMESTIC),
    ("FR", "FR40303265045", None, TaxTreatment.EU_REVERSE_CHARGE),
    ("FR", None, None, None),
    ("AT", None, BuyerKind.BUSINESS, TaxTreatment.DOMESTIC),
    ("AT", None, BuyerKind.CONSUMER, TaxTreatment.DOMESTIC),
    ("US", None, None, TaxTreatment.OUTSIDE_SCOPE),
    ("CH", "CHE-116.281.710 MWST", None, TaxTreatment.OUTSIDE_SCOPE),
    ("GB", None, BuyerKind.CONSUMER, TaxTreatment.OUTSIDE_SCOPE),
])
def test_the_treatment_follows_seller_and_buyer(country: str | None, vat_id: str | None,
                                                kind: BuyerKind | None,
                                                expected: TaxTreatment | None) -> None:
    assert tax_treatment("DE", country, vat_id, kind) == expected


@given(st.sampled_from(["DE", "FR", "AT"]), st.sampled_from([None, *COUNTRIES]),
       st.booleans(), st.sampled_from([None, *BuyerKind]))
def test_the_rule_never_decides_goods_and_never_taxes_an_eu_buyer_silently(
        seller: str, buyer: str | None, has_id: bool, kind: BuyerKind | None) -> None:
    decided = tax_treatment(seller, buyer, "X" if has_id else None, kind)
    assert decided is not TaxTreatment.EXPORT  # G is for goods only, a clerk's choice
    abroad_in_eu = buyer in EU and buyer != seller
    if abroad_in_eu and not has_id:
        assert decided is (None if kind is None else TaxTreatment.DOMESTIC)
    if abroad_in_eu and has_id:
        assert decided is TaxTreatment.EU_REVERSE_CHARGE
    if buyer is not None and buyer not in EU:
        assert decided is TaxTreatment.OUTSIDE_SCOPE


def test_each_treatment_has_its_category_and_statement() -> None:
    assert vat_for(TaxTreatment.DOMESTIC, RATE) == Vat("S", RATE, None)
    assert vat_for(TaxTreatment.EU_REVERSE_CHARGE, RATE) == Vat("AE", Decimal(0), REVERSE_CHARGE)
    assert vat_for(TaxTreatment.OUTSIDE_SCOPE, RATE) == Vat("O", Decimal(0), PLACE_OF_SUPPLY)
    assert vat_for(TaxTreatment.EXPORT, RATE).category == "G"
    assert "place of supply" in PLACE_OF_SUPPLY and "Reverse charge" in REVERSE_CHARGE


def _profile(country: str, vat_id: str | None, kind: BuyerKind | None = None
             ) -> BillingProfile:
    return BillingProfile("c1", "Lumière SARL", "Lumière SARL", "EUR", None, None, 14,
                          InvoiceDateRule.TODAY, False, LineGrouping.OFFER_PER_PERIOD,
                          "default", country=country, vat_id=vat_id, buyer_kind=kind)


def test_a_run_cannot_bill_an_eu_buyer_without_vat_id_until_the_profile_says_its_kind() -> None:
    with pytest.raises(VatIdMissing) as missing:
        _profile("FR", None).terms(RATE, "DE")
    assert missing.value.field == "vat_id" and "buyer_kind" in missing.value.reason
    assert str(missing.value) == vat_id_missing("Lumière SARL") == (
        "VAT id missing for EU business customer Lumière SARL: not billed")
    assert _profile("FR", None, BuyerKind.CONSUMER).terms(RATE, "DE").tax_treatment is (
        TaxTreatment.DOMESTIC)


def test_a_drafts_treatment_is_decided_again_when_the_buyer_changes() -> None:
    presets = _profile("FR", None).presets("DE")
    assert presets.tax_treatment is None
    with pytest.raises(VatIdMissing):
        presets.issuable_treatment()
    draft = Draft(presets, [])
    draft.change_presets({"vat_id": "FR40303265045"}, RATE, "DE")
    assert draft.presets.tax_treatment is TaxTreatment.EU_REVERSE_CHARGE
    draft.change_presets({"vat_id": None, "buyer_kind": "consumer"}, RATE, "DE")
    assert draft.presets.tax_treatment is TaxTreatment.DOMESTIC
    assert draft.presets.buyer_kind is BuyerKind.CONSUMER
    draft.change_presets({"tax_treatment": TaxTreatment.EXPORT}, RATE, "DE")  # a clerk's G
    assert draft.presets.tax_treatment is TaxTreatment.EXPORT


def test_presets_of_old_drafts_read_without_a_buyer_kind() -> None:
    assert Presets("A", TaxTreatment.DOMESTIC, "EUR", 14, InvoiceDateRule.TODAY,
                   LineGrouping.PERIOD, "default").buyer_kind is None


@pytest.mark.parametrize(("vat_id", "country"), [
    ("DE136695976", "DE"), ("DE 136 695 976", "DE"), ("FR40303265045", "FR"),
    ("ATU13585627", "AT"), ("EL094259216", "GR"), ("CHE-116.281.710 MWST", "CH"),
    ("GB980780684", "GB"), ("12-3456789", "US"), ("DE136695976", "FR")])
def test_valid_vat_ids_pass(vat_id: str, country: str) -> None:
    assert vat_id_problem(vat_id, country) is None


@pytest.mark.parametrize(("vat_id", "country", "says"), [
    ("DE136695977", "DE", "checksum"), ("FR123", "FR", "length"),
    ("DE999999999", "DE", "checksum"), ("40303265045", "FR", "country code FR"),
    ("CHE-116.281.711", "CH", "CH VAT id")])
def test_invalid_vat_ids_say_why(vat_id: str, country: str, says: str) -> None:
    problem = vat_id_problem(vat_id, country)
    assert problem is not None and says in problem and vat_id in problem


def test_the_simulated_network_has_valid_vat_ids_and_every_case() -> None:
    ids = {(c, n): simulated_vat_id(c, n) for c in ("DE", "FR", "AT", "GB", "US")
           for n in range(1, 60)}
    assert all(vat_id_problem(v, c) is None for (c, _), v in ids.items() if v)
    assert all(ids[("DE", n)] for n in range(1, 60))
    assert any(ids[("FR", n)] for n in range(1, 60)) and not all(
        ids[("AT", n)] for n in range(1, 60))
    assert not any(ids[(c, n)] for c in ("GB", "US") for n in range(1, 60))
