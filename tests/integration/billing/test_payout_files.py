"""Payout files on the real database: issued self-billed credit notes become one SEPA
credit transfer file (pain.001.001.09, valid against the ISO 20022 XSD) per seller entity
for EUR payouts by SEPA and a CSV for the rest, amounts to the cent, each credit note paid
out exactly once (a second export skips it, naming it again is refused unless chosen)."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import uuid
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from lxml import etree
from sqlalchemy import text

from affbill_billing.adapters.sepa_files import NS, problems
from affbill_billing.service_layer import ingest, issuing, runs
from affbill_contracts import Envelope, StatRowSynced
from affbill_runtime.runtime import Runtime
from tests.integration.billing.conftest import DAY, TODAY, command
from tests.integration.billing.test_drafts import ANNA
from tests.integration.billing.test_payouts import affiliate, log_lines, stat

pytestmark = pytest.mark.integration
IBAN_DE, IBAN_FR = "DE89370400440532013000", "FR1420041010050500013M02606"


async def payee(api: httpx.AsyncClient, billing: Runtime, c: str, affiliate_id: str,
                method: str, iban: str, bic: str | None = None) -> str:
    customer = await affiliate(billing, c, affiliate_id)
    answer = await api.patch(f"/customers/{customer}/profile", json={
        "payout_method": method, "bank_account": {
            "account_holder": f"Holder {affiliate_id}", "iban": iban, "bic": bic}})
    assert answer.status_code == 200, answer.text
    return customer


async def issued_389s(billing: Runtime, customers: list[str]) -> dict[str, tuple]:
    async with billing.engine.connect() as conn:
        rows = await conn.execute(text(
            "select customer_id, invoice_id, number, gross_total, payout_file_id, "
            "payout_exported_by from invoices where document_type = '389' "
            "and customer_id = any(:c)"), {"c": customers})
        return {r.customer_id: tuple(r[1:]) for r in rows}


async def test_sepa_file_for_eur_csv_for_the_rest_each_credit_note_once(
        api: httpx.AsyncClient, billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    de = await payee(api, billing, c, "1004", "sepa", IBAN_DE, "COBADEFFXXX")
    fr = await payee(api, billing, c, "1005", "sepa", IBAN_FR)  # a BIC is optional in SEPA
    pp = await payee(api, billing, c, "1006", "paypal", IBAN_DE)
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, "1004", "100.00000", "80.12345"), stat(c, "1005", "50.00000", "33.33333"),
        stat(c, "1006", "20.00000", "10.00000")])
    await runs.process_selected(billing.uow, command(de, fr, pp), billing.settings, TODAY)
    notes = await issued_389s(billing, [de, fr, pp])
    assert len(notes) == 3

    first = await api.post("/payouts/exports", headers=ANNA, json={"customer_ids": [de, fr, pp]})
    assert first.status_code == 201, first.text
    body = first.json()
    [sepa] = [f for f in body["files"] if f["format"] == "sepa"]
    [provider] = [f for f in body["files"] if f["format"] == "csv"]
    xml = sepa["content"].encode()
    assert problems(xml) == []  # valid against the ISO 20022 XSD
    root = etree.fromstring(xml)
    amounts = {t.findtext("p:PmtId/p:EndToEndId", namespaces=NS):
               Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=NS))
               for t in root.iterfind(".//p:CdtTrfTxInf", NS)}
    # the credit notes' totals to the cent (domestic VAT 19 % on 80.12 and 33.33)
    assert amounts == {notes[de][1]: notes[de][2], notes[fr][1]: notes[fr][2]}
    assert amounts[notes[de][1]] == Decimal("95.34")
    assert Decimal(root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == sum(amounts.values())
    assert root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == \
        billing.settings.configured_seller().bank.iban
    assert {i.text for i in root.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", NS)} == {IBAN_DE, IBAN_FR}
    assert [r.text for r in root.iterfind(".//p:RmtInf/p:Ustrd", NS)] == sorted(amounts)
    assert root.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == \
        uuid.UUID(sepa["file_id"]).hex
    [row] = list(csv.DictReader(io.StringIO(provider["content"])))
    assert row["credit_note"] == notes[pp][1] and row["payout_method"] == "paypal"
    assert Decimal(row["amount"]) == notes[pp][2]
    # marked "payout exported" with the file id and the user
    marked = await issued_389s(billing, [de, fr, pp])
    assert str(marked[de][3]) == sepa["file_id"] and str(marked[pp][3]) == provider["file_id"]
    assert {m[4] for m in marked.values()} == {"anna"}
    lines = await log_lines(billing)
    assert any(line.startswith(f"Payout file {sepa['filename']} written for ") and
               "2 credit notes" in line for line in lines)

    # exactly once: the next export finds nothing, naming one again is refused...
    again = await api.post("/payouts/exports", headers=ANNA, json={"customer_ids": [de, fr, pp]})
    assert again.json()["files"] == []
    named = await api.post("/payouts/exports", headers=ANNA,
                           json={"credit_note_ids": [str(notes[de][0])]})
    assert named.status_code == 409 and notes[de][1] in named.json()["detail"]
    # ...unless chosen explicitly
    chosen = await api.post("/payouts/exports", headers=ANNA, json={
        "credit_note_ids": [str(notes[de][0])], "again": True})
    assert chosen.status_code == 201
    assert [f["credit_notes"] for f in chosen.json()["files"]] == [[notes[de][1]]]


async def test_cancelled_and_unpayable_credit_notes_are_not_paid_out(
        api: httpx.AsyncClient, billing: Runtime) -> None:
    c = f"ho-{uuid.uuid4().hex[:6]}"
    kept = await payee(api, billing, c, "1004", "sepa", IBAN_DE)
    cancelled = await payee(api, billing, c, "1005", "sepa", IBAN_FR)
    no_method = await affiliate(billing, c, "1006")
    await ingest.apply_stat_rows(billing.uow(), [
        stat(c, a, "100.00000", "50.00000") for a in ("1004", "1005", "1006")])
    await runs.process_selected(billing.uow, command(kept, cancelled, no_method),
                                billing.settings, TODAY)
    notes = await issued_389s(billing, [kept, cancelled, no_method])
    await issuing.cancel_invoice(billing.uow, notes[cancelled][0], "clerk", billing.settings)
    body = (await api.post("/payouts/exports", headers=ANNA, json={
        "customer_ids": [kept, cancelled, no_method]})).json()
    assert [f["credit_notes"] for f in body["files"]] == [[notes[kept][1]]]
    assert body["skipped"] == [{"number": notes[no_method][1],
                                "reason": "no payout_method in the affiliate's profile"}]
    assert f"Credit note {notes[no_method][1]} not paid out: no payout_method in the " \
           "affiliate's profile" in await log_lines(billing)
    unknown = await api.post("/payouts/exports", headers=ANNA,
                             json={"credit_note_ids": [str(uuid.uuid4())]})
    assert unknown.status_code == 404


def demo_module() -> ModuleType:
    """deploy/local/demo.py, as `make demo` runs it (its pieces are plain functions)."""
    path = Path(__file__).resolve().parents[3] / "deploy" / "local" / "demo.py"
    spec = importlib.util.spec_from_file_location("affbill_demo", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def paid_in(c: str, affiliate_id: str, currency: str, payout: str) -> Envelope[StatRowSynced]:
    return Envelope.wrap(StatRowSynced(
        connector=c, stat_key=f"{c}|{DAY}|7|20|{affiliate_id}|{currency}", date=DAY,
        advertiser_id="7", offer_id="20", offer_name="Shop CPS", affiliate_id=affiliate_id,
        currency=currency, conversions=2, revenue=Decimal(payout) * 2,
        payout=Decimal(payout)))


async def test_the_demo_holds_back_one_affiliate_paid_in_several_currencies(
        api: httpx.AsyncClient, billing: Runtime) -> None:
    """The simulator pays every affiliate in four currencies; the demo's threshold goes on
    the smallest open payout's currency, so the run has its skip line and pays the rest."""
    demo = demo_module()
    c = f"ho-{uuid.uuid4().hex[:6]}"
    payees = [await affiliate(billing, c, a, country="US", vat_id=None)  # no VAT: no rates
              for a in ("1004", "1005")]
    await ingest.apply_stat_rows(billing.uow(), [
        paid_in(c, a, cur, amount) for a, amounts in (("1004", ("80", "70", "60", "50")),
                                                      ("1005", ("90", "12.34", "95", "99")))
        for cur, amount in zip(("EUR", "USD", "GBP", "CHF"), amounts, strict=True)])
    lines = (await api.get("/generator", params={"kind": "affiliate"})
             ).json()["lines"]
    assert [len(line["totals"]) for line in lines] == [4, 4]
    smallest, total = demo.smallest_payout(lines)
    assert (smallest["customer_id"], total["currency"]) == (payees[1], "USD")
    threshold = Decimal(math.ceil(Decimal(total["open_total"]) * 2 / 100) * 100)
    answer = await api.patch(f"/customers/{payees[1]}/profile", json={
        "threshold_amount": str(threshold), "threshold_currency": "USD"})
    assert answer.status_code == 200, answer.text
    counts = await runs.process_selected(billing.uow, command(*payees), billing.settings,
                                         TODAY)
    assert counts["documents_created"] == 7, await log_lines(billing)
    assert ("Skipped payout items with a total of 12.34 USD (threshold 100.00 USD) for "
            "Publisher 1005") in await log_lines(billing)
