"""ASGI factory: `uvicorn --factory affbill_billing.entrypoints.app:create_app`."""

from fastapi import FastAPI

from affbill_billing.bootstrap import bootstrap
from affbill_billing.entrypoints import http
from affbill_runtime.service import service_app


def create_app() -> FastAPI:
    runtime = bootstrap()
    return service_app(runtime, title="affbill billing",
                       description=(
                           "Customers, billing profiles, billable items, the generator, "
                           "batch runs, drafts and invoices."),
                       http_routers=[http.build_router(runtime)])
