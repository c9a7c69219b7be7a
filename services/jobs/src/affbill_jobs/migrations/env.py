from affbill_runtime.migrations import run_env
from affbill_jobs.adapters.orm import metadata

run_env(metadata)
