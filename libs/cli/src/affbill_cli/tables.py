"""Rich tables of the gateway's answers. Fields a service does not send show empty."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from affbill_cli.follow import line_text, step_of


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):  # ids are kept whole; no value is cut short
        table.add_column(column, justify="right" if column in AMOUNTS else "left",
                         no_wrap=i == 0 or column in IDS, overflow="fold",
                         min_width=UUID_WIDTH if column in IDS else None)
    return table


IDS = {"Draft", "Invoice", "Job", "Key"}  # what other commands take: shown whole
UUID_WIDTH = 36
AMOUNTS = {"Open total", "Items", "Pending", "Total", "Net", "Gross", "Done", "Lines", "Age"}


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _paged(body: dict[str, Any], noun: str) -> str:
    total = body.get("total", len(body.get("items", [])))
    return f"{noun}: {total}"


def generator(body: dict[str, Any]) -> Table:
    table = _table(f"Generator: {body.get('customers', body.get('total', 0))} customers",
                   "Customer", "Name", "Currency", "Open total", "Items", "Pending",
                   "Threshold", "Reaches")
    for line in body.get("lines", body.get("items", [])):
        threshold = line.get("threshold") or {}
        for i, total in enumerate(line.get("totals", [])):
            first = i == 0
            reaches = total.get("reaches_threshold")
            table.add_row(
                line["customer_id"] if first else "", _s(line.get("name")) if first else "",
                total.get("currency"), total.get("open_total"), _s(total.get("items")),
                _s(total.get("pending_conversions")),
                f"{threshold.get('amount')} {threshold.get('currency') or ''}".strip()
                if threshold and first else "",
                "" if reaches is None else ("yes" if reaches else "no"))
    return table


def periods(body: dict[str, Any]) -> Table:
    """Billing periods with their readiness (settle time and time zone in the title)."""
    table = _table(f"Billing periods ({body.get('time_zone')}, settle "
                   f"{body.get('settle_hours')} h)", "Period", "Ready", "Locked", "Connectors",
                   "Status")
    for p in body.get("items", []):
        lock = p.get("locked") or {}
        table.add_row(f"{p['start']}..{p['end']}", "yes" if p.get("ready") else "no",
                      f"by {lock.get('by')}: {lock.get('reason')}" if lock else "",
                      ", ".join(f"{c['connector']} {'✓' if c.get('ready') else '…'}"
                                for c in p.get("connectors", [])), _s(p.get("status")))
    return table


def drafts(body: dict[str, Any]) -> Table:
    """Billing's draft list: customer, totals, age and approvals."""
    table = _table(_paged(body, "Drafts"), "Draft", "Customer", "Currency", "Net", "Gross",
                   "Lines", "Items", "Age", "Approvals", "Version")
    for d in body.get("items", []):
        totals = d.get("totals") or {}
        approvals = d.get("approvals") or {}
        table.add_row(_s(d.get("draft_id")), _s(d.get("customer_name") or d.get("customer_id")),
                      _s(d.get("currency")), _s(totals.get("net")), _s(totals.get("gross")),
                      _s(d.get("lines")), _s(d.get("items")), f"{_s(d.get('age_days'))} d",
                      f"{approvals.get('count', 0)}/{approvals.get('required', 0)}",
                      _s(d.get("version")))
    return table


def document(body: dict[str, Any]) -> Group:
    """A draft (billing) or an invoice's metadata (documents): its fields, totals, lines."""
    head = _table("", "Field", "Value")
    for k, v in body.items():
        if not isinstance(v, (dict, list)):
            head.add_row(k, _s(v))
    for k, v in (body.get("totals") or {}).items():  # a draft's net, tax and gross
        head.add_row(k, _s(v))
    lines = _table("Lines", "Description", "Quantity", "Unit price", "VAT %", "Net")
    for line in body.get("lines") or []:
        lines.add_row(_s(line.get("description")), _s(line.get("quantity")),
                      _s(line.get("unit_price")), _s(line.get("vat_rate")),
                      _s(line.get("net_amount")))
    return Group(head, lines) if body.get("lines") else Group(head)


def invoices(body: dict[str, Any]) -> Table:
    """The documents service's invoice list."""
    table = _table(_paged(body, "Invoices"), "Number", "Invoice", "Customer", "Status",
                   "Issued", "Due", "Currency", "Net", "Gross", "Valid")
    for i in body.get("items", []):
        table.add_row(_s(i.get("number")), _s(i.get("invoice_id")),
                      _s(i.get("buyer_name") or i.get("customer_id")), _s(i.get("status")),
                      _s(i.get("issue_date")), _s(i.get("due_date")), _s(i.get("currency")),
                      _s(i.get("net_total")), _s(i.get("gross_total")),
                      "" if i.get("valid") is None else ("yes" if i["valid"] else "no"))
    return table


def jobs(body: dict[str, Any]) -> Table:
    table = _table(_paged(body, "Jobs"), "Job", "Kind", "Status", "Started by", "Started",
                   "Title")
    for j in body.get("items", []):
        table.add_row(_s(j.get("job_id")), _s(j.get("kind")), _s(j.get("status")),
                      _s(j.get("started_by")), _s(j.get("started_at")), _s(j.get("title")))
    return table


def job(body: dict[str, Any]) -> Group:
    head = _table(_s(body.get("title")), "Field", "Value")
    for k in ("job_id", "kind", "status", "started_by", "started_at", "finished_at"):
        head.add_row(k, _s(body.get(k)))
    if step := step_of(body):
        head.add_row("progress", f"{step[0]} {step[1]}/{_s(step[2])}")
    lines = body.get("lines") or {}
    items = lines.get("items", []) if isinstance(lines, dict) else lines
    log = _table("Log", "Line")
    for line in items:
        log.add_row(line_text(line))
    return Group(head, log)


def keys(body: dict[str, Any]) -> Table:
    table = _table(_paged(body, "API keys"), "Key", "Prefix", "Name", "Role", "Created",
                   "Revoked")
    for k in body.get("items", []):
        table.add_row(_s(k.get("key_id")), _s(k.get("prefix")), _s(k.get("name")),
                      _s(k.get("role")), _s(k.get("created_at")), _s(k.get("revoked_at")))
    return table
