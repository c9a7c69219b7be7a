"""Wires the documents service together: the one place dependencies are chosen (the test seam)."""

import asyncio

from affbill_documents.adapters.pool import RenderPool
from affbill_documents.config import Settings
from affbill_documents.entrypoints import messaging
from affbill_runtime.runtime import Runtime


def bootstrap(settings: Settings | None = None, renderer: messaging.Renders | None = None
              ) -> Runtime:
    settings = settings or Settings()
    runtime = Runtime(settings, package="affbill_documents")
    if renderer is None:
        pool = RenderPool(settings.render_workers, settings.seller_contact())
        runtime.add_background("render-pool", lambda: _run_pool(pool))
        renderer = pool
    runtime.state.renderer = renderer
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime


async def _run_pool(pool: RenderPool) -> None:
    """Start the workers with the service and stop them with it."""
    try:
        await pool.start()
        await asyncio.Event().wait()
    finally:
        await asyncio.to_thread(pool.close)
