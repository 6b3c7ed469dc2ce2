"""Fixtures shared by the whole suite. The services are real: see `make services`."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from psycopg import sql

from cms.demo import load_demo_site
from marketplace.celery import app as celery_app
from marketplace.celery import queue_names
from search.client import configure as configure_elasticsearch
from search.entries import entries_rebuild
from search.indexing import INDEXES, SERVICES, index_rebuild
from search.selectors import OUTAGE
from tests.processes import wait_until_answering

ROOT = Path(__file__).resolve().parent.parent


def database_url_for(settings_dict: dict) -> str:
    """A DATABASE_URL pointing another process at the database this test run uses."""
    return (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}"
        f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        f"/{settings_dict['NAME']}"
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the migrated database plus the demo site (30 providers).

    Loaded once per run (importing it takes seconds); tests that use ``db`` roll back to it.
    Tests using ``transactional_db`` run last and leave an empty database behind them.
    """
    from django.db import connection

    if not Path(str(connection.settings_dict["NAME"])).name.startswith("test_"):
        return  # no collected test uses the database, so none was created: touch nothing
    with django_db_blocker.unblock():
        load_demo_site()


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in Chinese leaves its language active in the
    thread, which would otherwise leak into the next test's messages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def demo_site():
    """The demo data already in the database: here to name the dependency in a test's signature."""
    return None


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on Redis, consuming a queue of this run's own.

    Yields ``(process, queue)``; tasks sent with ``apply_async(queue=queue)`` run in that process,
    against the test database. Eager mode is switched off while the worker is up.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = worker_start(
        queue=queue, environment=worker_environment(), log_path=ROOT / "var" / "celery-worker.log"
    )
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        _wait_for_worker(process, f"{queue}@", ROOT / "var" / "celery-worker.log")
        yield process, queue
    finally:
        celery_app.conf.task_always_eager = was_eager
        process_stop(process)


def worker_start(
    *, queue: str, environment: dict, log_path: Path, only: str | None = None,
    hostname: str | None = None,
) -> subprocess.Popen:  # fmt: skip
    """A Celery worker process consuming ``queue`` and its search and payments queues (every kind
    of work), or ``only`` those named (comma-separated), with ``environment``, logging to
    ``log_path``; named ``<hostname or queue>@<host>``."""
    log_path.parent.mkdir(exist_ok=True)
    queues = only or ",".join(queue_names(base=queue))
    # Tasks the worker sends itself go to its own queues too.
    environment = {**environment, "CELERY_QUEUE": queue}
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo",
             "--loglevel=INFO", f"--queues={queues}", f"--hostname={hostname or queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def process_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_for_worker(process: subprocess.Popen, hostname_prefix: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{log_path.read_text()[-3000:]}")
        replies = celery_app.control.ping(timeout=0.5) or []
        if any(name.startswith(hostname_prefix) for reply in replies for name in reply):
            return
    raise RuntimeError(f"Celery worker did not answer in 60 s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def search_entries(django_db_setup, django_db_blocker):
    """The database's search index built once from the demo data, by name."""
    with django_db_blocker.unblock():
        return {name: entries_rebuild(name=name) for name in INDEXES}


@pytest.fixture
def elasticsearch_unreachable(settings, search_entries):
    """Point the search client at a closed loopback port for one test, then back (searches
    answer from the database's search index)."""
    original = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    configure_elasticsearch()
    OUTAGE.reset()
    yield
    settings.ELASTICSEARCH_URL = original
    configure_elasticsearch()
    OUTAGE.reset()


@pytest.fixture(scope="session")
def search_indexes(django_db_setup, django_db_blocker, search_entries):
    """Every index built once from the demo data (which every test starts from), by name (with
    the database's search index, whose words "did you mean" draws on for both engines)."""
    with django_db_blocker.unblock():
        return {name: index_rebuild(name=name) for name in INDEXES}


@pytest.fixture
def services_index(search_indexes):
    return search_indexes[SERVICES]


@pytest.fixture
def broker_unreachable():
    """For one test, tasks go to a broker nobody listens on (as when Redis is stopped): eager
    mode off, the connection pools rebuilt for the closed port. Yields ``back()``, which puts the
    broker back (tasks inline again), as teardown does anyway."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def back() -> None:
        conf.broker_url, conf.task_always_eager = saved
        celery_pools_reset()

    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False
    celery_pools_reset()
    yield back
    back()


def worker_environment() -> dict:
    """A test worker's environment: the test settings, on this test's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
    }


@contextmanager
def tasks_sent_to(queue: str):
    """While inside, this process sends its tasks for real to ``queue`` and its kinds' queues
    (``<queue>.search``, ``<queue>.payments``), not inline."""
    conf = celery_app.conf
    saved = conf.task_default_queue, conf.task_always_eager
    conf.task_default_queue, conf.task_always_eager = queue, False
    celery_pools_reset()
    try:
        yield
    finally:
        conf.task_default_queue, conf.task_always_eager = saved
        celery_pools_reset()


def celery_pools_reset() -> None:
    """Make the Celery app open new connections for its broker URL as it is now. Dropped, not
    closed: kombu keeps one pool per broker URL for the whole process, and a closed one would be
    handed back when that URL is in use again."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def site_worker(*, broker_url: str, application_name: str = "site-worker"):
    """A Celery worker on the test database as the live site runs one (marketplace.settings.e2e:
    the queue ``site-<database>``, mail written to files under ``var/e2e-mail/<database>``), on
    ``broker_url``. While it runs, this process sends its tasks there, for real (not inline).

    Yields the folder its mail goes to. Its database connections carry ``application_name``.
    """
    name = connection.settings_dict["NAME"]
    queue = f"site-{name}"
    mail = ROOT / "var" / "e2e-mail" / name
    shutil.rmtree(mail, ignore_errors=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.e2e",
        "DATABASE_URL": f"{database_url_for(connection.settings_dict)}"
        f"?application_name={application_name}",
        "CELERY_BROKER_URL": broker_url,
    }
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_default_queue, conf.task_always_eager
    conf.broker_url, conf.task_default_queue, conf.task_always_eager = broker_url, queue, False
    celery_pools_reset()
    log_path = ROOT / "var" / f"{name}-site-worker.log"
    process = worker_start(queue=queue, environment=environment, log_path=log_path)
    try:
        _wait_for_worker(process, f"{queue}@", log_path)
        yield mail
    finally:
        process_stop(process)
        conf.broker_url, conf.task_default_queue, conf.task_always_eager = saved
        celery_pools_reset()


def admin_dsn(settings_dict: dict, database: str = "postgres") -> str:
    """A libpq connection string for the test database's server, to ``database``."""
    return (
        f"host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432} "
        f"user={settings_dict['USER']} password={settings_dict['PASSWORD']} dbname={database}"
    )


def _server(statement: str, database: str, template: str = "template0") -> None:
    with psycopg.connect(admin_dsn(connection.settings_dict), autocommit=True) as server:
        server.execute(
            sql.SQL(statement).format(
                database=sql.Identifier(database), template=sql.Identifier(template)
            )
        )


@contextmanager
def database_copy(suffix: str, *, template: str | None = None):
    """A database named ``<test database>_<suffix>``, dropped afterwards; yields its name.

    By default a copy of the test database as it is committed (the demo site included);
    ``template="template0"`` makes an empty one. PostgreSQL copies a template only while nobody
    is connected to it: this closes this process's connections first."""
    source = template or connection.settings_dict["NAME"]
    copy = f"{connection.settings_dict['NAME']}_{suffix}"
    connections.close_all()
    _server("DROP DATABASE IF EXISTS {database} WITH (FORCE)", copy)
    _server("CREATE DATABASE {database} TEMPLATE {template}", copy, source)
    try:
        yield copy
    finally:
        _server("DROP DATABASE IF EXISTS {database} WITH (FORCE)", copy)


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access where every write is committed at once, as in production, on a copy of the
    test database: for tests whose other processes (a worker) must read what they write. The
    copy, and everything written to it, is dropped afterwards."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    if not original.startswith("test_"):
        pytest.fail(
            "committed_db copies the suite's test database, which pytest-django creates only when "
            "a collected test uses `db`: run this test with the suite (or with such a test)."
        )
    with django_db_blocker.unblock(), database_copy("committed") as copy:
        settings_dict["NAME"] = copy
        try:
            yield copy
        finally:
            connections.close_all()
            settings_dict["NAME"] = original


# --- The live site: gunicorn and a worker on a copy of the test database (browser and fuzz tests)

MAIL = ROOT / "var" / "e2e-mail"
# The live site's process environment (its database URL), for ``site_python``.
SITE: dict = {}


def site_python(code: str) -> str:
    """Run Python with Django set up against the live site's database; return what it prints.

    How a browser test puts committed data (people, deals) where the server can see it.
    """
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT, env=SITE["environment"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"site_python failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_site(django_db_setup, django_db_blocker):
    """Base URL of a server process on a copy of the test database (demo site included), with
    a Celery worker of its own; the browser tests and the API fuzzing share it."""
    with database_copy("e2e") as copy:
        yield from _serve(copy)


def _serve(copy: str):
    port = _free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.e2e",
        "DATABASE_URL": database_url_for({**connection.settings_dict, "NAME": copy}),
    }
    SITE["environment"] = environment
    shutil.rmtree(MAIL / copy, ignore_errors=True)
    SITE["mail"] = MAIL / copy
    log_path = ROOT / "var" / f"{copy}-server.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "marketplace.wsgi", f"--bind=127.0.0.1:{port}",
             "--workers=2", "--threads=4", "--access-logfile=-"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    # Background work (index changes, emails) runs on a real worker, on the site's own queue.
    worker = worker_start(
        queue=f"site-{copy}", environment=environment, log_path=ROOT / "var" / f"{copy}-worker.log"
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base_url, server, log_path)
        yield base_url
    finally:
        process_stop(server)
        process_stop(worker)
