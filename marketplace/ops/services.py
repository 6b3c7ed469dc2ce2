"""The outbox: background work that outlives a broker outage.

``task_enqueue`` records the task in the caller's transaction; after commit it is handed to the
broker and the record deleted. If the broker cannot take it, the record stays (with the error)
and ``outbox_drain`` (every minute, and ``manage.py outbox_drain``) sends it once the broker is
back. Delivery is at least once: tasks sent this way must be safe to run twice.
"""

import logging

from celery import current_app
from django.db import connection, transaction
from django.utils.module_loading import import_string

from marketplace.ops.models import PendingTask

logger = logging.getLogger(__name__)


def task_enqueue(task: str, *args, **kwargs) -> PendingTask:
    """Run the Celery task at the dotted path ``task`` (its name) with JSON-able arguments once
    the transaction commits."""
    pending = PendingTask.objects.create(task=task, args=list(args), kwargs=kwargs)
    transaction.on_commit(_Send(pending))
    return pending


def task_enqueue_once(task: str, *args, **kwargs) -> PendingTask:
    """As ``task_enqueue``, unless the same task with the same arguments already waits for this
    transaction to commit: work that covers every change made before it runs is asked for once."""
    for entry in connection.run_on_commit:  # (savepoints, callback, robust) in Django 5.2
        callback = entry[1]
        if (
            isinstance(callback, _Send)
            and not callback.has_run
            and callback.key == (task, list(args), kwargs)
        ):
            return callback.pending
    return task_enqueue(task, *args, **kwargs)


class _Send:
    """The on-commit callback handing one recorded task to the broker."""

    def __init__(self, pending: PendingTask):
        self.pending = pending
        self.key = (pending.task, pending.args, pending.kwargs)
        self.has_run = False

    def __call__(self) -> None:
        self.has_run = True
        _send(self.pending.pk)


def _send(pk: int) -> bool:
    """Hand one recorded task to the broker; False (and the record kept) if it cannot take it."""
    with transaction.atomic():
        pending = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if pending is None:
            return True  # sent by a sweep already, or being sent right now
        try:
            _hand_over(pending)
        except Exception as error:  # noqa: BLE001 - any failure: keep it for the sweep
            pending.attempts += 1
            pending.last_error = f"{type(error).__name__}: {error}"[:2000]
            pending.save(update_fields=["attempts", "last_error"])
            if current_app.conf.task_always_eager:  # no broker: the task itself ran, and failed
                logger.warning("%s failed (%s); it is kept for the outbox sweep", pending, error)
            else:
                logger.warning("Broker unavailable; %s is kept for the outbox sweep", pending)
            return False
        pending.delete()
        return True


def _hand_over(pending: PendingTask) -> None:
    """Give the task to the broker, failing within a second or two when the broker is down
    (Celery's defaults would retry the connection for many seconds, holding a web request).

    The connection comes from the app's pool: opening one per task (a TCP connection and its
    channel set up each time) cost a webhook delivery more than the rest of its work."""
    task = import_string(pending.task)
    if task.app.conf.task_always_eager:
        task.apply_async(args=pending.args, kwargs=pending.kwargs)
        return
    with task.app.pool.acquire(block=True, timeout=2) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        task.apply_async(
            args=pending.args, kwargs=pending.kwargs, connection=connection, retry=False
        )


def outbox_drain(*, limit: int = 1000) -> dict:
    """Send the oldest recorded tasks; stops at the first the broker refuses."""
    sent = 0
    for pk in PendingTask.objects.values_list("pk", flat=True)[:limit]:
        if not _send(pk):
            break
        sent += 1
    return {"sent": sent, "waiting": PendingTask.objects.count()}
