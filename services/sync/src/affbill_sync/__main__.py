"""`affbill-sync serve|migrate|asyncapi`, and `affbill-sync sync …` to start a sync."""

import sys

from affbill_runtime.service import run_cli
from affbill_sync.config import Settings
from affbill_sync.entrypoints.asyncapi import asyncapi


def main() -> None:
    if sys.argv[1:2] == ["sync"]:
        from affbill_sync.entrypoints.cli import main as sync_cli

        sys.exit(sync_cli(sys.argv[2:]))
    run_cli(package="affbill_sync", settings_factory=Settings,
            app_factory="affbill_sync.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
