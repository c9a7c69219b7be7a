"""`affbill-documents serve|migrate|asyncapi`."""

from affbill_documents.config import Settings
from affbill_documents.entrypoints.asyncapi import asyncapi
from affbill_runtime.service import run_cli


def main() -> None:
    run_cli(package="affbill_documents", settings_factory=Settings,
            app_factory="affbill_documents.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
