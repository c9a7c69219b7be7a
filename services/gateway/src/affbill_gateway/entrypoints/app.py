"""ASGI factory: `uvicorn --factory affbill_gateway.entrypoints.app:create_app`."""

from fastapi import FastAPI

from affbill_runtime.service import service_app
from affbill_gateway.bootstrap import bootstrap
from affbill_gateway.entrypoints import http


def create_app() -> FastAPI:
    runtime = bootstrap()
    return service_app(runtime, title="affbill gateway",
                       description="The one public HTTP entry: API keys, roles, and routing to the owning service.",
                       http_routers=[http.build_router(runtime)])
