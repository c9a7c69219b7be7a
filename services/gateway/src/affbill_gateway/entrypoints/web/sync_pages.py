"""Adtracker: Standard Sync ("Get Adtracker Data") and Partial Sync, the sync history with
live progress (htmx refreshes it while a sync runs), and the quarantined rows."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from affbill_gateway.entrypoints.web.api import ApiProblem
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Actor, Reader, api_for, flash

RUNNING = ("requested", "queued", "running", "cancelling")


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/adtracker", include_in_schema=False)

    async def history(request: Request, user: Reader, job: uuid.UUID | None) -> dict:
        """The latest syncs; `running` while any runs, or while the one just started (which
        the history lists only once the sync worker took it) has not ended."""
        api = api_for(request, user)
        syncs = await api.get("/adtracker/syncs", limit=20)
        running = any(s["status"] in RUNNING for s in syncs)
        if job is not None and not running:
            try:
                running = (await api.get(f"/adtracker/syncs/{job}"))["status"] in RUNNING
            except ApiProblem:
                running = False
        return {"syncs": syncs, "running": running, "job": job}

    @router.get("")
    async def adtracker(request: Request, user: Reader, job: uuid.UUID | None = None
                        ) -> Response:
        api = api_for(request, user)
        connectors = await api.get("/adtracker/connectors")
        quarantined = await api.get("/adtracker/quarantine", limit=50)
        return page(request, "adtracker.html", active="adtracker", title="Adtracker",
                    connectors=connectors, quarantined=quarantined,
                    **await history(request, user, job))

    @router.get("/history")
    async def live_history(request: Request, user: Reader, job: uuid.UUID | None = None
                           ) -> Response:
        return page(request, "_sync_history.html", **await history(request, user, job))

    @router.post("/syncs")
    async def start(request: Request, user: Actor,
                    connector: Annotated[str, Form(min_length=1, max_length=64)],
                    scope: Annotated[str, Form(pattern="^(standard|partial)$")]) -> Response:
        try:
            started = await api_for(request, user).send(
                "POST", "/adtracker/syncs", {"connector": connector, "scope": scope})
        except ApiProblem as exc:
            return flash(see_other(request, "/ui/adtracker"), f"Sync not started: {exc}", True)
        return flash(see_other(request, f"/ui/adtracker?job={started['job_id']}"),
                     f"{scope.capitalize()} sync of {connector} started (job "
                     f"{started['job_id'][:8]}); its progress shows below.")

    return router
