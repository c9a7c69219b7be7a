"""Payout files: which issued self-billed credit notes are paid out how, and the CSV for the
payment provider. Pure, no I/O.

A credit note is paid out once: by SEPA credit transfer (pain.001.001.09) when the
affiliate is paid by SEPA in EUR, otherwise through a CSV for the payment provider (another
currency, or another payout method). One file per seller entity, format and currency: the entity's
bank account is the debtor of its SEPA file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from affbill_billing.domain.money import round_money
from affbill_billing.domain.payouts import PayoutMethod

SEPA_CURRENCY = "EUR"
CSV_COLUMNS = ("credit_note", "affiliate_id", "payee", "payout_method", "currency", "amount",
               "iban", "bic", "reference")


class FileFormat(StrEnum):
    SEPA = "sepa"  # pain.001.001.09, EUR, for the entity's bank
    CSV = "csv"  # for the payment provider: other currencies and methods


@dataclass(frozen=True)
class Payout:
    """One issued credit note to pay out: its amount due to the affiliate's account."""

    invoice_id: uuid.UUID
    number: str
    customer_id: str
    payee: str  # the account holder, else the affiliate's name
    entity: str  # the seller entity whose account pays
    currency: str
    amount: Decimal
    method: str | None
    iban: str | None = None
    bic: str | None = None
    exported_in: uuid.UUID | None = None  # the payout file that already holds it

    @property
    def file_format(self) -> FileFormat:
        sepa = self.method == PayoutMethod.SEPA and self.currency == SEPA_CURRENCY
        return FileFormat.SEPA if sepa else FileFormat.CSV

    @property
    def cents(self) -> int:
        """The amount in cents, exact (the credit note's total is rounded to cents)."""
        return int(round_money(self.amount, self.currency) * 100)


def refusal(payout: Payout) -> str | None:
    """Why this credit note cannot be paid out now (None: it can)."""
    if payout.amount <= 0:
        return f"nothing to pay out ({payout.amount:f} {payout.currency})"
    if payout.method is None:
        return "no payout_method in the affiliate's profile"
    if payout.method == PayoutMethod.SEPA and not payout.iban:
        return "paid by SEPA but the profile has no bank_account.iban"
    return None


FileKey = tuple[str, FileFormat, str]  # seller entity, format, currency


def grouped(payouts: list[Payout]) -> dict[FileKey, list[Payout]]:
    """The files to write: one per seller entity, format and currency, credit notes in
    number order."""
    files: dict[FileKey, list[Payout]] = defaultdict(list)
    for payout in sorted(payouts, key=lambda p: p.number):
        files[payout.entity, payout.file_format, payout.currency].append(payout)
    return dict(sorted(files.items()))


def filename(key: FileKey, file_id: uuid.UUID, day: dt.date) -> str:
    entity, file_format, currency = key
    suffix = "xml" if file_format is FileFormat.SEPA else "csv"
    return f"payouts-{entity}-{currency}-{day:%Y%m%d}-{file_id.hex[:8]}.{suffix}"


def csv_text(payouts: list[Payout]) -> str:
    """The payment provider's file: one row per credit note, the number as reference."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in payouts:
        writer.writerow((p.number, p.customer_id, p.payee, p.method or "", p.currency,
                         f"{round_money(p.amount, p.currency):f}", p.iban or "", p.bic or "",
                         p.number))
    return out.getvalue()


def total(payouts: list[Payout]) -> Decimal:
    return sum((round_money(p.amount, p.currency) for p in payouts), Decimal(0))
