#!/usr/bin/env bash
# End-to-end test of the plugin on a throwaway Elasticsearch node, leaving the shared one on 9200 alone:
# unpack a second copy of the node's zip (from ~/.m2), install the plugin zip with the plugin CLI,
# start it on 127.0.0.1:9250, check the filters with _analyze and a real index, then stop the node
# and delete the copy (also on failure).
#
#   bash search/es-plugin/scratch-node-test.sh      # builds the zip first if it is missing
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
HTTP_PORT="${HTTP_PORT:-9250}"
TRANSPORT_PORT="${TRANSPORT_PORT:-9350}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLUGIN_ZIP="$HERE/target/marketplace-analysis-1.0.0.zip"
ES_ZIP="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
JAVA_HOME_FOR_ES="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

# Elasticsearch refuses to run as root: as root, run it as the user `elasticsearch` (as services.sh does).
if [ "$(id -u)" = 0 ]; then
  BASE="${SCRATCH_DIR:-/var/cache/marketplace-plugin-test}"
  as_es() { runuser -u elasticsearch -- "$@"; }
else
  BASE="${SCRATCH_DIR:-${TMPDIR:-/tmp}/marketplace-plugin-test}"
  as_es() { "$@"; }
fi
ES_HOME="$BASE/elasticsearch-$ES_VERSION"
URL="http://127.0.0.1:$HTTP_PORT"

say() { printf 'scratch-node: %s\n' "$*"; }
die() { printf 'scratch-node: error: %s\n' "$*" >&2; exit 1; }

[ -f "$ES_ZIP" ] || mvn -q -B dependency:get -Dtransitive=false \
  -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
[ -f "$PLUGIN_ZIP" ] || mvn -q -B -f "$HERE/pom.xml" package
[ ! -e "$BASE" ] || die "$BASE exists; remove it (after stopping any node in it) first"
! curl -s "$URL" >/dev/null 2>&1 || die "something already listens on port $HTTP_PORT"

cleanup() {
  if [ -f "$BASE/es.pid" ]; then
    local pid; pid="$(cat "$BASE/es.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$BASE"
  say "node stopped, $BASE removed"
}
trap cleanup EXIT

say "unpacking Elasticsearch $ES_VERSION into $BASE"
mkdir -p "$BASE/data" "$BASE/logs"
unzip -q "$ES_ZIP" -d "$BASE"
cat >"$ES_HOME/config/elasticsearch.yml" <<YAML
cluster.name: plugin-test
node.name: plugin-test
network.host: 127.0.0.1
http.port: $HTTP_PORT
transport.port: $TRANSPORT_PORT
discovery.type: single-node
xpack.security.enabled: false
path.data: $BASE/data
path.logs: $BASE/logs
cluster.routing.allocation.disk.threshold_enabled: false
YAML
printf -- '-Xms384m\n-Xmx384m\n' >"$ES_HOME/config/jvm.options.d/heap.options"
cp "$PLUGIN_ZIP" "$BASE/"
[ "$(id -u)" = 0 ] && chown -R elasticsearch:elasticsearch "$BASE"

es_env=(env ES_JAVA_HOME="$JAVA_HOME_FOR_ES" ES_PATH_CONF="$ES_HOME/config")
say "installing $(basename "$PLUGIN_ZIP")"
as_es "${es_env[@]}" "$ES_HOME/bin/elasticsearch-plugin" install --batch "file://$BASE/$(basename "$PLUGIN_ZIP")"
say "starting the node on $URL"
as_es "${es_env[@]}" "$ES_HOME/bin/elasticsearch" -d -p "$BASE/es.pid" >"$BASE/logs/start.out" 2>&1 ||
  { cat "$BASE/logs/start.out"; die "the node did not start"; }
for _ in $(seq 1 120); do
  curl -sf "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null && break
  sleep 1
done
curl -sf "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null ||
  { tail -50 "$BASE/logs/plugin-test.log"; die "the node did not answer in 120 s"; }

say "checking the filters"
python3 - "$URL" <<'PY'
import json, sys, urllib.request

url = sys.argv[1]
passes = failures = 0

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def check(name, got, want):
    global passes, failures
    ok = got == want
    passes += ok
    failures += not ok
    print(("ok     " if ok else "FAILED ") + name + ": " + json.dumps(got, ensure_ascii=False)
          + ("" if ok else "  (wanted " + json.dumps(want, ensure_ascii=False) + ")"))

def tokens(body):
    return [t["token"] for t in call("POST", "/_analyze", body)["tokens"]]

def ids(index, query):
    res = call("POST", f"/{index}/_search", {"query": query})
    return sorted(h["_id"] for h in res["hits"]["hits"])

check("english stemming", tokens({"tokenizer": "standard", "text": "Running toxicologists' studies",
      "filter": ["lowercase", "english_possessive", "stop", "porter_stem"]}), ["run", "toxicologist", "studi"])
check("chinese bigrams", tokens({"tokenizer": "standard", "text": "抗体偶联药物",
      "filter": ["cjk_width", "lowercase", "cjk_bigram"]}), ["抗体", "体偶", "偶联", "联药", "药物"])
check("full-width folding", tokens({"tokenizer": "standard", "text": "ＡＤＣ",
      "filter": ["cjk_width", "lowercase"]}), ["adc"])
check("ascii folding", tokens({"tokenizer": "standard", "text": "Café naïve",
      "filter": ["lowercase", "ascii_folding"]}), ["cafe", "naive"])
check("edge n-grams", tokens({"tokenizer": "standard", "text": "Toxicology",
      "filter": ["lowercase", {"type": "edge_ngram", "min_gram": 2, "max_gram": 4}]}), ["to", "tox", "toxi"])

index = "marketplace_analysis_smoke"
call("PUT", f"/{index}", {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": {
        "filter": {
            "capability_synonyms": {"type": "synonym_graph",
                                    "synonyms": ["adc, antibody-drug conjugate, 抗体偶联药物"]},
            "prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20}},
        "analyzer": {
            "bilingual": {"type": "custom", "tokenizer": "standard", "filter":
                ["cjk_width", "lowercase", "cjk_bigram", "english_possessive", "stop", "porter_stem"]},
            "bilingual_search": {"type": "custom", "tokenizer": "standard", "filter":
                ["cjk_width", "lowercase", "cjk_bigram", "capability_synonyms", "english_possessive", "stop", "porter_stem"]},
            "prefix_index": {"type": "custom", "tokenizer": "standard",
                             "filter": ["cjk_width", "lowercase", "ascii_folding", "prefixes"]},
            "prefix_search": {"type": "custom", "tokenizer": "standard",
                              "filter": ["cjk_width", "lowercase", "ascii_folding"]}}}},
    "mappings": {"properties": {"title": {
        "type": "text", "analyzer": "bilingual", "search_analyzer": "bilingual_search",
        "fields": {"prefix": {"type": "text", "analyzer": "prefix_index", "search_analyzer": "prefix_search"}}}}},
})
for i, title in enumerate(["ADC conjugation services", "抗体偶联药物偶联工艺", "Stable cell line development"], 1):
    call("PUT", f"/{index}/_doc/{i}", {"title": title})
call("POST", f"/{index}/_refresh")

check("synonyms: 'antibody-drug conjugate'", ids(index, {"match": {"title": "antibody-drug conjugate"}}), ["1", "2"])
check("synonyms: 'ADC'", ids(index, {"match": {"title": "ADC"}}), ["1", "2"])
check("synonyms: '抗体偶联药物'", ids(index, {"match": {"title": "抗体偶联药物"}}), ["1", "2"])
check("prefix: 'conj'", ids(index, {"match": {"title.prefix": "conj"}}), ["1"])
check("prefix: 'Dév'", ids(index, {"match": {"title.prefix": "Dév"}}), ["3"])
call("DELETE", f"/{index}")

print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
PY
