"""HTTP routes of the sync service (health routes come from the runtime)."""

from fastapi import APIRouter

from affbill_runtime.runtime import Runtime


def build_router(runtime: Runtime) -> APIRouter:
    return APIRouter(tags=["sync"])
