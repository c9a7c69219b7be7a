"""Wires the sync service together: the one place dependencies are chosen (the test seam)."""

from affbill_runtime.runtime import Runtime
from affbill_sync.adapters.rates_sources import build_source
from affbill_sync.config import Settings
from affbill_sync.entrypoints import messaging
from affbill_sync.service_layer.rates import rates_forever
from affbill_sync.service_layer.worker import SyncWorker


def bootstrap(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    runtime = Runtime(settings, package="affbill_sync")
    worker = SyncWorker(settings, runtime.engine, runtime.uow)
    runtime.state.settings = settings
    runtime.state.worker = worker
    runtime.add_background("sync-worker", worker.run)
    source = build_source(settings.rates_source, settings.rates_url, settings.rates_app_id)
    runtime.state.rates_source = source
    if settings.rates_every_s > 0:
        runtime.add_background("rates-schedule", lambda: rates_forever(
            runtime.uow, source, settings.rates_every_s, settings.rates_window_days))
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
