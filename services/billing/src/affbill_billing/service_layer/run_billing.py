"""Billing one run's customers: per customer one transaction, per currency one document.

A customer whose open items (read unlocked, many customers at once) make exactly one
document is billed by one statement that keeps its writes only if the items are still
the ones read (adapters/sql/invoice_items_as_read.sql). Every other customer — no
profile, drafts by default, several currencies, below the threshold, items changed — is
billed on the locking path (run_locked.py): lock its items (SKIP LOCKED), plan, write,
commit. The first is the second's fast case: both bill the same items into the same
documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from affbill_billing.adapters import billable_items
from affbill_billing.adapters.invoices import pending
from affbill_billing.adapters.invoices.pending import PENDING_WITHOUT_FLUSH
from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.en16931 import check
from affbill_billing.domain.fx import MissingRate, RateBook
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.runs import ItemsChanged
from affbill_billing.service_layer.rates import rate_book
from affbill_billing.service_layer.run_conversion import converted_skip
from affbill_billing.service_layer.run_locked import bill_locked
from affbill_billing.service_layer.run_work import RunWork, pending_document, total_of

RATES_BACK = dt.timedelta(days=400)


def one_document_currency(work: RunWork, profile: BillingProfile | None,
                          items: Sequence[Item]) -> str | None:
    """The currency when the items make exactly one issued document now; None when the
    locking path decides (no profile, drafts by default, VAT treatment undecided, several
    currencies in split mode, threshold, a missing rate). Convert mode makes one document
    of all the items."""
    currency = items[0].currency
    if (profile is None or profile.drafts_by_default
            or profile.tax_treatment(work.ctx.seller_country) is None):
        return None
    if target := profile.converts_into():
        try:
            return target if converted_skip(work, profile, items) is None else None
        except MissingRate:
            return None
    if (any(i.currency != currency for i in items)
            or not profile.bills_now(total_of(items, currency), currency)):
        return None
    return currency


async def bill_chunk(work: RunWork, customers: Sequence[str],
                     profiles: dict[str, BillingProfile]) -> None:
    """Bill some customers: those whose items make one document in one statement each
    (on one connection, reading their items at once), the others on the locking path."""
    locking: list[str] = []
    if work.rates is None:
        work.rates = await rates_known(work)
    async with work.uow_factory() as uow:
        conn = await uow.autocommit_connection()
        items = await billable_items.open_items(conn, customers, work.ctx)
        await conn.execute(PENDING_WITHOUT_FLUSH)
        try:
            for customer in customers:
                billed = (await bill_as_read(conn, work, customer, items.get(customer, []),
                                             profiles.get(customer))
                          if work.ctx.bills_whole(customer) else None)
                if billed is None:
                    locking.append(customer)
                else:
                    work.customer_billed(billed)
        finally:
            await conn.execute("reset synchronous_commit")
    for customer in locking:
        work.customer_billed(await bill_locked(work, customer, profiles.get(customer)))


async def rates_known(work: RunWork) -> RateBook:
    """The rates a document of this run may use: a year back from the day it bills on
    (an invoice dated at the end of an old period uses that day's rate)."""
    async with work.uow_factory() as uow:
        return await rate_book(uow.session, [work.ctx.today - RATES_BACK, work.ctx.today])


async def bill_as_read(conn: object, work: RunWork, customer: str, items: list[Item],
                       profile: BillingProfile | None) -> int | None:
    """Bill a customer whose items (read unlocked) make one document, in one statement.

    Returns the documents waiting for a number (0: nothing was open), or None when the
    customer takes the locking path (see one_document_currency) or its items changed.
    Items after the customer's billing period are not its to bill now."""
    if profile is None or profile.parked_reason:
        return None if items else 0
    last_day = work.ctx.last_day_for(profile.billing_frequency)
    items = [i for i in items if i.day <= last_day]
    if not items:
        return 0
    currency = one_document_currency(work, profile, items)
    if currency is None:
        return None
    try:
        document = pending_document(work, customer, items, currency, profile)
    except MissingRate:  # the locking path logs it and leaves the items open
        return None
    if check(document.snapshot):  # the locking path logs it and leaves the items open
        return None
    try:
        await pending.insert_as_read(conn, document, work.ctx, items, last_day)
    except ItemsChanged:  # rolled back: the locking path
        return None
    work.tally.documents[document.invoice_id] = document.snapshot
    return 1
