#!/usr/bin/env bash
# The marketplace laid out past one machine, on this one: a three-node Elasticsearch cluster (three
# processes of the services' distribution, own ports and data, one replica per shard), a
# PostgreSQL streaming replica of the services' primary (pg_basebackup, hot standby, a replication
# slot so it catches up after a stop), and two Celery workers on separate queues plus beat.
#
#   .ci/cluster.sh start            start what is stopped (after `services.sh start`), wait for green
#   .ci/cluster.sh stop             stop it all (the services stay up)
#   .ci/cluster.sh status           each process's state and port
#   .ci/cluster.sh start|stop es-N  one Elasticsearch node (N = 1, 2, 3), as the fault tests do
#   .ci/cluster.sh start|stop replica | workers
#   .ci/cluster.sh env              the environment a site process needs to use the cluster
#
# Idempotent, as services.sh; its data lives beside the services' (outside the clone).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=services.sh
source "$HERE/services.sh"
say() { printf '%s\n' "cluster: $*"; }
die() { printf '%s\n' "cluster: error: $*" >&2; exit 1; }

CLUSTER_ES_PORTS=(9201 9202 9203)
CLUSTER_TRANSPORT_PORTS=(9301 9302 9303)
CLUSTER_ES_HEAP="${CLUSTER_ES_HEAP:-384m}"
CLUSTER_DIR="$ES_BASE/cluster"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_USER=replicator
REPLICA_PASSWORD=replicator # loopback only, like the services' own role
REPLICA_SLOT=marketplace_replica
PG_VERSION="$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}' || true)"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
REPLICA_DIR=/var/lib/postgresql/marketplace-replica
CLUSTER_DATABASE="${CLUSTER_DATABASE:-marketplace_cluster}"
CLUSTER_BROKER="${CLUSTER_BROKER:-redis://127.0.0.1:$REDIS_PORT/5}"
CLUSTER_QUEUE="${CLUSTER_QUEUE:-cluster}"
PYTHON="$HERE/../.venv/bin/python"

es_urls() { local IFS=,; local urls=(); for port in "${CLUSTER_ES_PORTS[@]}"; do urls+=("http://127.0.0.1:$port"); done; echo "${urls[*]}"; }

# The environment of a site process (gunicorn, a worker, beat) on the cluster layout.
cluster_env() {
  cat <<ENV
DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$CLUSTER_DATABASE
DATABASE_REPLICA_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$REPLICA_PORT/$CLUSTER_DATABASE
ELASTICSEARCH_URL=$(es_urls)
ELASTICSEARCH_INDEX_PREFIX=cluster
ELASTICSEARCH_REPLICAS=1
CELERY_BROKER_URL=$CLUSTER_BROKER
CELERY_QUEUE=$CLUSTER_QUEUE
ENV
}

# --- Elasticsearch: three nodes -------------------------------------------------------------
node_dir() { echo "$CLUSTER_DIR/node-$1"; }
node_port() { echo "${CLUSTER_ES_PORTS[$(($1 - 1))]}"; }
node_ready() { curl -sf "http://127.0.0.1:$(node_port "$1")/_cluster/health?timeout=1s" >/dev/null; }
cluster_green() {
  curl -sf "http://127.0.0.1:${CLUSTER_ES_PORTS[0]}/_cluster/health?wait_for_nodes=3&wait_for_status=green&timeout=1s" >/dev/null ||
    curl -sf "http://127.0.0.1:${CLUSTER_ES_PORTS[1]}/_cluster/health?wait_for_nodes=3&wait_for_status=green&timeout=1s" >/dev/null
}

node_configure() { # the node's own config directory: the distribution's, with its own yml and heap
  local n=$1 dir; dir="$(node_dir "$n")"
  [ -f "$dir/config/elasticsearch.yml" ] && return 0
  # Under ES_BASE: root's as root (the node's user gets it below), else the user's own.
  mkdir -p "$dir/data" "$dir/logs"
  cp -r "$ES_HOME/config" "$dir/config"
  rm -f "$dir/config/elasticsearch.keystore"
  local seeds="" masters="" i
  for i in 1 2 3; do
    seeds+="127.0.0.1:${CLUSTER_TRANSPORT_PORTS[$((i - 1))]}, "
    masters+="es-$i, "
  done
  cat >"$dir/config/elasticsearch.yml" <<YAML
# One of three local nodes (.ci/cluster.sh): loopback only, security off.
cluster.name: marketplace-cluster
node.name: es-$n
network.host: 127.0.0.1
http.port: $(node_port "$n")
transport.port: ${CLUSTER_TRANSPORT_PORTS[$((n - 1))]}
discovery.seed_hosts: [${seeds%, }]
cluster.initial_master_nodes: [${masters%, }]
xpack.security.enabled: false
path.data: $dir/data
path.logs: $dir/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YAML
  printf -- '-Xms%s\n-Xmx%s\n' "$CLUSTER_ES_HEAP" "$CLUSTER_ES_HEAP" >"$dir/config/jvm.options.d/heap.options"
  [ "$(id -u)" = 0 ] && chown -R "$ES_USER" "$dir"
  return 0
}

node_start() {
  local n=$1 dir; dir="$(node_dir "$n")"
  node_configure "$n"
  node_ready "$n" && return 0
  say "starting Elasticsearch node es-$n on port $(node_port "$n")"
  as_es_user env ES_JAVA_HOME="$(es_java_home)" ES_PATH_CONF="$dir/config" \
    "$ES_HOME/bin/elasticsearch" -d -p "$dir/node.pid" >"$RUN_DIR/cluster-es-$n.out" 2>&1 ||
    die "node es-$n failed to start; see $RUN_DIR/cluster-es-$n.out and $dir/logs/"
}

node_stop() { # SIGTERM; the fault tests SIGKILL the pid in node.pid themselves
  local n=$1 pidfile pid; pidfile="$(node_dir "$n")/node.pid"
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  as_root kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while as_root kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
  as_root rm -f "$pidfile"
}

es_cluster_start() {
  es_install
  es_plugin_sync
  for n in 1 2 3; do node_start "$n"; done
  wait_for 180 "Elasticsearch cluster (3 nodes, green)" cluster_green ||
    die "the cluster did not turn green in 180 s; see $CLUSTER_DIR/node-*/logs/"
}

# --- PostgreSQL: a streaming replica --------------------------------------------------------
pg_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
primary_psql() { pg_as_postgres psql -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }
replica_ready() {
  [ "$(PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$DB_USER" -d postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]
}

replica_create() {
  if [ "$(primary_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$REPLICA_USER'")" != 1 ]; then
    say "creating the replication role $REPLICA_USER"
    primary_psql -c "CREATE ROLE $REPLICA_USER REPLICATION LOGIN PASSWORD '$REPLICA_PASSWORD'"
  fi
  if [ "$(primary_psql -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name='$REPLICA_SLOT'")" = 1 ]; then
    primary_psql -c "SELECT pg_drop_replication_slot('$REPLICA_SLOT')" >/dev/null
  fi
  say "copying the primary into $REPLICA_DIR (pg_basebackup, slot $REPLICA_SLOT)"
  as_root rm -rf "$REPLICA_DIR"
  pg_as_postgres env PGPASSWORD="$REPLICA_PASSWORD" "$PG_BIN/pg_basebackup" -h 127.0.0.1 \
    -p "$PG_PORT" -U "$REPLICA_USER" -D "$REPLICA_DIR" -R -X stream -C -S "$REPLICA_SLOT" \
    -c fast >"$RUN_DIR/replica-basebackup.log" 2>&1 ||
    die "pg_basebackup failed; see $RUN_DIR/replica-basebackup.log"
  # Debian keeps the primary's configuration outside its data directory: the standby's own.
  pg_as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<CONF
# A hot standby of the local primary (.ci/cluster.sh).
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
max_connections = 100
shared_buffers = 128MB
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 5s
hba_file = '$REPLICA_DIR/pg_hba.conf'
ident_file = '$REPLICA_DIR/pg_ident.conf'
timezone = 'Etc/UTC'
log_timezone = 'Etc/UTC'
CONF
  pg_as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<HBA
local all postgres peer
host  all all 127.0.0.1/32 scram-sha-256
HBA
  pg_as_postgres touch "$REPLICA_DIR/pg_ident.conf"
}

replica_start() {
  replica_ready && return 0
  pg_as_postgres test -f "$REPLICA_DIR/standby.signal" || replica_create
  say "starting the PostgreSQL replica on port $REPLICA_PORT"
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/replica.log" -w -t 60 start >/dev/null ||
    die "the replica did not start; see $REPLICA_DIR/replica.log"
  wait_for 60 "PostgreSQL replica (hot standby)" replica_ready || die "the replica does not answer; see $REPLICA_DIR/replica.log"
}

replica_stop() {
  pg_as_postgres test -f "$REPLICA_DIR/postmaster.pid" || return 0
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null 2>&1 || true
}

# --- Celery: a worker for payments and everything else, one for search, and beat ------------
cluster_database() {
  if [ "$(primary_psql -tAc "SELECT 1 FROM pg_database WHERE datname='$CLUSTER_DATABASE'")" != 1 ]; then
    say "creating the database $CLUSTER_DATABASE"
    primary_psql -c "CREATE DATABASE \"$CLUSTER_DATABASE\" OWNER \"$DB_USER\""
  fi
  say "migrating $CLUSTER_DATABASE"
  local settings; mapfile -t settings < <(cluster_env)
  env "${settings[@]}" "$PYTHON" "$HERE/../manage.py" migrate --noinput -v 0
}

worker_running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

workers_start() {
  [ -x "$PYTHON" ] || die "no virtualenv: run make install first"
  cluster_database
  local settings; mapfile -t settings < <(cluster_env)
  local celery=(env "${settings[@]}" "$PYTHON" -m celery -A marketplace)
  worker_running cluster-worker-payments || {
    say "starting the Celery worker for $CLUSTER_QUEUE and $CLUSTER_QUEUE.payments"
    start_daemon cluster-worker-payments "${celery[@]}" worker --loglevel=INFO --concurrency=2 \
      "--queues=$CLUSTER_QUEUE,$CLUSTER_QUEUE.payments" --hostname="payments@%h"
  }
  worker_running cluster-worker-search || {
    say "starting the Celery worker for $CLUSTER_QUEUE.search"
    start_daemon cluster-worker-search "${celery[@]}" worker --loglevel=INFO --concurrency=1 \
      "--queues=$CLUSTER_QUEUE.search" --hostname="search@%h"
  }
  worker_running cluster-beat || {
    say "starting Celery beat (one instance)"
    start_daemon cluster-beat "${celery[@]}" beat --loglevel=INFO \
      --schedule="$RUN_DIR/cluster-beat-schedule" --pidfile=
  }
}

workers_stop() { for name in cluster-beat cluster-worker-search cluster-worker-payments; do stop_daemon "$name"; done; }

# --- Commands ---------------------------------------------------------------------------------
cluster_start() {
  mkdir -p "$RUN_DIR"
  es_cluster_start
  replica_start
  workers_start
  cluster_status
}

cluster_stop() {
  workers_stop
  replica_stop
  # Stopped for good: its slot would keep the primary's WAL forever. The next start copies afresh
  # (`stop replica` alone keeps both, to catch up on start).
  if [ "$(primary_psql -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name='$REPLICA_SLOT'")" = 1 ]; then
    primary_psql -c "SELECT pg_drop_replication_slot('$REPLICA_SLOT')" >/dev/null
  fi
  as_root rm -rf "$REPLICA_DIR"
  for n in 3 2 1; do node_stop "$n"; done
  say "stopped"
}

cluster_status() {
  local row
  row() { printf '  %-24s %-6s %s\n' "$1" "$2" "$3"; }
  row PROCESS PORT STATE
  local health; health="$(curl -sf "http://127.0.0.1:${CLUSTER_ES_PORTS[0]}/_cluster/health" 2>/dev/null ||
    curl -sf "http://127.0.0.1:${CLUSTER_ES_PORTS[1]}/_cluster/health" 2>/dev/null || true)"
  for n in 1 2 3; do row "elasticsearch es-$n" "$(node_port "$n")" "$(node_ready "$n" && echo up || echo down)"; done
  row "elasticsearch cluster" - "${health:+$(echo "$health" | sed -E 's/.*"status":"([a-z]+)".*"number_of_nodes":([0-9]+).*/\1, \2 nodes/')}"
  row "postgresql replica" "$REPLICA_PORT" "$(replica_ready && echo "up (hot standby of $PG_PORT)" || echo down)"
  for name in cluster-worker-payments cluster-worker-search cluster-beat; do
    row "$name" - "$(worker_running "$name" && echo up || echo down)"
  done
}

target() {
  case "$2" in
    es-1 | es-2 | es-3) mkdir -p "$RUN_DIR"; "node_$1" "${2#es-}" ;;
    replica) mkdir -p "$RUN_DIR"; "replica_$1" ;;
    workers) mkdir -p "$RUN_DIR"; "workers_$1" ;;
    *) die "unknown part $2 (es-1, es-2, es-3, replica, workers)" ;;
  esac
}

case "${1:-}" in
  start) if [ -n "${2:-}" ]; then target start "$2"; else cluster_start; fi ;;
  stop) if [ -n "${2:-}" ]; then target stop "$2"; else cluster_stop; fi ;;
  status) cluster_status ;;
  env) cluster_env ;;
  pid) [ -n "${2:-}" ] || die "pid es-N"; cat "$(node_dir "${2#es-}")/node.pid" ;;
  *) echo "usage: $0 start|stop|status|env|pid [es-1|es-2|es-3|replica|workers]" >&2; exit 2 ;;
esac
