"""A dry run: what a real run would do for a customer, and how it compares with the
previous period. Pure, no I/O.

The outcome per customer and currency follows the run's own rules (run_billing): no
profile, nothing billed; an EU customer without VAT id whose kind is undecided, skipped;
below the threshold, skipped; drafts by default, a draft;
otherwise an invoice, or a credit note for a negative total — with the totals the run's
plan would print (invoicing.plan_invoice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from affbill_billing.domain.billing_profile import BillingProfile
from affbill_billing.domain.customers import Side
from affbill_billing.domain.grouping import Item
from affbill_billing.domain.invoicing import document_type, plan_invoice
from affbill_billing.domain.money import round_money
from affbill_billing.domain.runs import RunContext, threshold_waiver
from affbill_contracts.invoices import DocumentType

CSV_COLUMNS = ("customer_id", "name", "currency", "outcome", "document_type", "items",
               "net_total", "gross_total", "previous_net_total", "change_percent", "reason")


@dataclass(frozen=True)
class DryRunLine:
    """One customer and currency as a real run would bill it (outcome ``invoice``,
    ``credit_note``, ``draft``, ``skipped``, ``no_profile``, ``parked``; ``missing``: billed
    in the previous period, nothing now)."""

    customer_id: str
    name: str
    currency: str
    outcome: str
    document_type: str | None = None
    items: int = 0
    net_total: Decimal | None = None
    gross_total: Decimal | None = None
    previous_net_total: Decimal | None = None
    change_percent: Decimal | None = None
    reason: str | None = None

    def compared(self, previous: Decimal | None) -> DryRunLine:
        """The line with the previous period's net total and the change in percent."""
        if previous is None or self.net_total is None:
            return replace(self, previous_net_total=previous)
        change = (None if previous == 0 else ((self.net_total - previous) / abs(previous) * 100)
                  .quantize(Decimal("0.1"), ROUND_HALF_UP))
        return replace(self, previous_net_total=previous, change_percent=change)

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, c) for c in CSV_COLUMNS)


def customer_outcome(ctx: RunContext, customer: str, profile: BillingProfile | None,
                     items: Sequence[Item]) -> list[DryRunLine]:
    """What the run would do with a customer's open items (read up to its last day)."""
    if profile is None:
        return [DryRunLine(customer, customer, "", "no_profile", items=len(items),
                           reason="No billing profile: nothing billed")] if items else []
    if profile.parked_reason:
        return [DryRunLine(customer, profile.name, "", "parked", items=len(items),
                           reason=f"Parked: {profile.name} left out ({profile.parked_reason})")
                ] if items else []
    last_day = ctx.last_day_for(profile.billing_frequency)
    if profile.tax_treatment(ctx.seller_country) is None and any(
            i.day <= last_day for i in items):  # the run leaves its items open
        return [DryRunLine(customer, profile.name, "", "skipped", items=len(items),
                           reason=profile.undecided())]
    by_currency: dict[str, list[Item]] = {}
    for item in items:
        if item.day <= last_day:
            by_currency.setdefault(item.currency, []).append(item)
    lines = []
    for currency, billed in sorted(by_currency.items()):
        lines.append(_currency_outcome(ctx, customer, profile, currency, billed))
    return lines


def _currency_outcome(ctx: RunContext, customer: str, profile: BillingProfile, currency: str,
                      items: list[Item]) -> DryRunLine:
    total = round_money(sum((i.revenue for i in items), Decimal(0)), currency)
    threshold, payouts = profile.threshold_in(currency), profile.side is Side.AFFILIATE
    oldest = min(i.day for i in items)
    why = threshold_waiver(oldest, profile, ctx)
    waive = why if why and (total > 0 or not payouts) else None
    if not profile.bills_now(total, currency) and not waive:
        what = "payout items" if payouts else "items"  # a payout below zero always waits
        return DryRunLine(customer, profile.name, currency, "skipped", items=len(items),
                          net_total=total,
                          reason=f"Skipped {what} with a total of {total} {currency} (threshold "
                                 f"{round_money(threshold or Decimal(0), currency)} {currency})")
    terms = ctx.terms(profile.terms(ctx.domestic_vat_rate, ctx.seller_country))
    plan = plan_invoice(items, currency, terms, ctx.today,
                        ctx.period_for(profile.billing_frequency))
    kind = document_type(plan.totals.net, profile.side)
    outcome = ("draft" if profile.drafts_by_default
               else "credit_note" if kind in (DocumentType.CREDIT_NOTE, DocumentType.SELF_BILLED)
               else "invoice")
    reason = (f"Threshold waived for {profile.name}: {waive}"
              if waive and not profile.bills_now(total, currency) else None)
    return DryRunLine(customer, profile.name, currency, outcome, str(kind.value), len(items),
                      plan.totals.net, plan.totals.gross, reason=reason)
