"""Rules about issued documents once rendered: their status, the job's wording (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from affbill_contracts.invoices import DocumentType, InvoiceDocument, Party
from affbill_contracts.jobs import JobStatus


class DocumentStatus(StrEnum):
    ISSUED = "issued"  # an invoice (or credit note) in force
    CANCELLED = "cancelled"  # an invoice a cancellation document cancelled
    CANCELLATION = "cancellation"  # the cancellation document itself


def status_of(document_type: str, cancels_number: str | None,
              cancelled_by: object | None) -> DocumentStatus:
    if document_type == DocumentType.CREDIT_NOTE and cancels_number:
        return DocumentStatus.CANCELLATION
    if cancelled_by is not None:
        return DocumentStatus.CANCELLED
    return DocumentStatus.ISSUED


def customer_of(doc: InvoiceDocument) -> Party:
    """Whom the document is for: the buyer billed, or on a self-billed credit note (389)
    the affiliate it pays, its seller; a correction of a 389 keeps its parties too."""
    if doc.document_type is DocumentType.SELF_BILLED or ":affiliate:" in doc.customer_id:
        return doc.seller
    return doc.buyer


def rendered_line(number: str, buyer: str) -> str:
    return f"Document {number} rendered for {buyer}"


def failed_line(number: str, failed_rules: Sequence[str]) -> str:
    return (f"Document {number} failed validation ({', '.join(failed_rules)}): stored for "
            "attention, not published as rendered")


def rendering_outcome(failed: int) -> JobStatus:
    """A rendering job that flagged documents still did its work, with warnings."""
    return JobStatus.SUCCEEDED_WITH_WARNINGS if failed else JobStatus.SUCCEEDED


def rendering_title(count: int, issuing_jobs: Sequence[str]) -> str:
    plural = "document" if count == 1 else "documents"
    source = f" issued by job {issuing_jobs[0]}" if len(issuing_jobs) == 1 else ""
    return f"Rendering {count} {plural}{source}"
