"""AsyncAPI factory: `faststream docs gen affbill_jobs.entrypoints.asyncapi:asyncapi --factory`."""

from faststream import FastStream

from affbill_jobs.bootstrap import bootstrap
from affbill_runtime.service import asyncapi_app


def asyncapi() -> FastStream:
    return asyncapi_app(bootstrap(), title="affbill jobs",
                        description="The job log: every long job's status, progress and log lines.")
