"""Editing a customer's billing profile: optimistic version, XRechnung and series checks,
the change and its audit entry in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_billing.adapters import profile_rows, seller_entities_repo
from affbill_billing.domain.customers import Side, side_of
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.payouts import bank_problems, compact_bank
from affbill_billing.domain.profiles import tax_treatment
from affbill_billing.service_layer import audit_trail
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.invoices import EInvoiceFormat
from affbill_contracts.vat_ids import vat_id_problem

NO_PROFILE = "No billing profile for this customer"


async def read_profile(engine: AsyncEngine, customer_id: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        found = await profile_rows.row(conn, customer_id)
    if found is None:
        raise NotFound(NO_PROFILE)
    return found


def _xrechnung_reference(current: dict[str, Any], changes: dict[str, Any]) -> None:
    """An XRechnung buyer must have a buyer reference (BT-10) and an electronic address
    (BT-49, the first e-mail recipient), as the profile will stand."""
    fmt = changes.get("e_invoice_format", current["e_invoice_format"])
    reference = changes.get("buyer_reference", current["buyer_reference"])
    if fmt == EInvoiceFormat.XRECHNUNG and not (reference or "").strip():
        raise DraftError("buyer_reference",
                         "xrechnung requires a buyer reference (BT-10, the buyer's Leitweg-ID)")
    recipients = changes.get("email_recipients", current["email_recipients"])
    if fmt == EInvoiceFormat.XRECHNUNG and not recipients:
        raise DraftError("email_recipients", "xrechnung requires the buyer's electronic "
                         "address (BT-49): give at least one e-mail recipient")


def _vat(current: dict[str, Any], changes: dict[str, Any], seller_country: str) -> None:
    """Check the VAT id as the profile will stand and store the treatment the rule decides
    from country, VAT id and buyer kind (None: an EU buyer without id, kind not said)."""
    country = changes.get("country", current["country"])
    vat_id = changes.get("vat_id", current["vat_id"])
    if vat_id and (problem := vat_id_problem(vat_id, country)):
        raise DraftError("vat_id", problem)
    decided = tax_treatment(seller_country, country, vat_id,
                            changes.get("buyer_kind", current.get("buyer_kind")))
    changes["tax_treatment"] = decided.value if decided else None


AFFILIATE_FIELDS = ("tax_status", "tax_number", "payout_method", "bank_account")


def _affiliate(customer_id: str, changes: dict[str, Any]) -> None:
    """Payout fields belong to affiliates; bank details are checked (IBAN check digits, BIC
    format) and stored compact."""
    given = [f for f in AFFILIATE_FIELDS if f in changes]
    if given and side_of(customer_id) is not Side.AFFILIATE:
        raise DraftError(given[0], "only an affiliate's profile has payout details")
    if bank := changes.get("bank_account"):
        if problems := bank_problems(bank):
            raise DraftError(*problems[0])
        changes["bank_account"] = compact_bank(bank)


async def change_profile(engine: AsyncEngine, customer_id: str, changes: dict[str, Any],
                         version: int | None, seller_country: str = "DE") -> None:
    """Apply the clerk's changes if the profile is still at `version` (None: any)."""
    async with engine.begin() as conn:
        current_version = await profile_rows.locked_version(conn, customer_id)
        if current_version is None:
            raise NotFound(NO_PROFILE)
        if version is not None and version != current_version:
            raise Refused(f"The profile changed meanwhile (now version {current_version})")
        if not changes:
            return
        before = await profile_rows.row(conn, customer_id)
        assert before is not None  # locked above
        _affiliate(customer_id, changes)
        if {"e_invoice_format", "buyer_reference", "email_recipients"} & changes.keys():
            _xrechnung_reference(before, changes)
        if changes.get("seller_entity") and not await seller_entities_repo.entity_held(
                conn, changes["seller_entity"]):
            raise DraftError("seller_entity", f"no seller entity {changes['seller_entity']!r}")
        if {"country", "vat_id", "buyer_kind", "seller_entity"} & changes.keys():
            entity = changes.get("seller_entity", before.get("seller_entity"))
            if entity:
                seller_country = (await seller_entities_repo.all_entities(conn))[entity].country
            _vat(before, changes, seller_country)
        for field in ("number_series", "credit_note_series", "cancellation_series"):
            if changes.get(field) and not await profile_rows.series_held(conn, changes[field]):
                raise DraftError(field, f"no number series {changes[field]!r}")
        await profile_rows.update(conn, customer_id, changes)
        await audit_trail.profile_changed(conn, customer_id, audit_trail.profile_json(before))
