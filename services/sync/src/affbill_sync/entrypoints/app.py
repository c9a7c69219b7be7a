"""ASGI factory: `uvicorn --factory affbill_sync.entrypoints.app:create_app`."""

from fastapi import FastAPI

from affbill_runtime.service import service_app
from affbill_sync.bootstrap import bootstrap
from affbill_sync.entrypoints import http, rates_http


def create_app() -> FastAPI:
    runtime = bootstrap()
    return service_app(runtime, title="affbill sync",
                       description=(
                           "Pulls employees, advertisers, affiliates, stats and "
                           "conversions from the adtracker and publishes them."),
                       http_routers=[http.build_router(runtime),
                                     rates_http.build_router(runtime)])
