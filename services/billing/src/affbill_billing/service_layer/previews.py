"""A draft's preview: the document Create would issue today, unnumbered, for the PDF the
documents service prints with the watermark DRAFT (no number, no e-invoice)."""

from __future__ import annotations

import datetime as dt
import uuid

from affbill_billing.adapters import profiles_repo
from affbill_billing.adapters.invoices import drafts as repo
from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import buyer_of
from affbill_billing.domain.customers import Side
from affbill_billing.domain.invoicing import basis, document_type
from affbill_billing.service_layer.documents import PENDING_NUMBER, snapshot
from affbill_billing.service_layer.drafts import UowFactory
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_billing.service_layer.rates import book_for
from affbill_contracts.invoices import InvoiceDocument


async def preview_document(uow_factory: UowFactory, draft_id: uuid.UUID, settings: Settings,
                           today: dt.date | None = None) -> InvoiceDocument:
    """The draft as Create would issue it today, numbered ``(pending)``, read without a
    lock and without the gate: a preview shows what is there, valid or not yet."""
    async with uow_factory() as uow:
        found = await repo.lock(uow.session, draft_id, for_update=False)
        if found is None:
            raise NotFound(f"No draft {draft_id}")
        meta, draft = found
        if draft is None:
            raise Refused(f"This invoice is {meta.status}: download its PDF instead")
        plan = draft.plan(today or dt.date.today(), dated=False)
        p = draft.presets
        try:  # the entity and the rates Create would issue it with
            issuer = await profiles_repo.issuer(uow.session, p.seller_entity)
        except LookupError:
            issuer = None
        rates = await book_for(uow.session, plan.currency, plan.issue_date, plan.period_end,
                               settings.rate_date_rule(issuer))
    return snapshot(draft_id, PENDING_NUMBER, meta.customer_id, plan, buyer_of(p), settings,
                    document_type=document_type(basis(plan.totals), Side(p.side)),
                    notes=[p.intro_text, p.closing_text], buyer_reference=p.buyer_reference,
                    issuer=issuer, rates=rates)
