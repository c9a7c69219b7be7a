"""`affbill-sync serve|migrate|asyncapi`."""

from affbill_runtime.service import run_cli
from affbill_sync.config import Settings
from affbill_sync.entrypoints.asyncapi import asyncapi


def main() -> None:
    run_cli(package="affbill_sync", settings_factory=Settings,
            app_factory="affbill_sync.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
