"""Search speed on a large corpus: reindex, the API under concurrent clients, the database's own
search engine, and Wagtail's own Elasticsearch backend over the same pages and queries.

Not collected by pytest (``norecursedirs`` skips tests/bench). It uses a throwaway PostgreSQL
database (refused unless its name contains "bench") and its own index prefix:

    DJANGO_SETTINGS_MODULE=marketplace.settings ELASTICSEARCH_INDEX_PREFIX=bench \\
    DATABASE_URL=postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_search \\
    .venv/bin/python tests/bench/search_bench.py --providers 10000 --services-per-provider 10

Steps: (1) the corpus, built in bulk (tests/bench/search_corpus.py) and checked, or reused when the
database already holds one of the requested size (``--fresh`` rebuilds); (2) documents read from
the database alone, profiled, then ``index_rebuild`` of services and providers; (3) the query mix
in-process, then through the real HTTP API (gunicorn on loopback) at 1, 8 and 32 clients, next to
Elasticsearch's own ``took``, the site's rate limits off; (4) the database's search engine: its
index built, the same mix at one client; (5) Wagtail's
``elasticsearch8`` backend: ServicePage indexed, the same texts searched. A table is printed and
the figures written as JSON (var/bench/search-<timestamp>.json). The bench indexes are deleted at
the end unless ``--keep-indexes``; the database is kept.
"""

import argparse
import cProfile
import http.client
import io
import itertools
import json
import os
import platform
import pstats
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from import_providers import QueryCounter, prepare_database  # noqa: E402

from tests.processes import group_stop, wait_until_answering  # noqa: E402

TARGETS = {
    "api_p95_ms_at_8_clients": 50,
    "overhead_median_ms": 10,
    "took_p50_ms_at_1_client": 8,
    "api_p50_times_faster_than_wagtail": 2,
    "database_p95_ms_at_1_client": 100,
    "reindex_docs_per_second": 3000,
    "cached_provider_page_requests_per_second": 300,
}
# Anonymous provider pages read in the cached-page run, and its concurrency.
CACHED_PAGES = 200
CACHED_PAGE_CLIENTS = 8
CACHED_PAGE_REQUESTS = 4000
# The server's shared cache (as in production): a Redis database of the bench's own, emptied first.
BENCH_CACHE_URL = "redis://127.0.0.1:6379/4"
# What overseas buyers type: capability phrases, abbreviations, Chinese, typos; some with filters,
# some paging on. ``q`` and the filters are the API's parameters.
QUERY_MIX: list[dict] = [
    {"q": "GLP rodent toxicology"},
    {"q": "in vitro ADME"},
    {"q": "ADC"},
    {"q": "DMPK", "page": 2},
    {"q": "抗体偶联药物"},
    {"q": "啮齿类动物毒性试验", "standard": ["GLP"]},
    {"q": "PDX models", "page": 2},
    {"q": "bioanalysis LC-MS/MS", "standard": ["GLP"]},
    {"q": "toxicolgy"},
    {"q": "pharmacokinetcs rat"},
    {"q": "cryo-EM structure"},
    {"q": "CAR-T", "zone": ["shanghai_ftz"]},
    {"q": "medicinal chemistry", "capability": ["discovery"], "page": 3},
    {"q": "", "capability": ["safety"], "zone": ["jiangsu_ftz"]},
    {"q": "stability studies", "standard": ["GMP"], "price_max": "500000"},
    {"q": "mRNA LNP"},
    {"q": "药代动力学", "zone": ["beijing_ftz"]},
    {"q": "中药制剂"},
    {"q": "高通量筛选", "page": 2},
    {"q": "bispecific antibody cell line development"},
    {"q": "NMPA registration"},
    {"q": "phase I clinical unit", "zone": ["guangdong_ftz"]},
    {"q": "oncology xenograft mouse", "page": 2},
    {"q": "HTS"},
    {"q": "biocompatibilty ISO 10993"},
    {"q": "Suzhou GLP", "standard": ["AAALAC"]},
    {"q": "", "capability": ["dmpk.in_vitro_adme"], "price_max": "100000", "page": 2},
    {"q": "peptide synthesis", "turnaround_max": "60"},
    {"q": "细胞株构建", "standard": ["GMP"]},
    {"q": "safety pharmacology hERG", "sort": "price"},
    {"q": "oligonucleotide", "page": 3},
    {"q": "real world evidence", "capability": ["clinical"]},
]
FILTER_PARAMS = ("capability", "zone", "standard")
# Wagtail's default index settings name analysis components that live in Elasticsearch's
# analysis-common module, which the local integ-test-zip node lacks. What the peer changes, by
# deep merge into the backend's settings (WAGTAILSEARCH_BACKENDS[...]["INDEX_SETTINGS"]):
WAGTAIL_INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "analyzer": {
                # asciifolding -> ascii_folding (our plugin's name for the same Lucene filter)
                "ngram_analyzer": {"filter": ["ascii_folding", "lowercase", "ngram"]},
                "edgengram_analyzer": {"filter": ["ascii_folding", "lowercase", "edgengram"]},
            },
            # The ngram and edge_ngram tokenizers are not provided; no analyzer uses these two.
            "tokenizer": {
                "ngram_tokenizer": {"type": "standard"},
                "edgengram_tokenizer": {"type": "standard"},
            },
            # The ngram token filter is not provided either; ngram_analyzer (which no mapping
            # uses) gets the edge_ngram filter instead. The edgengram filter is unchanged.
            "filter": {"ngram": {"type": "edge_ngram", "min_gram": 3, "max_gram": 15}},
        },
        # Like our indexes on a single node: one shard, no replica (Wagtail leaves ES defaults).
        "index": {"number_of_shards": 1, "number_of_replicas": 0},
    }
}
WAGTAIL_SETTINGS_CHANGES = [
    "analyzer filter asciifolding -> ascii_folding (ngram_analyzer, edgengram_analyzer)",
    "tokenizers ngram_tokenizer, edgengram_tokenizer: type ngram/edge_ngram -> standard (unused)",
    "filter ngram: type ngram -> edge_ngram (used only by ngram_analyzer, which no mapping uses)",
    "index: number_of_shards 1, number_of_replicas 0 (as our indexes)",
]


def log(message: str = "", **kwargs) -> None:
    print(message, file=sys.stderr, flush=True, **kwargs)


def progress(message: str, *, done: bool = False) -> None:
    """One line rewritten in place on a terminal; only the last state when logged to a file."""
    if sys.stderr.isatty():
        log(f"\r{message:<100}", end="\n" if done else "")
    elif done:
        log(message)


# --- Statistics ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """Linear interpolation between closest ranks (``share`` 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict:
    def rounded(value):
        return None if value is None else round(value, 1)

    return {
        "n": len(values),
        "p50": rounded(percentile(values, 50)),
        "p95": rounded(percentile(values, 95)),
        "p99": rounded(percentile(values, 99)),
        "max": rounded(max(values)) if values else None,
        "mean": rounded(sum(values) / len(values)) if values else None,
    }


# --- Queries ------------------------------------------------------------------------------------


def query_label(params: dict) -> str:
    extras = [f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in params.items()
              if k != "q"]  # fmt: skip
    return " ".join([repr(params.get("q", "")), *extras])


def api_path(params: dict) -> str:
    return "/api/v1/search/services?" + urlencode(params, doseq=True)


def service_query(params: dict):
    """The ``ServiceQuery`` the API builds from these parameters."""
    from search.queries import ServiceQuery

    return ServiceQuery(
        text=params.get("q", ""),
        filters={name: params[name] for name in FILTER_PARAMS if params.get(name)},
        price_max=Decimal(params["price_max"]) if params.get("price_max") else None,
        turnaround_max=int(params["turnaround_max"]) if params.get("turnaround_max") else None,
        sort=params.get("sort", "relevance"),
        page=int(params.get("page", 1)),
    )


# --- Indexing -----------------------------------------------------------------------------------


def progress_printer(label: str, expected: int):
    """A progress wrapper for ``index_rebuild``: documents so far and documents per second."""

    def wrap(documents):
        started = time.perf_counter()
        count = 0
        for count, document in enumerate(documents, start=1):
            yield document
            if count % 5000 == 0:
                elapsed = time.perf_counter() - started
                progress(f"  {label}: {count:,}/{expected:,} documents read, {elapsed:.0f} s "
                         f"({count / elapsed:,.0f}/s)")  # fmt: skip
        progress(f"  {label}: {count:,} documents read", done=True)

    return wrap


def documents_only(*, profile_documents: int, top: int) -> dict:
    """Read every service document from the database without Elasticsearch; profile the start."""
    from django.db import connection

    from search.indexing import service_documents

    result = {}
    if profile_documents:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        count = sum(1 for _ in itertools.islice(service_documents(), profile_documents))
        profiler.disable()
        seconds = time.perf_counter() - started
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        result["profile"] = {
            "documents": count,
            "seconds_profiled": round(seconds, 2),
            "hotspots": hotspots(stats, seconds),
            "text": buffer.getvalue(),
        }
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        count = sum(1 for _ in service_documents())
    seconds = time.perf_counter() - started
    result.update(
        documents=count,
        seconds=round(seconds, 1),
        documents_per_second=round(count / seconds) if seconds else None,
        queries=counter.count,
        database_seconds=round(counter.seconds, 1),
    )
    return result


# Where reading documents spends its time: (label, filename fragment, function name).
DOCUMENT_HOTSPOTS = [
    ("service_document (per listing)", "search/indexing.py", "service_document"),
    ("Page.get_url (listing + provider)", "wagtail/models/pages.py", "get_url"),
    ("Site.get_site_root_paths (cache.get)", "wagtail/models/sites.py", "get_site_root_paths"),
    ("LocMemCache.get (unpickle)", "django/core/cache/backends/locmem.py", "get"),
    ("with_ancestors", "search/indexing.py", "with_ancestors"),
    ("taxonomy managers (prefetched)", "db/models/fields/related_descriptors.py", "get_queryset"),
    ("prefetch_related_objects", "django/db/models/query.py", "prefetch_related_objects"),
    ("Model.__init__ (rows to objects)", "django/db/models/base.py", "__init__"),
    ("from_db", "django/db/models/base.py", "from_db"),
    ("SQL (every statement)", "django/db/backends/utils.py", "_execute"),
    ("providers_by_path", "search/indexing.py", "providers_by_path"),
]


def hotspots(stats: pstats.Stats, total: float) -> list[dict]:
    rows = []
    for label, fragment, function in DOCUMENT_HOTSPOTS:
        cumulative, calls = 0.0, 0
        for (filename, _line, name), (_cc, primitive, _tt, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            if name == function and fragment in filename.replace(os.sep, "/"):
                cumulative += cum
                calls += primitive
        rows.append(
            {
                "what": label,
                "calls": calls,
                "seconds": round(cumulative, 3),
                "share": round(cumulative / total, 3) if total else None,
            }
        )
    return rows


def reindex(name: str, expected: int) -> dict:
    from search.indexing import index_rebuild

    started = time.perf_counter()
    outcome = index_rebuild(name=name, progress=progress_printer(f"reindex {name}", expected))
    seconds = time.perf_counter() - started
    return {
        "index": outcome["index"],
        "documents": outcome["documents"],
        "seconds": round(seconds, 1),
        "documents_per_second": round(outcome["documents"] / seconds) if seconds else None,
        "expected": expected,
    }


# --- In-process searches ------------------------------------------------------------------------


def in_process(rounds: int) -> dict:
    """``search_services`` for each query, ``rounds`` times after one warm-up pass."""
    from search.queries import search_services

    for params in QUERY_MIX:
        search_services(service_query(params))
    latencies, tooks, by_query = [], [], {}
    for _round in range(rounds):
        for params in QUERY_MIX:
            started = time.perf_counter()
            answer = search_services(service_query(params))
            elapsed = (time.perf_counter() - started) * 1000
            latencies.append(elapsed)
            tooks.append(answer["took_ms"])
            entry = by_query.setdefault(query_label(params), {"ms": [], "count": answer["count"]})
            entry["ms"].append(elapsed)
    return {
        "latency_ms": summary(latencies),
        "took_ms": summary(tooks),
        "overhead_ms": summary([a - b for a, b in zip(latencies, tooks, strict=True)]),
        "by_query": {
            k: {"p50_ms": round(percentile(v["ms"], 50), 1), "count": v["count"]}
            for k, v in by_query.items()
        },  # fmt: skip
    }


def in_process_uncached() -> dict:
    """One pass of the mix with Elasticsearch's request cache emptied before each search: the
    engine's own cost, which the repeated mix of the other figures hides (popular searches hit
    the cache in production too, new ones do not)."""
    from search.client import get_client, index_name
    from search.queries import search_services

    client = get_client()
    latencies, tooks = [], []
    for params in QUERY_MIX:
        client.indices.clear_cache(index=index_name("services"), request=True)
        started = time.perf_counter()
        answer = search_services(service_query(params))
        latencies.append((time.perf_counter() - started) * 1000)
        tooks.append(answer["took_ms"])
    return {"latency_ms": summary(latencies), "took_ms": summary(tooks)}


def database_engine(limit: int | None, rounds: int, expected: int) -> dict:
    """The database's own search engine: its index built (``entries_rebuild``), then
    ``search_services_from_database`` on the mix at one client, after one warm-up pass."""
    from search.entries import entries_rebuild
    from search.fallback import search_services_from_database

    started = time.perf_counter()
    built = entries_rebuild(name="services", progress=progress_printer("entries", expected))
    seconds = time.perf_counter() - started
    mix = QUERY_MIX[:limit] if limit else QUERY_MIX
    for params in mix:
        search_services_from_database(service_query(params))
    latencies, by_query = [], {}
    for _round in range(rounds):
        for params in mix:
            started = time.perf_counter()
            answer = search_services_from_database(service_query(params))
            elapsed = (time.perf_counter() - started) * 1000
            latencies.append(elapsed)
            entry = by_query.setdefault(query_label(params), {"ms": [], "count": answer["count"]})
            entry["ms"].append(elapsed)
    return {
        "build": {
            "documents": built["documents"],
            "seconds": round(seconds, 1),
            "documents_per_second": round(built["documents"] / seconds) if seconds else None,
        },
        "latency_ms": summary(latencies),
        "by_query": {
            k: {"ms": round(percentile(v["ms"], 50)), "count": v["count"]}
            for k, v in by_query.items()
        },  # fmt: skip
    }


# --- The HTTP API -------------------------------------------------------------------------------


def provider_urls(count: int) -> list[str]:
    """The addresses of ``count`` live provider pages, spread over the corpus."""
    from cms.models import ProviderPage

    pages = ProviderPage.objects.live().order_by("pk")
    step = max(1, pages.count() // count)
    return [page.url for page in pages[::step][:count]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def api_server(*, workers: int, threads: int, environment: dict):
    """gunicorn (as in production) on loopback, in its own process group; always stopped."""
    port = free_port()
    log_path = ROOT / "var" / "bench" / "search-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "marketplace.wsgi", f"--bind=127.0.0.1:{port}",
             f"--workers={workers}", f"--threads={threads}", "--keep-alive=30",
             "--graceful-timeout=5"],
            cwd=ROOT, env={**os.environ, **environment}, stdout=server_log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base_url, server, log_path)
        yield base_url, port
    finally:
        group_stop(server, timeout=20)


def fetch(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def load(port: int, *, clients: int, requests_per_client: int, paths: list[str] | None = None,
         labels: list[str] | None = None) -> dict:  # fmt: skip
    """``clients`` threads, each on its own keep-alive connection, going through the mix (or
    ``paths``, pages rather than API answers) from a different starting point; every request's
    latency and the ``took_ms`` it reports."""
    pages = paths is not None
    if not pages:
        paths = [api_path(params) for params in QUERY_MIX]
        labels = [query_label(params) for params in QUERY_MIX]
    labels = labels or paths
    barrier = threading.Barrier(clients + 1)
    samples: list[tuple[int, float, int | None, bool]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        barrier.wait()
        for step in range(requests_per_client):
            index = (number * 7 + step) % len(paths)
            started = time.perf_counter()
            try:
                status, body = fetch(connection, paths[index])
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(f"{labels[index]}: {error!r}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                with lock:
                    errors.append(f"{labels[index]}: HTTP {status}")
                continue
            answer = {} if pages else json.loads(body)
            mine.append((index, elapsed, answer.get("took_ms"), bool(answer.get("degraded"))))
        connection.close()
        with lock:
            samples.extend(mine)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    latencies = [s[1] for s in samples]
    tooks = [s[2] for s in samples if s[2] is not None]
    overheads = [s[1] - s[2] for s in samples if s[2] is not None]
    by_query: dict[str, list[float]] = {}
    for index, elapsed, _took, _degraded in samples:
        by_query.setdefault(labels[index], []).append(elapsed)
    return {
        "clients": clients,
        "requests": len(samples),
        "errors": len(errors),
        "error_examples": errors[:5],
        "degraded": sum(1 for s in samples if s[3]),
        "seconds": round(wall, 1),
        "requests_per_second": round(len(samples) / wall, 1) if wall else None,
        "latency_ms": summary(latencies),
        "took_ms": summary(tooks),
        "overhead_ms": summary(overheads),
        "by_query_p50_ms": {k: round(percentile(v, 50), 1) for k, v in by_query.items()},
    }


def api_benchmark(*, levels: list[int], min_requests: int, workers: int, threads: int,
                  check_urls: list[str], page_urls: list[str]) -> dict:  # fmt: skip
    import redis

    redis.Redis.from_url(BENCH_CACHE_URL).flushdb()
    environment = {
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "ELASTICSEARCH_INDEX_PREFIX": os.environ["ELASTICSEARCH_INDEX_PREFIX"],
        "CACHE_URL": BENCH_CACHE_URL,
        "DEBUG": "false",
        # The site's capacity is measured, not its rate limits (they would answer 429s).
        "RATE_LIMITS_ENABLED": "false",
    }
    result: dict = {"server": {"workers": workers, "threads": threads, "worker_class": "gthread"}}
    with api_server(workers=workers, threads=threads, environment=environment) as (base, port):
        # The corpus pages render (their url_paths, specific rows and templates hold together).
        pages = {}
        for url in check_urls:
            try:
                with urllib.request.urlopen(base + url, timeout=30) as response:
                    pages[url] = response.status
            except urllib.error.HTTPError as error:
                pages[url] = error.code
        result["pages_render"] = pages
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for params in QUERY_MIX:  # warm-up: every worker's imports, ES caches
            fetch(connection, api_path(params))
        connection.close()
        for clients in levels:
            per_client = max(len(QUERY_MIX), -(-min_requests // clients))
            log(f"  API: {clients} client(s) x {per_client} requests")
            result[f"clients_{clients}"] = load(
                port, clients=clients, requests_per_client=per_client
            )
        log(f"  provider pages, anonymous: {len(page_urls)} pages, rendered then kept")
        result["cached_pages"] = {
            "rendering": load(port, clients=CACHED_PAGE_CLIENTS, paths=page_urls,
                              requests_per_client=-(-len(page_urls) // CACHED_PAGE_CLIENTS)),
            "cached": load(port, clients=CACHED_PAGE_CLIENTS, paths=page_urls,
                           requests_per_client=CACHED_PAGE_REQUESTS // CACHED_PAGE_CLIENTS),
        }  # fmt: skip
    return result


# --- Wagtail's elasticsearch8 backend -----------------------------------------------------------


def wagtail_peer(*, prefix: str, rounds: int, chunk_size: int) -> dict:
    """Index ServicePage with Wagtail's own backend (as ``update_index`` does, one model), then
    run the mix's texts through ``ServicePage.objects.live().search()``."""
    from django.conf import settings
    from django.db import transaction
    from modelsearch.query import MATCH_ALL
    from wagtail.search.backends import get_search_backend

    from cms.models import ServicePage

    name = "bench_wagtail_es8"
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        name: {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [settings.ELASTICSEARCH_URL.split(",")[0].strip()],
            "INDEX_PREFIX": f"{prefix}-wagtail-",
            "TIMEOUT": 120,
            "AUTO_UPDATE": False,
            "INDEX_SETTINGS": WAGTAIL_INDEX_SETTINGS,
        },
    }
    result: dict = {"settings_changed": WAGTAIL_SETTINGS_CHANGES, "model": "cms.ServicePage"}
    backend = get_search_backend(name)
    try:
        started = time.perf_counter()
        index = backend.get_index_for_model(ServicePage)
        rebuilder = backend.rebuilder_class(index)
        new_index = rebuilder.start()
        new_index.add_model(ServicePage)
        queryset = ServicePage.get_indexed_objects().order_by("pk")
        total = queryset.count()
        count = 0
        counter = QueryCounter()
        from django.db import connection

        # As update_index's queryset_chunks: offset slices, in one transaction.
        with transaction.atomic(), connection.execute_wrapper(counter):
            for number in itertools.count():
                chunk = list(queryset[number * chunk_size :][:chunk_size])
                if not chunk:
                    break
                new_index.add_items(ServicePage, chunk)
                count += len(chunk)
                elapsed = time.perf_counter() - started
                progress(
                    f"  wagtail index: {count:,}/{total:,} pages, {elapsed:.0f} s "
                    f"({count / elapsed:,.0f}/s)",
                    done=count == total,
                )
        rebuilder.finish()
        seconds = time.perf_counter() - started
        result["index"] = {
            "name": new_index.name,
            "documents": count,
            "seconds": round(seconds, 1),
            "documents_per_second": round(count / seconds) if seconds else None,
            "queries": counter.count,
        }
    except Exception as error:  # noqa: BLE001 - reported: the peer may not run on this node
        result["error"] = f"indexing failed: {type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc(limit=6)
        return result

    # get_search_backend() builds a new backend, and a new Elasticsearch client, on every
    # search: record ``took`` where the results class sends the request.
    from wagtail.search.backends.elasticsearch8 import Elasticsearch8SearchResults

    tooks: list[int] = []
    original_search = Elasticsearch8SearchResults._backend_do_search

    def search_recording_took(self, body, **kwargs):
        response = original_search(self, body, **kwargs)
        tooks.append(response["took"])
        return response

    Elasticsearch8SearchResults._backend_do_search = search_recording_took

    def run(params: dict) -> int:
        text = params.get("q") or MATCH_ALL
        page = int(params.get("page", 1))
        results = ServicePage.objects.live().search(text, backend=name)
        return len(list(results[(page - 1) * 20 : page * 20]))

    try:
        for params in QUERY_MIX:
            run(params)
        tooks.clear()
        latencies, by_query = [], {}
        for _round in range(rounds):
            for params in QUERY_MIX:
                started = time.perf_counter()
                hits = run(params)
                elapsed = (time.perf_counter() - started) * 1000
                latencies.append(elapsed)
                by_query.setdefault(query_label(params), {"ms": [], "page_hits": hits})
                by_query[query_label(params)]["ms"].append(elapsed)
    except Exception as error:  # noqa: BLE001
        result["error"] = f"searching failed: {type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc(limit=6)
        return result
    finally:
        Elasticsearch8SearchResults._backend_do_search = original_search
    result["search"] = {
        "latency_ms": summary(latencies),
        "took_ms": summary(tooks),
        "by_query": {
            k: {"p50_ms": round(percentile(v["ms"], 50), 1), "page_hits": v["page_hits"]}
            for k, v in by_query.items()
        },  # fmt: skip
        "note": "text only (filters, facets, highlighting, fuzziness, synonyms and taxonomy "
        "labels are not part of Wagtail's query or documents); one client, in-process, "
        "including the database fetch of the hits' pages",
    }
    return result


# --- Output -------------------------------------------------------------------------------------


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def latency_text(entry: dict) -> str:
    return f"p50 {entry['p50']} / p95 {entry['p95']} / p99 {entry['p99']} ms"


def table_rows(result: dict) -> list[tuple[str, str, str]]:
    """(what, measured, target or note) for each figure of the run."""
    rows: list[tuple[str, str, str]] = []
    corpus = result["corpus"]
    build, check = corpus.get("build"), corpus["check"]
    if build:
        pages = f"{build['bulk']['pages_per_second']:,} pages/s"
        rows.append(("corpus build", f"{build['seconds']:.0f} s in all; bulk part {pages}", ""))
    else:
        rows.append(("corpus", "reused from the database", ""))
    checks = "ok" if check["ok"] else "FAILED"
    counts = f"{check['live_providers']:,} providers, {check['live_listings']:,} listings"
    rows.append(("corpus", f"{counts}, checks {checks}", ""))
    documents = result.get("documents_only")
    if documents:
        speed = f"{documents['documents_per_second']:,}/s"
        measured = f"{documents['documents']:,} in {documents['seconds']} s = {speed}"
        rows.append(("documents from DB only", measured, f"{documents['queries']} SQL queries"))
    target = TARGETS["reindex_docs_per_second"]
    for name, entry in result.get("reindex", {}).items():
        speed = f"{entry['documents_per_second']:,} docs/s"
        measured = f"{entry['documents']:,} docs in {entry['seconds']} s = {speed}"
        note = ""
        if name == "services":
            note = f">= {target:,} docs/s {mark(entry['documents_per_second'] >= target)}"
        rows.append((f"reindex {name}", measured, note))
    uncached = result.get("in_process_uncached")
    if uncached:
        took = uncached["took_ms"]
        limit = TARGETS["took_p50_ms_at_1_client"]
        note = (
            f"took p50 {took['p50']} / p95 {took['p95']} ms; p50 <= {limit} ms "
            f"{mark(took['p50'] <= limit)}"
        )
        rows.append(("in-process, request cache off", latency_text(uncached["latency_ms"]), note))
    inproc = result.get("in_process")
    if inproc:
        took = f"took p50 {inproc['took_ms']['p50']} ms"
        rows.append(("search_services in-process, 1", latency_text(inproc["latency_ms"]), took))
    for key, level in result.get("api", {}).items():
        if not key.startswith("clients_"):
            continue
        clients = level["clients"]
        note = ""
        if clients == 8:
            limit = TARGETS["api_p95_ms_at_8_clients"]
            note = f"p95 <= {limit} ms {mark(level['latency_ms']['p95'] <= limit)}"
        if clients == 1:
            wagtail_p50 = (
                ((result.get("wagtail") or {}).get("search") or {}).get("latency_ms", {}).get("p50")
            )
            if wagtail_p50:
                times = wagtail_p50 / level["latency_ms"]["p50"]
                wanted = TARGETS["api_p50_times_faster_than_wagtail"]
                note = f"{times:.1f}x Wagtail's p50; >= {wanted}x {mark(times >= wanted)}"
        rows.append((f"API, {clients} client(s)", latency_text(level["latency_ms"]), note))
        took, overhead = level["took_ms"], level["overhead_ms"]
        measured = (
            f"took p50 {took['p50']} / p95 {took['p95']} ms; overhead p50 {overhead['p50']} ms;"
            f" {level['requests_per_second']} req/s; {level['errors']} errors"
        )
        limit = TARGETS["overhead_median_ms"]
        note = f"overhead p50 <= {limit} ms {mark(overhead['p50'] <= limit)}"
        rows.append((f"  took, overhead, {clients}", measured, note))
    pages = (result.get("api") or {}).get("cached_pages")
    if pages:
        for name in ("rendering", "cached"):
            level = pages[name]
            latency = latency_text(level["latency_ms"])
            measured = f"{level['requests_per_second']} req/s; {latency}; {level['errors']} errors"
            note = "first pass over the pages (most rendered)"
            if name == "cached":
                wanted = TARGETS["cached_provider_page_requests_per_second"]
                note = f">= {wanted} req/s {mark(level['requests_per_second'] >= wanted)}"
            rows.append((f"provider page, anonymous, {name}, {level['clients']}", measured, note))
    database = result.get("database_engine")
    if database:
        build = database["build"]
        speed = f"{build['documents_per_second']:,} docs/s"
        rows.append(("database index build", f"{build['documents']:,} docs in "
                     f"{build['seconds']} s = {speed}", ""))  # fmt: skip
        figures = database["latency_ms"]
        limit = TARGETS["database_p95_ms_at_1_client"]
        rows.append(("database engine, 1 client", latency_text(figures),
                     f"p95 <= {limit} ms {mark(figures['p95'] <= limit)}"))  # fmt: skip
    peer = result.get("wagtail") or {}
    if "index" in peer:
        index = peer["index"]
        speed = f"{index['documents_per_second']:,} docs/s"
        measured = f"{index['documents']:,} docs in {index['seconds']} s = {speed}"
        rows.append(("Wagtail es8 index (ServicePage)", measured, f"{index['queries']} SQL"))
    if "search" in peer:
        took = f"took p50 {peer['search']['took_ms']['p50']} ms"
        rows.append(
            ("Wagtail es8 search, 1, text", latency_text(peer["search"]["latency_ms"]), took)
        )
    if "error" in peer:
        rows.append(("Wagtail es8", peer["error"][:100], ""))
    return rows


def print_table(result: dict) -> None:
    rows = table_rows(result)
    width = max(len(row[0]) for row in rows)
    middle = max(len(row[1]) for row in rows)
    print()
    print(f"{'what':<{width}}  {'measured':<{middle}}  target / note")
    print(f"{'-' * width}  {'-' * middle}  {'-' * 30}")
    for what, measured, note in rows:
        print(f"{what:<{width}}  {measured:<{middle}}  {note}")


def print_by_query(result: dict) -> None:
    """One line per query: hits, in-process p50, API p50 at 1 client, database engine, Wagtail."""
    inproc = result.get("in_process", {}).get("by_query", {})
    api = result.get("api", {}).get("clients_1", {}).get("by_query_p50_ms", {})
    fb = result.get("database_engine", {}).get("by_query", {})
    peer = result.get("wagtail", {}).get("search", {}).get("by_query", {})
    print(f"\n{'query':<52} {'hits':>7} {'in-proc':>8} {'API@1':>7} {'database':>9} "
          f"{'wagtail':>8}  (p50 ms)")  # fmt: skip
    for params in QUERY_MIX:
        label = query_label(params)
        hits = inproc.get(label, {}).get("count", "")
        print(f"{label[:52]:<52} {hits:>7} {inproc.get(label, {}).get('p50_ms', ''):>8} "
              f"{api.get(label, ''):>7} {fb.get(label, {}).get('ms', ''):>9} "
              f"{peer.get(label, {}).get('p50_ms', ''):>8}")  # fmt: skip


# --- The run ------------------------------------------------------------------------------------


def delete_bench_indexes(prefixes: list[str]) -> list[str]:
    """Delete the indexes this run made, by name (the node refuses wildcard deletes)."""
    from search.client import get_client

    client = get_client()
    names = []
    for prefix in prefixes:
        names += list(client.indices.get(index=f"{prefix}*", ignore_unavailable=True).keys())
    if names:
        client.indices.delete(index=",".join(sorted(set(names))))
    return sorted(set(names))


def ensure_corpus(arguments, database_url: str) -> dict:
    from django.db import connections
    from import_providers import migrate_and_build_skeleton
    from search_corpus import build_corpus, check_corpus, corpus_size

    providers = arguments.providers
    services = providers * arguments.services_per_provider
    migrate_and_build_skeleton()
    size = corpus_size()
    build = None
    if size != (providers, services):
        if size != (0, 0):
            log(f"the database holds {size[0]:,} providers / {size[1]:,} listings: rebuilding")
            connections.close_all()
            prepare_database(database_url, fresh=True, allow_any_name=False)
            migrate_and_build_skeleton()
        log(f"building the corpus: {providers:,} providers x {arguments.services_per_provider}")
        build = build_corpus(
            providers=providers,
            services_per_provider=arguments.services_per_provider,
            seed=arguments.seed,
            tcm_share=arguments.tcm_share,
        )
    else:
        log(f"reusing the corpus in the database: {providers:,} providers, {services:,} listings")
    check = check_corpus(providers=providers, services=services)
    log(f"corpus checks: {'ok' if check['ok'] else 'FAILED'} ({check['seconds']} s)")
    return {"build": build, "check": check}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--services-per-provider", type=int, default=10)
    parser.add_argument("--tcm-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--fresh", action="store_true", help="drop the database and rebuild")
    parser.add_argument("--clients", default="1,8,32", help="API concurrency levels")
    parser.add_argument("--min-requests", type=int, default=96, help="API requests per level")
    parser.add_argument("--rounds", type=int, default=3, help="passes of the mix in-process")
    parser.add_argument("--server-workers", type=int, default=4)
    parser.add_argument("--server-threads", type=int, default=1)
    parser.add_argument("--profile-documents", type=int, default=5000,
                        help="documents read under cProfile (0: no profile)")  # fmt: skip
    parser.add_argument("--database-queries", type=int, default=0,
                        help="queries of the mix for the database engine (0: all)")  # fmt: skip
    parser.add_argument("--wagtail-chunk-size", type=int, default=1000)
    for step in ("api", "database", "wagtail", "reindex"):
        parser.add_argument(f"--skip-{step}", action="store_true")
    parser.add_argument("--keep-indexes", action="store_true", help="leave the bench indexes")
    parser.add_argument("--output", type=Path, help="the JSON result")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("DEBUG", "false")  # DEBUG would keep every SQL statement in memory
    os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "bench")
    prefix = os.environ["ELASTICSEARCH_INDEX_PREFIX"]
    if "bench" not in prefix:
        sys.exit(f"Refusing index prefix {prefix!r}: use one containing 'bench'.")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        sys.exit(
            "Set DATABASE_URL to a throwaway PostgreSQL database, e.g. "
            "postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_search"
        )
    prepare_database(database_url, fresh=arguments.fresh, allow_any_name=False)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from search.client import search_is_available, server_version

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    result: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": urlparse(database_url).path.lstrip("/"),
        "index_prefix": prefix,
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "python": platform.python_version(),
        "machine": f"{platform.machine()} x{os.cpu_count()}",
        "targets": TARGETS,
        "queries": QUERY_MIX,
        "note": "indicative: Elasticsearch (512 MB heap), PostgreSQL, the server and the "
        "clients share one small machine, and other test runs may be using it",
    }
    result["corpus"] = ensure_corpus(arguments, database_url)
    if not result["corpus"]["check"]["ok"]:
        print(json.dumps(result["corpus"]["check"], indent=2))
        sys.exit("The corpus failed its checks.")
    if not search_is_available():
        sys.exit(f"Elasticsearch does not answer at {settings.ELASTICSEARCH_URL}: make services")
    result["elasticsearch"] = server_version()
    services = arguments.providers * arguments.services_per_provider
    try:
        log("reading documents from the database (no Elasticsearch)")
        result["documents_only"] = documents_only(
            profile_documents=arguments.profile_documents, top=25
        )
        if not arguments.skip_reindex:
            result["reindex"] = {
                "services": reindex("services", services),
                "providers": reindex("providers", arguments.providers),
            }
        log("searching in-process")
        result["in_process_uncached"] = in_process_uncached()
        result["in_process"] = in_process(arguments.rounds)
        if not arguments.skip_api:
            check = result["corpus"]["check"]
            result["api"] = api_benchmark(
                levels=[int(level) for level in arguments.clients.split(",")],
                min_requests=arguments.min_requests,
                workers=arguments.server_workers,
                threads=arguments.server_threads,
                check_urls=[check["sample_listing_url"], check["sample_provider_url"]],
                page_urls=provider_urls(CACHED_PAGES),
            )
        if not arguments.skip_database:
            log("the database's search engine")
            result["database_engine"] = database_engine(arguments.database_queries or None,
                                                 arguments.rounds, services)  # fmt: skip
        if not arguments.skip_wagtail:
            log("Wagtail's elasticsearch8 backend")
            result["wagtail"] = wagtail_peer(
                prefix=prefix, rounds=arguments.rounds, chunk_size=arguments.wagtail_chunk_size
            )
    finally:
        if not arguments.keep_indexes:
            result["indexes_deleted"] = delete_bench_indexes(
                [f"{prefix}-services", f"{prefix}-providers", f"{prefix}-wagtail-"]
            )

    print_table(result)
    print_by_query(result)
    profile = result["documents_only"].get("profile")
    if profile:
        print(f"\nReading {profile['documents']:,} documents under cProfile "
              f"({profile['seconds_profiled']} s), cumulative, overlapping:")  # fmt: skip
        for row in profile["hotspots"]:
            print(f"  {row['what']:<40} {row['calls']:>9} calls {row['seconds']:>8.2f} s "
                  f"{100 * (row['share'] or 0):5.1f} %")  # fmt: skip
    peer = result.get("wagtail", {})
    if peer:
        print("\nWagtail elasticsearch8 peer, index settings changed to run on this node:")
        for change in peer["settings_changed"]:
            print(f"  - {change}")
        if "error" in peer:
            print(f"  ERROR: {peer['error']}\n{peer.get('traceback', '')}")
    output = arguments.output or (ROOT / "var" / "bench" / f"search-{stamp}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n",
                      encoding="utf-8")  # fmt: skip
    print(f"\nresult written to {output}")
    failed = {
        key: level["errors"] + level["degraded"]
        for key, level in result.get("api", {}).items()
        if key.startswith("clients_") and level["errors"] + level["degraded"]
    }
    if failed:
        print(f"FAILED: requests that errored or were not answered by Elasticsearch: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
