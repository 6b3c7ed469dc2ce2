"""Reads about the running site: which of its services answer."""

from django.db import connection

from marketplace.celery import app as celery_app
from search.client import search_is_available

SERVICE_STATES = ["ok", "unavailable"]


def database_is_available() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


def broker_status() -> str:
    """``inline`` when tasks run in-process, else ``ok`` or ``unavailable``."""
    if celery_app.conf.task_always_eager:
        return "inline"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001
        return "unavailable"


def service_health() -> dict[str, str]:
    """The state of each service; the database is the only one the site cannot run without."""
    return {
        "database": "ok" if database_is_available() else "unavailable",
        "search": "ok" if search_is_available() else "unavailable",
        "broker": broker_status(),
    }
