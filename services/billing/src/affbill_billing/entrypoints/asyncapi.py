"""AsyncAPI factory.

    faststream docs gen affbill_billing.entrypoints.asyncapi:asyncapi --factory
"""

from faststream import FastStream

from affbill_billing.bootstrap import bootstrap
from affbill_runtime.service import asyncapi_app


def asyncapi() -> FastStream:
    return asyncapi_app(bootstrap(), title="affbill billing",
                        description=(
                            "Customers, billing profiles, billable items, the generator, "
                            "batch runs, drafts and invoices."))
