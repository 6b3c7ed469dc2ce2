import os
import uuid

from django.db import connection

from marketplace.celery import app as celery_app
from marketplace.ops.tasks import ping_task
from tests.conftest import ROOT, _wait_for_worker, database_url_for, process_stop, worker_start


def test_task_runs_in_a_real_worker_process_through_redis(celery_worker):
    process, queue = celery_worker
    assert celery_app.connection_for_write().transport.driver_type == "redis"

    result = ping_task.apply_async(queue=queue)
    answer = result.get(timeout=30)

    assert answer["pid"] == process.pid
    assert answer["pid"] != os.getpid()


def test_a_worker_process_keeps_its_database_connection_from_task_to_task(django_db_setup):
    """Celery's Django fixup would close it around every task (a new PostgreSQL session each,
    most of a short task's time); a worker keeps it as a web process does (CONN_MAX_AGE)."""
    queue = f"test-sessions-{uuid.uuid4().hex[:8]}"
    log_path = ROOT / "var" / "celery-worker-sessions.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "60",
    }
    process = worker_start(queue=queue, environment=environment, log_path=log_path)
    was_eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
    try:
        _wait_for_worker(process, f"{queue}@", log_path)
        answers = [ping_task.apply_async(queue=queue).get(timeout=30) for _ in range(5)]
    finally:
        celery_app.conf.task_always_eager = was_eager
        process_stop(process)

    assert {answer["pid"] for answer in answers} == {process.pid}
    sessions = {answer["database_session"] for answer in answers}
    assert len(sessions) == 1 and None not in sessions, sessions
