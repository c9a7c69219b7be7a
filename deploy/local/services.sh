#!/usr/bin/env bash
# Runs the five affbill services from the Procfile in the background, under
# deploy/local/supervise.py: a service that crashes is restarted (with backoff, logged)
# instead of taking the stack down.
#   deploy/local/services.sh start|stop|status
# start waits until every service answers /health/ready.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
eval "$("$ROOT/deploy/local/env.sh")"
PIDFILE="$AFFBILL_STATE/services.pid"
STATUS="$AFFBILL_STATE/services.status.json"  # written by the supervisor: pids and restarts
LOG="$AFFBILL_STATE/logs/services.log"
VENV="$ROOT/.venv/bin"
declare -A PORTS=([gateway]=8000 [sync]=8001 [billing]=8002 [documents]=8003 [jobs]=8004 [simulator]=8090)
declare -A PROBE=([simulator]=/control/requests)

ready() { curl -fsS "http://127.0.0.1:${PORTS[$1]}${PROBE[$1]:-/health/ready}" >/dev/null 2>&1; }

# The first admin key of the gateway: made once, kept in .state (0600), read by `make demo`.
admin_key() {
  local f="$AFFBILL_STATE/admin.key"
  if [[ ! -s "$f" ]]; then
    (umask 077; "$VENV/python" -c 'import secrets; print("affb_" + secrets.token_urlsafe(32))' > "$f")
  fi
  cat "$f"
}

# The secret the gateway signs its calls to the services with: made once, kept in .state (0600).
internal_secret() {
  local f="$AFFBILL_STATE/internal.secret"
  if [[ ! -s "$f" ]]; then
    (umask 077; "$VENV/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > "$f")
  fi
  cat "$f"
}

# The web UI's first admin user's password: made once, kept in .state (0600), shown by `make demo`.
ui_password() {
  local f="$AFFBILL_STATE/ui-admin.password"
  if [[ ! -s "$f" ]]; then
    (umask 077; "$VENV/python" -c 'import secrets; print("demo-" + secrets.token_urlsafe(9))' > "$f")
  fi
  cat "$f"
}

start() {
  if pid_alive "$PIDFILE"; then log "services already running (pid $(cat "$PIDFILE"))"
  else
    mkdir -p "$(dirname "$LOG")"
    AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY="$(admin_key)"; export AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY
    # every process of the Procfile inherits it: the gateway signs, the services verify
    AFFBILL_INTERNAL_SECRET="$(internal_secret)"; export AFFBILL_INTERNAL_SECRET
    # the web UI (/ui): user "admin" with this password; plain http on loopback, so the
    # session cookie cannot be Secure here (it is by default)
    AFFBILL_GATEWAY_UI_BOOTSTRAP_ADMIN_PASSWORD="$(ui_password)"
    export AFFBILL_GATEWAY_UI_BOOTSTRAP_ADMIN_PASSWORD
    export AFFBILL_GATEWAY_UI_COOKIE_SECURE="${AFFBILL_GATEWAY_UI_COOKIE_SECURE:-false}"
    log "starting gateway, sync, billing, documents, jobs and the adtracker simulator (log: $LOG)"
    # its own session, so stop can end the supervisor and every service as one process group
    cd "$ROOT"
    PATH="$VENV:$PATH" setsid bash -c 'echo $$ > "$1"; exec python deploy/local/supervise.py \
      Procfile --status-file "$2"' _ "$PIDFILE" "$STATUS" >"$LOG" 2>&1 </dev/null &
    for _ in $(seq 1 20); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
  fi
  local s
  for s in "${!PORTS[@]}"; do
    for _ in $(seq 1 120); do
      ready "$s" && break
      pid_alive "$PIDFILE" || { tail -40 "$LOG" >&2; die "services exited during start-up"; }
      sleep 0.5
    done
    ready "$s" || { tail -40 "$LOG" >&2; die "$s did not become ready"; }
  done
  status
}

stop() {
  if pid_alive "$PIDFILE"; then
    log "stopping services"
    kill -TERM -- "-$(cat "$PIDFILE")" 2>/dev/null || kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 40); do pid_alive "$PIDFILE" || break; sleep 0.25; done
    pid_alive "$PIDFILE" && kill -KILL -- "-$(cat "$PIDFILE")" 2>/dev/null
  fi
  rm -f "$PIDFILE" "$STATUS"
}

restarts() {  # how often the supervisor restarted a service (empty when none)
  [[ -s "$STATUS" ]] || return 0
  "$VENV/python" -c 'import json,sys; n=json.load(open(sys.argv[1])).get(sys.argv[2],{}).get("restarts",0); print(f"  (restarted {n}x)" if n else "")' "$STATUS" "$1" 2>/dev/null || true
}

status() {
  local s rc=0
  for s in gateway sync billing documents jobs simulator; do
    if ready "$s"; then printf '  %-10s ready  http://127.0.0.1:%s%s%s\n' "$s" "${PORTS[$s]}" "${PROBE[$s]:-/health/ready}" "$(restarts "$s")"
    else printf '  %-10s DOWN   http://127.0.0.1:%s%s\n' "$s" "${PORTS[$s]}" "$(restarts "$s")"; rc=1; fi
  done
  return $rc
}

case "${1:-start}" in
  start) start ;; stop) stop ;; status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
