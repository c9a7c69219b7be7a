"""ASGI factory: `uvicorn --factory affbill_jobs.entrypoints.app:create_app`."""

from fastapi import FastAPI

from affbill_runtime.service import service_app
from affbill_jobs.bootstrap import bootstrap
from affbill_jobs.entrypoints import http


def create_app() -> FastAPI:
    runtime = bootstrap()
    return service_app(runtime, title="affbill jobs",
                       description="The job log: every long job's status, progress and log lines.",
                       http_routers=[http.build_router(runtime)])
