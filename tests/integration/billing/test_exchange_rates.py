"""Exchange rates in billing on the real database: the history, the rate a document uses
(weekend, holiday), a missing rate, a manual rate, and a correction after issue."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.service_layer import ingest, rates, runs
from affbill_contracts import Envelope, ProcessSelected, StatRowSynced, topics
from affbill_contracts.fx import ExchangeRatesPublished
from affbill_contracts.invoices import InvoiceDocument
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import advertiser, outbox

pytestmark = pytest.mark.integration
THU, FRI, SAT, SUN, MON = (dt.date(2026, 11, 26) + dt.timedelta(days=n) for n in range(5))
ANNA = {"X-Affbill-User": "anna"}


def published(day: dt.date, source: str = "ecb", **rates_: str) -> Envelope[Any]:
    return Envelope.wrap(ExchangeRatesPublished(
        source=source, base="EUR", rate_date=day,
        rates={c: Decimal(r) for c, r in rates_.items()}))


def command(*customers: str) -> Envelope[ProcessSelected]:
    """A run of these customers billing every open item before its day (a period end of
    its own, past every run day here: documents state their items' days)."""
    return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=list(customers),
                                         requested_by="anna", period_end=dt.date(2026, 12, 31)))


async def gbp_customer(billing: Runtime, revenue: str = "525.00000",
                       currency: str = "GBP", day: dt.date = dt.date(2026, 11, 2)
                       ) -> tuple[str, str]:
    """A German customer (domestic VAT) with one open item in ``currency`` on ``day``."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    key = f"{c}|{day}|7|20|1004|{currency}"
    await ingest.apply_stat_rows(billing.uow(), [Envelope.wrap(StatRowSynced(
        connector=c, stat_key=key, date=day, advertiser_id="7",
        offer_id="20", offer_name="Shop CPS", affiliate_id="1004", currency=currency,
        conversions=5, revenue=Decimal(revenue), payout=Decimal(0)))])
    return c, customer


async def log_lines(billing: Runtime) -> list[str]:
    return [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
            if e.type == "jobs.job.log"]


async def issued(billing: Runtime) -> list[InvoiceDocument]:
    return [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)]


async def open_items(billing: Runtime, customer: str) -> int:
    async with billing.engine.connect() as conn:
        return int(await conn.scalar(text(
            "select count(*) from billable_items where customer_id = :c and state = 'open'"),
            {"c": customer}))


async def test_rates_are_kept_once_with_their_corrections(billing: Runtime,
                                                          api: httpx.AsyncClient) -> None:
    fact = published(FRI, GBP="0.86905", USD="1.1606")
    assert await rates.apply_published(billing.uow(), [fact, fact]) == 1
    assert await rates.apply_published(billing.uow(), [fact]) == 0  # redelivered
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.86905", USD="1.1606")])
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.87010", USD="1.1606")])
    async with billing.engine.connect() as conn:
        kept = (await conn.execute(text(
            "select currency, rate from exchange_rates order by id"))).all()
    # the same rates again add nothing; the correction is a second GBP row
    assert kept == [("GBP", Decimal("0.86905")), ("USD", Decimal("1.1606")),
                    ("GBP", Decimal("0.87010"))]
    day = (await api.get("/rates", params={"date": "2026-11-29"})).json()
    assert day["date"] == "2026-11-29"
    assert [(r["currency"], r["rate"], r["rate_date"], r["source"]) for r in day["rates"]] == [
        ("GBP", "0.87010", "2026-11-27", "ecb"), ("USD", "1.1606", "2026-11-27", "ecb")]
    history = (await api.get("/rates/GBP/2026-11-27/history")).json()
    assert [h["rate"] for h in history] == ["0.86905", "0.87010"]  # as published


async def test_a_weekend_and_a_holiday_use_the_last_published_rate(
        billing: Runtime) -> None:
    await rates.apply_published(billing.uow(), [
        published(FRI, GBP="0.86905"), published(dt.date(2026, 4, 2), GBP="0.85120")])
    _, weekend = await gbp_customer(billing)
    _, easter = await gbp_customer(billing, day=dt.date(2026, 4, 1))
    await runs.process_selected(billing.uow, command(weekend), billing.settings, SUN)
    await runs.process_selected(billing.uow, command(easter), billing.settings,
                                dt.date(2026, 4, 6))  # Easter Monday: no rate since Thursday
    on_sunday, on_easter = sorted(await issued(billing), key=lambda d: d.issue_date,
                                  reverse=True)
    for doc, day, rate in ((on_sunday, FRI, "0.86905"), (on_easter, dt.date(2026, 4, 2),
                                                         "0.85120")):
        fx = doc.vat_accounting
        assert doc.currency == "GBP" and doc.totals.tax_total == Decimal("99.75")
        assert fx is not None and (fx.currency, fx.rate, fx.rate_date, fx.source) == (
            "EUR", Decimal(rate), day, "ecb")
        assert fx.tax_total == (Decimal("99.75") / Decimal(rate)).quantize(Decimal("0.01"))


async def test_a_missing_rate_bills_nothing_until_one_is_entered(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, customer = await gbp_customer(billing)
    counts = await runs.process_selected(billing.uow, command(customer), billing.settings, MON)
    assert counts["documents_created"] == 0 and counts["customers_skipped"] == 1
    assert f"No GBP rate for 2026-11-30: Acme {customer.split(':')[0]} not billed" in (
        await log_lines(billing))
    assert await open_items(billing, customer) == 1 and await issued(billing) == []

    refused = await api.post("/rates", json={"currency": "GBP", "rate_date": "2026-11-30",
                                             "rate": "0.8700"}, headers=ANNA)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    entered = await api.post("/rates", json={
        "currency": "GBP", "rate_date": "2026-11-30", "rate": "0.8700",
        "reason": "ECB file not reachable: rate of the Bundesbank"}, headers=ANNA)
    assert entered.status_code == 201, entered.text
    assert entered.json()["entered_by"] == "anna" and entered.json()["source"] == "manual"
    await runs.process_selected(billing.uow, command(customer), billing.settings, MON)
    [doc] = await issued(billing)
    assert doc.vat_accounting is not None and doc.vat_accounting.source == "manual"
    assert doc.vat_accounting.rate == Decimal("0.8700")
    audit = (await api.get("/audit", params={"entity_kind": "exchange_rate"})).json()
    entries = audit["items"] if isinstance(audit, dict) else audit
    assert any(e["actor"] == "anna" and e["after"]["reason"].startswith("ECB file")
               for e in entries)


async def test_issued_documents_keep_their_rate_when_it_is_corrected(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.86905")])
    _, customer = await gbp_customer(billing)
    await runs.process_selected(billing.uow, command(customer), billing.settings, SAT)
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.90000")])
    async with billing.engine.connect() as conn:
        stored = InvoiceDocument.model_validate(await conn.scalar(text(
            "select snapshot from invoices where customer_id = :c"), {"c": customer}))
    assert stored.vat_accounting is not None
    assert stored.vat_accounting.rate == Decimal("0.86905")  # as issued
    assert stored.vat_accounting.tax_total == Decimal("114.78")
    now = (await api.get("/rates", params={"date": "2026-11-28", "currency": "GBP"})).json()
    assert now["rates"][0]["rate"] == "0.90000"
    # its cancellation states the VAT in euro at the invoice's rate, not today's
    cancelled = await api.post(f"/invoices/{stored.invoice_id}/cancel", headers=ANNA)
    assert cancelled.status_code == 201, cancelled.text
    cancellation = (await issued(billing))[-1]
    assert cancellation.vat_accounting is not None
    assert cancellation.vat_accounting.rate == Decimal("0.86905")
    assert cancellation.vat_accounting.tax_total == Decimal("-114.78")


async def test_without_vat_a_foreign_document_needs_no_rate(billing: Runtime) -> None:
    _, customer = await gbp_customer(billing)
    async with billing.engine.begin() as conn:
        # a customer outside the EU: services not subject to German VAT (O)
        await conn.execute(text("update billing_profiles set country = 'US' "
                                "where customer_id = :c"), {"c": customer})
    counts = await runs.process_selected(billing.uow, command(customer), billing.settings, MON)
    assert counts["documents_created"] == 1
    [doc] = await issued(billing)
    assert doc.totals.tax_total == 0 and doc.vat_accounting is None


async def converting_customer(billing: Runtime, *amounts: tuple[str, str],
                              threshold: str = "1000") -> str:
    """A customer in convert mode (billing currency EUR) with one item per (currency,
    revenue)."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [Envelope.wrap(StatRowSynced(
        connector=c, stat_key=f"{c}|2026-11-02|7|{n}|1004|{cur}", date=dt.date(2026, 11, 2),
        advertiser_id="7", offer_id=str(20 + n), offer_name=f"Shop {n}", affiliate_id="1004",
        currency=cur, conversions=1, revenue=Decimal(rev), payout=Decimal(0)))
        for n, (cur, rev) in enumerate(amounts)])
    async with billing.engine.begin() as conn:
        await conn.execute(text(
            "update billing_profiles set currency_mode = 'convert', billing_currency = 'EUR', "
            "threshold_amount = :t, threshold_currency = 'EUR' where customer_id = :c"),
            {"t": Decimal(threshold), "c": customer})
    return customer


async def test_convert_mode_bills_one_euro_document_reaching_the_threshold_only_converted(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.86905", USD="1.1606")])
    both = await converting_customer(billing, ("GBP", "700.00000"), ("USD", "300.00000"))
    gbp_only = await converting_customer(billing, ("GBP", "700.00000"))
    counts = await runs.process_selected(billing.uow, command(both, gbp_only),
                                         billing.settings, SAT)
    assert (counts["documents_created"], counts["customers_skipped"]) == (1, 1)
    [doc] = await issued(billing)
    assert doc.customer_id == both and doc.currency == "EUR"
    # 700 GBP / 0.86905 = 805.48 EUR, 300 USD / 1.1606 = 258.49 EUR: 1063.97 ≥ 1000
    assert sorted(line.net_amount for line in doc.lines) == [Decimal("258.49"),
                                                             Decimal("805.48")]
    assert doc.totals.line_total == Decimal("1063.97")
    snaps = {line.conversion.source_currency: line.conversion for line in doc.lines
             if line.conversion}
    assert snaps["GBP"].source_amount == Decimal("700.00")
    assert snaps["GBP"].source_rate == Decimal("0.86905") and snaps["GBP"].rate_date == FRI
    assert snaps["USD"].source_rate == Decimal("1.1606")
    assert ("Skipped items with a total of 805.48 EUR (from 700.00 GBP at 0.86905) "
            f"(threshold 1000.00 EUR) for Acme {gbp_only.split(':')[0]}") in await log_lines(
                billing)
    assert await open_items(billing, gbp_only) == 1 and await open_items(billing, both) == 0
    profile = (await api.get(f"/customers/{both}/profile")).json()
    assert profile["currency_mode"] == "convert"
    changed = await api.patch(f"/customers/{gbp_only}/profile",
                              json={"currency_mode": "split"}, headers=ANNA)
    assert changed.status_code == 200 and changed.json()["currency_mode"] == "split"
    bad = await api.patch(f"/customers/{gbp_only}/profile", json={"currency_mode": "mix"},
                          headers=ANNA)
    assert bad.status_code == 422 and "currency_mode" in bad.text


async def test_convert_mode_with_a_missing_rate_bills_nothing(billing: Runtime) -> None:
    await rates.apply_published(billing.uow(), [published(FRI, USD="1.1606")])
    customer = await converting_customer(billing, ("GBP", "700.00000"), ("USD", "900.00000"))
    counts = await runs.process_selected(billing.uow, command(customer), billing.settings,
                                         MON)
    assert counts["documents_created"] == 0 and counts["customers_skipped"] == 1
    assert (f"No GBP rate for 2026-11-30: Acme {customer.split(':')[0]} not billed"
            in await log_lines(billing))
    assert await open_items(billing, customer) == 2


async def test_create_refuses_without_a_rate_and_issues_with_one(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    _, customer = await gbp_customer(billing)
    items = (await api.get(f"/generator/{customer}/items")).json()["items"]
    draft = (await api.post("/drafts", json={"customer_id": customer,
                                             "item_ids": [i["item_id"] for i in items]},
                            headers=ANNA)).json()
    today = dt.date.today()
    refused = await api.post(f"/drafts/{draft['draft_id']}/issue",
                             json={"version": draft["version"]}, headers=ANNA)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["title"] == "No exchange rate" and problem["currency"] == "GBP"
    assert problem["detail"].startswith(f"No GBP rate for {today.isoformat()}")
    assert await issued(billing) == []  # nothing numbered
    await rates.apply_published(billing.uow(), [published(today, GBP="0.86905")])
    created = await api.post(f"/drafts/{draft['draft_id']}/issue",
                             json={"version": draft["version"]}, headers=ANNA)
    assert created.status_code == 200, created.text
    [doc] = await issued(billing)
    assert doc.vat_accounting is not None and doc.vat_accounting.rate_date == today


async def test_the_rate_date_rule_is_the_seller_entitys(billing: Runtime,
                                                        api: httpx.AsyncClient) -> None:
    from tests.integration.billing.test_seller_entities import irish_ltd

    name = f"de-{uuid.uuid4().hex[:6]}"
    entity = {**irish_ltd(name), "country": "DE", "vat_id": "DE136695976",
              "domestic_vat_rate": "19", "fx_rate_date": "last_day_of_period"}
    made = await api.post("/seller-entities", json=entity, headers=ANNA)
    assert made.status_code == 201, made.text
    assert made.json()["fx_rate_date"] == "last_day_of_period"
    nov_30, dec_2 = dt.date(2026, 11, 30), dt.date(2026, 12, 2)
    await rates.apply_published(billing.uow(), [published(nov_30, GBP="0.86000"),
                                                published(dec_2, GBP="0.87000")])
    _, by_entity = await gbp_customer(billing)
    _, by_settings = await gbp_customer(billing)
    named = await api.patch(f"/customers/{by_entity}/profile", json={"seller_entity": name},
                            headers=ANNA)
    assert named.status_code == 200, named.text
    november = Envelope.wrap(ProcessSelected(
        run_id=uuid.uuid4(), customer_ids=[by_entity, by_settings], requested_by="anna",
        period_start=dt.date(2026, 11, 1), period_end=nov_30))
    assert (await runs.process_selected(billing.uow, november, billing.settings, dec_2)
            )["documents_created"] == 2
    docs = {d.customer_id: d for d in await issued(billing)}
    assert docs[by_entity].issue_date == docs[by_settings].issue_date == dec_2
    # the entity's rule: the period's last day; the configured seller's: the invoice date
    assert (docs[by_entity].vat_accounting.rate_date, docs[by_entity].vat_accounting.rate
            ) == (nov_30, Decimal("0.86000"))  # type: ignore[union-attr]
    assert (docs[by_settings].vat_accounting.rate_date, docs[by_settings].vat_accounting.rate
            ) == (dec_2, Decimal("0.87000"))  # type: ignore[union-attr]
    changed = await api.patch(f"/seller-entities/{name}", json={"fx_rate_date": "nonsense"},
                              headers=ANNA)
    assert changed.status_code == 422 and "fx_rate_date" in changed.text


async def test_convert_mode_keeps_the_threshold_ledger_and_its_maximum_age(
        billing: Runtime, api: httpx.AsyncClient) -> None:
    await rates.apply_published(billing.uow(), [published(FRI, GBP="0.86905")])
    customer = await converting_customer(billing, ("GBP", "700.00000"))
    name = f"Acme {customer.split(':')[0]}"
    dec_2 = dt.date(2026, 12, 2)

    def month(first: dt.date, last: dt.date) -> Envelope[ProcessSelected]:
        return Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), customer_ids=[customer],
                                             requested_by="anna", period_start=first,
                                             period_end=last))

    november = await runs.process_selected(billing.uow, month(
        dt.date(2026, 11, 1), dt.date(2026, 11, 30)), billing.settings, dec_2)
    assert november["customers_skipped"] == 1
    ledger = (await api.get(f"/customers/{customer}/threshold-ledger")).json()["items"]
    # carried in the threshold's currency, converted as the threshold was compared
    assert [(r["currency"], r["carried"], r["threshold"], r["items"], r["oldest_day"])
            for r in ledger] == [("EUR", "805.48", "1000.00", 1, "2026-11-02")]
    changed = await api.patch(f"/customers/{customer}/profile",
                              json={"threshold_max_periods": 1}, headers=ANNA)
    assert changed.status_code == 200, changed.text
    december = await runs.process_selected(billing.uow, month(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31)), billing.settings, dec_2)
    assert december["documents_created"] == 1
    assert f"Threshold waived for {name}: items older than 1 periods" in await log_lines(
        billing)
    [doc] = await issued(billing)
    assert doc.currency == "EUR" and doc.totals.line_total == Decimal("805.48")
