"""`affbill-billing serve|migrate|asyncapi`."""

from affbill_billing.config import Settings
from affbill_billing.entrypoints.asyncapi import asyncapi
from affbill_runtime.service import run_cli


def main() -> None:
    run_cli(package="affbill_billing", settings_factory=Settings,
            app_factory="affbill_billing.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
