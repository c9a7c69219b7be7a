#!/usr/bin/env bash
# Local Apache Kafka (KRaft, single node, loopback) from Maven Central's jars.
#   deploy/local/kafka.sh start|stop|status
# Idempotent: start reuses a broker that already answers on the port.
#
# KAFKA_SECURE=1 starts a broker that requires authentication and TLS instead (its state
# folder must be a fresh one, or one the secure mode made): see kafka-secure.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SECURE="${KAFKA_SECURE:-0}"

KDIR="$AFFBILL_STATE/kafka"
LIBS="$KDIR/libs"
PIDFILE="$KDIR/kafka.pid"
HERE="$ROOT/deploy/local/kafka"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"

fetch_jars() {
  [[ -f "$LIBS/.version" && "$(cat "$LIBS/.version")" == "$KAFKA_VERSION" ]] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka's jars"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2
  echo "$KAFKA_VERSION" > "$LIBS/.version"
}

java_cmd() {  # java_cmd MAINCLASS ARGS...: prints nothing, fills JAVA_CMD for a Kafka class
  JAVA_CMD=(java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
       -XX:ActiveProcessorCount=2 -Djava.awt.headless=true \
       -Dkafka.logs.dir="$KDIR/logs" \
       -Dlog4j2.configurationFile="$HERE/log4j2.xml" \
       -cp "$LIBS/*" "$@")
}
java_run() { java_cmd "$@"; "${JAVA_CMD[@]}"; }

start() {
  if port_open 127.0.0.1 "$KAFKA_PORT"; then
    log "Kafka already answers on 127.0.0.1:$KAFKA_PORT (reused)"; return
  fi
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  fetch_jars
  mkdir -p "$KDIR/logs" "$KDIR/data"
  local template="$HERE/server.properties.in" scram=()
  if [[ "$SECURE" == 1 ]]; then
    source "$ROOT/deploy/local/kafka-secure.sh"
    secure_prepare; template="$HERE/server-secure.properties.in"; scram=("${SCRAM_ARGS[@]}")
  fi
  sed -e "s:@STATE@:$KDIR:g" -e "s:@PORT@:$KAFKA_PORT:g" \
      -e "s:@CONTROLLER_PORT@:$KAFKA_CONTROLLER_PORT:g" \
      -e "s:@SSL_PORT@:$KAFKA_SSL_PORT:g" -e "s:@TLS@:$KDIR/tls:g" \
      "$template" > "$KDIR/server.properties"
  if [[ ! -f "$KDIR/data/meta.properties" ]]; then
    log "formatting KRaft storage"
    java_run kafka.tools.StorageTool format --standalone "${scram[@]}" \
      --cluster-id "$(cat "$KDIR/cluster-id" 2>/dev/null || java_run kafka.tools.StorageTool random-uuid | tee "$KDIR/cluster-id")" \
      --config "$KDIR/server.properties" >"$KDIR/logs/format.log" 2>&1 \
      || { cat "$KDIR/logs/format.log" >&2; die "Kafka storage format failed"; }
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  : > "$KDIR/logs/server.log"
  java_cmd kafka.Kafka "$KDIR/server.properties"
  nohup setsid "${JAVA_CMD[@]}" >"$KDIR/logs/stdout.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$KDIR/logs/server.log" 2>/dev/null && port_open 127.0.0.1 "$KAFKA_PORT"; then
      log "Kafka is up"
      if [[ "$SECURE" == 1 ]]; then secure_setup; fi
      return
    fi
    pid_alive "$PIDFILE" || { tail -30 "$KDIR/logs/stdout.log" >&2; die "Kafka exited during start-up (logs: $KDIR/logs)"; }
    sleep 0.5
  done
  die "Kafka did not answer within 60 s (logs: $KDIR/logs)"
}

stop() {
  if pid_alive "$PIDFILE"; then
    log "stopping Kafka"
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 60); do pid_alive "$PIDFILE" || break; sleep 0.5; done
    pid_alive "$PIDFILE" && kill -9 "$(cat "$PIDFILE")"
  fi
  rm -f "$PIDFILE"
}

status() {
  if port_open 127.0.0.1 "$KAFKA_PORT"; then echo "kafka: up on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: down"; return 1; fi
}

case "${1:-start}" in
  start) start ;; stop) stop ;; status) status ;; fetch) fetch_jars ;;
  *) die "usage: $0 start|stop|status|fetch" ;;
esac
