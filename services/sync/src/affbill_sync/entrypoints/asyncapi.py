"""AsyncAPI factory: `faststream docs gen affbill_sync.entrypoints.asyncapi:asyncapi --factory`."""

from faststream import FastStream

from affbill_runtime.service import asyncapi_app
from affbill_sync.bootstrap import bootstrap


def asyncapi() -> FastStream:
    return asyncapi_app(bootstrap(), title="affbill sync",
                        description=(
                            "Pulls employees, advertisers, affiliates, stats and "
                            "conversions from the adtracker and publishes them."))
