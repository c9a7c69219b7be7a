"""ASGI factory: `uvicorn --factory affbill_documents.entrypoints.app:create_app`."""

from fastapi import FastAPI

from affbill_documents.bootstrap import bootstrap
from affbill_documents.entrypoints import http
from affbill_runtime.service import service_app


def create_app() -> FastAPI:
    runtime = bootstrap()
    return service_app(runtime, title="affbill documents",
                       description=(
                           "Renders issued documents as PDF/A-3 with embedded EN 16931 "
                           "XML and keeps them."),
                       http_routers=[http.build_router(runtime)])
