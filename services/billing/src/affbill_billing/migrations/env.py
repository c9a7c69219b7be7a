from affbill_billing.adapters.orm import metadata
from affbill_runtime.migrations import run_env

run_env(metadata)
