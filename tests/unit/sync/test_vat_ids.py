"""A partner whose VAT id is not one of its country is quarantined with the reason."""

from __future__ import annotations

from affbill_contracts.adtracker import AdvertiserSynced, PartnerStatus
from affbill_contracts.common import PostalAddress
from affbill_sync.adapters.connectors import mapping
from affbill_sync.domain.quarantine import Rejected


def partner(vat_id: str | None, country: str = "FR") -> object:
    raw = {"id": "7", "vat_id": vat_id}
    return mapping.build("advertiser", AdvertiserSynced, raw, connector="ho", advertiser_id="7",
                         company="Lumière SARL", status=PartnerStatus.ACTIVE, vat_id=vat_id,
                         address=PostalAddress(lines=["1 rue"], country_code=country))


def test_a_bad_vat_id_is_quarantined_naming_field_and_reason() -> None:
    rejected = partner("FR100000003")
    assert isinstance(rejected, Rejected) and rejected.raw["vat_id"] == "FR100000003"
    assert rejected.reason.startswith("vat_id: 'FR100000003' is not a valid FR VAT id")
    wrong_country = partner("12345678")
    assert isinstance(wrong_country, Rejected) and "country code FR" in wrong_country.reason


def test_valid_or_absent_vat_ids_pass() -> None:
    assert isinstance(partner("FR40303265045"), AdvertiserSynced)
    assert isinstance(partner(None), AdvertiserSynced)
    assert isinstance(partner("CHE-116.281.710 MWST", "CH"), AdvertiserSynced)
