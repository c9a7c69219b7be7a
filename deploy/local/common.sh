# Shared settings of the local stack; sourced by the other scripts.
# Everything the stack writes lives under $AFFBILL_STATE (git-ignored).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
AFFBILL_STATE="${AFFBILL_STATE:-$ROOT/.state}"
KAFKA_PORT="${AFFBILL_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${AFFBILL_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SSL_PORT="${AFFBILL_KAFKA_SSL_PORT:-9094}"  # the mutual-TLS listener (KAFKA_SECURE=1)
PG_PORT="${AFFBILL_PG_PORT:-54329}"
mkdir -p "$AFFBILL_STATE"

log() { printf '\033[1m[affbill]\033[0m %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# pid_alive FILE: true when FILE names a running process.
pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
