"""AsyncAPI factory.

    faststream docs gen affbill_documents.entrypoints.asyncapi:asyncapi --factory
"""

from faststream import FastStream

from affbill_documents.bootstrap import bootstrap
from affbill_runtime.service import asyncapi_app


def asyncapi() -> FastStream:
    return asyncapi_app(bootstrap(), title="affbill documents",
                        description=(
                            "Renders issued documents as PDF/A-3 with embedded EN 16931 "
                            "XML and keeps them."))
