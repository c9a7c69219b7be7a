"""affbill jobs: The job log: every long job's status, progress and log lines."""
