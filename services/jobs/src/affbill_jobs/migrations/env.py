from affbill_jobs.adapters.orm import metadata
from affbill_runtime.migrations import run_env

run_env(metadata)
