"""Billing profiles: a customer's billing presets, and the defaults core data gives them."""

from __future__ import annotations

from enum import StrEnum

EU = frozenset(["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"])


class CurrencyMode(StrEnum):
    """Items in several currencies: one document per currency, or one in the billing
    currency with every line converted (domain/conversion.py)."""

    SPLIT = "split"
    CONVERT = "convert"


class TaxTreatment(StrEnum):
    DOMESTIC = "domestic"  # the seller's country: its VAT rate
    EU_REVERSE_CHARGE = "eu_reverse_charge"  # another EU country, buyer has a VAT id
    EXPORT = "export"  # outside the EU


def default_tax_treatment(seller_country: str, buyer_country: str | None,
                          buyer_vat_id: str | None) -> TaxTreatment:
    """What the law usually asks for B2B services; a clerk can change it per profile."""
    if not buyer_country or buyer_country == seller_country:
        return TaxTreatment.DOMESTIC
    if buyer_country in EU:
        return TaxTreatment.EU_REVERSE_CHARGE if buyer_vat_id else TaxTreatment.DOMESTIC
    return TaxTreatment.EXPORT
