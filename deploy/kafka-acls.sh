#!/usr/bin/env bash
# Every affbill service's Kafka ACLs with Kafka's own tool, one call per principal,
# operation and kind of resource (the entries come from affbill_runtime.kafka_acls):
#   deploy/kafka-acls.sh --bootstrap-server HOST:PORT --command-config admin.properties
# KAFKA_ACLS names the tool (default: kafka-acls.sh on PATH); PYTHON the project's Python.
# The same from Python, without Kafka's tools: python -m affbill_runtime.kafka_acls apply
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
KAFKA_ACLS="${KAFKA_ACLS:-kafka-acls.sh}"
[[ $# -gt 0 ]] || { echo "usage: $0 --bootstrap-server HOST:PORT [--command-config FILE]" >&2; exit 2; }
"$PYTHON" -m affbill_runtime.kafka_acls commands | while read -r line; do
  # shellcheck disable=SC2086  # each line is a list of arguments
  "$KAFKA_ACLS" "$@" $line
done
