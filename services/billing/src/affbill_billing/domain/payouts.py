"""The affiliate side: what a payee is for VAT, how it is paid, and the VAT a self-billed
credit note (EN 16931 type 389, "Gutschrift") states for it. Pure, no I/O.

In self-billing the network writes the affiliate's invoice: the affiliate is the seller,
the network the buyer, and VAT follows the *affiliate's* status — a domestic VAT-registered
affiliate charges the domestic rate (S), an EU affiliate with a VAT id supplies under
reverse charge (AE), an affiliate outside the EU supplies where the network is (O, the
network accounts for any VAT), a small business (§19 UStG) is exempt (E), and someone who
is not a business supplies nothing subject to VAT (O).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from stdnum import bic as bics
from stdnum import iban as ibans
from stdnum.exceptions import ValidationError

from affbill_billing.domain.invoice_lines import Vat
from affbill_billing.domain.profiles import EU

SELF_BILLING = {
    "en": "Self-billing: this credit note is issued by the recipient of the services in "
          "the name and for the account of the supplier (Art. 226(10a) VAT Directive).",
    "de": "Gutschrift im Sinne des § 14 Abs. 2 Satz 2 UStG: ausgestellt vom Leistungsempfänger "
          "im Namen und für Rechnung des Leistenden (§ 14 Abs. 4 Satz 1 Nr. 10 UStG).",
}
REVERSE_CHARGE = ("Reverse charge: VAT to be accounted for by the recipient"
                  " (Art. 196 VAT Directive).")
SMALL_BUSINESS = ("Exempt: the supplier is a small business (Kleinunternehmer, § 19 UStG); "
                  "no VAT is charged.")
NON_EU = ("Not subject to VAT in the supplier's country: the service is supplied where the "
          "recipient is established (Art. 44 VAT Directive); the recipient accounts for any "
          "VAT due.")
NOT_A_BUSINESS = "Not subject to VAT: the supplier is not a business (no taxable person)."


class AffiliateTaxStatus(StrEnum):
    """What an affiliate is for VAT; decides the VAT of its self-billed credit notes."""

    DOMESTIC_VAT = "domestic_vat"  # VAT-registered in the network's country: S
    EU_REVERSE_CHARGE = "eu_reverse_charge"  # another EU country, with a VAT id: AE
    NON_EU = "non_eu"  # established outside the EU: O
    SMALL_BUSINESS = "small_business"  # exempt as a small business (§ 19 UStG): E
    NOT_A_BUSINESS = "not_a_business"  # a private person: O


class PayoutMethod(StrEnum):
    SEPA = "sepa"  # SEPA credit transfer (EUR, IBAN + BIC)
    WIRE = "wire"  # another bank transfer (payment provider)
    PAYPAL = "paypal"
    OTHER = "other"


@dataclass(frozen=True)
class BankDetails:
    account_holder: str
    iban: str
    bic: str | None = None
    bank_name: str | None = None


class TaxStatusMissing(ValueError):
    """An affiliate whose tax status is neither set nor clear from its country and VAT id."""

    field = "tax_status"

    def __init__(self, name: str) -> None:
        super().__init__(tax_status_missing(name))
        self.reason = (f"Tax status missing for affiliate {name}: set tax_status "
                       "(domestic_vat, eu_reverse_charge, non_eu, small_business, "
                       "not_a_business)")


def tax_status_missing(name: str) -> str:
    """The job-log line of a run that leaves the affiliate's payout items open."""
    return f"Tax status missing for affiliate {name}: not paid"


def tax_status(set_status: AffiliateTaxStatus | str | None, network_country: str,
               country: str | None, vat_id: str | None) -> AffiliateTaxStatus | None:
    """The profile's status, else what country and VAT id make plain: a VAT id at home is
    domestic, in another EU country reverse charge, a country outside the EU non-EU. An
    affiliate at home or in the EU without a VAT id may be a small business or no business
    at all: None, until the profile says."""
    if set_status:
        return AffiliateTaxStatus(set_status)
    if country and country not in EU and country != network_country:
        return AffiliateTaxStatus.NON_EU
    if vat_id and (not country or country == network_country):
        return AffiliateTaxStatus.DOMESTIC_VAT
    if vat_id and country in EU:
        return AffiliateTaxStatus.EU_REVERSE_CHARGE
    return None


def payout_vat(status: AffiliateTaxStatus, domestic_rate: Decimal) -> Vat:
    """The VAT of a self-billed credit note's lines for the affiliate's status."""
    if status is AffiliateTaxStatus.DOMESTIC_VAT:
        return Vat("S", domestic_rate)
    if status is AffiliateTaxStatus.EU_REVERSE_CHARGE:
        return Vat("AE", Decimal(0), REVERSE_CHARGE)
    if status is AffiliateTaxStatus.SMALL_BUSINESS:
        return Vat("E", Decimal(0), SMALL_BUSINESS)
    if status is AffiliateTaxStatus.NON_EU:
        return Vat("O", Decimal(0), NON_EU)
    return Vat("O", Decimal(0), NOT_A_BUSINESS)


def pays_now(total: Decimal, threshold: Decimal | None) -> bool:
    """A run pays an affiliate's total when it is positive and reaches the payout
    threshold. A negative balance (conversions reversed after a payout) is never paid out
    as a negative transfer: its items stay open and are netted with later payouts."""
    return total > 0 and (threshold is None or total >= threshold)


def bank_problems(bank: dict[str, object]) -> list[tuple[str, str]]:
    """What is wrong with bank details as (field, reason): the holder is required, the IBAN
    must pass its check digits, a BIC (optional inside SEPA) its format and country."""
    found: list[tuple[str, str]] = []
    if not str(bank.get("account_holder") or "").strip():
        found.append(("bank_account.account_holder", "is required"))
    iban = str(bank.get("iban") or "")
    try:
        ibans.validate(iban)
    except ValidationError as exc:
        found.append(("bank_account.iban", f"{iban!r} is not an IBAN: {exc}"))
    if bic := bank.get("bic"):
        try:
            bics.validate(str(bic))
        except ValidationError as exc:
            found.append(("bank_account.bic", f"{bic!r} is not a BIC: {exc}"))
    return found


def compact_bank(bank: dict[str, object]) -> dict[str, object]:
    """Bank details as stored: IBAN and BIC without spaces, upper case."""
    return {**bank, "iban": ibans.compact(str(bank["iban"])),
            **({"bic": bics.compact(str(bank["bic"]))} if bank.get("bic") else {})}
