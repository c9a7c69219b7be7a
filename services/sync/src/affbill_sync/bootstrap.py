"""Wires the sync service together: the one place dependencies are chosen (the test seam)."""

from affbill_runtime.runtime import Runtime
from affbill_sync.config import Settings
from affbill_sync.entrypoints import messaging
from affbill_sync.service_layer.worker import SyncWorker


def bootstrap(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    runtime = Runtime(settings, package="affbill_sync")
    worker = SyncWorker(settings, runtime.engine, runtime.uow)
    runtime.state.settings = settings
    runtime.state.worker = worker
    runtime.add_background("sync-worker", worker.run)
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
