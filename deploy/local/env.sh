#!/usr/bin/env bash
# Prints the environment of the local stack: eval "$(deploy/local/env.sh)"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ "${1:-}" == "--state" ]] && { echo "$AFFBILL_STATE"; exit 0; }
echo "export KAFKA_BOOTSTRAP_SERVERS=\${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}"
echo "export DATABASE_URL=\${DATABASE_URL:-postgresql://affbill:affbill@127.0.0.1:$PG_PORT/affbill}"
