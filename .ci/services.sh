#!/usr/bin/env bash
# The local services the marketplace runs against: PostgreSQL, Redis, Elasticsearch and the Stripe
# emulators (localstripe, stateful; stripe-mock, request validation). Loopback only.
#
#   .ci/services.sh start    install what is missing, start what is stopped, wait until each answers
#   .ci/services.sh stop     stop them
#   .ci/services.sh status   print each one's state and port
#
# Idempotent: a second `start` only checks that everything answers. Downloads are cached outside the
# clone (~/.m2 for Maven, ~/.cache/marketplace for the rest), so a fresh clone starts fast.
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
STRIPE_MOCK_VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"
LOCALSTRIPE_VERSION="${LOCALSTRIPE_VERSION:-1.15.10}"

PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
ES_PORT="${ES_PORT:-9200}"
LOCALSTRIPE_PORT="${LOCALSTRIPE_PORT:-8420}"
STRIPE_MOCK_PORT="${STRIPE_MOCK_PORT:-12111}"

DB_NAME="${DB_NAME:-marketplace}"
DB_USER="${DB_USER:-marketplace}"
DB_PASSWORD="${DB_PASSWORD:-marketplace}"

CACHE_DIR="${MARKETPLACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/marketplace}"
RUN_DIR="$CACHE_DIR/run"
BIN_DIR="$CACHE_DIR/bin"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Elasticsearch refuses to run as root. As root it runs as the unprivileged user `elasticsearch`,
# from a directory that user can read (root's home is private); otherwise as the current user.
if [ "$(id -u)" = 0 ]; then
  ES_USER=elasticsearch
  ES_BASE="${ES_BASE:-/var/cache/marketplace}"
else
  ES_USER="$(id -un)"
  ES_BASE="${ES_BASE:-$CACHE_DIR}"
fi
ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"
ES_DATA="$ES_BASE/elasticsearch-data"

say() { printf '%s\n' "services: $*"; }
die() { printf '%s\n' "services: error: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_es_user() { if [ "$(id -u)" = 0 ]; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi; }

# Wait until "$@" succeeds, up to $1 seconds; the rest is the check command.
wait_for() {
  local seconds=$1 name=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
  say "$name is up"
}


apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q "${missing[@]}" >/dev/null ||
    { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# --- PostgreSQL -------------------------------------------------------------------------------
pg_cluster() { pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2}'; }
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }

postgres_start() {
  apt_install postgresql
  if ! pg_ready; then
    read -r version cluster <<<"$(pg_cluster)"
    [ -n "${version:-}" ] || die "no PostgreSQL cluster found (pg_lsclusters is empty)"
    as_root pg_ctlcluster "$version" "$cluster" start || true
    wait_for 30 "PostgreSQL" pg_ready || die "PostgreSQL did not start; see /var/log/postgresql/"
  fi
  local psql=(as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$PG_PORT")
  [ "$(id -u)" = 0 ] || psql=(sudo -u postgres psql -q -v ON_ERROR_STOP=1 -p "$PG_PORT")
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
    say "creating PostgreSQL role $DB_USER"
    "${psql[@]}" -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  fi
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" != 1 ]; then
    say "creating PostgreSQL database $DB_NAME"
    "${psql[@]}" -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
  fi
}

postgres_stop() {
  local version cluster
  read -r version cluster <<<"$(pg_cluster)"
  [ -n "${version:-}" ] && pg_ready && as_root pg_ctlcluster "$version" "$cluster" stop || true
}

# --- Redis ------------------------------------------------------------------------------------
redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }

redis_start() {
  apt_install redis-server
  redis_ready 2>/dev/null && return 0
  mkdir -p "$RUN_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir "$RUN_DIR/redis" --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  wait_for 15 "Redis" redis_ready || die "Redis did not start; see $RUN_DIR/redis.log"
}

redis_stop() { redis_ready 2>/dev/null && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave || true; }

# --- Elasticsearch ----------------------------------------------------------------------------
es_ready() { curl -sf "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s"; }

es_install() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  local artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
  local zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  if [ ! -f "$zip" ]; then
    say "downloading Elasticsearch $ES_VERSION from Maven Central (mvn dependency:get)"
    command -v mvn >/dev/null || apt_install maven
    mvn -q -B dependency:get -Dtransitive=false -Dartifact="$artifact" ||
      die "could not download $artifact"
  fi
  if [ "$(id -u)" = 0 ] && ! id "$ES_USER" >/dev/null 2>&1; then
    say "creating system user $ES_USER"
    useradd --system --home-dir "$ES_BASE" --shell /usr/sbin/nologin "$ES_USER"
  fi
  say "unpacking Elasticsearch into $ES_HOME"
  as_root mkdir -p "$ES_BASE"
  local tmp; tmp="$(mktemp -d "$ES_BASE/unpack.XXXX")"
  unzip -q "$zip" -d "$tmp"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$tmp"
  cat >"$ES_HOME/config/elasticsearch.yml" <<YAML
# Single local node for development and tests: loopback only, security off.
cluster.name: marketplace
node.name: marketplace-local
network.host: 127.0.0.1
http.port: $ES_PORT
discovery.type: single-node
xpack.security.enabled: false
path.data: $ES_DATA
path.logs: $ES_BASE/elasticsearch-logs
# A nearly full development disk must not turn indices read-only under the tests.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YAML
  printf -- '-Xms512m\n-Xmx512m\n' >"$ES_HOME/config/jvm.options.d/heap.options"
  mkdir -p "$ES_DATA" "$ES_BASE/elasticsearch-logs"
  [ "$(id -u)" = 0 ] && chown -R "$ES_USER" "$ES_HOME" "$ES_DATA" "$ES_BASE/elasticsearch-logs"
  return 0
}

# Our analysis plugin (search/es-plugin): the integ-test-zip has no analysis-common module, so the
# stemming, CJK, synonym and n-gram filters the search app uses come from this small stable plugin.
PLUGIN_DIR="$HERE/../search/es-plugin"
PLUGIN_NAME=marketplace-analysis

es_plugin_sync() { # build the plugin when its sources changed; (re)install it when the zip did
  local zip="$PLUGIN_DIR/target/$PLUGIN_NAME-1.0.0.zip"
  if [ ! -f "$zip" ] || [ -n "$(find "$PLUGIN_DIR/src" "$PLUGIN_DIR/pom.xml" -newer "$zip" -print -quit)" ]; then
    say "building the $PLUGIN_NAME Elasticsearch plugin (mvn package)"
    mvn -q -B -f "$PLUGIN_DIR/pom.xml" package -DskipTests >"$RUN_DIR/plugin-build.log" 2>&1 ||
      die "the plugin build failed; see $RUN_DIR/plugin-build.log"
  fi
  local sum marker="$ES_HOME/plugins/$PLUGIN_NAME/.source-sha256"
  sum="$(sha256sum "$zip" | cut -d' ' -f1)"
  [ "$(cat "$marker" 2>/dev/null)" = "$sum" ] && return 0
  say "installing the $PLUGIN_NAME plugin into Elasticsearch"
  es_stop
  local staged="$ES_BASE/$PLUGIN_NAME.zip" # somewhere the node's user can read
  as_root cp "$zip" "$staged"
  [ "$(id -u)" = 0 ] && chown "$ES_USER" "$staged"
  local java_home; java_home="$(es_java_home)"
  as_es_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch-plugin" remove --purge "$PLUGIN_NAME" >/dev/null 2>&1 || true
  as_es_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch-plugin" install --batch --silent "file://$staged" >"$RUN_DIR/plugin-install.log" 2>&1 ||
    die "installing the plugin failed; see $RUN_DIR/plugin-install.log"
  echo "$sum" | as_es_user tee "$marker" >/dev/null
}

es_java_home() { echo "${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"; }

es_start() {
  es_install
  es_plugin_sync
  es_ready >/dev/null 2>&1 && return 0
  local java_home; java_home="$(es_java_home)"
  say "starting Elasticsearch $ES_VERSION (Java at $java_home)"
  as_es_user env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_HOME/elasticsearch.pid" \
    >"$RUN_DIR/elasticsearch.out" 2>&1 ||
    die "Elasticsearch failed to start; see $RUN_DIR/elasticsearch.out and $ES_BASE/elasticsearch-logs/"
  wait_for 120 "Elasticsearch" es_ready ||
    die "Elasticsearch did not answer in 120 s; see $ES_BASE/elasticsearch-logs/marketplace.log"
}

es_stop() {
  local pidfile="$ES_HOME/elasticsearch.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  as_root kill "$pid" 2>/dev/null || true
  # Until the process is gone, not just its HTTP port: on its way out it deletes the pid file,
  # which would be the next node's if one were started meanwhile.
  local deadline=$((SECONDS + 60))
  while as_root kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
}

# --- Stripe emulators -------------------------------------------------------------------------
localstripe_ready() { curl -sf -u sk_test_ping: "http://127.0.0.1:$LOCALSTRIPE_PORT/v1/customers?limit=1"; }
stripe_mock_ready() {
  curl -sf -H "Authorization: Bearer sk_test_ping" "http://127.0.0.1:$STRIPE_MOCK_PORT/v1/customers?limit=1"
}

start_daemon() { # name, command...: run in the background, detached, with a pid file and a log
  local name=$1; shift
  nohup setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_daemon() {
  local pidfile="$RUN_DIR/$1.pid"
  [ -f "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

localstripe_start() {
  localstripe_ready >/dev/null 2>&1 && return 0
  local venv="$CACHE_DIR/localstripe-$LOCALSTRIPE_VERSION"
  if [ ! -x "$venv/bin/localstripe" ]; then
    say "installing localstripe $LOCALSTRIPE_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "localstripe==$LOCALSTRIPE_VERSION"
  fi
  # Our own launcher binds to loopback only (localstripe's own binds every interface).
  start_daemon localstripe "$venv/bin/python" "$HERE/localstripe_serve.py" --port "$LOCALSTRIPE_PORT"
  wait_for 30 "localstripe" localstripe_ready || die "localstripe did not start; see $RUN_DIR/localstripe.log"
}

stripe_mock_start() {
  stripe_mock_ready >/dev/null 2>&1 && return 0
  local binary="$BIN_DIR/stripe-mock-$STRIPE_MOCK_VERSION"
  if [ ! -x "$binary" ]; then
    say "building stripe-mock $STRIPE_MOCK_VERSION (go install)"
    local gobin; gobin="$(mktemp -d)"
    GOBIN="$gobin" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
    mkdir -p "$BIN_DIR" && mv "$gobin/stripe-mock" "$binary" && rmdir "$gobin"
  fi
  start_daemon stripe-mock "$binary" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" \
    -https-addr "127.0.0.1:$((STRIPE_MOCK_PORT + 1))"
  wait_for 30 "stripe-mock" stripe_mock_ready || die "stripe-mock did not start; see $RUN_DIR/stripe-mock.log"
}

# --- Commands ---------------------------------------------------------------------------------
start() {
  mkdir -p "$RUN_DIR"
  # curl and unzip for the installs below; Debian's Chromium and CJK fonts for the browser tests.
  apt_install curl unzip chromium fonts-noto-cjk
  postgres_start
  redis_start
  es_start
  localstripe_start
  stripe_mock_start
  status
}

stop() {
  stop_daemon stripe-mock
  stop_daemon localstripe
  es_stop
  redis_stop
  postgres_stop
  say "stopped"
}

status() {
  local row
  row() { printf '  %-14s %-6s %s\n' "$1" "$2" "$3"; }
  printf '  %-14s %-6s %s\n' SERVICE PORT STATE
  row postgresql "$PG_PORT" "$(pg_ready 2>/dev/null && echo "up (database $DB_NAME)" || echo down)"
  row redis "$REDIS_PORT" "$(redis_ready 2>/dev/null && echo up || echo down)"
  row elasticsearch "$ES_PORT" "$(es_ready >/dev/null 2>&1 && echo "up ($ES_VERSION)" || echo down)"
  row localstripe "$LOCALSTRIPE_PORT" "$(localstripe_ready >/dev/null 2>&1 && echo up || echo down)"
  row stripe-mock "$STRIPE_MOCK_PORT" "$(stripe_mock_ready >/dev/null 2>&1 && echo up || echo down)"
  row chromium - "$(command -v chromium >/dev/null && chromium --version 2>/dev/null || echo "not installed")"
}

# One service (the fault tests stop and restart Elasticsearch mid-run).
one() {
  case "$2" in
    postgresql) "postgres_$1" ;;
    redis) "redis_$1" ;;
    elasticsearch) mkdir -p "$RUN_DIR"; "es_$1" ;;
    localstripe | stripe-mock) if [ "$1" = start ]; then "${2/-/_}_start"; else stop_daemon "$2"; fi ;;
    *) die "unknown service $2 (postgresql, redis, elasticsearch, localstripe, stripe-mock)" ;;
  esac
}

# Run as a command; sourced (by cluster.sh), it only defines the functions above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) if [ -n "${2:-}" ]; then one start "$2"; else start; fi ;;
    stop) if [ -n "${2:-}" ]; then one stop "$2"; else stop; fi ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status [service]" >&2; exit 2 ;;
  esac
fi
