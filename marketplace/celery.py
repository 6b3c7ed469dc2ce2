"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered.

Tasks go to a queue by the kind of work, so that a worker per queue keeps one kind from waiting
behind another: payments (Stripe events, payouts, invoices) never wait behind a reindex. The
queues are named after the default queue: ``<default>`` (everything else), ``<default>.search``
and ``<default>.payments`` (``marketplace``, ``marketplace.search``, ``marketplace.payments`` in
production); a worker started with ``-Q`` on all of them does every kind.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The kinds of work with a queue of their own, by the module their tasks live in.
QUEUE_KINDS = (
    ("search.", "search"),
    ("payments.", "payments"),
    ("marketplace.billing.", "payments"),
)


def queue_for(task_name: str) -> str:
    """The queue a task is sent to (unless its caller names one)."""
    base = app.conf.task_default_queue
    kind = next((kind for prefix, kind in QUEUE_KINDS if task_name.startswith(prefix)), None)
    return f"{base}.{kind}" if kind else base


def queue_names(base: str | None = None) -> list[str]:
    """Every queue, the default first (``base``, or the configured one), then the kinds' in
    name order: what a worker doing every kind of work consumes."""
    base = base or app.conf.task_default_queue
    return [base, *sorted({f"{base}.{kind}" for _prefix, kind in QUEUE_KINDS})]


def _route(name, args, kwargs, options, task=None, **kw) -> dict:
    return {"queue": queue_for(name)}


app.conf.task_routes = (_route,)


@app.on_after_configure.connect
def _declare_queues(sender, **kwargs) -> None:
    """Every queue declared: a worker started without ``-Q`` consumes them all (every kind of
    work), as one did before the kinds had queues of their own."""
    from kombu import Queue

    sender.conf.task_queues = [Queue(name) for name in queue_names()]


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """Around each task in a worker, as Django around each request: a connection past
    CONN_MAX_AGE, broken, or left in a transaction is closed; a sound one is kept (a new one
    costs milliseconds). Not for a task run inline, inside its caller's transaction."""
    from django.db import close_old_connections

    if not getattr(sender.request, "is_eager", False):
        close_old_connections()
