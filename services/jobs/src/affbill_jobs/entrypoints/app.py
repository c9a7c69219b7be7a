"""ASGI factory: `uvicorn --factory affbill_jobs.entrypoints.app:create_app`."""

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from affbill_jobs.bootstrap import bootstrap
from affbill_jobs.entrypoints import http
from affbill_runtime.service import service_app


class EchoRequestId:
    """Hands the gateway's X-Request-Id back on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = Headers(scope=scope).get("x-request-id") if scope["type"] == "http" else None
        if not request_id:
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app() -> FastAPI:
    runtime = bootstrap()
    app = service_app(runtime, title="affbill jobs",
                      description="The job log: every long job's status, progress and log lines.",
                      http_routers=[http.build_router(runtime)])
    app.add_middleware(EchoRequestId)
    return app
