"""Bulk-import speed: generate a synthetic, valid provider bundle and time ``providers_import``.

Not collected by pytest (``norecursedirs`` skips tests/bench). Run it against a throwaway
PostgreSQL database, which the script creates (and, with ``--fresh``, drops first) and migrates:

    DJANGO_SETTINGS_MODULE=marketplace.settings \\
    DATABASE_URL=postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench \\
    .venv/bin/python tests/bench/import_providers.py --providers 100 --services-per-provider 5

It refuses a database whose name lacks "bench", so it never writes into the working database.
Each run uses fresh external ids, so runs can share one database. It times a first import
(everything created and published) and, unless ``--no-reimport``, a second import of the same
bundle (everything unchanged, nothing published). ``--profile FILE`` profiles the first import
with cProfile, writes the raw stats to FILE and prints the hotspots. The result is written as JSON
(``--output``, default var/bench/import_providers-<timestamp>.json).
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import string
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "marketplace" / "catalog" / "data"
NON_CAPABILITY_ROOTS = ("therapeutic_area", "modality", "species")
# Publishable TCM capabilities: an online consultation would be kept as a draft (no licence).
TCM_PUBLISHABLE = (
    "tcm.herbal_formulation",
    "tcm.quality_standards",
    "tcm.clinical_evaluation",
    "tcm.decoction_pieces",
)
STANDARDS = ["GLP", "GMP", "GCP", "ISO_17025", "ISO_9001", "AAALAC", "CNAS", "OECD_GLP"]
CITIES = ["Suzhou", "Shanghai", "Beijing", "Hangzhou", "Chengdu", "Wuhan", "Tianjin", "Guangzhou"]
LEVELS = ["intern", "graduate", "junior", "senior", "lead"]


# --- The bundle -------------------------------------------------------------------------------


def catalog_codes() -> dict[str, list[str]]:
    """Codes from the YAML files the catalog migration loads, grouped by what they may tag."""
    import yaml

    nodes = yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text(encoding="utf-8"))
    zones = yaml.safe_load((DATA_DIR / "zones.yaml").read_text(encoding="utf-8"))
    all_codes = [node["code"] for node in nodes]

    def under(root: str) -> list[str]:
        return [code for code in all_codes if code.startswith(root + ".")]

    return {
        "zones": [zone["code"] for zone in zones],
        "capabilities": [
            code
            for code in all_codes
            if code.split(".")[0] not in (*NON_CAPABILITY_ROOTS, "tcm") and "." in code
        ],
        "therapeutic_areas": under("therapeutic_area"),
        "modalities": under("modality"),
        "species": under("species"),
        "tcm": [code for code in TCM_PUBLISHABLE if code in all_codes],
    }


def synthetic_bundle(
    *,
    providers: int,
    services: int,
    jobs: int,
    tcm_share: float,
    tag: str,
    seed: int,
    random_names: bool = True,
) -> dict:
    """A valid bundle: ``providers`` records with ``services`` listings and ``jobs`` jobs each.

    Random names, like real ones, land anywhere in alphabetical order; sequential names sort
    after every earlier one (which hides the cost of Wagtail's name-ordered collection tree).
    """
    rng = random.Random(seed)
    codes = catalog_codes()
    records = []
    for number in range(1, providers + 1):
        external_id = f"{tag}-p{number:05d}"
        is_tcm = rng.random() < tcm_share
        city = rng.choice(CITIES)
        if random_names:
            word = "".join(rng.choices(string.ascii_lowercase, k=8)).capitalize()
            name = f"{word} {city} Bio {number}"
        else:
            name = f"Bench Labs {tag} {number:05d}"
        record = {
            "external_id": external_id,
            "name": {"en": name, "zh": f"基准实验室{tag}{number}"},
            "kind": "tcm" if is_tcm else "cro",
            "country": "CN",
            "zone": rng.choice(codes["zones"]),
            "city": city,
            "founded": rng.randint(1990, 2022),
            "headcount": rng.randint(10, 5000),
            "website": f"https://{external_id}.example.cn",
            "languages": ["en", "zh"],
            "summary": {
                "en": f"Synthetic provider {number} for the import benchmark, based in {city}.",
                "zh": f"导入基准测试的合成供应商{number}。",
            },
            "certifications": [
                {
                    "standard": standard,
                    "issuer": "NMPA",
                    "reference": f"{standard}-{number}",
                    "valid_until": "2030-12-31",
                }
                for standard in rng.sample(STANDARDS, 2)
            ],
            "services": [],
            "jobs": [],
        }
        for s_number in range(1, services + 1):
            if is_tcm:
                service = {"capabilities": [rng.choice(codes["tcm"])]}
            else:
                service = {
                    "capabilities": rng.sample(codes["capabilities"], 2),
                    "therapeutic_areas": rng.sample(codes["therapeutic_areas"], 2),
                    "modalities": rng.sample(codes["modalities"], 1),
                    "species": rng.sample(codes["species"], 1),
                    "delivery": rng.choice(["onsite", "remote", "hybrid"]),
                }
            service.update(
                external_id=f"{external_id}-s{s_number}",
                title={
                    "en": f"Service {s_number} of provider {number}",
                    "zh": f"供应商{number}的服务{s_number}",
                },
                description={"en": "Synthetic listing. " * 10, "zh": "合成服务。" * 10},
                standards=rng.sample(STANDARDS, 2),
                price_from={"amount": f"{rng.randint(10, 2000) * 1000}.00", "currency": "CNY"},
                turnaround_days=rng.randint(5, 365),
            )
            record["services"].append(service)
        for j_number in range(1, jobs + 1):
            low = rng.randint(6, 30) * 1000
            record["jobs"].append(
                {
                    "external_id": f"{external_id}-j{j_number}",
                    "title": {"en": f"Scientist {j_number}", "zh": f"研究员{j_number}"},
                    "city": city,
                    "level": rng.choice(LEVELS),
                    "degree": "master",
                    "disciplines": rng.sample(codes["capabilities"], 1),
                    "languages": ["zh"],
                    "salary_min": {"amount": f"{low}.00", "currency": "CNY"},
                    "salary_max": {"amount": f"{low + 5000}.00", "currency": "CNY"},
                    "closes_on": "2030-06-30",
                }
            )
        records.append(record)
    return {"providers": records}


# --- The database -----------------------------------------------------------------------------


def prepare_database(database_url: str, *, fresh: bool, allow_any_name: bool) -> None:
    """Create (or with ``fresh`` recreate) the throwaway database, before Django connects."""
    import psycopg
    from psycopg import sql

    url = urlparse(database_url)
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must be a postgres:// URL (the benchmark measures PostgreSQL).")
    name = url.path.lstrip("/")
    if "bench" not in name and not allow_any_name:
        sys.exit(f"Refusing to write into {name!r}: use a throwaway database named *bench*.")
    admin = psycopg.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def migrate_and_build_skeleton() -> None:
    from django.core.management import call_command

    from cms.services import site_skeleton_ensure

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    site_skeleton_ensure()
    print(f"migrated in {time.perf_counter() - started:.1f} s", file=sys.stderr)


TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')


class QueryCounter:
    """Counts SQL statements (by first keyword) and the time spent in them."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.by_verb: Counter = Counter()
        self.by_table: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1
            verb = sql.lstrip().split(" ", 1)[0].upper()
            self.by_verb[verb] += 1
            table = TABLE.search(sql)
            if table:
                self.by_table[f"{verb} {table.group(1)}"] += 1


# --- The run ----------------------------------------------------------------------------------


def timed_import(bundle: dict, *, profiler: cProfile.Profile | None = None) -> dict:
    from django.db import connection

    from cms.importer import providers_import

    counter = QueryCounter()
    marks: list[float] = []

    def progress(records):
        for record in records:
            yield record
            marks.append(time.perf_counter())

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = providers_import(bundle=bundle, progress=progress)
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
    providers = len(bundle["providers"])
    # Seconds per provider in each tenth of the bundle: flat if the cost does not grow with size.
    tenth = max(providers // 10, 1)
    ends = [started, *marks]
    by_tenth = [
        round((ends[min(end, providers)] - ends[begin]) / (min(end, providers) - begin), 4)
        for begin, end in ((index, index + tenth) for index in range(0, providers, tenth))
    ]
    return {
        "seconds": round(seconds, 3),
        "created": report.created,
        "updated": report.updated,
        "rejected": report.rejected,
        "pages_published": report.pages_published,
        "drafts": len(report.drafts),
        "problems": [str(problem) for problem in report.problems[:20]],
        "providers_per_second": round(providers / seconds, 3),
        "pages_per_second": round(report.pages_published / seconds, 3),
        "seconds_per_provider": round(seconds / providers, 4),
        "seconds_per_page": round(seconds / report.pages_published, 4)
        if report.pages_published
        else None,
        "seconds_per_provider_by_tenth": by_tenth,
        "queries": counter.count,
        "queries_per_provider": round(counter.count / providers, 1),
        "queries_per_page": round(counter.count / report.pages_published, 1)
        if report.pages_published
        else None,
        "database_seconds": round(counter.seconds, 3),
        "queries_by_verb": dict(counter.by_verb.most_common()),
        "queries_by_table": dict(counter.by_table.most_common(25)),
    }


# Where the time goes: (label, filename fragment, function name). Cumulative times overlap
# (a revision publish includes its search-index task), so they do not add up to the total.
HOTSPOTS = [
    ("schema validation (jsonschema)", "jsonschema/validators.py", "providers_import:iter_errors"),
    ("semantic checks (_check_provider)", "cms/importer.py", "_check_provider"),
    ("ownership checks (_check_ownership)", "cms/importer.py", "_check_ownership"),
    ("organisation_create (+ workspace)", "accounts/services.py", "organisation_create"),
    ("organisation_update", "accounts/services.py", "organisation_update"),
    ("provider_workspace_ensure", "cms/services.py", "provider_workspace_ensure"),
    ("site_skeleton_ensure", "cms/services.py", "site_skeleton_ensure"),
    ("treebeard add_child", "treebeard/mp_tree.py", "add_child"),
    ("Page.save", "wagtail/models/pages.py", "save"),
    ("Page.full_clean", "wagtail/models/pages.py", "full_clean"),
    ("Page.save_revision", "wagtail/models/pages.py", "save_revision"),
    ("Revision.publish", "wagtail/models/revisions.py", "publish"),
    ("PublishRevisionAction.execute", "wagtail/actions/publish_revision.py", "execute"),
    ("search index task (modelsearch)", "modelsearch/tasks.py", "insert_or_update_object_task"),
    ("reference index task (wagtail)", "wagtail/tasks.py", "update_reference_index_task"),
    ("django_tasks Task.enqueue (all tasks)", "django_tasks/base.py", "enqueue"),
    ("audit log entries (log_action)", "wagtail/models/audit_log.py", "log_action"),
    ("Model.save (every model)", "django/db/models/base.py", "save"),
    ("Django signals (every send)", "django/dispatch/dispatcher.py", "send"),
    ("SQL (every statement)", "django/db/backends/utils.py", "_execute"),
]


def hotspots(stats: pstats.Stats, total: float) -> list[dict]:
    rows = []
    for label, file_fragment, function in HOTSPOTS:
        caller_filter = None
        if ":" in function:
            caller_filter, function = function.split(":")
        cumulative, calls = 0.0, 0
        for (filename, _line, name), (_cc, primitive_calls, _tt, cum, callers) in (
            stats.stats.items()  # type: ignore[attr-defined]
        ):
            if name != function or file_fragment not in filename.replace(os.sep, "/"):
                continue
            if caller_filter:
                # Only the calls made from the named function (the validator is also used inside).
                for (_caller_file, _caller_line, caller_name), caller_stats in callers.items():
                    if caller_name == caller_filter:
                        calls += caller_stats[0]
                        cumulative += caller_stats[3]
            else:
                calls += primitive_calls
                cumulative += cum
        rows.append(
            {
                "what": label,
                "calls": calls,
                "seconds": round(cumulative, 3),
                "share": round(cumulative / total, 3) if total else None,
            }
        )
    return rows


def print_profile(path: Path, total: float, top: int) -> list[dict]:
    rows = hotspots(pstats.Stats(str(path)), total)
    print("\nWhere the first import spends its time (cumulative, overlapping):")
    for row in rows:
        print(f"  {row['what']:<40} {row['calls']:>8} calls {row['seconds']:>9.2f} s  "
              f"{100 * (row['share'] or 0):5.1f} %")  # fmt: skip
    for sort in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(str(path), stream=buffer).sort_stats(sort).print_stats(top)
        lines = buffer.getvalue().rstrip().splitlines()
        print(f"\nTop {top} functions by {sort}:")
        print("\n".join(lines[-(top + 1) :]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--services-per-provider", type=int, default=5)
    parser.add_argument("--jobs-per-provider", type=int, default=1)
    parser.add_argument("--tcm-share", type=float, default=0.1, help="share of TCM providers")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument(
        "--sequential-names",
        action="store_true",
        help="names that sort after all earlier ones (default: random, like real data)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--no-reimport", action="store_true", help="skip the unchanged re-import")
    parser.add_argument("--profile", type=Path, help="profile the first import; raw stats here")
    parser.add_argument("--top", type=int, default=25, help="functions listed from the profile")
    parser.add_argument("--output", type=Path, help="the JSON result")
    parser.add_argument(
        "--allow-any-database", action="store_true", help="allow a database not named *bench*"
    )
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    # Production-like: DEBUG would make Django keep every SQL statement in memory.
    os.environ.setdefault("DEBUG", "false")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        sys.exit(
            "Set DATABASE_URL to a throwaway PostgreSQL database, e.g. "
            "postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench"
        )
    prepare_database(
        database_url, fresh=arguments.fresh, allow_any_name=arguments.allow_any_database
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    migrate_and_build_skeleton()

    tag = datetime.now(UTC).strftime("b%Y%m%d%H%M%S")
    bundle = synthetic_bundle(
        providers=arguments.providers,
        services=arguments.services_per_provider,
        jobs=arguments.jobs_per_provider,
        tcm_share=arguments.tcm_share,
        tag=tag,
        seed=arguments.seed,
        random_names=not arguments.sequential_names,
    )
    pages_expected = arguments.providers * (
        1 + arguments.services_per_provider + arguments.jobs_per_provider
    )
    print(f"bundle {tag}: {arguments.providers} providers, {pages_expected} pages", file=sys.stderr)

    profiler = cProfile.Profile() if arguments.profile else None
    first = timed_import(bundle, profiler=profiler)
    result = {
        "tag": tag,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "database": urlparse(database_url).path.lstrip("/"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} x{os.cpu_count()}",
        "providers": arguments.providers,
        "services_per_provider": arguments.services_per_provider,
        "jobs_per_provider": arguments.jobs_per_provider,
        "pages_expected": pages_expected,
        "names": "sequential" if arguments.sequential_names else "random",
        "profiled": bool(profiler),
        "first_import": first,
    }
    if not arguments.no_reimport:
        result["unchanged_reimport"] = timed_import(bundle)

    # Straight-line estimate for the target size, from this run's seconds per provider.
    target_providers, target_services = 1000, 5000
    per_page = first["seconds"] / max(first["pages_published"], 1)
    target_pages = target_providers * (1 + arguments.jobs_per_provider) + target_services
    result["extrapolation"] = {
        "providers": target_providers,
        "services": target_services,
        "jobs": target_providers * arguments.jobs_per_provider,
        "pages": target_pages,
        "seconds": round(per_page * target_pages),
        "minutes": round(per_page * target_pages / 60, 1),
        "note": "linear in pages; the first import only; a profiled run overstates it",
    }

    print(f"\nfirst import:      {first['seconds']:.1f} s total, "
          f"{first['providers_per_second']:.2f} providers/s, "
          f"{first['pages_per_second']:.2f} pages/s, {first['queries_per_page']} queries/page, "
          f"{first['database_seconds']:.1f} s in SQL")  # fmt: skip
    if "unchanged_reimport" in result:
        again = result["unchanged_reimport"]
        print(f"unchanged re-import: {again['seconds']:.1f} s total, "
              f"{again['providers_per_second']:.2f} providers/s, "
              f"{again['queries_per_provider']} queries/provider, "
              f"{again['pages_published']} pages published")  # fmt: skip
    extrapolation = result["extrapolation"]
    print(f"estimate for {target_providers} providers / {target_services} services "
          f"({extrapolation['pages']} pages): {extrapolation['minutes']} min")  # fmt: skip
    if first["rejected"] or first["problems"]:
        print(f"WARNING: {first['rejected']} rejected: {first['problems'][:3]}", file=sys.stderr)

    if profiler is not None:
        arguments.profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(arguments.profile)
        result["hotspots"] = print_profile(arguments.profile, first["seconds"], arguments.top)

    output = arguments.output or (ROOT / "var" / "bench" / f"import_providers-{tag}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresult written to {output}")
    return 1 if first["rejected"] else 0


if __name__ == "__main__":
    sys.exit(main())
