"""The billing team's web UI under /ui: server-rendered pages over the gateway's own API.

Routes are thin: who is signed in (session.py), one or two API calls as that user
(api.py), a template (render.py). Forms post and redirect, so every page works with
JavaScript off; htmx only enhances (live job log, sync progress).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from affbill_gateway.entrypoints.web import (
    admin_pages,
    auth_pages,
    customer_pages,
    draft_pages,
    generator_pages,
    invoice_pages,
    job_pages,
    period_pages,
    sync_pages,
)
from affbill_gateway.entrypoints.web.api import ApiProblem
from affbill_gateway.entrypoints.web.render import STATIC, page
from affbill_gateway.entrypoints.web.session import NotSignedIn, Refused
from affbill_runtime.runtime import Runtime


async def _not_signed_in(request: Request, _: Exception) -> Response:
    target = "/ui/login?next=" + quote(request.url.path if request.method == "GET"
                                       else "/ui/generator", safe="/")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return Response(status_code=303, headers={"Location": target})


async def _refused(request: Request, exc: Exception) -> Response:
    return page(request, "problem.html", 403, title="Not allowed",
                detail=getattr(exc, "reason", str(exc)))


async def _api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return page(request, "problem.html", exc.status, title=exc.title, detail=exc.detail,
                errors=exc.errors)


def _invalid_form(api_handler: Any) -> Any:
    """A page naming each bad field for a UI request; the API's problem for the API."""
    async def handler(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/ui/"):
            return await api_handler(request, exc)
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]),
                   "reason": e.get("msg", "")} for e in getattr(exc, "errors", list)()]
        return page(request, "problem.html", 422, title="Please check the form",
                    detail="Some fields are missing or not valid.", errors=errors)
    return handler


def install(app: FastAPI, runtime: Runtime) -> None:
    """Mount the UI's pages and static files on the gateway app."""
    app.state.settings = runtime.state.settings
    app.state.users = runtime.state.users
    app.state.ui_locale = runtime.state.settings.ui_default_locale
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _invalid_form(
        app.exception_handlers[RequestValidationError]))
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in (auth_pages, admin_pages, generator_pages, draft_pages, job_pages,
                   invoice_pages, sync_pages, customer_pages, period_pages):
        app.include_router(module.build_router())
