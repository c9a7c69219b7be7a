"""What a batch run makes of one customer's selected open items: pure, no I/O.

Per currency one document when the rounded total's size reaches the customer's
threshold (set in that currency, or in none), otherwise the items wait (a skip); an
invoice or, for a profile with drafts by default, a draft. The readable twin of the
run's two ways of billing a customer (service_layer/runs): the locking path, and the
one statement (INVOICE_ITEMS_AS_READ with require() and the items' fingerprint) that
bills a customer whose items make exactly one document — `one_statement` says when.
tests/integration/billing/test_billing_oracle.py checks runs against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from affbill_billing.domain.grouping import Item
from affbill_billing.domain.money import round_money
from affbill_billing.domain.thresholds import bills_now


@dataclass(frozen=True)
class RunDocument:
    currency: str
    items: tuple[Item, ...]
    total: Decimal  # rounded to the currency


@dataclass(frozen=True)
class Skip:
    currency: str
    total: Decimal
    threshold: Decimal


@dataclass(frozen=True)
class CustomerRun:
    documents: tuple[RunDocument, ...]
    skips: tuple[Skip, ...]


def threshold_in(currency: str, amount: Decimal | None, threshold_currency: str | None
                 ) -> Decimal | None:
    """The customer's threshold where it is set in this currency (or in none)."""
    return amount if threshold_currency in (None, currency) else None


def run_documents(items: Sequence[Item], threshold: Decimal | None,
                  threshold_currency: str | None) -> CustomerRun:
    """The documents a run makes of a customer's selected items, in currency order."""
    by_currency: dict[str, list[Item]] = {}
    for item in items:
        by_currency.setdefault(item.currency, []).append(item)
    documents, skips = [], []
    for currency, group in sorted(by_currency.items()):
        total = round_money(sum((i.revenue for i in group), Decimal(0)), currency)
        limit = threshold_in(currency, threshold, threshold_currency)
        if bills_now(total, limit):
            documents.append(RunDocument(currency, tuple(group), total))
        else:
            assert limit is not None
            skips.append(Skip(currency, total, limit))
    return CustomerRun(tuple(documents), tuple(skips))


def one_statement(run: CustomerRun, whole_customer: bool, drafts_by_default: bool) -> bool:
    """A whole customer whose items make exactly one invoice is billed in one statement."""
    return (whole_customer and not drafts_by_default and len(run.documents) == 1
            and not run.skips)
