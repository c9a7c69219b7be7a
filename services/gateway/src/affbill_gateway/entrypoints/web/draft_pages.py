"""Drafts: the list (approve), and the invoice editor of one draft — its presets for this
invoice, its lines, bonus and discount lines, Save draft, Create, the PDF preview.

Every change sends the draft version the page showed: when someone changed the draft
meanwhile, nothing is saved and the page says so (the API's 409 is the last word).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import Api, ApiProblem
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

PRESETS = ("billing_name", "buyer_reference", "payment_days", "supply_date", "intro_text",
           "closing_text", "buyer_kind")
LINE_FIELDS = ("description", "quantity", "unit_price")
Version = Annotated[int, Form(ge=0)]


def conflict(seen: int, now: int | str) -> str:
    return (f"This draft was changed by someone else since you opened it (you saw version "
            f"{seen}, it is now version {now}). Nothing of your edit was saved: the draft "
            "below is the current one — make your change again.")


def preset_changes(form: FormData, draft: dict[str, Any]) -> dict[str, Any]:
    """The presets the form changes (blank text clears; a blank number stays)."""
    current = draft.get("presets") or {}
    changes: dict[str, Any] = {}
    for name in PRESETS:
        if name not in form:
            continue
        value = str(form[name]).strip()
        if str(current.get(name) or "") == value:
            continue
        if name == "payment_days":
            if value:
                changes[name] = value
        else:
            changes[name] = value or None
    return changes


def line_changes(form: FormData, draft: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(line id, changed fields) of every line the form changes."""
    changed = []
    for line in draft.get("lines") or []:
        fields = {}
        for name in LINE_FIELDS:
            key = f"line-{line['line_id']}-{name}"
            if key in form and (value := str(form[key]).strip()) != str(line.get(name) or ""):
                fields[name] = value
        if fields:
            changed.append((line["line_id"], fields))
    return changed


async def save(api: Api, draft_id: uuid.UUID, form: FormData) -> dict[str, Any]:
    """Apply the form's presets and lines to the version it showed; the draft after it.
    ApiProblem (409 for a stale version) when refused."""
    seen = int(str(form.get("version") or -1))
    draft = await api.get(f"/drafts/{draft_id}")
    if draft["version"] != seen:
        raise ApiProblem(409, "Changed meanwhile", conflict(seen, draft["version"]))
    if changes := preset_changes(form, draft):
        draft = await api.send("PATCH", f"/drafts/{draft_id}",
                               {**changes, "version": draft["version"]})
    for line_id, fields in line_changes(form, draft):
        draft = await api.send("PATCH", f"/drafts/{draft_id}/lines/{line_id}",
                               {**fields, "version": draft["version"]})
    return draft


def refused(request: Request, back: str, exc: ApiProblem, what: str) -> Response:
    """Back to the page with the reason; a stale version says what happened and what now."""
    if exc.status == 409 and "someone else" in exc.detail:
        message = exc.detail
    elif exc.status == 409 and "version" in exc.detail:
        message = (f"This draft was changed by someone else since you opened it: "
                   f"{exc.detail}. Nothing of your edit was saved.")
    else:
        fields = "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in exc.errors)
        message = f"{what}: {exc.detail}" + (f" ({fields})" if fields else "")
    return flash(see_other(request, back), message, True)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/drafts", include_in_schema=False)

    @router.get("")
    async def drafts(request: Request, user: Reader,
                     page_no: Annotated[int, Query(alias="page", ge=1)] = 1) -> Response:
        body = await api_for(request, user).get("/drafts", limit=50, offset=(page_no - 1) * 50)
        return page(request, "drafts.html", active="drafts", title="Drafts", body=body,
                    page_no=page_no, pages=max(1, -(-body["total"] // 50)))

    @router.get("/{draft_id}")
    async def editor(request: Request, user: Reader, draft_id: uuid.UUID) -> Response:
        draft = await api_for(request, user).get(f"/drafts/{draft_id}")
        return page(request, "draft.html", active="drafts", title="Invoice editor",
                    draft=draft, presets=draft.get("presets") or {})

    @router.get("/{draft_id}/preview")
    async def preview(request: Request, user: Reader, draft_id: uuid.UUID) -> Response:
        answer = await api_for(request, user).call("GET", f"/drafts/{draft_id}/preview")
        if answer.status >= 400:
            raise ApiProblem.of(answer)
        return Response(answer.body, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="draft-{draft_id}.pdf"'})

    @router.post("/{draft_id}/save")
    async def save_draft(request: Request, user: Actor, draft_id: uuid.UUID) -> Response:
        back = f"/ui/drafts/{draft_id}"
        try:
            await save(api_for(request, user), draft_id, await request.form())
        except ApiProblem as exc:
            return refused(request, back, exc, "Not saved")
        return flash(see_other(request, back), "Draft saved.")

    @router.post("/{draft_id}/create")
    async def create(request: Request, user: Actor, draft_id: uuid.UUID) -> Response:
        """Create: the form's changes saved, then the draft issued with its number."""
        api, back = api_for(request, user), f"/ui/drafts/{draft_id}"
        try:
            draft = await save(api, draft_id, await request.form())
            invoice = await api.send("POST", f"/drafts/{draft_id}/issue",
                                     {"version": draft["version"]})
        except ApiProblem as exc:
            return refused(request, back, exc, "Not created")
        return flash(see_other(request, f"/ui/invoices?q={invoice.get('number') or ''}"),
                     f"Invoice {invoice.get('number')} created for {draft.get('customer_name')}.")

    @router.post("/{draft_id}/lines")
    async def add_line(request: Request, user: Actor, draft_id: uuid.UUID, version: Version,
                       kind: Annotated[str, Form(pattern="^(bonus|discount|line)$")],
                       description: Annotated[str, Form(min_length=1, max_length=500)],
                       amount: Annotated[str, Form(max_length=30)],
                       quantity: Annotated[str, Form(max_length=30)] = "1") -> Response:
        """A bonus (a charge line), a discount (a line of quantity -1) or any line."""
        back = f"/ui/drafts/{draft_id}"
        line = {"description": description, "unit_price": amount.strip(),
                "quantity": "-1" if kind == "discount" else (quantity.strip() or "1")}
        try:
            await api_for(request, user).send("POST", f"/drafts/{draft_id}/lines",
                                              {"version": version, "line": line})
        except ApiProblem as exc:
            return refused(request, back, exc, "Line not added")
        return flash(see_other(request, back), f"{kind.capitalize()} line added.")

    @router.post("/{draft_id}/lines/{line_id}/remove")
    async def remove_line(request: Request, user: Actor, draft_id: uuid.UUID, line_id: str,
                          version: Version) -> Response:
        back = f"/ui/drafts/{draft_id}"
        try:
            await api_for(request, user).send("DELETE", f"/drafts/{draft_id}/lines/{line_id}",
                                              params={"version": version})
        except ApiProblem as exc:
            return refused(request, back, exc, "Line not removed")
        return flash(see_other(request, back), "Line removed; its items are back in the "
                     "generator.")

    @router.post("/{draft_id}/approve")
    async def approve(request: Request, user: Actor, draft_id: uuid.UUID, version: Version,
                      back: Annotated[str, Form(max_length=300)] = "/ui/drafts") -> Response:
        back = back if back.startswith("/ui/") else "/ui/drafts"
        try:
            await api_for(request, user).send("POST", f"/drafts/{draft_id}/approve",
                                              {"version": version})
        except ApiProblem as exc:
            return refused(request, back, exc, "Not approved")
        return flash(see_other(request, back), "Draft approved.")

    @router.post("/{draft_id}/discard")
    async def discard(request: Request, user: Actor, draft_id: uuid.UUID, version: Version
                      ) -> Response:
        try:
            await api_for(request, user).send("DELETE", f"/drafts/{draft_id}",
                                              params={"version": version})
        except ApiProblem as exc:
            return refused(request, f"/ui/drafts/{draft_id}", exc, "Not discarded")
        return flash(see_other(request, "/ui/drafts"), "Draft discarded; its items are back "
                     "in the generator.")

    return router
