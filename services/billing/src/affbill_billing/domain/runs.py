"""A batch run's context and rules: what was selected, and the premise a statement checks.

Pure, no I/O. The selection is the clerk's, as the command carried it; billing resolves it
into customers once, when the run starts (adapters/runs_repo.py keeps that list).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal


class ItemsChanged(Exception):
    """A customer's open items are not the items read (SQLSTATE AF001 in Postgres)."""


def require(ok: bool | None, message: str) -> bool:
    """Python twin of ``adapters/sql/require.sql``: a false (or unknown) premise fails."""
    if ok is not True:
        raise ItemsChanged(message)
    return True


@dataclass(frozen=True)
class RunContext:
    """Everything a run's steps need to know about the run, in any billing process."""

    run_id: uuid.UUID
    job_id: uuid.UUID
    requested_by: str
    today: dt.date  # the day the run bills on (issue dates follow from it)
    domestic_vat_rate: Decimal
    period_end: dt.date | None = None  # only items on or before this day
    currency: str | None = None  # only items in this currency
    item_ids: tuple[uuid.UUID, ...] = ()  # single items chosen by the clerk
    # customers whose open items are all billed; None: every customer ("select all")
    whole: frozenset[str] | None = frozenset()
    seller_country: str = "DE"  # decides the VAT treatment with the buyer's country

    def bills_whole(self, customer: str) -> bool:
        return self.whole is None or customer in self.whole

    def item_ids_for(self, customer: str) -> list[uuid.UUID] | None:
        """The chosen items of a customer billed in part; None: the whole customer."""
        return None if self.bills_whole(customer) else list(self.item_ids)


@dataclass
class RunCounts:
    """What a run did; summed in the database across processes and restarts."""

    documents_created: int = 0
    drafts_created: int = 0
    customers_skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"documents_created": self.documents_created,
                "drafts_created": self.drafts_created,
                "customers_skipped": self.customers_skipped}
