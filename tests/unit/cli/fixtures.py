"""Answers of a fake gateway for the CLI's snapshot and schema tests: realistic sizes (whole
UUIDs, long names, several currencies), one per list command."""

from __future__ import annotations

from typing import Any

from tests.unit.cli.test_cli import GENERATOR

D1, D2 = "3f9e0c4a-7d21-4b8e-9a0f-5c2d1e6b7a10", "a81c2e55-0f3b-4d6a-8e9c-1b2d3c4e5f60"
I1, I2 = "5f0c8a8e-2b1c-4d39-9a53-0b6b3d2c8e11", "9b7a6c5d-4e3f-4a1b-8c2d-7e6f5a4b3c21"
J1 = "0b7d2f0e-8a43-4c52-a9a4-5d1a9e1f7c33"
IT1, IT2 = "2f0b3c1e-6e21-4f7e-9b25-4f1b0f3c9a11", "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
PAGE = {"limit": 50, "offset": 0}

INVOICES = {"items": [
    {"invoice_id": I1, "number": "INV-2026-00001", "buyer_name": "Acme Media GmbH",
     "customer_id": "ho:advertiser:7", "issue_date": "2026-11-30", "due_date": "2026-12-14",
     "currency": "EUR", "net_total": "13744.00591", "gross_total": "16355.37",
     "status": "issued", "valid": True},
    {"invoice_id": I2, "number": "INV-2026-00002-S", "buyer_name": "Shop Worldwide Ltd",
     "customer_id": "ho:advertiser:8", "issue_date": "2026-12-01", "due_date": "2026-12-01",
     "currency": "USD", "net_total": "-528.6499", "gross_total": "-528.65",
     "status": "issued", "valid": True}], "total": 2, **PAGE}
DRAFTS = {"items": [
    {"draft_id": D1, "customer_id": "ho:advertiser:7", "customer_name": "Acme Media",
     "currency": "EUR", "document_type": "380", "version": 3, "lines": 2, "items": 31,
     "totals": {"net": "13744.00", "tax": "2611.36", "gross": "16355.36"}, "age_days": 4,
     "approvals": {"required": 2, "count": 1, "by": ["anna"], "complete": False}},
    {"draft_id": D2, "customer_id": "ho:advertiser:8", "customer_name": "Shop Worldwide Ltd",
     "currency": "USD", "document_type": "380", "version": 1, "lines": 1, "items": 0,
     "totals": {"net": "100.00", "tax": "0.00", "gross": "100.00"}, "age_days": 0,
     "approvals": {"required": 0, "count": 0, "by": [], "complete": True}}],
    "total": 2, **PAGE}
JOBS = {"items": [
    {"job_id": J1, "kind": "batch_run", "status": "succeeded", "started_by": "anna@network.example",
     "started_at": "2026-12-01 21:30:36.714326+00:00", "title": "Process selected: all customers"},
    {"job_id": D2, "kind": "standard_sync", "status": "running", "started_by": "scheduler",
     "started_at": "2026-12-01T20:00:00Z", "title": "Standard sync of hasoffers-sim"}],
    "total": 2, **PAGE}
JOB = {"job_id": J1, "kind": "standard_sync", "status": "running", "started_by": "anna",
       "started_at": "2026-12-01T20:00:00+00:00", "finished_at": None,
       "title": "Standard sync of hasoffers-sim", "progress": [
           {"service": "sync", "step": "advertisers", "done": 200, "total": None},
           {"service": "billing", "step": "conversion", "done": 313, "total": None},
           {"service": "billing", "step": "customers", "done": 3, "total": 40}],
       "lines": {"items": [{"time": "2026-12-01T20:00:01Z", "level": "info",
                            "text": "Standard sync of hasoffers-sim started"}]}}
KEYS = {"items": [{"key_id": J1, "prefix": "affb_3xQ", "name": "anna@network.example",
                   "role": "accountant", "created_at": "2026-11-20T08:00:00Z",
                   "revoked_at": None}], "total": 1, **PAGE}
CUSTOMERS = {"items": [
    {"customer_id": "ho:advertiser:7", "name": "Acme Media", "kind": "advertiser",
     "status": "active", "account_manager_id": "3", "default_currency": "EUR",
     "billing_name": "Acme Media GmbH", "billing_currency": "EUR", "drafts_by_default": False},
    {"customer_id": "ho:advertiser:1234", "name": "A very long advertiser name Inc.",
     "kind": "advertiser", "status": "paused", "account_manager_id": None,
     "default_currency": "USD", "billing_name": None, "billing_currency": None,
     "drafts_by_default": None}], "total": 2, **PAGE}
ITEMS = {"page": 1, "page_size": 100, "total": 2, "items": [
    {"item_id": IT1, "customer_id": "ho:advertiser:7", "offer_id": "20",
     "offer_name": "Shop CPS Germany", "day": "2026-11-01", "currency": "EUR", "units": 5,
     "revenue": "62.5000100000", "state": "open", "invoice_id": None, "draft_id": None},
    {"item_id": IT2, "customer_id": "ho:advertiser:7", "offer_id": "21",
     "offer_name": "App installs", "day": "2026-11-02", "currency": "EUR", "units": 1,
     "revenue": "10.00001", "state": "open", "invoice_id": None, "draft_id": D1}]}
LINES = {"invoice_id": I1, "number": "INV-2026-00001", "status": "issued", "currency": "EUR",
         "customer_id": "ho:advertiser:7", "total": 2, "items": [
             {"line_no": 1, "description": "Shop CPS Germany, 2026-11-01 – 2026-11-30",
              "quantity": "5", "unit_price": "12.50", "net_amount": "62.50",
              "vat_category": "S", "vat_rate": "19.00", "allowances": [], "items": 30},
             {"line_no": 2, "description": "Q4 bonus", "quantity": "1", "unit_price": "50",
              "net_amount": "50.00", "vat_category": "S", "vat_rate": "19.00",
              "allowances": [{"amount": "5.00", "reason": "Launch"}], "items": 0}]}
STAT_ROWS = {"item": ITEMS["items"][0], "total": 2, "items": [
    {"stat_key": "hasoffers-sim|2026-11-01|7|20|1004|EUR", "customer_id": "ho:advertiser:7",
     "offer_id": "20", "offer_name": "Shop CPS Germany", "day": "2026-11-01",
     "currency": "EUR", "units": 3, "revenue": "37.50001", "updated_at": "2026-12-01T20:01:02Z"},
    {"stat_key": "hasoffers-sim|2026-11-01|7|20|1005|EUR", "customer_id": "ho:advertiser:7",
     "offer_id": "20", "offer_name": "Shop CPS Germany", "day": "2026-11-01",
     "currency": "EUR", "units": 2, "revenue": "25.00", "updated_at": "2026-12-01T20:01:02Z"}]}
PERIODS = {"time_zone": "Europe/Berlin", "settle_hours": 24, "items": [
    {"start": "2026-11-01", "end": "2026-11-30", "ready": False, "locked": None,
     "status": "Period 2026-11-01..2026-11-30 is not ready: no successful sync of "
               "hasoffers-sim started after 2026-12-01 23:00 UTC",
     "connectors": [{"connector": "hasoffers-sim", "ready": False}]},
    {"start": "2026-10-01", "end": "2026-10-31", "ready": True,
     "locked": {"by": "anna", "reason": "closed"}, "status": "ready",
     "connectors": [{"connector": "hasoffers-sim", "ready": True}]}]}
ENTITIES = [{"entity": "gmbh", "legal_name": "Affiliate Network GmbH", "country": "DE",
             "vat_id": "DE123456789", "tax_number": "143/123/45678",
             "company_register": "Amtsgericht Berlin HRB 12345", "version": 2,
             "bank_accounts": [{"iban": "DE89370400440532013000"}]}]
SERIES = [{"series": "default", "prefix": "INV-{yyyy}-", "padding": 5, "suffix": "",
           "start": 1, "reset": "yearly", "cancellation_suffix": "-S", "last_counter": 41,
           "example": "INV-2026-00042"}]
AUDIT = {"items": [{"seq": 7, "at": "2026-12-01T22:10:05.123456+00:00",
                    "actor": "anna@network.example", "actor_role": "accountant",
                    "entity_kind": "draft", "entity_id": D1, "action": "edit_presets",
                    "before": {"version": 1, "payment_days": 14},
                    "after": {"version": 2, "payment_days": 30}}], "total": 1, **PAGE}
RATES = {"date": "2026-12-01", "rates": [
    {"currency": "USD", "rate": "1.0512", "rate_date": "2026-11-30", "source": "ecb",
     "entered_by": None, "reason": None}]}

# command → (arguments, route, answer, schema name)
LISTS: dict[str, tuple[list[str], str, Any, str]] = {
    "generator": (["generator"], "/api/v1/generator", GENERATOR, "generator"),
    "invoices": (["invoices", "list"], "/api/v1/invoices", INVOICES, "invoices"),
    "drafts": (["drafts", "list"], "/api/v1/drafts", DRAFTS, "drafts"),
    "jobs": (["jobs", "list"], "/api/v1/jobs", JOBS, "jobs"),
    "keys": (["keys", "list"], "/api/v1/keys", KEYS, "keys"),
    "customers": (["customers", "list"], "/api/v1/customers", CUSTOMERS, "customers"),
    "items": (["items", "--customer", "ho:advertiser:7"],
              "/api/v1/generator/ho:advertiser:7/items", ITEMS, "items"),
    "invoice-lines": (["invoices", "show", I1, "--lines"], f"/api/v1/invoices/{I1}/lines",
                      LINES, "lines"),
    "stat-rows": (["items", IT1], f"/api/v1/items/{IT1}/stat-rows", STAT_ROWS, "stat_rows"),
    "periods": (["periods"], "/api/v1/periods", PERIODS, "periods"),
    "entities": (["entities", "list"], "/api/v1/seller-entities", ENTITIES, "entities"),
    "series": (["series", "list"], "/api/v1/number-series", SERIES, "series"),
    "audit": (["audit", "list"], "/api/v1/audit", AUDIT, "audit"),
    "rates": (["rates", "show"], "/api/v1/rates", RATES, "rates"),
}
