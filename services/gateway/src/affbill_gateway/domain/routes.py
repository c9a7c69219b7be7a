"""The route table: every /api/v1 route, who owns it, and what it does.

Forwarded routes go to the owning service's path of the same shape (api.md);
``access`` decides the least role (viewers read, accountants act, admins manage keys).
Pure data: the HTTP layer builds endpoints and the OpenAPI document from it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from affbill_gateway.domain.keys import Access, access_of


class Upstream(StrEnum):
    SYNC = "sync"
    BILLING = "billing"
    DOCUMENTS = "documents"
    JOBS = "jobs"


API = "/api/v1"
PARAM_TYPES: dict[str, type] = {"job_id": uuid.UUID, "invoice_id": uuid.UUID,
                                "item_id": uuid.UUID}  # else str
PAGED = ("limit", "offset")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below /api/v1, with {params}
    upstream: Upstream
    upstream_path: str
    summary: str
    query: tuple[str, ...] = ()
    download: bool = False  # streamed through (PDF, XML)
    long_poll: bool = False  # ?wait=<seconds> extends the read timeout

    @property
    def access(self) -> Access:
        return access_of(self.method, API + self.path)

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def has_body(self) -> bool:
        return self.method in ("POST", "PATCH")

    def target(self, values: dict[str, str]) -> str:
        return self.upstream_path.format(**values)


S, B, D, J = Upstream.SYNC, Upstream.BILLING, Upstream.DOCUMENTS, Upstream.JOBS
FORWARDED: tuple[Route, ...] = (
    Route("GET", "/adtracker/connectors", S, "/connectors", "List the adtracker connectors"),
    Route("GET", "/adtracker/syncs", S, "/syncs", "List syncs with their counts",
          ("connector", "status", "limit")),
    Route("GET", "/adtracker/syncs/{job_id}", S, "/syncs/{job_id}", "One sync"),
    Route("POST", "/adtracker/syncs/{job_id}/cancel", S, "/syncs/{job_id}/cancel",
          "Stop a queued or running sync (it ends cancelled)"),
    Route("GET", "/adtracker/quarantine", S, "/quarantine", "Quarantined adtracker rows",
          ("connector", "job_id", "entity", *PAGED)),
    Route("GET", "/customers", B, "/customers", "List customers",
          ("q", "account_manager", *PAGED)),
    Route("GET", "/customers/{customer_id}", B, "/customers/{customer_id}", "One customer"),
    Route("GET", "/customers/{customer_id}/profile", B, "/customers/{customer_id}/profile",
          "A customer's billing profile"),
    Route("GET", "/customers/{customer_id}/threshold-ledger", B,
          "/customers/{customer_id}/threshold-ledger",
          "What runs carried below a customer's threshold, newest first"),
    Route("PATCH", "/customers/{customer_id}/profile", B, "/customers/{customer_id}/profile",
          "Change a customer's billing profile"),
    Route("GET", "/seller-entities", B, "/seller-entities",
          "The seller entities: the companies that issue documents"),
    Route("GET", "/seller-entities/{entity}", B, "/seller-entities/{entity}",
          "One seller entity"),
    Route("POST", "/seller-entities", B, "/seller-entities",
          "Create a seller entity (legal name, address, VAT id, tax number, register, "
          "managing directors, bank accounts)"),
    Route("PATCH", "/seller-entities/{entity}", B, "/seller-entities/{entity}",
          "Change a seller entity"),
    Route("GET", "/number-series", B, "/number-series",
          "Number series: format, reset, last counter, an example number"),
    Route("GET", "/number-series/{series}", B, "/number-series/{series}", "One number series"),
    Route("POST", "/number-series", B, "/number-series",
          "Create a number series (prefix, counter width, suffix, minimum start, reset)"),
    Route("PATCH", "/number-series/{series}", B, "/number-series/{series}",
          "Change a number series' format (refused once it numbered documents)"),
    Route("GET", "/generator", B, "/generator",
          "The generator: one line per customer with open items",
          ("customer", "account_manager", "period_from", "period_to", "currency", "page",
           "page_size", "kind", *PAGED)),
    Route("GET", "/margins", B, "/margins",
          "Margin view: revenue billed, payout owed and the margin per offer or advertiser",
          ("period_from", "period_to", "by")),
    Route("POST", "/payouts/exports", B, "/payouts/exports",
          "Payout files (SEPA pain.001.001.09, CSV) for the affiliates' issued credit notes"),
    Route("GET", "/periods", B, "/periods",
          "Billing periods of a frequency with their readiness (newest first)",
          ("frequency", "count", "before")),
    Route("POST", "/periods/lock", B, "/periods/lock",
          "Lock a billed period (runs for it are refused; restatements go to the next one)"),
    Route("GET", "/schedules", B, "/schedules",
          "Scheduled runs: every schedule with its next run, the runs it started or that "
          "wait for their period to be ready, and the leading billing process"),
    Route("GET", "/schedules/{schedule_id}", B, "/schedules/{schedule_id}",
          "One schedule with its latest runs"),
    Route("POST", "/schedules", B, "/schedules",
          "Schedule runs: a billing frequency's customers, each period, a generation delay "
          "after it"),
    Route("PATCH", "/schedules/{schedule_id}", B, "/schedules/{schedule_id}",
          "Change, pause (paused_reason) or resume (resume: true) a schedule"),
    Route("GET", "/dry-runs/{run_id}/csv", B, "/dry-runs/{run_id}/csv",
          "Download a dry run's lines as CSV", download=True),
    Route("GET", "/generator/{customer_id}/items", B, "/generator/{customer_id}/items",
          "A customer's open billable items",
          ("period_from", "period_to", "offer_id", "currency", "page", "page_size", *PAGED)),
    Route("POST", "/drafts", B, "/drafts", "Cart into generator: a draft from open items"),
    Route("POST", "/drafts/custom", B, "/drafts/custom", "A custom invoice draft"),
    Route("POST", "/drafts/issue", B, "/drafts/issue", "Issue several drafts as one job"),
    Route("GET", "/drafts", B, "/drafts", "List drafts", ("customer_id", *PAGED)),
    Route("GET", "/drafts/{draft_id}", B, "/drafts/{draft_id}", "One draft"),
    Route("PATCH", "/drafts/{draft_id}", B, "/drafts/{draft_id}", "Edit a draft's presets"),
    Route("DELETE", "/drafts/{draft_id}", B, "/drafts/{draft_id}",
          "Discard a draft (its items return to the generator)", ("version",)),
    Route("POST", "/drafts/{draft_id}/lines", B, "/drafts/{draft_id}/lines", "Add a line"),
    Route("PATCH", "/drafts/{draft_id}/lines/{line_id}", B, "/drafts/{draft_id}/lines/{line_id}",
          "Edit a line"),
    Route("DELETE", "/drafts/{draft_id}/lines/{line_id}", B, "/drafts/{draft_id}/lines/{line_id}",
          "Remove a line", ("version",)),
    Route("POST", "/drafts/{draft_id}/approve", B, "/drafts/{draft_id}/approve",
          "Approve a draft"),
    Route("POST", "/drafts/{draft_id}/issue", B, "/drafts/{draft_id}/issue",
          "Create: issue a draft as an invoice"),
    Route("GET", "/invoices", D, "/invoices", "The invoice list",
          ("customer_id", "status", "date_from", "date_to", "number", "currency", *PAGED)),
    Route("GET", "/invoices/{invoice_id}", D, "/invoices/{invoice_id}",
          "An issued document's metadata"),
    Route("GET", "/invoices/{invoice_id}/pdf", D, "/invoices/{invoice_id}/pdf",
          "Download the PDF/A-3", download=True),
    Route("GET", "/invoices/{invoice_id}/xml", D, "/invoices/{invoice_id}/xml",
          "Download the EN 16931 XML", download=True),
    Route("GET", "/invoices/{invoice_id}/xrechnung", D, "/invoices/{invoice_id}/xrechnung",
          "Download the XRechnung XML (customers with e_invoice_format xrechnung)",
          download=True),
    Route("POST", "/invoices/{invoice_id}/cancel", B, "/invoices/{invoice_id}/cancel",
          "Cancel an invoice (issues a cancellation document)"),
    Route("POST", "/invoices/{invoice_id}/credit-notes", B, "/invoices/{invoice_id}/credit-notes",
          "A partial credit note: chosen lines (and quantities) or a net amount"),
    Route("GET", "/invoices/{invoice_id}/lines", B, "/invoices/{invoice_id}/lines",
          "An issued document's lines, each with how many billable items it billed"),
    Route("GET", "/invoices/{invoice_id}/items", B, "/invoices/{invoice_id}/items",
          "The billable items an issued document (or one line) billed",
          ("line_no", *PAGED)),
    Route("GET", "/items/{item_id}/stat-rows", B, "/items/{item_id}/stat-rows",
          "The stat rows (per affiliate, as last synced) a billable item adds up"),
    Route("GET", "/rates", B, "/rates",
          "Exchange rates a document dated ?date= uses (that day's or the last before it)",
          ("date", "currency")),
    Route("GET", "/rates/{currency}/{rate_date}/history", B,
          "/rates/{currency}/{rate_date}/history",
          "Every rate recorded for a currency and day, corrections included"),
    Route("POST", "/rates", B, "/rates", "Enter an exchange rate by hand (who and why kept)"),
    Route("POST", "/rates/sync", S, "/rates/sync",
          "Fetch the exchange rates from the source now and publish what changed"),
    Route("GET", "/jobs", J, "/jobs", "The job log", ("kind", "status", "started_by", *PAGED)),
    Route("GET", "/jobs/{job_id}", J, "/jobs/{job_id}", "A job with progress and its first lines"),
    Route("GET", "/jobs/{job_id}/lines", J, "/jobs/{job_id}/lines",
          "A job's log lines after a cursor; ?wait= long-polls for new ones",
          ("after", "limit", "wait"), long_poll=True),
)
