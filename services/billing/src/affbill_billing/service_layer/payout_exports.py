"""Payout export: the affiliates' issued self-billed credit notes become payout files — a
SEPA credit transfer (pain.001.001.09) per seller entity for EUR payouts by SEPA, a CSV for
the payment provider for the rest — in one transaction that keeps each file, marks each
credit note "payout exported" with the file's id, time and user, and logs the job.

Exactly once: the credit notes are locked for the transaction and an export reads only
those in no file yet; naming one that is already in a file is refused unless ``again``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from affbill_billing.adapters import payout_files_repo as repo
from affbill_billing.adapters import profiles_repo
from affbill_billing.adapters.sepa_files import sepa_file
from affbill_billing.config import Settings
from affbill_billing.domain.payout_files import (
    FileFormat,
    FileKey,
    Payout,
    csv_text,
    filename,
    grouped,
    refusal,
    total,
)
from affbill_billing.domain.seller_entities import CONFIGURED, SellerEntity
from affbill_billing.service_layer.drafts import UowFactory
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.jobs import JobKind, JobStatus, LogLevel
from affbill_runtime.jobs import JobReporter

SERVICE = "billing"


@dataclass(frozen=True)
class ExportRequest:
    """Which credit notes to pay out: the named ones, else every one not exported yet (of
    the given affiliates and seller entity); ``again`` allows naming exported ones."""

    credit_note_ids: list[uuid.UUID] | None = None
    customer_ids: list[str] | None = None
    entity: str | None = None
    again: bool = False
    execution_date: dt.date | None = None


@dataclass(frozen=True)
class PayoutFile:
    file_id: uuid.UUID
    entity: str
    file_format: FileFormat
    currency: str
    filename: str
    content: str
    sha256: str
    credit_notes: list[str]
    total: Decimal


@dataclass
class PayoutExport:
    job_id: uuid.UUID
    files: list[PayoutFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)


def _checked(request: ExportRequest, found: list[Payout]) -> None:
    """Named credit notes must be issued 389s; exported ones only with ``again``."""
    if request.credit_note_ids is None:
        return
    if missing := set(request.credit_note_ids) - {p.invoice_id for p in found}:
        raise NotFound("Not an issued self-billed credit note: "
                       + ", ".join(sorted(str(m) for m in missing)))
    if (done := [p for p in found if p.exported_in]) and not request.again:
        raise Refused("Already payout exported: " + ", ".join(
            f"{p.number} (file {p.exported_in})" for p in done)
            + "; export them again only with again=true")


async def _debtors(session: AsyncSession, payouts: list[Payout], settings: Settings
                   ) -> dict[str, SellerEntity]:
    found: dict[str, SellerEntity] = {}
    for name in sorted({p.entity for p in payouts}):
        entity = None if name == CONFIGURED else await profiles_repo.issuer(session, name)
        found[name] = entity or settings.configured_seller()
    return found


def _content(key: FileKey, file_id: uuid.UUID, debtor: SellerEntity, payouts: list[Payout],
             now: dt.datetime, execution: dt.date) -> str:
    if key[1] is FileFormat.SEPA:
        return sepa_file(file_id, debtor, payouts, now, execution).decode()
    return csv_text(payouts)


async def export_payouts(uow_factory: UowFactory, request: ExportRequest, user: str,
                         settings: Settings, now: dt.datetime | None = None) -> PayoutExport:
    """Write the payout files and mark their credit notes, all or nothing."""
    now = now or dt.datetime.now(dt.UTC)
    execution = request.execution_date or now.date()
    async with uow_factory() as uow:
        s = uow.session
        found = await repo.locked_payable(s, request.credit_note_ids, request.customer_ids,
                                          request.entity)
        _checked(request, found)
        export = PayoutExport(uuid.uuid4())
        payable = [p for p in found if not refusal(p)]
        export.skipped = [(p.number, str(refusal(p))) for p in found if refusal(p)]
        debtors = await _debtors(s, payable, settings)
        job = JobReporter(uow, SERVICE, export.job_id)
        job.started(JobKind.PAYOUT_EXPORT, "Payout files for affiliates' credit notes", user)
        for key, payouts in grouped(payable).items():
            file_id = uuid.uuid4()
            content = _content(key, file_id, debtors[key[0]], payouts, now, execution)
            name, amount = filename(key, file_id, now.date()), total(payouts)
            sha = await repo.keep_file(s, file_id, export.job_id, key, content, payouts,
                                       amount, name, user, now)
            export.files.append(PayoutFile(file_id, key[0], key[1], key[2], name, content, sha,
                                           [p.number for p in payouts], amount))
            job.log(f"Payout file {name} written for {debtors[key[0]].legal_name}: "
                    f"{len(payouts)} credit notes, {amount:f} {key[2]}")
        for number, reason in export.skipped:
            job.log(f"Credit note {number} not paid out: {reason}", LogLevel.WARNING)
        if not found:
            job.log("No issued credit notes to pay out")
        job.finished(JobStatus.SUCCEEDED_WITH_WARNINGS if export.skipped
                     else JobStatus.SUCCEEDED, files_written=len(export.files),
                     credit_notes_exported=sum(len(f.credit_notes) for f in export.files))
        await uow.commit()
    return export
