import os
import uuid

from marketplace.celery import app as celery_app
from marketplace.celery import queue_for, queue_names
from marketplace.ops.tasks import ping_task
from payments.tasks import stripe_events_process_pending_task
from search.tasks import index_drift_repair_task
from tests.conftest import (
    ROOT,
    _wait_for_worker,
    process_stop,
    tasks_sent_to,
    worker_environment,
    worker_start,
)


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
    environment = {**worker_environment(), "DATABASE_CONN_MAX_AGE": "60"}
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


def test_tasks_go_to_the_queue_of_their_kind_of_work(settings):
    route = celery_app.amqp.router.route
    base = celery_app.conf.task_default_queue

    assert route({}, "payments.tasks.stripe_event_process_task")["queue"].name == f"{base}.payments"
    assert route({}, "marketplace.billing.tasks.invoice_issue_task")["queue"].name == (
        f"{base}.payments"
    )
    assert route({}, "search.tasks.index_changes_apply_task")["queue"].name == f"{base}.search"
    assert route({}, "marketplace.contracting.tasks.quotes_expire_task")["queue"].name == base
    assert route({"queue": "elsewhere"}, "search.tasks.x")["queue"].name == "elsewhere"
    assert queue_names() == [base, f"{base}.payments", f"{base}.search"]
    assert queue_for("search.tasks.synonyms_refresh_task") == f"{base}.search"


def test_a_payments_worker_runs_payment_tasks_while_search_work_waits(django_db_setup):
    """Search tasks pile up with nobody consuming their queue; a payment task sent after them is
    done at once by the worker of the payments queue: it never waits behind reindexing."""
    queue = f"test-kinds-{uuid.uuid4().hex[:8]}"
    log_path = ROOT / "var" / "celery-worker-payments.log"
    process = worker_start(
        queue=queue, environment=worker_environment(), log_path=log_path, only=f"{queue}.payments"
    )
    try:
        with tasks_sent_to(queue):
            _wait_for_worker(process, f"{queue}@", log_path)
            for _ in range(3):
                index_drift_repair_task.delay()
            answer = stripe_events_process_pending_task.apply_async(ignore_result=False)
            assert answer.get(timeout=30) == {"processed": 0, "failed": 0}
            with celery_app.connection_for_write() as broker:  # the search work still waits
                assert broker.default_channel.client.llen(f"{queue}.search") == 3
    finally:
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(f"{queue}.search")
        process_stop(process)
