"""The affiliate side on the real database: payout items from stat rows' payout, runs that
pay affiliates by self-billed credit note with thresholds and carry-forward, a negative
balance carried and netted, payout items following the advertiser's restatement, and the
affiliate's profile (tax status, bank details checked)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from affbill_billing.domain.en16931 import check
from affbill_billing.service_layer import ingest, issuing, runs
from affbill_contracts import AffiliateSynced, Envelope, ProcessSelected, StatRowSynced, topics
from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import DocumentType, InvoiceDocument
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY, TODAY, advertiser, command, outbox
from tests.integration.billing.test_drafts import ANNA, CARL

pytestmark = pytest.mark.integration


def stat(c: str, affiliate: str, revenue: str, payout: str, units: int = 2,
         day: dt.date = DAY, offer: str = "20", removed: bool = False
         ) -> Envelope[StatRowSynced]:
    key = f"{c}|{day}|7|{offer}|{affiliate}|EUR"
    return Envelope.wrap(StatRowSynced(
        connector=c, stat_key=key, date=day, advertiser_id="7", offer_id=offer,
        offer_name="Shop CPS", affiliate_id=affiliate, currency="EUR", conversions=units,
        revenue=Decimal(revenue), payout=Decimal(payout), removed=removed))


async def affiliate(billing: Runtime, c: str, affiliate_id: str, threshold: str | None = None,
                    country: str = "DE", vat_id: str | None = "DE136695976") -> str:
    await ingest.apply_partners(billing.uow(), [Envelope.wrap(AffiliateSynced(
        connector=c, affiliate_id=affiliate_id, company=f"Publisher {affiliate_id}",
        status="active", currency="EUR", vat_id=vat_id,
        address=PostalAddress(lines=["Weg 1"], postal_code="10115", city="Berlin",
                              country_code=country)))])
    customer = f"{c}:affiliate:{affiliate_id}"
    if threshold:
        async with billing.engine.begin() as conn:
            await conn.execute(text("update billing_profiles set threshold_amount = :t, "
                                    "threshold_currency = 'EUR' where customer_id = :c"),
                               {"t": Decimal(threshold), "c": customer})
    return customer


async def items(billing: Runtime, customer: str) -> list[tuple[str, Decimal, str]]:
    async with billing.engine.connect() as conn:
        rows = await conn.execute(text(
            "select day::text, revenue, state from billable_items where customer_id = :c "
            "order by day, state, revenue"), {"c": customer})
        return [(d, r.normalize(), s) for d, r, s in rows]


async def log_lines(billing: Runtime) -> list[str]:
    return [e.payload.text for e in await outbox(billing, topics.JOBS_EVENTS)
            if e.type == "jobs.job.log"]


async def credit_notes(billing: Runtime) -> list[InvoiceDocument]:
    return [e.payload.document for e in await outbox(billing, topics.BILLING_INVOICES)
            if e.payload.document.document_type is DocumentType.SELF_BILLED]


async def test_payout_items_follow_stat_rows_restatements_and_removals(billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "10.00000", "8.00000"), stat(c, "1004", "5.00000", "4.00000", offer="21"),
        stat(c, "1005", "3.00000", "0.00000"),  # no payout: no fact for the affiliate
        stat(c, "1004", "6.00000", "4.80000", day=DAY + dt.timedelta(days=1))])
    paid, unpaid = f"{c}:affiliate:1004", f"{c}:affiliate:1005"
    assert await items(billing, paid) == [
        (str(DAY), Decimal(4), "open"), (str(DAY), Decimal(8), "open"),
        (str(DAY + dt.timedelta(days=1)), Decimal("4.8"), "open")]
    assert await items(billing, unpaid) == []
    assert sum(r for _, r, _ in await items(billing, f"{c}:advertiser:7")) == Decimal(24)
    # a restatement changes the payout; a removal takes it away
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "9.00000", "7.20000"),
        stat(c, "1004", "0", "0", offer="21", removed=True)])
    assert await items(billing, paid) == [
        (str(DAY), Decimal("7.2"), "open"), (str(DAY + dt.timedelta(days=1)), Decimal("4.8"),
                                             "open")]


async def test_a_run_pays_affiliates_by_self_billed_credit_note_above_the_threshold(
        billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    rich = await affiliate(billing, c, "1004")
    small = await affiliate(billing, c, "1005", threshold="50")
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "100.00000", "80.00000"), stat(c, "1005", "40.00000", "30.00000")])
    counts = await runs.process_selected(billing.uow, command(rich, small), billing.settings,
                                         TODAY)
    assert counts == {"documents_created": 1, "drafts_created": 0, "customers_skipped": 1}
    [doc] = await credit_notes(billing)
    assert doc.number == "SB-2026-00001" and doc.customer_id == rich
    assert doc.seller.name == "Publisher 1004" and doc.buyer.name == "Affiliate Network GmbH"
    assert doc.totals.line_total == Decimal("80.00") and doc.totals.tax_total == Decimal("15.20")
    lines = await log_lines(billing)
    assert "Credit note SB-2026-00001 created for Publisher 1004" in lines
    assert ("Skipped payout items with a total of 30.00 EUR (threshold 50.00 EUR) for "
            "Publisher 1005") in lines
    # carried forward: the next period's payout joins the carried one and reaches it
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1005", "30.00000", "25.00000", day=DAY + dt.timedelta(days=3))])
    await runs.process_selected(billing.uow, command(small), billing.settings, TODAY)
    second = [d for d in await credit_notes(billing) if d.customer_id == small]
    assert [d.totals.line_total for d in second] == [Decimal("55.00")]
    assert second[0].number == "SB-2026-00002"


async def test_a_negative_balance_is_carried_and_netted_never_paid_out(
        billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004")
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    await runs.process_selected(billing.uow, command(payee), billing.settings, TODAY)
    # conversions reversed after the payout: the day's payout falls to 20, a balance of -60
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "25.00000", "20.00000")])
    assert await items(billing, payee) == [(str(DAY), Decimal(80), "invoiced"),
                                           (str(DAY), Decimal(-60), "open")]
    counts = await runs.process_selected(billing.uow, command(payee), billing.settings, TODAY)
    assert counts["documents_created"] == 0 and counts["customers_skipped"] == 1
    assert ("Skipped payout items with a total of -60.00 EUR (threshold 0.00 EUR) for "
            "Publisher 1004") in await log_lines(billing)
    assert len(await credit_notes(billing)) == 1  # never a negative transfer
    # new conversions: the next credit note nets the carried balance
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "125.00000", "100.00000", day=DAY + dt.timedelta(days=5))])
    await runs.process_selected(billing.uow, command(payee), billing.settings, TODAY)
    notes = await credit_notes(billing)
    assert [d.totals.line_total for d in notes] == [Decimal("80.00"), Decimal("40.00")]
    assert all(line.unit_price >= 0 for line in notes[1].lines)  # BR-27 on the XML side


async def test_payout_items_follow_the_advertisers_restatement(billing: Runtime) -> None:
    """A restatement of an offer's day reduces revenue and payout together (as the
    simulator restates); both sides' invoiced days get their adjustment items."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004")
    await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    await runs.process_selected(billing.uow, command(f"{c}:advertiser:7", payee),
                                billing.settings, TODAY)
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "50.00000", "40.00000")])
    assert [r for _, r, s in await items(billing, f"{c}:advertiser:7") if s == "open"] == [
        Decimal(-50)]
    assert [r for _, r, s in await items(billing, payee) if s == "open"] == [Decimal(-40)]
    async with billing.engine.connect() as conn:
        linked = await conn.scalar(text(
            "select count(*) from billable_items b join invoices i "
            "on i.invoice_id = b.adjusts_invoice_id where b.customer_id = :c "
            "and b.state = 'open' and i.document_type = '389'"), {"c": payee})
    assert linked == 1  # the adjustment names the credit note that paid the day


async def test_affiliate_profile_holds_tax_status_and_checked_bank_details(
        api: httpx.AsyncClient, billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004", vat_id=None)
    profile = (await api.get(f"/customers/{payee}/profile")).json()
    assert profile["number_series"] == "self-billed" and profile["tax_status"] is None
    bad = await api.patch(f"/customers/{payee}/profile", json={"bank_account": {
        "account_holder": "Publisher 1004", "iban": "DE89370400440532013001"}})
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"][0]["field"] == "bank_account.iban"
    assert "is not an IBAN" in bad.text
    bad_bic = await api.patch(f"/customers/{payee}/profile", json={"bank_account": {
        "account_holder": "Publisher 1004", "iban": "DE89370400440532013000", "bic": "XX1"}})
    assert bad_bic.status_code == 422
    ok = await api.patch(f"/customers/{payee}/profile", json={
        "tax_status": "small_business", "tax_number": "21/815/08150", "payout_method": "sepa",
        "bank_account": {"account_holder": "Publisher 1004",
                         "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}})
    assert ok.status_code == 200, ok.text
    saved = ok.json()
    assert saved["tax_status"] == "small_business" and saved["payout_method"] == "sepa"
    assert saved["bank_account"]["iban"] == "DE89370400440532013000"
    advertiser = await api.patch(f"/customers/{c}:advertiser:7/profile",
                                 json={"tax_status": "non_eu"})
    assert advertiser.status_code in (404, 422)
    # the small business is paid without VAT, exempt under § 19 UStG
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    await runs.process_selected(billing.uow, command(payee), billing.settings, TODAY)
    [doc] = await credit_notes(billing)
    assert {g.vat_category.value for g in doc.tax_breakdown} == {"E"}
    assert doc.seller.tax_number == "21/815/08150" and doc.totals.tax_total == 0
    assert doc.payment.iban == "DE89370400440532013000"


async def test_credit_notes_drafted_by_default_issued_and_cancelled(billing: Runtime) -> None:
    """An affiliate whose credit notes are drafts first: the run drafts, Create issues a
    self-billed credit note from its own series, a cancellation (381) refers to it and
    returns the payout items to the affiliates' generator."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004")
    async with billing.engine.begin() as conn:
        await conn.execute(text("update billing_profiles set drafts_by_default = true "
                                "where customer_id = :c"), {"c": payee})
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    counts = await runs.process_selected(billing.uow, command(payee), billing.settings, TODAY)
    assert counts["drafts_created"] == 1 and counts["documents_created"] == 0
    async with billing.engine.connect() as conn:
        draft_id = await conn.scalar(text("select invoice_id from invoices where customer_id "
                                          "= :c and status = 'draft'"), {"c": payee})
    document, _ = await issuing.issue_draft(billing.uow, draft_id, 1, "anna", billing.settings,
                                            TODAY)
    assert document.document_type is DocumentType.SELF_BILLED
    assert document.number == "SB-2026-00001" and document.seller.name == "Publisher 1004"
    assert document.totals.line_total == Decimal("80.00")
    assert "Credit note SB-2026-00001 created for Publisher 1004" in await log_lines(billing)
    cancellation, _ = await issuing.cancel_invoice(billing.uow, document.invoice_id, "anna",
                                                   billing.settings, TODAY)
    assert cancellation.document_type is DocumentType.CREDIT_NOTE
    assert cancellation.number == "SB-2026-00002-S"
    assert cancellation.preceding_invoice is not None
    assert cancellation.preceding_invoice.number == "SB-2026-00001"
    assert cancellation.seller.name == "Publisher 1004"  # the parties as on the original
    assert [s for _, _, s in await items(billing, payee)] == ["open"]


async def test_the_affiliates_generator_lists_payouts_only(api: httpx.AsyncClient,
                                                           billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004")
    await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    page = (await api.get("/generator", params={"kind": "affiliate"})).json()  # own schema
    assert [line["customer_id"] for line in page["lines"]] == [payee]
    assert page["lines"][0]["totals"][0]["open_total"] == "80.00"
    for params in ({}, {"kind": "advertiser"}):  # the advertisers' tab is the default
        advertisers = (await api.get("/generator", params=params)).json()
        assert [line["customer_id"] for line in advertisers["lines"]] == [f"{c}:advertiser:7"]
    drill = (await api.get(f"/generator/{payee}/items")).json()
    assert [i["revenue"] for i in drill["items"]] == ["80.00"]


async def test_select_all_is_one_sides_tab(billing: Runtime) -> None:
    """'All' bills the advertisers' generator unless the run names the affiliates'."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004")
    await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    everyone = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), all_customers=True,
                                             requested_by="anna"))
    assert (await runs.process_selected(billing.uow, everyone, billing.settings, TODAY)
            )["documents_created"] == 1
    assert await credit_notes(billing) == []
    affiliates = Envelope.wrap(ProcessSelected(run_id=uuid.uuid4(), all_customers=True,
                                               customer_kind="affiliate", requested_by="anna"))
    assert (await runs.process_selected(billing.uow, affiliates, billing.settings, TODAY)
            )["documents_created"] == 1
    assert [d.customer_id for d in await credit_notes(billing)] == [payee]


async def test_manual_payout_cart_bonus_deduction_and_create(api: httpx.AsyncClient,
                                                             billing: Runtime) -> None:
    """Manual work as for advertisers: payout items carted into a draft, a bonus and a
    deduction line, Create: a valid self-billed credit note from the affiliate's series."""
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payee = await affiliate(billing, c, "1004", country="AT", vat_id="ATU13585627")
    await ingest.apply_stat_rows(billing.uow(), [stat(c, "1004", "100.00000", "80.00000")])
    async with billing.engine.connect() as conn:
        ids = [str(i) for i in (await conn.execute(text(
            "select item_id from billable_items where customer_id = :c"), {"c": payee})
        ).scalars()]
    draft = (await api.post("/drafts", json={"customer_id": payee, "item_ids": ids},
                            headers=ANNA)).json()
    assert draft["presets"]["tax_treatment"] == "eu_reverse_charge"
    did = draft["draft_id"]
    await api.post(f"/drafts/{did}/lines", json={"version": 1, "line": {
        "description": "Bonus: top publisher", "unit_price": "50"}}, headers=ANNA)
    draft = (await api.post(f"/drafts/{did}/lines", json={"version": 2, "line": {
        "description": "Deduction: fraudulent leads", "quantity": "-1", "unit_price": "10"}},
        headers=ANNA)).json()
    assert draft["totals"] == {"net": "120.00", "tax": "0.00", "gross": "120.00"}
    issued = await api.post(f"/drafts/{did}/issue", json={"version": 3}, headers=CARL)
    assert issued.status_code == 200, issued.text
    doc = issued.json()["document"]
    assert doc["document_type"] == "389" and doc["number"] == "SB-2026-00001"
    assert doc["seller"]["vat_id"] == "ATU13585627" and doc["seller"]["name"] == "Publisher 1004"
    assert {line["vat_category"] for line in doc["lines"]} == {"AE"}
    assert check(InvoiceDocument.model_validate(doc)) == []


async def test_margin_view_per_offer_and_advertiser(api: httpx.AsyncClient,
                                                    billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    await affiliate(billing, c, "1004")
    await affiliate(billing, c, "1005")
    customer = await advertiser(billing, c, country="DE", vat=None)
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "100.00000", "80.00000"), stat(c, "1005", "50.00000", "30.00000"),
        stat(c, "1004", "20.00000", "15.00000", offer="21")])
    await runs.process_selected(billing.uow, command(customer), billing.settings, TODAY)
    await ingest.apply_stat_rows(billing.uow(), [  # after billing: open again on offer 21
        stat(c, "1004", "30.00000", "22.00000", offer="21", day=DAY + dt.timedelta(days=2))])
    first, last = str(DAY), str(DAY + dt.timedelta(days=30))
    offers = (await api.get("/margins", params={"period_from": first, "period_to": last})
              ).json()["lines"]
    assert [(x["key"], x["revenue_billed"], x["revenue_open"], x["payout_owed"], x["margin"])
            for x in offers] == [(f"{c}:20", "150.00", "0.00", "110.00", "40.00"),
                                 (f"{c}:21", "20.00", "30.00", "37.00", "-17.00")]
    assert {x["advertiser_id"] for x in offers} == {customer}
    [per_advertiser] = (await api.get("/margins", params={
        "period_from": first, "period_to": last, "by": "advertiser"})).json()["lines"]
    assert per_advertiser["name"] == f"Acme {c}" and per_advertiser["margin"] == "23.00"
    refused = await api.get("/margins", params={"period_from": last, "period_to": first})
    assert refused.status_code == 422
