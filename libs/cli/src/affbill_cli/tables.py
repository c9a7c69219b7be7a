"""The lists of the gateway's answers as columns (see output.py for how they print).

Each function gives (title, rows, columns) for one answer; fields a service does not send
show empty. Money is rounded to its currency here, timestamps read in any of the API's
spellings, so the CLI stays right while the services' formats move.
"""

from __future__ import annotations

from typing import Any

from affbill_cli.follow import step_text
from affbill_cli.output import Col, field, money, plural, text, when

Listing = tuple[str, list[dict[str, Any]], list[Col]]


def _total(body: dict[str, Any], key: str = "total") -> int:
    return int(body.get(key, len(body.get("items", []))) or 0)


def _yes(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


def generator(body: dict[str, Any]) -> Listing:
    """One row per customer and currency with open items."""
    rows = []
    for line in body.get("lines", body.get("items", [])):
        threshold = line.get("threshold") or {}
        for i, total in enumerate(line.get("totals", [])):
            first = i == 0
            cur = total.get("currency")
            rows.append({
                "customer_id": line["customer_id"] if first else "",
                "name": line.get("name") if first else "", "currency": cur,
                "open_total": money(total.get("open_total"), cur), "items": total.get("items"),
                "days": _days(total), "pending": total.get("pending_conversions"),
                "threshold": f"{money(threshold.get('amount'), threshold.get('currency'))} "
                             f"{threshold.get('currency') or ''}".strip()
                if threshold and first else "",
                "reaches": _yes(total.get("reaches_threshold"))})
    count = int(body.get("customers", body.get("total", 0)) or 0)
    return (f"Generator: {plural(count, 'customer')}", rows, [
        field("Customer", "customer_id", 9), field("Name", "name", 8),
        field("Cur", "currency", 7), field("Open total", "open_total", 9, right=True),
        field("Items", "items", 6, right=True), field("Days", "days", 2),
        field("Pending", "pending", 3, right=True), field("Threshold", "threshold", 4),
        field("Reaches", "reaches", 5)])


def _days(total: dict[str, Any]) -> str:
    first, last = total.get("first_day"), total.get("last_day")
    return "" if not first else (first if first == last else f"{first}..{last}")


def periods(body: dict[str, Any]) -> Listing:
    """Billing periods with their readiness (settle time and time zone in the title)."""
    rows = [{"period": f"{p['start']}..{p['end']}", "ready": _yes(p.get("ready")),
             "locked": f"by {lock.get('by')}: {lock.get('reason')}"
             if (lock := p.get("locked") or {}) else "",
             "connectors": ", ".join(f"{c['connector']} {'ready' if c.get('ready') else 'waits'}"
                                     for c in p.get("connectors", [])),
             "status": p.get("status")} for p in body.get("items", [])]
    return (f"Billing periods ({body.get('time_zone')}, settle {body.get('settle_hours')} h)",
            rows, [field("Period", "period", 9), field("Ready", "ready", 9),
                   field("Locked", "locked", 6), field("Connectors", "connectors", 4),
                   field("Status", "status", 3, wrap=True)])


def drafts(body: dict[str, Any]) -> Listing:
    """Billing's draft list: customer, totals, age and approvals."""
    rows = []
    for d in body.get("items", []):
        totals, approvals, cur = d.get("totals") or {}, d.get("approvals") or {}, d.get("currency")
        rows.append({"draft_id": d.get("draft_id"),
                     "customer": d.get("customer_name") or d.get("customer_id"),
                     "currency": cur, "net": money(totals.get("net"), cur),
                     "gross": money(totals.get("gross"), cur), "lines": d.get("lines"),
                     "items": d.get("items"), "age": f"{text(d.get('age_days'))} d",
                     "approvals": f"{approvals.get('count', 0)}/{approvals.get('required', 0)}",
                     "version": d.get("version")})
    return (f"Drafts: {_total(body)}", rows, [
        field("Draft", "draft_id", 9, is_id=True), field("Customer", "customer", 8),
        field("Cur", "currency", 7), field("Net", "net", 6, right=True),
        field("Gross", "gross", 9, right=True), field("Lines", "lines", 3, right=True),
        field("Items", "items", 2, right=True), field("Age", "age", 4, right=True),
        field("Approvals", "approvals", 5), field("Version", "version", 8, right=True)])


def invoices(body: dict[str, Any]) -> Listing:
    """The documents service's invoice list."""
    rows = [{"number": i.get("number"), "invoice_id": i.get("invoice_id"),
             "customer": i.get("buyer_name") or i.get("customer_id"), "status": i.get("status"),
             "issued": i.get("issue_date"), "due": i.get("due_date"),
             "currency": i.get("currency"), "net": money(i.get("net_total"), i.get("currency")),
             "gross": money(i.get("gross_total"), i.get("currency")),
             "valid": _yes(i.get("valid"))} for i in body.get("items", [])]
    return (f"Invoices: {_total(body)}", rows, [
        field("Number", "number", 9), field("Invoice", "invoice_id", 7, is_id=True),
        field("Customer", "customer", 8), field("Status", "status", 6),
        field("Issued", "issued", 5), field("Due", "due", 3), field("Cur", "currency", 8),
        field("Net", "net", 4, right=True), field("Gross", "gross", 9, right=True),
        field("Valid", "valid", 2)])


def jobs(body: dict[str, Any]) -> Listing:
    rows = [{"job_id": j.get("job_id"), "kind": j.get("kind"), "status": j.get("status"),
             "started_by": j.get("started_by"), "started_at": when(j.get("started_at")),
             "title": j.get("title")} for j in body.get("items", [])]
    return (f"Jobs: {_total(body)}", rows, [
        field("Job", "job_id", 9, is_id=True), field("Kind", "kind", 8),
        field("Status", "status", 8), field("Started by", "started_by", 3),
        field("Started (UTC)", "started_at", 6), field("Title", "title", 4)])


def job_steps(body: dict[str, Any]) -> Listing:
    """A job's fields, then one row per step with its progress."""
    rows = [{"field": k, "value": when(body.get(k)) if k.endswith("_at") else body.get(k)}
            for k in ("job_id", "kind", "status", "started_by", "started_at", "finished_at")]
    progress = body.get("progress") or []
    for step in progress if isinstance(progress, list) else []:
        rows.append({"field": f"step {step.get('step')}", "value": step_text(step)})
    return (text(body.get("title")), rows, [field("Field", "field", 9),
                                            field("Value", "value", 9)])


def keys(body: dict[str, Any]) -> Listing:
    rows = [{**k, "created_at": when(k.get("created_at")),
             "revoked_at": when(k.get("revoked_at"))} for k in body.get("items", [])]
    return (f"API keys: {_total(body)}", rows, [
        field("Key", "key_id", 9, is_id=True), field("Prefix", "prefix", 6),
        field("Name", "name", 8), field("Role", "role", 7),
        field("Created (UTC)", "created_at", 4), field("Revoked (UTC)", "revoked_at", 5)])


def customers(body: dict[str, Any]) -> Listing:
    rows = body.get("items", [])
    return (f"Customers: {_total(body)}", rows, [
        field("Customer", "customer_id", 9), field("Name", "name", 9),
        field("Kind", "kind", 4), field("Status", "status", 5),
        field("Manager", "account_manager_id", 3), field("Currency", "default_currency", 6),
        field("VAT id", "vat_id", 2)])


def items(body: dict[str, Any]) -> Listing:
    """Billable items: the open ones of a customer, or those an invoice (line) billed."""
    rows = [{**i, "revenue": money(i.get("revenue"), i.get("currency")),
             "raw": text(i.get("revenue")), "state": i.get("state") or "open",
             "invoice_id": i.get("invoice_id") or i.get("draft_id") or ""}
            for i in body.get("items", [])]
    return (f"Items: {_total(body)}", rows, [
        field("Item", "item_id", 9), field("Day", "day", 9),  # whole: affbill items ID
        field("Offer", "offer_name", 6), field("Offer id", "offer_id", 2),
        field("Cur", "currency", 7), field("Units", "units", 5, right=True),
        field("Revenue", "revenue", 9, right=True), field("State", "state", 4),
        field("Invoice/draft", "invoice_id", 1, is_id=True)])


def stat_rows(body: dict[str, Any]) -> Listing:
    rows = [{**r, "revenue": text(r.get("revenue")), "updated_at": when(r.get("updated_at"))}
            for r in body.get("items", [])]
    return (f"Stat rows: {len(rows)}", rows, [
        field("Stat row", "stat_key", 9), field("Day", "day", 7),
        field("Offer", "offer_id", 5), field("Cur", "currency", 6),
        field("Units", "units", 8, right=True), field("Revenue", "revenue", 9, right=True),
        field("Updated (UTC)", "updated_at", 2)])


def lines(body: dict[str, Any], currency: str | None = None) -> Listing:
    """A draft's lines (with their ids, for editing) or an issued invoice's (by number)."""
    rows = []
    for n, line in enumerate(body.get("lines") or body.get("items") or [], start=1):
        allowance = line.get("allowance") or next(iter(line.get("allowances") or []), None)
        rows.append({"line": line.get("line_id") or line.get("line_no") or n,
                     "description": line.get("description"),
                     "quantity": line.get("quantity"), "unit_price": line.get("unit_price"),
                     "vat": f"{line.get('vat_category') or ''} {line.get('vat_rate') or ''}",
                     "discount": money(allowance.get("amount"), currency) if allowance else "",
                     "net": money(line.get("net_amount"), currency),
                     "items": len(line.get("item_ids") or []) or line.get("items") or ""})
    return ("Lines", rows, [
        field("Line", "line", 9, is_id=True), field("Description", "description", 8),
        field("Qty", "quantity", 5, right=True), field("Unit price", "unit_price", 4, right=True),
        field("VAT", "vat", 3), field("Discount", "discount", 6, right=True),
        field("Net", "net", 9, right=True), field("Items", "items", 7, right=True)])


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{a}={_value(b)}" for a, b in v.items() if b not in (None, "", [], {}))
    if isinstance(v, list):
        return "; ".join(_value(x) for x in v)
    return text(v)


def fields(title: str, values: dict[str, Any]) -> Listing:
    """Field/value pairs (a draft's presets and totals, a profile, a customer)."""
    rows = [{"field": k, "value": _value(v)} for k, v in values.items()]
    return title, rows, [field("Field", "field", 9), field("Value", "value", 9, wrap=True)]
