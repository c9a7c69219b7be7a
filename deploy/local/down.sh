#!/usr/bin/env bash
# Stops everything the local scripts started: services, Kafka, PostgreSQL. State stays.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
"$HERE/services.sh" stop
"$HERE/kafka.sh" stop
"$HERE/postgres.sh" stop
