# The secure mode of deploy/local/kafka.sh (KAFKA_SECURE=1), sourced by it:
#   - a self-signed CA, the broker's certificate (127.0.0.1, localhost) and a client
#     certificate per user (CN = the user) in $KDIR/tls;
#   - a SCRAM-SHA-512 and -256 password per user in $KDIR/users (admin, and one principal
#     per service from affbill_runtime.kafka_acls), added when the storage is formatted;
#   - once the broker is up, as admin: every topic, then every service's ACLs;
#   - $KDIR/clients/<user>.env (SCRAM over TLS) and <user>-mtls.env (mutual TLS): the
#     AFFBILL_KAFKA_* settings a service or tool connects with.
PYTHON="${AFFBILL_PYTHON:-$ROOT/.venv/bin/python}"
TLS="$KDIR/tls"

issue_cert() {  # issue_cert NAME SAN: key + certificate signed by the local CA
  local name="$1" san="$2"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$TLS/$name.key" -subj "/CN=$name" \
    -out "$TLS/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" > "$TLS/$name.ext"
  openssl x509 -req -in "$TLS/$name.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" \
    -CAcreateserial -days 825 -sha256 -extfile "$TLS/$name.ext" -out "$TLS/$name.crt" 2>/dev/null
  rm -f "$TLS/$name.csr" "$TLS/$name.ext"
}

secure_prepare() {  # fills SCRAM_ARGS for the storage format
  command -v openssl >/dev/null || die "openssl is needed for KAFKA_SECURE=1"
  [[ -x "$PYTHON" ]] || die "KAFKA_SECURE=1 needs the project's Python ($PYTHON)"
  USERS=(admin $("$PYTHON" -m affbill_runtime.kafka_acls principals))
  mkdir -p "$TLS" "$KDIR/users" "$KDIR/clients"; chmod 700 "$TLS" "$KDIR/users"
  if [[ ! -f "$TLS/ca.crt" ]]; then
    log "generating a self-signed CA and the broker's certificate"
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$TLS/ca.key" -days 825 \
      -subj "/CN=affbill local CA" -out "$TLS/ca.crt" 2>/dev/null
    issue_cert broker "IP:127.0.0.1,DNS:localhost"
    openssl pkcs8 -topk8 -nocrypt -in "$TLS/broker.key" > "$TLS/broker.pem"
    cat "$TLS/broker.crt" >> "$TLS/broker.pem"
  fi
  SCRAM_ARGS=()
  for user in "${USERS[@]}"; do
    [[ -f "$TLS/$user.crt" ]] || issue_cert "$user" "DNS:$user"
    [[ -f "$KDIR/users/$user.password" ]] || openssl rand -hex 24 > "$KDIR/users/$user.password"
    local password; password="$(cat "$KDIR/users/$user.password")"
    SCRAM_ARGS+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$password]"
                 --add-scram "SCRAM-SHA-256=[name=$user,password=$password]")
    client_env "$user" "$password"
  done
}

client_env() {  # client_env USER PASSWORD: the settings files of one user
  cat > "$KDIR/clients/$1.env" <<ENV
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
AFFBILL_KAFKA_SECURITY_PROTOCOL=SASL_SSL
AFFBILL_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
AFFBILL_KAFKA_SASL_USERNAME=$1
AFFBILL_KAFKA_SASL_PASSWORD=$2
AFFBILL_KAFKA_SSL_CA_FILE=$TLS/ca.crt
ENV
  cat > "$KDIR/clients/$1-mtls.env" <<ENV
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_SSL_PORT
AFFBILL_KAFKA_SECURITY_PROTOCOL=SSL
AFFBILL_KAFKA_SSL_CA_FILE=$TLS/ca.crt
AFFBILL_KAFKA_SSL_CERT_FILE=$TLS/$1.crt
AFFBILL_KAFKA_SSL_KEY_FILE=$TLS/$1.key
ENV
  chmod 600 "$KDIR/clients/$1.env" "$KDIR/clients/$1-mtls.env"
}

secure_setup() {  # as admin: every topic, then the services' ACLs
  log "creating the topics and the services' ACLs as admin"
  ( set -a; source "$KDIR/clients/admin.env"; set +a
    "$PYTHON" -m affbill_runtime.kafka_acls apply ) >"$KDIR/logs/acls.log" 2>&1 \
    || { cat "$KDIR/logs/acls.log" >&2; die "creating topics and ACLs failed"; }
}
