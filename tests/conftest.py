"""Fixtures shared by the whole suite. The services are real: see `make services`."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from cms.demo import load_demo_site
from marketplace.celery import app as celery_app
from search.client import configure as configure_elasticsearch
from search.indexing import INDEXES, SERVICES, index_rebuild

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

    if not connection.settings_dict["NAME"].startswith("test_"):
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
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
    }
    log_path = ROOT / "var" / "celery-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo",
             "--loglevel=INFO", f"--queues={queue}", f"--hostname={queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        _wait_for_worker(process, f"{queue}@", log_path)
        yield process, queue
    finally:
        celery_app.conf.task_always_eager = was_eager
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


@pytest.fixture
def elasticsearch_unreachable(settings):
    """Point the search client at a closed loopback port for one test, then back."""
    original = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    configure_elasticsearch()
    yield
    settings.ELASTICSEARCH_URL = original
    configure_elasticsearch()


@pytest.fixture(scope="session")
def search_indexes(django_db_setup, django_db_blocker):
    """Every index built once from the demo data (which every test starts from), by name."""
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

    def reset_pools() -> None:
        # Dropped, not closed: kombu keeps one pool per broker URL for the whole process, and a
        # closed one would be handed back when the URL is in use again.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def back() -> None:
        conf.broker_url, conf.task_always_eager = saved
        reset_pools()

    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False
    reset_pools()
    yield back
    back()
