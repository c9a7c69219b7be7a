from affbill_runtime.migrations import run_env
from affbill_gateway.adapters.orm import metadata

run_env(metadata)
