"""SEPA credit transfer files, ISO 20022 pain.001.001.09: built with sepaxml, then checked
with lxml against the vendored XSD (schemas/README.md), so a file that does not validate is
never handed out. Why .09: schemas/README.md."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cache
from pathlib import Path

from lxml import etree
from sepaxml import SepaTransfer

from affbill_billing.domain.payout_files import SEPA_CURRENCY, Payout
from affbill_billing.domain.seller_entities import SellerEntity

SCHEMA = "pain.001.001.09"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
XSD = Path(__file__).parent / "schemas" / f"{SCHEMA}.xsd"


class InvalidPaymentFile(ValueError):
    """The file the bank would reject: the XSD's messages, none kept."""


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def problems(xml: bytes) -> list[str]:
    """The XSD's findings on a pain.001.001.09 file (empty: valid)."""
    checker = schema()
    if checker.validate(etree.fromstring(xml)):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


def _payment(payout: Payout, execution: dt.date) -> dict[str, object]:
    return {"name": payout.payee, "IBAN": payout.iban, "amount": payout.cents,
            "execution_date": execution, "description": payout.number,
            "endtoend_id": payout.number, **({"BIC": payout.bic} if payout.bic else {})}


def sepa_file(file_id: uuid.UUID, debtor: SellerEntity, payouts: list[Payout],
              created: dt.datetime, execution: dt.date) -> bytes:
    """One batch of credit transfers from the entity's first bank account: creditor the
    affiliate's IBAN (and BIC), amount the credit note's total, remittance its number; the
    message and payment information ids are the file's id."""
    account = debtor.bank
    if account is None:
        raise InvalidPaymentFile(f"Seller entity {debtor.entity} has no bank account")
    transfer = SepaTransfer({
        "name": debtor.legal_name, "IBAN": account.iban, "batch": True,
        "currency": SEPA_CURRENCY, **({"BIC": account.bic} if account.bic else {})},
        schema=SCHEMA, clean=True)
    for payout in payouts:
        transfer.add_payment(_payment(payout, execution))
    root = etree.fromstring(transfer.export(validate=False))
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text = file_id.hex
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", NS).text = (
        created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    for n, info in enumerate(root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", NS)):
        info.text = f"{file_id.hex}-{n + 1}"
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if found := problems(xml):
        raise InvalidPaymentFile("; ".join(found))
    return xml
