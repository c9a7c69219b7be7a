"""The billing team's web UI under /ui: server-rendered pages over the gateway's own API.

Routes are thin: who is signed in (session.py), one or two API calls as that user
(api.py), a template (render.py). Forms post and redirect, so every page works with
JavaScript off; htmx only enhances (live job log, sync progress).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
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


def install(app: FastAPI, runtime: Runtime) -> None:
    """Mount the UI's pages and static files on the gateway app."""
    app.state.settings = runtime.state.settings
    app.state.users = runtime.state.users
    app.state.ui_locale = runtime.state.settings.ui_default_locale
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in (auth_pages, admin_pages, generator_pages, draft_pages, job_pages,
                   invoice_pages, sync_pages, customer_pages):
        app.include_router(module.build_router())
