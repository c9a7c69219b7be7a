"""Wires the gateway service together: the one place dependencies are chosen (the test seam)."""

from affbill_runtime.runtime import Runtime
from affbill_gateway.config import Settings
from affbill_gateway.entrypoints import messaging


def bootstrap(settings: Settings | None = None) -> Runtime:
    runtime = Runtime(settings or Settings(), package="affbill_gateway")
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
