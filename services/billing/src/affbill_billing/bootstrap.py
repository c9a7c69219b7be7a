"""Wires the billing service together: the one place dependencies are chosen (the test seam)."""

from affbill_billing.config import Settings
from affbill_billing.entrypoints import messaging
from affbill_runtime.runtime import Runtime


def bootstrap(settings: Settings | None = None) -> Runtime:
    runtime = Runtime(settings or Settings(), package="affbill_billing")
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
