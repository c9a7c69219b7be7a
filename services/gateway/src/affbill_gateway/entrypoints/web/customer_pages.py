"""Customers: the list, and one customer's profile — its settings (edited with the
version shown: a stale edit is refused), open totals, drafts, and a custom invoice."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import ApiProblem, path_of
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

EDITABLE = ("billing_name", "payment_days", "threshold_amount", "threshold_currency",
            "buyer_kind", "vat_id", "buyer_reference", "intro_text", "closing_text",
            "drafts_by_default")
Text = Annotated[str, Form(max_length=500)]


def changes_of(form: Any, profile: dict[str, Any]) -> dict[str, Any]:
    """What the form changes of the profile (blank clears text; a box is a yes/no)."""
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        if name == "drafts_by_default":
            value: Any = form.get(name) == "on"
            if value != bool(profile.get(name)):
                changes[name] = value
            continue
        if name not in form:
            continue
        text = str(form[name]).strip()
        if text != str(profile.get(name) if profile.get(name) is not None else ""):
            changes[name] = text or None
    return changes


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/customers", include_in_schema=False)

    @router.get("")
    async def customers(request: Request, user: Reader,
                        q: Annotated[str | None, Query(max_length=200)] = None,
                        page_no: Annotated[int, Query(alias="page", ge=1)] = 1) -> Response:
        body = await api_for(request, user).get("/customers", q=q, limit=50,
                                                offset=(page_no - 1) * 50)
        return page(request, "customers.html", active="customers", title="Customers",
                    body=body, q=q or "", page_no=page_no,
                    pages=max(1, -(-body["total"] // 50)), query=f"q={q}&" if q else "")

    @router.get("/{customer_id}")
    async def customer(request: Request, user: Reader, customer_id: str) -> Response:
        api = api_for(request, user)
        detail = await api.get(path_of("customers", customer_id))
        profile = await api.get(path_of("customers", customer_id, "profile"))
        return page(request, "customer.html", active="customers",
                    title=detail.get("name") or customer_id, customer=detail, profile=profile)

    @router.post("/{customer_id}/profile")
    async def edit_profile(request: Request, user: Actor, customer_id: str) -> Response:
        api, back = api_for(request, user), "/ui/customers" + path_of(customer_id)
        form = await request.form()
        try:
            profile = await api.get(path_of("customers", customer_id, "profile"))
            if str(profile.get("version")) != str(form.get("version")):
                return flash(see_other(request, back), "This profile was changed by someone "
                             "else since you opened it; nothing was saved. The page shows "
                             "the current profile.", True)
            changes = changes_of(form, profile)
            if changes:
                await api.send("PATCH", path_of("customers", customer_id, "profile"),
                               {**changes, "version": profile["version"]})
        except ApiProblem as exc:
            fields = "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in exc.errors)
            return flash(see_other(request, back), f"Not saved: {exc}"
                         + (f" ({fields})" if fields else ""), True)
        return flash(see_other(request, back), "Profile saved." if changes else
                     "Nothing changed.")

    @router.post("/{customer_id}/custom-invoice")
    async def custom_invoice(request: Request, user: Actor, customer_id: str,
                             description: Text, amount: Annotated[str, Form(max_length=30)],
                             quantity: Annotated[str, Form(max_length=30)] = "1",
                             supply_date: Annotated[str, Form(max_length=10)] = ""
                             ) -> Response:
        """A custom invoice: a draft with a free line, opened in the invoice editor."""
        body: dict[str, Any] = {"customer_id": customer_id, "lines": [{
            "description": description, "unit_price": amount.strip(),
            "quantity": quantity.strip() or "1"}]}
        if supply_date:
            body["supply_date"] = supply_date
        try:
            draft = await api_for(request, user).send("POST", "/drafts/custom", body)
        except ApiProblem as exc:
            return flash(see_other(request, "/ui/customers" + path_of(customer_id)),
                         f"No custom invoice: {exc}", True)
        return see_other(request, f"/ui/drafts/{draft['draft_id']}")

    return router
