"""Seller entities as data: created and edited through the API with every mandatory detail
checked; a profile names its entity, and its documents print that entity's details and
take their VAT from that entity's country."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from affbill_runtime.runtime import Runtime
from tests.integration.billing.test_drafts import ANNA
from tests.integration.billing.test_vat import customer_in, issued, run

pytestmark = pytest.mark.integration


def irish_ltd(name: str) -> dict[str, Any]:
    return {"entity": name, "legal_name": "Affiliate Network Ireland Ltd",
            "address": {"lines": ["1 Grand Canal Square"], "postal_code": "D02 P820",
                        "city": "Dublin"},
            "country": "IE", "vat_id": "IE6388047V", "tax_number": "6388047V",
            "managing_directors": ["Siobhan Murphy", "Liam Byrne"],
            "register_court": "Companies Registration Office", "register_number": "654321",
            "bank_accounts": [{"iban": "IE29AIBK93115212345678", "bic": "AIBKIE2D",
                               "bank_name": "AIB"}],
            "language": "en", "domestic_vat_rate": "23"}


async def test_an_entity_bills_its_customers_with_its_own_details_and_vat(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    name = f"ie-{uuid.uuid4().hex[:6]}"
    made = await api.post("/seller-entities", json=irish_ltd(name), headers=ANNA)
    assert made.status_code == 201, made.text
    assert made.json()["company_register"] == "Companies Registration Office 654321"
    irish = await customer_in(billing, "IE", None)  # domestic for the Irish entity
    german = await customer_in(billing, "DE", "DE136695976")  # EU abroad, with VAT id
    for cid in (irish, german):
        named = await api.patch(f"/customers/{cid}/profile", json={"seller_entity": name},
                                headers=ANNA)
        assert named.status_code == 200, named.text
    assert (await run(billing, irish))["documents_created"] == 1
    assert (await run(billing, german))["documents_created"] == 1
    [domestic] = await issued(billing, irish)
    assert domestic.seller.name == "Affiliate Network Ireland Ltd"
    assert domestic.seller.vat_id == "IE6388047V" and domestic.seller.address.country_code == "IE"
    assert domestic.seller.managing_directors == ["Siobhan Murphy", "Liam Byrne"]
    assert domestic.seller.legal_registration_id == "654321"
    assert domestic.payment.iban == "IE29AIBK93115212345678"
    assert {(g.vat_category.value, g.vat_rate) for g in domestic.tax_breakdown} == {("S", 23)}
    [reverse] = await issued(billing, german)
    assert {g.vat_category.value for g in reverse.tax_breakdown} == {"AE"}
    assert reverse.buyer.vat_id == "DE136695976"


async def test_bad_details_are_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    name = f"bad-{uuid.uuid4().hex[:6]}"
    for field, value, says in (
            ("vat_id", "IE1234567X", "IE VAT id"),
            ("bank_accounts", [{"iban": "IE29AIBK93115212345679"}], "IBAN"),
            ("managing_directors", [], "managing_directors")):
        refused = await api.post("/seller-entities", json={**irish_ltd(name), field: value},
                                 headers=ANNA)
        assert refused.status_code == 422 and field in refused.text and says in refused.text
    assert (await api.post("/seller-entities", json=irish_ltd(name), headers=ANNA)
            ).status_code == 201
    again = await api.post("/seller-entities", json=irish_ltd(name), headers=ANNA)
    assert again.status_code == 409
    moved = await api.patch(f"/seller-entities/{name}", json={
        "version": 1, "managing_directors": ["Aoife Kelly"]}, headers=ANNA)
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = await api.patch(f"/seller-entities/{name}", json={
        "version": 1, "legal_name": "Other Ltd"}, headers=ANNA)
    assert stale.status_code == 409


async def test_a_profile_cannot_name_an_unknown_entity(billing: Runtime,
                                                       api: httpx.AsyncClient) -> None:
    cid = await customer_in(billing, "DE", None)
    refused = await api.patch(f"/customers/{cid}/profile", json={"seller_entity": "nope"},
                              headers=ANNA)
    assert refused.status_code == 422 and "seller_entity" in refused.text
