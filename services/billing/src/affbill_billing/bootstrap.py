"""Wires the billing service together: the one place dependencies are chosen (the test seam)."""

from affbill_billing.adapters.signing import SigningRuntime
from affbill_billing.config import Settings
from affbill_billing.entrypoints import messaging
from affbill_billing.service_layer import runs
from affbill_billing.service_layer.schedule_leader import ScheduleLeader
from affbill_billing.service_layer.work_worker import WorkItemWorker
from affbill_runtime.runtime import Runtime


def bootstrap(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    runtime = SigningRuntime(settings, "affbill_billing", settings.signing_key.decode())
    # every billing process executes recorded commands (runs, bulk issues) under leases
    worker = WorkItemWorker(runtime.uow, settings)
    runtime.state.work_worker = worker
    runtime.add_background("work-items", worker.run)
    runtime.broker.include_router(messaging.build_router(runtime))
    # every billing process helps every running run (its customers are a claimed work list)
    runtime.add_background("run-helper", lambda: runs.help_runs_forever(
        runtime.uow, runtime.settings))
    # one billing process at a time (elected) starts the scheduled runs that are due
    leader = ScheduleLeader(runtime.engine, runtime.uow, settings, runs.HOLDER, worker.wake)
    runtime.state.schedule_leader = leader
    runtime.add_background("schedules", leader.run)
    return runtime
