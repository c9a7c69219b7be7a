"""Billing's changes in the audit trail (affbill_runtime.audit): billing profiles, drafts
and their lines, approvals, Create and cancellation, batch runs (who started which
selection, and what it created) — who, and the state before and after.

Each function appends in the caller's transaction, so the change and its entry commit
together; call them last, just before the commit (they take the trail's lock).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from affbill_billing.adapters import profile_rows
from affbill_billing.adapters.invoices import drafts as repo
from affbill_billing.domain.drafts import Draft
from affbill_contracts.invoices import InvoiceDocument
from affbill_runtime import audit
from affbill_runtime.acting import actor

PROFILE = "billing_profile"
SELLER_ENTITY = "seller_entity"
DRAFT = "draft"
INVOICE = "invoice"
RUN = "run"


def draft_state(draft: Draft, version: int | None) -> dict[str, Any]:
    """A draft as the clerk sees it: presets, lines, reserved items, totals, version."""
    t = draft.totals()
    return audit.jsonable({
        "status": "draft", "version": version, "presets": asdict(draft.presets),
        "lines": [repo.line_json(line) for line in draft.lines],
        "item_ids": [i.item_id for i in draft.items],
        "totals": {"net": t.net, "tax": t.tax, "gross": t.gross}})


async def draft_changed(conn: Any, draft_id: uuid.UUID, action: str,
                        before: dict[str, Any] | None, draft: Draft | None,
                        version: int | None = None, user: str | None = None) -> None:
    """A draft created (no before), edited, or discarded (no draft after)."""
    await audit.record(conn, entity_kind=DRAFT, entity_id=draft_id, action=action,
                       before=before, after=draft_state(draft, version) if draft else None,
                       who=actor(user))


async def approvals(conn: Any, draft_id: uuid.UUID, version: int) -> dict[str, Any]:
    return {"version": version, "approved_by": await repo.approvers(conn, draft_id, version)}


async def draft_approved(conn: Any, draft_id: uuid.UUID, version: int,
                         before: dict[str, Any], user: str) -> None:
    await audit.record(conn, entity_kind=DRAFT, entity_id=draft_id, action="approve",
                       before=before, after=await approvals(conn, draft_id, version),
                       who=actor(user))


def document_state(document: InvoiceDocument, status: str) -> dict[str, Any]:
    t = document.totals
    return audit.jsonable({
        "status": status, "invoice_id": document.invoice_id, "number": document.number,
        "document_type": document.document_type, "customer_id": document.customer_id,
        "issue_date": document.issue_date, "due_date": document.due_date,
        "currency": document.currency,
        "totals": {"net": t.line_total, "tax": t.tax_total, "gross": t.grand_total}})


async def invoice_issued(conn: Any, meta: repo.DraftRow, draft: Draft,
                         document: InvoiceDocument, job_id: uuid.UUID, user: str) -> None:
    """Create: the draft (as it was approved) became this numbered invoice."""
    after = document_state(document, "issued") | {
        "job_id": str(job_id), "approved_by": await repo.approvers(conn, meta.draft_id,
                                                                   meta.version)}
    await audit.record(conn, entity_kind=INVOICE, entity_id=meta.draft_id, action="issue",
                       before=draft_state(draft, meta.version), after=after, who=actor(user))


async def invoice_cancelled(conn: Any, original: InvoiceDocument,
                            cancellation: InvoiceDocument, job_id: uuid.UUID, user: str) -> None:
    """Cancellation: the invoice is cancelled by a cancellation document of its own number."""
    after = document_state(original, "cancelled") | {
        "cancelled_by_document": document_state(cancellation, "issued"), "job_id": str(job_id)}
    await audit.record(conn, entity_kind=INVOICE, entity_id=original.invoice_id,
                       action="cancel", before=document_state(original, "issued"),
                       after=after, who=actor(user))


async def credit_note_issued(conn: Any, original: InvoiceDocument, credit: InvoiceDocument,
                             job_id: uuid.UUID, user: str) -> None:
    """A partial credit note: the invoice stays issued; the credit note is recorded on it."""
    after = document_state(original, "issued") | {
        "credited_by_document": document_state(credit, "issued"), "job_id": str(job_id)}
    await audit.record(conn, entity_kind=INVOICE, entity_id=original.invoice_id,
                       action="credit", before=document_state(original, "issued"),
                       after=after, who=actor(user))


def profile_json(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else audit.jsonable(row)


async def profile_state(conn: Any, customer_id: str) -> dict[str, Any] | None:
    return profile_json(await profile_rows.row(conn, customer_id))


async def profile_changed(conn: Any, customer_id: str, before: dict[str, Any] | None) -> None:
    await audit.record(conn, entity_kind=PROFILE, entity_id=customer_id, action="change",
                       before=before, after=await profile_state(conn, customer_id))


async def run_started(conn: Any, run: Any, job_id: uuid.UUID, customers: int) -> None:
    """A batch run ("Process selected") recorded with the clerk's selection as resolved."""
    after = audit.jsonable({
        "status": "running", "job_id": job_id, "all_customers": run.all_customers,
        "customer_ids": list(run.customer_ids), "item_ids": len(run.item_ids),
        "customers": customers, "currency": run.currency, "period_end": run.period_end})
    await audit.record(conn, entity_kind=RUN, entity_id=run.run_id, action="start",
                       after=after, who=actor(run.requested_by))


async def run_finished(conn: Any, run_id: uuid.UUID, counts: dict[str, int],
                       invoiced: dict[str, Any]) -> None:
    """A batch run closed: what it created and skipped, and the totals per currency."""
    await audit.record(conn, entity_kind=RUN, entity_id=run_id, action="finish",
                       before={"status": "running"},
                       after=audit.jsonable({"status": "finished", **counts,
                                             "invoiced": invoiced}), who=actor())
async def seller_entity_changed(conn: Any, entity: str, action: str,
                                before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    await audit.record(conn, entity_kind=SELLER_ENTITY, entity_id=entity, action=action,
                       before=before, after=after)
