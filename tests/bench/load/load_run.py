"""Load: the site under concurrent visitors and buyers (locust, headless) on loopback, served by
gunicorn with DEBUG off, PostgreSQL, Elasticsearch, Redis and a real Celery worker.

Not collected by pytest. Uses its own PostgreSQL database (refused unless its name contains
"load"), recreated each run, and its own index prefix (refused unless it contains "load"):

    DJANGO_SETTINGS_MODULE=marketplace.settings ELASTICSEARCH_INDEX_PREFIX=load-marketplace \\
    DATABASE_URL=postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_load \\
    .venv/bin/python tests/bench/load/load_run.py --users 50 --spawn-rate 10 --run-time 60s

Steps: (1) a fresh database: migrate, the demo site (``load_demo``), ``search_reindex``; (2) the
buyers: a user, a buyer organisation and a signed-in session each, with requests for quote that
two demo CROs have quoted; (3) a Celery worker and gunicorn, with the rate limits off (they would
answer 429 to a single-address load generator); (4) locust, headless, with the scenario in
locustfile.py; (5) a table by endpoint group, the JSON (var/bench/load-<timestamp>.json), and an
exit status of 1 if any request failed or the server answered any with a 4xx or 5xx. Everything
started is stopped, whatever happens; the load indexes are deleted, the database is kept for a
look afterwards.
"""

import argparse
import csv
import io
import json
import logging
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

from tests.processes import group_stop, wait_until_answering  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# The server's and this process's signing key: the sessions made here must be valid there.
SECRET_KEY = "load-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH"  # noqa: S105
# Two demo CROs that offer in vitro ADME quote every seeded request, so each has a comparison.
QUOTING_PROVIDERS = ("demo-p002", "demo-p020")
BUYER_COUNTRIES = ("US", "DE", "GB", "FR", "JP", "CH")
STARTED = time.monotonic()


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    """Options, each with a LOAD_* environment variable as its default (the Makefile sets them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    def option(name: str, default: str, kind=str, help: str | None = None) -> None:
        variable = "LOAD_" + name.upper().replace("-", "_")
        value = os.environ.get(variable) or default
        parser.add_argument(f"--{name}", type=kind, default=kind(value), help=help)

    option("users", "50", int)
    option("spawn-rate", "10", float, "users started per second")
    option("run-time", "60s")
    option("buyers", "10", int, "signed-in buyers among the users (the rest are visitors)")
    option("rfqs-per-buyer", "2", int, "seeded requests per buyer, each quoted by two CROs")
    option("think", "0.5-2", help="each user's pause between requests, min-max seconds")
    # Two workers, one per core: Python renders pages under the GIL, so more processes than
    # cores only take turns (PostgreSQL, Elasticsearch and locust want the same two cores).
    # Four threads each overlap the waits on PostgreSQL, Elasticsearch and Redis.
    option("workers", "2", int, "gunicorn workers")
    option("threads", "4", int, "gunicorn threads per worker")
    option("broker-url", "redis://127.0.0.1:6379/6", help="the run's Celery broker")
    option("cache-url", "redis://127.0.0.1:6379/7", help="the run's shared cache")
    option(
        "layout",
        "single",
        help="single: one Elasticsearch node, the primary, one worker; "
        "cluster: `make cluster`'s three nodes (one replica a shard), the read replica, and "
        "a worker for payments and one for search",
    )
    parser.add_argument("--keep-indexes", action="store_true", help="leave the load indexes")
    parser.add_argument("--output", type=Path, help="the JSON result")
    return parser.parse_args()


# --- The site -----------------------------------------------------------------------------------


def prepare(database_url: str, prefix: str) -> None:
    """A fresh database with the demo site, indexed under the load prefix."""
    from import_providers import prepare_database

    name = urlparse(database_url).path.lstrip("/")
    if "load" not in name:
        sys.exit(f"Refusing to write into {name!r}: use a throwaway database named *load*.")
    if "load" not in prefix:
        sys.exit(f"Refusing index prefix {prefix!r}: use one containing 'load'.")
    log(f"database {name}: recreating")
    prepare_database(database_url, fresh=True, allow_any_name=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from search.client import search_is_available

    # This process's own mail and inline tasks (the seeded deals' notifications) stay quiet.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("celery", "kombu"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if not search_is_available():
        sys.exit(f"Elasticsearch does not answer at {settings.ELASTICSEARCH_URL}: make services")
    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    log("loading the demo site (load_demo)")
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    log("  " + output.getvalue().strip().splitlines()[0])
    log(f"indexing (search_reindex, prefix {prefix})")
    output = io.StringIO()
    call_command("search_reindex", quiet_progress=True, stdout=output)
    for line in output.getvalue().strip().splitlines():
        log(f"  {line}")


def _member_of(provider):
    """A user who can quote for ``provider``: its owner, or one made for the run."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from marketplace.accounts.models import Membership, Role

    membership = provider.memberships.filter(role=Role.OWNER).select_related("user").first()
    if membership:
        return membership.user
    email = f"load-quoter-{provider.slug}@example.com"
    user = get_user_model().objects.create_user(email=email, password=None)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, organisation=provider, role=Role.OWNER)
    return user


def _session_key(user) -> str:
    """A signed-in session for ``user``, as the sign-in form would leave it; its cookie value."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save(must_create=True)
    return store.session_key


def seed(*, buyers: int, rfqs_per_buyer: int) -> dict:
    """Buyers with sessions and quoted requests, and the pages and providers the scenario uses."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    from cms.models import JobIndexPage, JobPostingPage, ProviderPage, ServicePage, TCMServicePage
    from marketplace.accounts.models import (
        PROVIDER_KINDS,
        Organisation,
        OrganisationKind,
        VerificationStatus,
    )
    from marketplace.accounts.services import organisation_create
    from tests.factories import HARMLESS_FACTS, Party, quote_for, rfq_for

    shuffle = random.Random(20261127)
    quoting = [
        Party(provider, _member_of(provider))
        for provider in Organisation.objects.filter(external_id__in=QUOTING_PROVIDERS)
    ]
    seeded = []
    for number in range(1, buyers + 1):
        email = f"load-buyer-{number:03d}@example.com"
        user = get_user_model().objects.create_user(email=email, password=None)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        name = f"Load Buyer {number:03d}"
        buyer = Party(
            organisation_create(name=name, kind=OrganisationKind.BUYER,
                                country=shuffle.choice(BUYER_COUNTRIES), owner=user),
            user,
        )  # fmt: skip
        rfqs, quotes = [], []
        for _ in range(rfqs_per_buyer):
            rfq = rfq_for(
                buyer, invite=quoting, title=f"Metabolic stability panel ({name})",
                budget_max_amount=Decimal(shuffle.randrange(15, 60) * 1000),
            )  # fmt: skip
            rfqs.append(rfq.pk)
            quotes += [quote_for(rfq, provider).pk for provider in quoting]
        seeded.append({"organisation": name, "session": _session_key(user),
                       "rfqs": rfqs, "quotes": quotes})  # fmt: skip
        if sys.stderr.isatty() or number == buyers:
            end = "\n" if number == buyers else ""
            print(f"\r  {number}/{buyers} buyers, {len(rfqs) * number} quoted requests",
                  end=end, file=sys.stderr, flush=True)  # fmt: skip

    invitable: dict[str, set[str]] = {}
    verified = Organisation.objects.filter(
        kind__in=PROVIDER_KINDS, verification_status=VerificationStatus.VERIFIED
    ).prefetch_related("offered_capabilities")
    for provider in verified:
        for capability in provider.offered_capabilities.all():
            invitable.setdefault(capability.code, set()).add(provider.slug)
    live = Page.objects.live()
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "buyers": seeded,
        "provider_pages": [page.get_url() for page in live.type(ProviderPage)],
        "listing_pages": [page.get_url() for page in live.type(ServicePage, TCMServicePage)],
        "job_pages": [page.get_url() for page in live.type(JobPostingPage)],
        "job_board": JobIndexPage.objects.live().first().get_url(),
        "invitable": sorted([code, sorted(slugs)] for code, slugs in invitable.items()),
        "harmless_facts": HARMLESS_FACTS,
    }


# --- Processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process(name: str, command: list[str], *, environment: dict, log_path: Path):
    """A child in its own process group, stopped (TERM, then KILL) on the way out."""
    with open(log_path, "wb") as output:
        child = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield child
    finally:
        if child.poll() is None:
            log(f"stopping {name}")
            group_stop(child)


def queue_length(broker_url: str) -> int:
    import redis

    from marketplace.celery import queue_names

    broker = redis.Redis.from_url(broker_url)
    return sum(broker.llen(queue) for queue in queue_names())


def cluster_layout(database_url: str) -> dict:
    """The environment of a site process on `make cluster`'s layout, for this run's database."""
    done = subprocess.run(["bash", str(ROOT / ".ci" / "cluster.sh"), "env"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    cluster = dict(line.split("=", 1) for line in done.stdout.split())
    replica = urlparse(cluster["DATABASE_REPLICA_URL"])
    return {
        "ELASTICSEARCH_URL": cluster["ELASTICSEARCH_URL"],
        "ELASTICSEARCH_REPLICAS": cluster["ELASTICSEARCH_REPLICAS"],
        "DATABASE_REPLICA_URL": urlparse(database_url)._replace(netloc=replica.netloc).geturl(),
    }


def wait_for_queue(broker_url: str, seconds: float = 60) -> int:
    """Let the worker finish what the run queued (notifications); what is left after that."""
    deadline = time.monotonic() + seconds
    while (left := queue_length(broker_url)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def run_locust(args, *, base_url: str, fixture: Path, run_dir: Path, think: tuple[str, str]):
    """locust, headless, with a progress line every five seconds from its CSV history."""
    prefix = run_dir / "locust"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base_url,
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", args.run_time, "--stop-timeout", "10", "--only-summary",
        "--csv", str(prefix), "--json-file", str(prefix), "--fixture", str(fixture),
    ]  # fmt: skip
    environment = {**os.environ, "LOAD_BUYERS": str(min(args.buyers, args.users)),
                   "LOAD_THINK_MIN": think[0], "LOAD_THINK_MAX": think[1]}  # fmt: skip
    history = Path(f"{prefix}_stats_history.csv")
    with process("locust", command, environment=environment,
                 log_path=run_dir / "locust.log") as locust:  # fmt: skip
        shown = 0.0
        while locust.poll() is None:
            time.sleep(1)
            if time.monotonic() - shown >= 5 and history.exists():
                shown = time.monotonic()
                totals = [row for row in rows(history) if row["Name"] == "Aggregated"]
                if totals:
                    row = totals[-1]
                    log(f"  {row['User Count']:>3} users, {float(row['Requests/s']):6.1f} req/s, "
                        f"p95 {row['95%']} ms, {row['Total Request Count']} requests, "
                        f"{row['Total Failure Count']} failed")  # fmt: skip
    return locust.returncode


# --- Results ------------------------------------------------------------------------------------


def read_results(run_dir: Path) -> dict:
    def number(value: str) -> float | None:
        return None if value in ("", "N/A") else round(float(value), 1)

    groups = []
    for row in rows(run_dir / "locust_stats.csv"):
        groups.append({
            "group": row["Name"], "method": row["Type"],
            "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
            "requests_per_second": number(row["Requests/s"]),
            "p50_ms": number(row["50%"]), "p95_ms": number(row["95%"]),
            "p99_ms": number(row["99%"]), "max_ms": number(row["Max Response Time"]),
        })  # fmt: skip
    failures = [
        {"method": row["Method"], "group": row["Name"], "error": row["Error"],
         "occurrences": int(row["Occurrences"])}
        for row in rows(run_dir / "locust_failures.csv")
    ]  # fmt: skip
    exceptions_path = run_dir / "locust_exceptions.csv"
    exceptions = rows(exceptions_path) if exceptions_path.exists() else []
    total = next(group for group in groups if group["group"] == "Aggregated")
    total["steady_requests_per_second"] = steady_throughput(run_dir)
    return {
        "groups": [group for group in groups if group is not total],
        "total": total,
        "failures": failures,
        "exceptions": exceptions,
    }


def steady_throughput(run_dir: Path) -> float | None:
    """Requests per second once every user has started (locust's own figure counts the ramp)."""
    totals = [row for row in rows(run_dir / "locust_stats_history.csv")
              if row["Name"] == "Aggregated"]  # fmt: skip
    full = max((int(row["User Count"]) for row in totals), default=0)
    steady = [row for row in totals if full and int(row["User Count"]) == full]
    if len(steady) < 2:
        return None
    first, last = steady[0], steady[-1]
    seconds = int(last["Timestamp"]) - int(first["Timestamp"])
    requests = int(last["Total Request Count"]) - int(first["Total Request Count"])
    return round(requests / seconds, 1) if seconds else None


def server_side(run_dir: Path) -> dict:
    """What the server logged: statuses from its access log, errors and search fallbacks (and
    the worker or workers, their tasks)."""
    statuses: Counter = Counter()
    for line in (run_dir / "access.log").read_text(encoding="utf-8").splitlines():
        status = line.split(" ", 1)[0]
        if status.isdigit():
            statuses[status] += 1
    server_log = (run_dir / "server.log").read_text(encoding="utf-8", errors="replace")
    worker_log = "".join(
        path.read_text(encoding="utf-8", errors="replace") for path in run_dir.glob("worker*.log")
    )
    return {
        # Every answer, those to requests still in flight when locust stopped included.
        "statuses": dict(sorted(statuses.items())),
        "error_statuses": sum(count for status, count in statuses.items() if int(status) >= 400),
        "server_errors_logged": server_log.count("Internal Server Error"),
        "server_tracebacks": server_log.count("Traceback (most recent call last)"),
        "search_fallbacks_to_database": server_log.count("Elasticsearch unavailable"),
        "worker_task_failures": worker_log.count("raised unexpected")
        + worker_log.count("Traceback (most recent call last)"),
        "worker_tasks_succeeded": worker_log.count("succeeded in"),
    }


def print_table(result: dict) -> None:
    table = [*result["groups"], {**result["total"], "group": "total"}]
    width = max(len(row["group"]) for row in table)
    header = (f"{'endpoint group':<{width}}  {'requests':>8}  {'req/s':>6}  {'p50 ms':>7}  "
              f"{'p95 ms':>7}  {'p99 ms':>7}  {'max ms':>7}  {'errors':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for row in table:
        if row["group"] == "total":
            print("-" * len(header))
        print(f"{row['group']:<{width}}  {row['requests']:>8}  {row['requests_per_second']:>6}  "
              f"{row['p50_ms']:>7}  {row['p95_ms']:>7}  {row['p99_ms']:>7}  {row['max_ms']:>7}  "
              f"{row['errors']:>6}")  # fmt: skip
    for failure in result["failures"]:
        print(f"  FAILED {failure['occurrences']}x {failure['method']} {failure['group']}: "
              f"{failure['error']}")  # fmt: skip
    total = result["total"]
    print(f"\nthroughput: {total['requests_per_second']} req/s over the run, "
          f"{total['steady_requests_per_second']} req/s once all users had started")  # fmt: skip
    server = result["server"]
    print(f"server side: statuses {server['statuses']}; {server['server_errors_logged']} "
          f"server errors logged; {server['search_fallbacks_to_database']} searches answered "
          f"from the database (Elasticsearch unavailable); worker: "
          f"{server['worker_tasks_succeeded']} tasks done, {server['worker_task_failures']} "
          f"failed, {result['tasks_left_in_queue']} left in the queue")  # fmt: skip
    setup = result["setup"]
    print(f"{setup['users']} users ({setup['buyers']} signed-in buyers) for {setup['run_time']}, "
          f"spawn rate {setup['spawn_rate']}/s, think time {setup['think_seconds']} s; gunicorn "
          f"{setup['gunicorn_workers']} workers x {setup['gunicorn_threads']} threads, DEBUG "
          f"off; {result['machine']}")  # fmt: skip
    print(
        "Rate limits were off for this run (RATE_LIMITS_ENABLED=false): from one client "
        "address the site would otherwise answer 429 past 120 searches a minute."
    )


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    args = arguments()
    # Stopped from outside (make interrupted, a CI timeout): still stop what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    think = tuple(args.think.split("-", 1)) if "-" in args.think else (args.think, args.think)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a throwaway PostgreSQL database, e.g. "
                 "postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_load")  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "load-marketplace")
    prefix = os.environ["ELASTICSEARCH_INDEX_PREFIX"]
    site = {
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": database_url,
        "ELASTICSEARCH_INDEX_PREFIX": prefix,
        "SECRET_KEY": SECRET_KEY,
        **(cluster_layout(database_url) if args.layout == "cluster" else {}),
    }
    # This process prepares the site as `make run` does: the demo needs DEBUG, tasks run inline.
    os.environ.update({**site, "DEBUG": "true"})
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(name, None)

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    run_dir = ROOT / "var" / "bench" / f"load-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    prepare(database_url, prefix)
    log(f"seeding {args.buyers} buyers x {args.rfqs_per_buyer} requests, each quoted twice")
    fixture = seed(buyers=args.buyers, rfqs_per_buyer=args.rfqs_per_buyer)
    fixture_path = run_dir / "fixture.json"
    fixture_path.write_text(json.dumps(fixture, indent=1), encoding="utf-8")

    from django.db import connections

    connections.close_all()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_environment = {
        **os.environ, **site, "DEBUG": "false", "SITE_URL": base_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "CELERY_BROKER_URL": args.broker_url,
        "CACHE_URL": args.cache_url, "RATE_LIMITS_ENABLED": "false",
    }  # fmt: skip
    load_average = " ".join(f"{value:.2f}" for value in os.getloadavg())
    machine = f"{platform.machine()}, {os.cpu_count()} cores, load average {load_average} before"
    result: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": urlparse(database_url).path.lstrip("/"),
        "index_prefix": prefix,
        "settings": f"{site['DJANGO_SETTINGS_MODULE']}, DEBUG off, Redis cache and broker, "
        "RATE_LIMITS_ENABLED=false",
        "python": platform.python_version(),
        "machine": machine,
        "setup": {
            "users": args.users,
            "buyers": min(args.buyers, args.users),
            "spawn_rate": args.spawn_rate,
            "run_time": args.run_time,
            "think_seconds": "-".join(think),
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "layout": args.layout,
            "elasticsearch": site.get("ELASTICSEARCH_URL", "the settings' default"),
            "read_replica": urlparse(site["DATABASE_REPLICA_URL"]).netloc.rsplit("@", 1)[-1]
            if "DATABASE_REPLICA_URL" in site
            else None,
            "celery_worker": "1 process (solo pool)"
            if args.layout == "single"
            else "2 processes (solo pool): default and payments queues; search queue",
            "seeded_rfqs": args.buyers * args.rfqs_per_buyer,
        },  # fmt: skip
        "run_dir": str(run_dir.relative_to(ROOT)),
        "note": "indicative: the server, PostgreSQL, Elasticsearch (512 MB heap), Redis, the "
        "worker and locust share one small machine, which other test runs may be using",
    }
    celery = [sys.executable, "-m", "celery", "-A", "marketplace"]
    from marketplace.celery import queue_for, queue_names

    queues = ",".join(queue_names())
    subprocess.run([*celery, "purge", "-f", f"--queues={queues}"], cwd=ROOT, env=server_environment,
                   capture_output=True, check=False)  # fmt: skip
    default = queue_names()[0]
    payments = queue_for("payments.tasks.stripe_event_process_task")
    search = queue_for("search.tasks.index_changes_apply_task")
    workers = {"worker": queues} if args.layout == "single" else {
        "worker-payments": f"{default},{payments}", "worker-search": search,
    }  # fmt: skip
    try:
        with ExitStack() as stack:
            for name, consumed in workers.items():
                log(f"starting a Celery worker (solo pool) for {consumed} on {args.broker_url}")
                stack.enter_context(process(
                    f"the Celery {name}",
                    [*celery, "worker", "--pool=solo", "--loglevel=INFO", f"--queues={consumed}",
                     f"--hostname={name}@%h", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"],
                    environment=server_environment, log_path=run_dir / f"{name}.log",
                ))  # fmt: skip
            log(f"starting gunicorn on {base_url}: {args.workers} workers x {args.threads} "
                "threads, DEBUG off, RATE_LIMITS_ENABLED=false (the rate limits would answer "
                "429 to a single-address load generator)")  # fmt: skip
            server = stack.enter_context(process(
                "gunicorn",
                [sys.executable, "-m", "gunicorn", "marketplace.wsgi", f"--bind=127.0.0.1:{port}",
                 f"--workers={args.workers}", f"--threads={args.threads}", "--keep-alive=30",
                 "--graceful-timeout=10", f"--access-logfile={run_dir / 'access.log'}",
                 "--access-logformat=%(s)s %(m)s %(U)s %(M)s"],
                environment=server_environment, log_path=run_dir / "server.log",
            ))  # fmt: skip
            wait_until_answering(base_url, server, run_dir / "server.log")
            log(f"locust: {args.users} users ({result['setup']['buyers']} buyers), spawn rate "
                f"{args.spawn_rate}/s, for {args.run_time}")  # fmt: skip
            locust_status = run_locust(
                args, base_url=base_url, fixture=fixture_path, run_dir=run_dir, think=think
            )
            log("letting the worker finish the queued tasks")
            result["tasks_left_in_queue"] = wait_for_queue(args.broker_url)
    finally:
        if not args.keep_indexes:
            deleted = delete_indexes(prefix)
            log(f"deleted the load indexes: {', '.join(deleted) or 'none'}")

    if not (run_dir / "locust_stats.csv").exists():
        print((run_dir / "locust.log").read_text()[-3000:], file=sys.stderr)
        sys.exit("locust wrote no statistics (its log is above).")
    result.update(read_results(run_dir))
    result["server"] = server_side(run_dir)
    result["locust_exit_status"] = locust_status
    print()
    print_table(result)
    output = args.output or ROOT / "var" / "bench" / f"load-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\nresult written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}"
    )
    failed = (
        result["total"]["errors"]
        or result["server"]["error_statuses"]
        or not result["total"]["requests"]
        or locust_status
    )
    if failed:
        print("FAILED: some requests failed (see above, and the logs in "
              f"{result['run_dir']})", file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


def delete_indexes(prefix: str) -> list[str]:
    """The indexes under the load prefix, by name (the node refuses wildcard deletes)."""
    from search.client import get_client

    client = get_client()
    names = sorted(client.indices.get(index=f"{prefix}-*", ignore_unavailable=True).keys())
    if names:
        client.indices.delete(index=",".join(names))
    return names


if __name__ == "__main__":
    sys.exit(main())
