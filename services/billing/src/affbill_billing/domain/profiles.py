"""Billing profiles: a customer's billing presets, and the VAT treatment its documents get.

The treatment is decided per document from the seller and the buyer (``tax_treatment``),
never stored as a clerk's guess: domestic buyers pay the seller country's VAT; EU
businesses with a VAT id get reverse charge; services to buyers outside the EU are not
subject to VAT in the seller's country (place of supply abroad). An EU buyer without a VAT
id is never billed as domestic silently: the profile must say whether it is a business
without an id or a consumer (``buyer_kind``).
"""

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
    DOMESTIC = "domestic"  # S at the seller country's rate (also EU buyers without VAT id)
    EU_REVERSE_CHARGE = "eu_reverse_charge"  # AE: another EU country, buyer has a VAT id
    OUTSIDE_SCOPE = "outside_scope"  # O: services to a buyer outside the EU
    EXPORT = "export"  # G: export of goods only (a clerk's choice on a draft, never decided)


class BuyerKind(StrEnum):
    """What an EU buyer without a VAT id is; the rule needs to be told."""

    BUSINESS = "business"  # a business that has no VAT id (taxed like a consumer)
    CONSUMER = "consumer"


class VatIdMissing(ValueError):
    """An EU buyer outside the seller's country has no VAT id and no declared kind."""

    field = "vat_id"

    def __init__(self, name: str) -> None:
        super().__init__(vat_id_missing(name))
        self.reason = (f"VAT id missing for EU business customer {name}: give the buyer's VAT "
                       "id, or set buyer_kind to 'business' (no VAT id) or 'consumer'")


def vat_id_missing(name: str) -> str:
    """The job-log line of a run that leaves the customer's items open."""
    return f"VAT id missing for EU business customer {name}: not billed"


def tax_treatment(seller_country: str, buyer_country: str | None, buyer_vat_id: str | None,
                  buyer_kind: BuyerKind | str | None = None) -> TaxTreatment | None:
    """The VAT treatment of a B2B service document (None: an EU buyer without VAT id whose
    kind the profile does not say — such a customer is not billed until it does)."""
    if not buyer_country or buyer_country == seller_country:
        return TaxTreatment.DOMESTIC
    if buyer_country in EU:
        if buyer_vat_id:
            return TaxTreatment.EU_REVERSE_CHARGE
        # no VAT id: the place of supply stays with the seller (Art. 45 VAT Directive)
        return TaxTreatment.DOMESTIC if buyer_kind else None
    return TaxTreatment.OUTSIDE_SCOPE


def decided(seller_country: str, buyer_country: str | None, buyer_vat_id: str | None,
            buyer_kind: BuyerKind | str | None, name: str) -> TaxTreatment:
    """``tax_treatment``, or VatIdMissing naming the customer."""
    treatment = tax_treatment(seller_country, buyer_country, buyer_vat_id, buyer_kind)
    if treatment is None:
        raise VatIdMissing(name)
    return treatment


default_tax_treatment = tax_treatment  # the name ingest and the oracle know it by
