"""AsyncAPI factory.

    faststream docs gen affbill_gateway.entrypoints.asyncapi:asyncapi --factory
"""

from faststream import FastStream

from affbill_gateway.bootstrap import bootstrap
from affbill_runtime.service import asyncapi_app


def asyncapi() -> FastStream:
    return asyncapi_app(bootstrap(), title="affbill gateway",
                        description=("The one public HTTP entry: API keys, roles, "
                                     "and routing to the owning service."))
