"""Wires the documents service together: the one place dependencies are chosen (the test seam)."""

from affbill_runtime.runtime import Runtime
from affbill_documents.config import Settings
from affbill_documents.entrypoints import messaging


def bootstrap(settings: Settings | None = None) -> Runtime:
    runtime = Runtime(settings or Settings(), package="affbill_documents")
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
