"""Relevance of the service search: mean nDCG@10 of the judged queries (``search.relevance``).

The judged queries grade listings of the demo bundle, so this runs on its own small database with
the demo site loaded (``cms.demo.load_demo_site``, idempotent) and its own index prefix, and builds
every index before evaluating. Not collected by pytest:

    DJANGO_SETTINGS_MODULE=marketplace.settings ELASTICSEARCH_INDEX_PREFIX=bench-relevance \\
    DATABASE_URL=postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_relevance \\
    .venv/bin/python tests/bench/relevance_report.py

Without ``search/relevance.py`` (or its ``evaluate()``) it says so and exits 0. The database is
refused unless its name contains "bench"; the indexes are deleted at the end unless
``--keep-indexes``. The result is written as JSON (var/bench/relevance-<timestamp>.json).
"""

import argparse
import importlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_providers import migrate_and_build_skeleton, prepare_database  # noqa: E402

# The engines compared, and the mean nDCG@10 each must reach.
TARGETS = {"elasticsearch": 0.96, "database": 0.85}


def load_evaluate():
    """``search.relevance.evaluate``, or None when the module or the function is not there."""
    try:
        module = importlib.import_module("search.relevance")
    except ModuleNotFoundError as error:
        if error.name not in ("search.relevance", "search"):
            raise
        return None
    return getattr(module, "evaluate", None)


def mean_of(report: dict) -> float:
    """The mean nDCG@10, whichever key the report uses for it."""
    for key in ("mean", "mean_ndcg"):
        if key in report:
            return float(report[key])
    raise KeyError(f"no mean in the report (keys: {sorted(report)})")


def per_query(report: dict) -> list[dict]:
    """The queries as a list of dicts with an ``id``, from a list or a dict keyed by id."""
    queries = report.get("queries", [])
    if isinstance(queries, dict):
        return [{"id": key, **value} for key, value in queries.items()]
    return list(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--keep-indexes", action="store_true")
    parser.add_argument("--worst", type=int, default=10, help="lowest-scoring queries listed")
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "bench-relevance")
    prefix = os.environ["ELASTICSEARCH_INDEX_PREFIX"]
    if "bench" not in prefix:
        sys.exit(f"Refusing index prefix {prefix!r}: use one containing 'bench'.")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        sys.exit(
            "Set DATABASE_URL to a throwaway PostgreSQL database, e.g. "
            "postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_relevance"
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    evaluate = load_evaluate()
    if evaluate is None:
        print("relevance: search/relevance.py with evaluate() is not there yet; skipped.")
        return 0

    from django.db import connections

    from cms.demo import load_demo_site
    from search.client import get_client, search_is_available
    from search.entries import entries_rebuild
    from search.fallback import search_services_from_database
    from search.indexing import INDEXES, index_rebuild
    from search.queries import search_services

    if not search_is_available():
        sys.exit("Elasticsearch does not answer: make services")
    connections.close_all()
    prepare_database(database_url, fresh=arguments.fresh, allow_any_name=False)
    migrate_and_build_skeleton()
    started = time.perf_counter()
    demo = load_demo_site()
    print(f"demo site: {demo.created} created, {demo.updated} updated "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)  # fmt: skip
    built = {}
    try:
        for name in INDEXES:
            built[name] = index_rebuild(name=name)["documents"]
            entries_rebuild(name=name)
        reports, seconds = {}, {}
        engines = {"elasticsearch": search_services, "database": search_services_from_database}
        for engine, run_query in engines.items():
            started = time.perf_counter()
            reports[engine] = evaluate(run_query)
            seconds[engine] = time.perf_counter() - started
    finally:
        if not arguments.keep_indexes:
            client = get_client()
            names = list(client.indices.get(index=f"{prefix}-*", ignore_unavailable=True))
            if names:
                client.indices.delete(index=",".join(names))

    means = {engine: mean_of(report) for engine, report in reports.items()}
    count = len(per_query(reports["elasticsearch"]))
    print(f"\nrelevance: mean nDCG@10 over {count} judged queries (documents indexed: {built})")
    print(f"  {'':<16} {'Elasticsearch':>14} {'database':>10}")
    print(f"  {'mean':<16} {means['elasticsearch']:>14.3f} {means['database']:>10.3f}")
    kinds = reports["elasticsearch"].get("by_kind") or {}
    for kind in kinds:
        print(f"  {kind:<16} {kinds[kind]:>14.3f} {reports['database']['by_kind'][kind]:>10.3f}")
    print(f"  {'seconds':<16} {seconds['elasticsearch']:>14.1f} {seconds['database']:>10.1f}")
    targets = {}
    for engine, target in TARGETS.items():
        targets[engine] = {"target": target, "mean": means[engine], "met": means[engine] >= target}
        print(f"target {engine} nDCG@10 >= {target}: {means[engine]:.3f} "
              f"{'met' if targets[engine]['met'] else 'MISSED'}")  # fmt: skip
    for engine, report in reports.items():
        scored = [query for query in per_query(report) if "ndcg" in query]
        print(f"lowest {min(arguments.worst, len(scored))} ({engine}):")
        for query in sorted(scored, key=lambda query: query["ndcg"])[: arguments.worst]:
            note = " (known failure)" if query.get("known_failure") else ""
            print(f"  {query['ndcg']:.3f}  {query['id']}{note}")

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    output = arguments.output or (ROOT / "var" / "bench" / f"relevance-{stamp}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": urlparse(database_url).path.lstrip("/"),
        "index_prefix": prefix,
        "mean_ndcg_at_10": means,
        "targets": targets,
        "documents_indexed": built,
        "seconds": {engine: round(value, 2) for engine, value in seconds.items()},
        "reports": reports,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n",
                      encoding="utf-8")  # fmt: skip
    print(f"result written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
