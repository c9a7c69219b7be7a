"""The seller's mandatory details: shipped as examples, refused in production, printed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from affbill_billing.config import PLACEHOLDERS, Settings
from affbill_billing.service_layer.documents import seller
from affbill_documents.domain.printing import print_model
from tests.unit.documents.vat_samples import vat_document

SECRET = "s" * 32
REAL = {"seller_name": "Real Network GmbH", "seller_vat_id": "DE136695976",
        "seller_tax_number": "27/815/08155", "seller_iban": "DE02120300000000202051",
        "seller_bic": "BYLADEM1001", "seller_register": "Amtsgericht München HRB 123456",
        "seller_register_number": "HRB 123456", "seller_address_lines": ("Leopoldstraße 1",),
        "seller_managing_directors": ("Erika Musterfrau",)}


def production(**values: object) -> Settings:
    return Settings(**{"AFFBILL_ENV": "production", "AFFBILL_INTERNAL_SECRET": SECRET,
                       **values})


@pytest.mark.parametrize("name", PLACEHOLDERS)
def test_production_refuses_each_shipped_placeholder_naming_the_setting(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        production(**{k: v for k, v in REAL.items() if k != name})
    assert f"AFFBILL_BILLING_{name.upper()}" in str(refused.value)
    assert "AFFBILL_ENV=production" in str(refused.value)


def test_production_starts_with_real_details_and_development_with_the_examples() -> None:
    assert production(**REAL).seller_name == "Real Network GmbH"
    assert Settings().seller_name == "Affiliate Network GmbH"


def test_every_document_names_the_sellers_mandatory_details() -> None:
    party = seller(Settings(**REAL))
    assert (party.name, party.vat_id, party.tax_number, party.company_register,
            party.legal_registration_id, party.managing_directors) == (
        "Real Network GmbH", "DE136695976", "27/815/08155", "Amtsgericht München HRB 123456",
        "HRB 123456", ["Erika Musterfrau"])
    printed = print_model(vat_document("domestic"))
    assert printed["seller"]["directors"] == "Max Mustermann"
    assert printed["seller"]["register"] and printed["seller"]["tax_number"]
    assert printed["payment"]["bank"] and printed["payment"]["iban"]
