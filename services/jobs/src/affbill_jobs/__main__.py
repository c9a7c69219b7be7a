"""`affbill-jobs serve|migrate|asyncapi`."""

from affbill_jobs.config import Settings
from affbill_jobs.entrypoints.asyncapi import asyncapi
from affbill_runtime.service import run_cli


def main() -> None:
    run_cli(package="affbill_jobs", settings_factory=Settings,
            app_factory="affbill_jobs.entrypoints.app:create_app", asyncapi_factory=asyncapi)


if __name__ == "__main__":
    main()
