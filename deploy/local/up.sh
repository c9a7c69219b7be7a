#!/usr/bin/env bash
# Starts what affbill needs locally: Kafka (KRaft) and PostgreSQL, both on loopback.
# Idempotent; prints the environment the services and tests read.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
"$HERE/kafka.sh" start
"$HERE/postgres.sh" start
"$HERE/env.sh" > "$("$HERE/env.sh" --state)/env"
