"""Wires the jobs service together: the one place dependencies are chosen (the test seam)."""

from affbill_jobs.adapters.notifications import JobBoard, JobListener
from affbill_jobs.config import Settings
from affbill_jobs.entrypoints import messaging
from affbill_runtime.runtime import Runtime
from affbill_runtime.settings import asyncpg_url


def bootstrap(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    runtime = Runtime(settings, package="affbill_jobs")
    board = JobBoard()
    listener = JobListener(asyncpg_url(settings.database_url).replace("+asyncpg", "", 1),
                           settings.channel, board)
    runtime.state.settings = settings
    runtime.state.board = board
    runtime.state.listener = listener
    runtime.add_background("jobs-listener", listener.run)
    runtime.broker.include_router(messaging.build_router(runtime))
    return runtime
