"""`affbill-gateway serve|migrate|asyncapi`."""

from affbill_gateway.config import Settings
from affbill_gateway.entrypoints.asyncapi import asyncapi
from affbill_runtime.service import run_cli


def main() -> None:
    run_cli(package="affbill_gateway", settings_factory=Settings,
            app_factory="affbill_gateway.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
