#!/usr/bin/env bash
# `make demo` after `make test` on the same state: the tests published their events on
# the broker's shared topics, and the demo's services would consume those as well (test
# customers in the generator, the run and the job log). `make test` leaves a marker;
# when it is there, the demo starts from an empty broker and an empty database.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
source "$HERE/common.sh"

marker="$AFFBILL_STATE/tests-used-this-broker"
[[ -f "$marker" ]] || exit 0
log "the test suite used this broker: the demo starts from empty topics and an empty database"
"$HERE/services.sh" stop
"$HERE/kafka.sh" stop
"$HERE/postgres.sh" stop
rm -rf "$AFFBILL_STATE/kafka/data" "$AFFBILL_STATE/postgres/data" "$AFFBILL_STATE/demo"
rm -f "$marker"
