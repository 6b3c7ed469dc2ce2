import os

from marketplace.celery import app as celery_app
from marketplace.ops.tasks import ping_task


def test_task_runs_in_a_real_worker_process_through_redis(celery_worker):
    process, queue = celery_worker
    assert celery_app.connection_for_write().transport.driver_type == "redis"

    result = ping_task.apply_async(queue=queue)
    answer = result.get(timeout=30)

    assert answer["pid"] == process.pid
    assert answer["pid"] != os.getpid()
