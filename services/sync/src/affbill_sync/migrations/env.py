from affbill_runtime.migrations import run_env
from affbill_sync.adapters.orm import metadata

run_env(metadata)
