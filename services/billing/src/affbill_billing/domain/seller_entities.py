"""Seller entities: the network's companies that issue documents (a GmbH, a Ltd, an Inc),
each with the details every document must print. Pure, no I/O.

A profile names its entity; a profile naming none is billed by the deployment's configured
seller (the billing settings), which is an entity too (``CONFIGURED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stdnum import iban as ibans
from stdnum.exceptions import ValidationError

from affbill_billing.domain.fx import RateDateRule
from affbill_contracts.vat_ids import vat_id_problem

CONFIGURED = "default"  # the entity the settings describe
LANGUAGES = ("de", "en")
REQUIRED = ("legal_name", "country", "register_court", "register_number")


@dataclass(frozen=True)
class BankAccount:
    iban: str
    bic: str | None = None
    bank_name: str | None = None


@dataclass(frozen=True)
class SellerEntity:
    entity: str
    legal_name: str
    address: dict[str, Any]  # lines, postal_code, city
    country: str
    vat_id: str | None
    tax_number: str | None
    managing_directors: tuple[str, ...]
    register_court: str
    register_number: str
    bank_accounts: tuple[BankAccount, ...]
    language: str = "en"
    domestic_vat_rate: Decimal = Decimal(19)
    # which day's exchange rate its foreign-currency documents use (None: the settings')
    fx_rate_date: RateDateRule | None = None
    # the series its invoices are numbered from where a profile keeps the shipped `default`
    number_series: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def company_register(self) -> str:
        """Court and number as printed ("Amtsgericht Berlin HRB 123456")."""
        return f"{self.register_court} {self.register_number}".strip()

    @property
    def bank(self) -> BankAccount | None:
        """The account documents ask to pay to: the first."""
        return self.bank_accounts[0] if self.bank_accounts else None


def problems(entity: SellerEntity) -> list[tuple[str, str]]:
    """What keeps the entity from issuing lawful documents: (field, reason) pairs."""
    found = [(name, "is required") for name in REQUIRED if not getattr(entity, name)]
    if not (entity.vat_id or entity.tax_number):
        found.append(("vat_id", "give the VAT id or the tax number (BR-CO-26, BR-S-02)"))
    if entity.vat_id and (problem := vat_id_problem(entity.vat_id, entity.country)):
        found.append(("vat_id", problem))
    if not entity.managing_directors:
        found.append(("managing_directors", "name at least one managing director"))
    if not entity.address.get("lines") or not entity.address.get("city"):
        found.append(("address", "give the street and the city"))
    if not entity.bank_accounts:
        found.append(("bank_accounts", "give at least one bank account"))
    for n, account in enumerate(entity.bank_accounts):
        try:
            ibans.validate(account.iban)
        except ValidationError as exc:
            found.append((f"bank_accounts.{n}.iban", f"{account.iban!r} is not an IBAN: {exc}"))
    if entity.language not in LANGUAGES:
        found.append(("language", f"one of {', '.join(LANGUAGES)}"))
    if not 0 < entity.domestic_vat_rate < 100:
        found.append(("domestic_vat_rate", "a rate in percent above 0"))
    return found
