"""Wires the billing service together: the one place dependencies are chosen (the test seam)."""

from affbill_billing.config import Settings
from affbill_billing.entrypoints import messaging
from affbill_billing.service_layer import runs
from affbill_runtime.runtime import Runtime


def bootstrap(settings: Settings | None = None) -> Runtime:
    runtime = Runtime(settings or Settings(), package="affbill_billing")
    runtime.broker.include_router(messaging.build_router(runtime))
    # every billing process helps every running run (its customers are a claimed work list)
    runtime.add_background("run-helper", lambda: runs.help_runs_forever(
        runtime.uow, runtime.settings))
    return runtime
